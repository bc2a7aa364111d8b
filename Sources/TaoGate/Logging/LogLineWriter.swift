import Logging

/// Where formatted log lines go: a seam so tests can read what would be logged.
public protocol LogLineWriter: Sendable {
    /// One line, as UTF-8, its newline included.
    func write(_ line: [UInt8], level: Logger.Level)

    /// Several lines, in order (by default one `write(_:level:)` each).
    func write(_ lines: [LogEntry])
}

extension LogLineWriter {
    public func write(_ lines: [LogEntry]) {
        for line in lines { write(line.bytes, level: line.level) }
    }
}

/// One formatted line and its level.
public struct LogEntry: Sendable {
    public let bytes: [UInt8]
    public let level: Logger.Level

    public init(bytes: [UInt8], level: Logger.Level) {
        self.bytes = bytes
        self.level = level
    }
}

extension [LogEntry] {
    /// The lines (those `including` keeps) as one run of bytes, for one system call.
    func joined(including: (LogEntry) -> Bool = { _ in true }) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(reduce(0) { $0 + $1.bytes.count })
        for line in self where including(line) { bytes.append(contentsOf: line.bytes) }
        return bytes
    }
}
