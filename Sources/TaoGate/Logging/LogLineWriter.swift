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
