import Foundation

/// A `taogate` process started by a test, its standard error kept in a file to read (the file
/// and its folder are removed when the test lets go of it).
final class RunningProcess: @unchecked Sendable {
    let process: ChildProcess
    let errorLog: URL
    private let directory: URL

    init(_ arguments: [String], environment extra: [String: String] = [:]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("taogate-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        errorLog = directory.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
        var environment = ProcessInfo.processInfo.environment.filter {
            !["TAOTOKEN_API_KEY", "TAOTOKEN_BASE_URL", "PORT", "HOST", "DATABASE_URL", "LOG_DIR", "TAOGATE_CONFIG"].contains($0.key)
        }
        environment.merge(extra) { $1 }
        let errors = try FileHandle(forWritingTo: errorLog)
        defer { try? errors.close() }
        process = try ChildProcess(
            CommandLineTests.executable,
            arguments,
            environment: environment,
            directory: directory,
            standardError: errors.fileDescriptor
        )
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    var standardError: String { (try? String(contentsOf: errorLog, encoding: .utf8)) ?? "" }

    /// The port from a "… listening on http://127.0.0.1:PORT" line, once it is printed.
    func listeningPort(timeout: Duration = .seconds(15)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = standardError
            if let range = text.range(of: "listening on http://127.0.0.1:") {
                if let port = Int(text[range.upperBound...].prefix { $0.isNumber }) { return port }
            }
            try await Task.sleep(for: .milliseconds(30))
        }
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "no listening line in: \(standardError)"])
    }

    /// Sends SIGTERM.
    func terminate() {
        process.terminate()
    }

    /// The exit status, or nil if the process is still running after `timeout`.
    func exitStatus(within timeout: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(30))
        }
        return process.isRunning ? nil : process.terminationStatus
    }
}

/// A free port on 127.0.0.1 (bound and released; a small race is acceptable in tests).
func freeLoopbackPort() -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A port on 127.0.0.1 that refuses connections for as long as `body` runs: bound, so no other
/// test can take it, and not listening.
func withRefusingPort<T>(_ body: (Int) async throws -> T) async throws -> T {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
    return try await body(Int(UInt16(bigEndian: address.sin_port)))
}
