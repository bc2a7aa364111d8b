import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes each line, or each batch of lines, to standard output with one `write(2)`, so lines from
/// many tasks never mix.
public struct StandardOutputLogWriter: LogLineWriter {
    public init() {}

    public func write(_ line: [UInt8], level: Logger.Level) {
        FileDescriptorWriter.write(line, to: STDOUT_FILENO)
    }

    public func write(_ lines: [LogEntry]) {
        FileDescriptorWriter.write(lines.joined(), to: STDOUT_FILENO)
    }
}
