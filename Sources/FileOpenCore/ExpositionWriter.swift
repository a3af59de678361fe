/// Writes metric families in the Prometheus text format or OpenMetrics, straight into bytes.
/// It knows each format's naming (a counter family `x` has samples `x_total`; OpenMetrics' info
/// type), escaping (label values and help text) and ending (`# EOF`); callers name families by
/// their base name and never write syntax themselves.
public struct ExpositionWriter: Sendable {
    /// What kind of family; decides the sample suffix and the TYPE line.
    public enum MetricType: Sendable {
        case counter, gauge
        /// A constant 1 whose labels carry the information (`x_info`); a gauge in text format.
        case info
    }

    /// Advice to the kernel about a writer's freshly reserved buffer, given its start and capacity
    /// in bytes: the daemon asks for huge pages (`HugePages.advise`). A hint, never a change to
    /// what is written.
    public typealias BufferAdvice = @Sendable (_ start: UnsafeMutableRawPointer, _ capacity: Int) -> Void

    public let format: ExpositionFormat
    /// The advice this writer's buffer got, for the scratch writers of renderers that write for it.
    public let bufferAdvice: BufferAdvice?
    public private(set) var bytes: [UInt8] = []
    private var sampleName: [UInt8] = []

    /// A writer whose buffer holds `capacity` bytes before it grows, advised by `bufferAdvice`.
    public init(
        format: ExpositionFormat, reservingCapacity capacity: Int = 64 * 1024, bufferAdvice: BufferAdvice? = nil
    ) {
        self.format = format
        self.bufferAdvice = bufferAdvice
        bytes.reserveCapacity(capacity)
        if let bufferAdvice {
            bytes.withUnsafeMutableBufferPointer { buffer in
                guard let start = buffer.baseAddress else { return }
                bufferAdvice(UnsafeMutableRawPointer(start), capacity)
            }
        }
    }

    /// Starts a family: its HELP and TYPE lines. Samples written after belong to it.
    public mutating func family(_ name: String, _ type: MetricType, help: String) {
        let suffixed: String
        switch type {
        case .counter: suffixed = name + "_total"
        case .gauge: suffixed = name
        case .info: suffixed = name + "_info"
        }
        sampleName = Array(suffixed.utf8)
        let familyName = format == .openMetrics ? name : suffixed
        let typeName: String
        switch (type, format) {
        case (.counter, _): typeName = "counter"
        case (.gauge, _), (.info, .prometheusText): typeName = "gauge"
        case (.info, .openMetrics): typeName = "info"
        }
        append("# HELP ")
        append(familyName)
        bytes.append(0x20)
        appendEscaped(help, quotes: format == .openMetrics)
        append("\n# TYPE ")
        append(familyName)
        bytes.append(0x20)
        append(typeName)
        bytes.append(0x0A)
    }

    /// One unlabelled sample of the current family.
    public mutating func sample(_ value: UInt64) {
        sample([:], value)
    }

    /// One unlabelled sample of the current family.
    public mutating func sample(_ value: Double) {
        sample([:], value)
    }

    /// One sample of the current family with an integer value.
    public mutating func sample(_ labels: KeyValuePairs<String, String>, _ value: UInt64) {
        startSample(labels)
        appendDecimal(value)
        bytes.append(0x0A)
    }

    /// One sample of the current family with a floating-point value.
    public mutating func sample(_ labels: KeyValuePairs<String, String>, _ value: Double) {
        startSample(labels)
        if value.isNaN {
            append("NaN")
        } else if value.isInfinite {
            append(value > 0 ? "+Inf" : "-Inf")
        } else if value == value.rounded(), abs(value) < 1e15 {
            append(String(Int64(value)))
        } else {
            append(String(value))
        }
        bytes.append(0x0A)
    }

    /// Appends a per-process label set `{pid="…",comm="…"` (without the closing brace), escaped
    /// as `sample` would. A scrape collects them in a writer of their own, once per process, then
    /// writes each into every family of that process with `processSample(labels:…)`.
    public mutating func appendProcessLabels(pid: Int32, comm: String) {
        append("{pid=\"")
        if pid < 0 {
            bytes.append(0x2D)  // -
            appendDecimal(UInt64(-Int64(pid)))
        } else {
            appendDecimal(UInt64(pid))
        }
        append("\",comm=\"")
        appendEscaped(comm, quotes: true)
        bytes.append(0x22)
    }

