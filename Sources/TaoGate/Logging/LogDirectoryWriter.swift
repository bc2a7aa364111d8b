import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `combined.log` (every line) and `error.log` (error and critical lines) in a directory, as the
/// reference service's winston set-up writes them. The directory is created if missing.
public final class LogDirectoryWriter: LogLineWriter {
    private let combined: Int32
    private let errors: Int32

    public struct CannotOpen: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "cannot open \(path) for writing" }
    }

    public init(directory: String) throws {
        _ = mkdir(directory, 0o755)
        let combinedPath = directory + "/combined.log"
        let errorPath = directory + "/error.log"
        let flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC
        combined = open(combinedPath, flags, 0o644)
        guard combined >= 0 else { throw CannotOpen(path: combinedPath) }
        errors = open(errorPath, flags, 0o644)
        guard errors >= 0 else {
            close(combined)
            throw CannotOpen(path: errorPath)
        }
    }

    deinit {
        close(combined)
        close(errors)
    }

    public func write(_ line: [UInt8], level: Logger.Level) {
        FileDescriptorWriter.write(line, to: combined)
        if level >= .error { FileDescriptorWriter.write(line, to: errors) }
    }

    public func write(_ lines: [LogEntry]) {
        FileDescriptorWriter.write(lines.joined(), to: combined)
        if lines.contains(where: { $0.level >= .error }) {
            FileDescriptorWriter.write(lines.joined { $0.level >= .error }, to: errors)
        }
    }
}
