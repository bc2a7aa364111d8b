import Logging

/// Where formatted log lines go: a seam so tests can read what would be logged.
public protocol LogLineWriter: Sendable {
    /// One line, as UTF-8, its newline included.
    func write(_ line: [UInt8], level: Logger.Level)
}
