import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real nginx on 127.0.0.1, for the transport's tests against a server it did not script:
/// started in the foreground (no master process, no daemon) with `configuration` as the body of
/// its `http` block, everything it writes in a folder of its own, removed when it stops.
/// Unavailable where nginx is not installed (CI installs it).
final class TestNginx: Sendable {
    static let executable = ["/usr/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var isAvailable: Bool { executable != nil }

    let port: Int
    private let directory: URL
    private let process: ChildProcess

    /// Starts nginx; `configuration` holds its `server` blocks, in which `@PORT@` stands for the
    /// port it listens on.
    init(configuration: String) async throws {
        guard let executable = Self.executable else { throw NginxError.notInstalled }
        port = try Self.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("taogate-nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.path
        let file = """
            daemon off;
            master_process off;
            worker_processes 1;
            pid \(temporary)/nginx.pid;
            error_log \(temporary)/error.log warn;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path \(temporary)/body;
                proxy_temp_path \(temporary)/proxy;
                fastcgi_temp_path \(temporary)/fastcgi;
                uwsgi_temp_path \(temporary)/uwsgi;
                scgi_temp_path \(temporary)/scgi;
                \(configuration.replacingOccurrences(of: "@PORT@", with: String(port)))
            }
            """
        let configurationFile = directory.appendingPathComponent("nginx.conf")
        try file.write(to: configurationFile, atomically: true, encoding: .utf8)
        process = try ChildProcess(URL(fileURLWithPath: executable), ["-p", temporary, "-c", configurationFile.path, "-e", "\(temporary)/error.log"])
        for _ in 0..<500 {
            if Self.accepts(port) { return }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        stop()
        throw NginxError.didNotStart
    }

    deinit {
        stop()
    }

    /// Stops nginx with SIGKILL: started from a thread of the test process, nginx inherits its
    /// blocked signals, and without a master process it never unblocks SIGTERM.
    func stop() {
        if process.isRunning {
            process.send(SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    enum NginxError: Error {
        case notInstalled
        case didNotStart
        case noFreePort
    }

    /// A port on 127.0.0.1 that nothing listens on now (the kernel's choice for port 0).
    private static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw NginxError.noFreePort }
        defer { close(socket) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard bound else { throw NginxError.noFreePort }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func accepts(_ port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