    /// One sample of a per-process family from labels made by `appendProcessLabels`, plus
    /// optionally one more label: the same bytes as `sample(["pid": …, "comm": …, name: value], value)`,
    /// written without building the pid's text or a label list.
    public mutating func processSample(
        labels: UnsafeBufferPointer<UInt8>, extra: (name: StaticString, value: String)? = nil, _ value: UInt64
    ) {
        // A scrape at 100 k processes writes about a million of these: built on the stack and
        // appended once, not in seven appends that each check the array's uniqueness and room.
        if var extraValue = extra?.value {
            let appended = extraValue.withUTF8 { utf8 in
                appendAtOnce(labels: labels, extraName: extra!.name, extraValue: utf8, value)
            }
            if appended { return }
        } else if appendAtOnce(labels: labels, extraName: nil, extraValue: nil, value) {
            return
        }
        bytes.append(contentsOf: sampleName)
        bytes.append(contentsOf: labels)
        if let extra {
            bytes.append(0x2C)  // ,
            bytes.append(contentsOf: UnsafeBufferPointer(start: extra.name.utf8Start, count: extra.name.utf8CodeUnitCount))
            bytes.append(contentsOf: [0x3D, 0x22])  // ="
            appendEscaped(extra.value, quotes: true)
            bytes.append(0x22)
        }
        bytes.append(contentsOf: [0x7D, 0x20])  // "} "
        appendDecimal(value)
        bytes.append(0x0A)
    }

    /// `processSample` in one append when the sample fits in a small stack buffer and its extra
    /// label value needs no escaping; returns false (having written nothing) otherwise.
    private mutating func appendAtOnce(
        labels: UnsafeBufferPointer<UInt8>, extraName: StaticString?, extraValue: UnsafeBufferPointer<UInt8>?,
        _ value: UInt64
    ) -> Bool {
        let capacity = 256  // a constant: the buffer is then a plain stack slot
        let extraLength = extraName.map { $0.utf8CodeUnitCount + 4 } ?? 0  // ,name=""
        guard sampleName.count + labels.count + extraLength + (extraValue?.count ?? 0) + 3 + Self.maximumDigits <= capacity
        else {
            return false
        }
        if let extraValue, extraValue.contains(where: { Self.escape($0, quotes: true) != nil }) { return false }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var end = 0
            func put(_ source: UnsafeBufferPointer<UInt8>) {
                guard let base = source.baseAddress, !source.isEmpty else { return }
                UnsafeMutableRawPointer(buffer.baseAddress! + end).copyMemory(from: base, byteCount: source.count)
                end += source.count
            }
            sampleName.withUnsafeBufferPointer(put)
            put(labels)
            if let extraName, let extraValue {
                buffer[end] = 0x2C  // ,
                end += 1
                put(UnsafeBufferPointer(start: extraName.utf8Start, count: extraName.utf8CodeUnitCount))
                buffer[end] = 0x3D  // =
                buffer[end + 1] = 0x22  // "
                end += 2
                put(extraValue)
                buffer[end] = 0x22
                end += 1
            }
            buffer[end] = 0x7D  // }
            buffer[end + 1] = 0x20
            end += 2
            end = Self.writeDecimal(value, into: buffer, at: end)
            buffer[end] = 0x0A
            end += 1
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<end]))
            return true
        }
    }

    /// Ends the exposition (OpenMetrics requires `# EOF`) and returns the bytes.
    public consuming func finish() -> [UInt8] {
        if format == .openMetrics { append("# EOF\n") }
        return bytes
    }

    private mutating func startSample(_ labels: KeyValuePairs<String, String>) {
        bytes.append(contentsOf: sampleName)
        if !labels.isEmpty {
            bytes.append(0x7B)  // {
            var first = true
            for (name, value) in labels {
                if !first { bytes.append(0x2C) }  // ,
                first = false
                append(name)
                bytes.append(contentsOf: [0x3D, 0x22])  // ="
                appendEscaped(value, quotes: true)
                bytes.append(0x22)
            }
            bytes.append(0x7D)  // }
        }
        bytes.append(0x20)
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Escapes `\`, newline, and (in label values, and OpenMetrics help) `"`.
    /// Most values need no escaping and are copied whole; only those that do go byte by byte.
    private mutating func appendEscaped(_ text: String, quotes: Bool) {
        var text = text
        text.withUTF8 { utf8 in
            guard utf8.contains(where: { Self.escape($0, quotes: quotes) != nil }) else {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
                if let escaped = Self.escape(byte, quotes: quotes) {
                    bytes.append(0x5C)
                    bytes.append(escaped)
                } else {
                    bytes.append(byte)
                }
            }
        }
    }

    /// What follows the backslash when `byte` must be escaped (`\\`, `\n`, `\"` where quotes
    /// are), or nil when it stands as it is.
    private static func escape(_ byte: UInt8, quotes: Bool) -> UInt8? {
        switch byte {
        case 0x5C: 0x5C
        case 0x0A: 0x6E
        case 0x22 where quotes: 0x22
        default: nil
        }
    }

    private mutating func appendDecimal(_ value: UInt64) {
        if value < 10 {
            bytes.append(0x30 + UInt8(value))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maximumDigits) { digits in
            let count = Self.writeDecimal(value, into: digits, at: 0)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[..<count]))
        }
    }

    /// Digits of the largest UInt64.
    private static var maximumDigits: Int { 20 }

    /// Writes `value` in decimal into `buffer` from `start`; returns where the digits end.
    private static func writeDecimal(_ value: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        rest = value
        for index in stride(from: start + digits - 1, through: start, by: -1) {
            buffer[index] = 0x30 + UInt8(rest % 10)
            rest /= 10
        }
        return start + digits
    }
}
