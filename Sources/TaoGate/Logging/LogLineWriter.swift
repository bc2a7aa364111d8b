import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where formatted log lines go: a seam so tests can read what would be logged.
public protocol LogLineWriter: Sendable {
    func write(_ line: String, level: Logger.Level)
}

/// Writes each line to standard output with one `write(2)`, so lines from many tasks never mix.
public struct StandardOutputLogWriter: LogLineWriter {
    public init() {}

    public func write(_ line: String, level: Logger.Level) {
        FileDescriptorWriter.write(line, to: STDOUT_FILENO)
    }
}

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

    public func write(_ line: String, level: Logger.Level) {
        FileDescriptorWriter.write(line, to: combined)
        if level >= .error { FileDescriptorWriter.write(line, to: errors) }
    }
}

enum FileDescriptorWriter {
    /// Appends `line` and a newline in one system call where possible.
    static func write(_ line: String, to descriptor: Int32) {
        var text = line
        text.append("\n")
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }

    private static func systemWrite(_ fd: Int32, _ pointer: UnsafePointer<UInt8>, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(fd, pointer, count)
        #else
        Darwin.write(fd, pointer, count)
        #endif
    }
}
