// The event lines of `tail` and `fileopend --print --json`: the schema, as Codable conformances.
// `EventLineFormatter.appendJSONLine` writes the same lines by hand (the hot path); the tests
// decode every line it writes with these and expect the record it came from.

extension ProbeRecord: Codable {
    enum Kind: String, Codable {
        case open, exit
    }

    enum KindKey: String, CodingKey {
        case event
    }

    /// Reads `event` and then the object as that kind; an unknown kind is a decoding error
    /// (`TailStreamLine` turns it into `.unknownEvent` first).
    public init(from decoder: any Decoder) throws {
        switch try decoder.container(keyedBy: KindKey.self).decode(Kind.self, forKey: .event) {
        case .open: self = .open(try FileOpenEvent(from: decoder))
        case .exit: self = .exit(try ProcessExitEvent(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .open(let event): try event.encode(to: encoder)
        case .exit(let exit): try exit.encode(to: encoder)
        }
    }
}

extension FileOpenEvent: Codable {
    enum CodingKeys: String, CodingKey {
        case event, timestamp = "time_ns", pid, tid, uid, comm, syscall, flags, mode, fd, errno, error, path
        case pathTruncated = "path_truncated", pathUnreadable = "path_unreadable", cgroupID = "cgroup_id"
        case resolvedPath = "resolved_path", resolution, resolvedTruncated = "resolved_truncated"
        case resolvedUnreachable = "resolved_unreachable"
        case processStart = "process_start_ns"
    }

    /// `result` comes back from `fd` or `errno`, whichever is not null; `error` (the errno's name)
    /// is derived, so it is not read.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let fd = try container.decode(Int64?.self, forKey: .fd)
        let errno = try container.decode(Int32?.self, forKey: .errno)
        let result: Int64
        switch (fd, errno) {
        case (let fd?, nil) where fd >= 0: result = fd
        case (nil, let errno?) where errno > 0: result = -Int64(errno)
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .fd, in: container, debugDescription: "an open has either an fd (0 or more) or an errno (1 or more)")
        }
        self.init(
            timestamp: try container.decode(UInt64.self, forKey: .timestamp),
            process: ProcessIdentity(
                pid: try container.decode(Int32.self, forKey: .pid),
                startTime: try container.decode(UInt64.self, forKey: .processStart)),
            tid: try container.decode(Int32.self, forKey: .tid),
            uid: try container.decode(UInt32.self, forKey: .uid),
            cgroupID: try container.decode(UInt64.self, forKey: .cgroupID),
            syscall: try container.decode(OpenSyscall.self, forKey: .syscall),
            flags: OpenFlags(rawValue: try container.decode(UInt32.self, forKey: .flags)),
            mode: try container.decode(UInt32.self, forKey: .mode),
            result: result,
            comm: try container.decode(String.self, forKey: .comm),
            path: try container.decode(String.self, forKey: .path),
            pathTruncated: try container.decode(Bool.self, forKey: .pathTruncated),
            pathUnreadable: try container.decode(Bool.self, forKey: .pathUnreadable),
            resolvedPath: try container.decode(String?.self, forKey: .resolvedPath) ?? "",
            resolution: try container.decode(PathResolution.self, forKey: .resolution),
            resolvedTruncated: try container.decode(Bool.self, forKey: .resolvedTruncated),
            resolvedUnreachable: try container.decode(Bool.self, forKey: .resolvedUnreachable)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ProbeRecord.Kind.open, forKey: .event)
        try container.encode(timestamp, forKey: .timestamp)
        try container.encode(process.pid, forKey: .pid)
        try container.encode(tid, forKey: .tid)
        try container.encode(uid, forKey: .uid)
        try container.encode(comm, forKey: .comm)
        try container.encode(syscall, forKey: .syscall)
        try container.encode(flags.rawValue, forKey: .flags)
        try container.encode(mode, forKey: .mode)
        // fd, errno and error are written as null when they do not apply, so every key is always there.
        try container.encode(fileDescriptor, forKey: .fd)
        try container.encode(errno, forKey: .errno)
        try container.encode(errno.map(ErrnoName.of), forKey: .error)
        try container.encode(path, forKey: .path)
        try container.encode(pathTruncated, forKey: .pathTruncated)
        try container.encode(pathUnreadable, forKey: .pathUnreadable)
        // null when not resolved, so an empty path is never mistaken for one.
        try container.encode(resolution == .unresolved ? nil : resolvedPath, forKey: .resolvedPath)
        try container.encode(resolution, forKey: .resolution)
        try container.encode(resolvedTruncated, forKey: .resolvedTruncated)
        try container.encode(resolvedUnreachable, forKey: .resolvedUnreachable)
        try container.encode(cgroupID, forKey: .cgroupID)
        try container.encode(process.startTime, forKey: .processStart)
    }
}

extension ProcessExitEvent: Codable {
    enum CodingKeys: String, CodingKey {
        case event, timestamp = "time_ns", pid, comm, exitCode = "exit_code", processStart = "process_start_ns"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            timestamp: try container.decode(UInt64.self, forKey: .timestamp),
            process: ProcessIdentity(
                pid: try container.decode(Int32.self, forKey: .pid),
                startTime: try container.decode(UInt64.self, forKey: .processStart)),
            comm: try container.decode(String.self, forKey: .comm),
            exitCode: try container.decode(Int64.self, forKey: .exitCode)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ProbeRecord.Kind.exit, forKey: .event)
        try container.encode(timestamp, forKey: .timestamp)
        try container.encode(process.pid, forKey: .pid)
        try container.encode(comm, forKey: .comm)
        try container.encode(exitCode, forKey: .exitCode)
        try container.encode(process.startTime, forKey: .processStart)
    }
}

extension OpenSyscall: Codable {
    /// By name; a name this side does not know (a newer daemon's) reads as `unknown`, which is
    /// what the attach mode could not tell either.
    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        self = Self.allCases.first { $0.description == name } ?? .unknown
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
