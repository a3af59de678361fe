extension BPFObject {
    /// The hash map `name`, viewed with `Key` and `Value` (see `BPFHashMap`).
    public func hashMap<Key: BitwiseCopyable, Value: BitwiseCopyable>(
        named name: String, key: Key.Type = Key.self, value: Value.Type = Value.self
    ) throws(BPFError) -> BPFHashMap<Key, Value> {
        try BPFHashMap(map(named: name))
    }

    /// The array map `name`, viewed with `Value` (see `BPFArrayMap`).
    public func arrayMap<Value: BitwiseCopyable>(
        named name: String, value: Value.Type = Value.self
    ) throws(BPFError) -> BPFArrayMap<Value> {
        try BPFArrayMap(map(named: name))
    }

    /// The per-CPU array map `name`, viewed with `Value` (see `BPFPerCPUArrayMap`).
    public func perCPUArrayMap<Value: BitwiseCopyable>(
        named name: String, value: Value.Type = Value.self
    ) throws(BPFError) -> BPFPerCPUArrayMap<Value> {
        try BPFPerCPUArrayMap(map(named: name))
    }
}
