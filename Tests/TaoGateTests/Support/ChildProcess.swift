import Foundation
import Synchronization

/// A process the tests start, with `posix_spawn` instead of Foundation's `Process`: on Linux,
/// `Process.run()` of Swift 6.3.1 now and then reads past a buffer while it lists
/// /proc/self/fd and crashes the whole test run (swift-corelibs-foundation#5472; here about
/// one full run in three). The child gets the given descriptors as its standard input, output
/// and error (/dev/null for those not given) and no other descriptor of the test process, so a
/// pipe one test reads is never held open by another test's child.
final class ChildProcess: Sendable {
    let processIdentifier: pid_t
    /// The raw `waitpid` status once the child has been reaped.
    private let reaped = Mutex<Int32?>(nil)

    /// Starts `executable`. `environment` nil inherits the test process's environment.
    init(
        _ executable: URL,
        _ arguments: [String],
        environment: [String: String]? = nil,
        directory: URL? = nil,
        standardInput: Int32? = nil,
        standardOutput: Int32? = nil,
        standardError: Int32? = nil
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (descriptor, target) in [(standardInput, Int32(0)), (standardOutput, 1), (standardError, 2)] {
            if let descriptor {
                posix_spawn_file_actions_adddup2(&actions, descriptor, target)
            } else {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            }
        }
        try SpawnExtensions.closeFrom(&actions, 3)
        if let directory { try SpawnExtensions.changeDirectory(&actions, directory.path) }

        let environment = environment ?? ProcessInfo.processInfo.environment
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable.path, &actions, nil, argv, envp)
        guard status == 0 else {
            throw CocoaError(
                .executableLoad,
                userInfo: [NSLocalizedDescriptionKey: "posix_spawn \(executable.path): \(String(cString: strerror(status)))"]
            )
        }
        processIdentifier = pid
    }

    deinit {
        terminate()
    }

    var isRunning: Bool {
        reaped.withLock { reaped in
            if reaped != nil { return false }
            var status: Int32 = 0
            if waitpid(processIdentifier, &status, WNOHANG) == processIdentifier {
                reaped = status
                return false
            }
            return true
        }
    }

    /// The exit code, or the number of the signal that ended the process; 0 while it runs.
    var terminationStatus: Int32 {
        guard !isRunning, let status = reaped.withLock({ $0 }) else { return 0 }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : signal
    }

    /// Sends `signal` if the process is still running.
    func send(_ signal: Int32) {
        if isRunning { kill(processIdentifier, signal) }
    }

    /// Sends SIGTERM if the process is still running.
    func terminate() {
        send(SIGTERM)
    }

    /// Blocks the calling thread until the process ends: only on a thread of its own.
    func waitUntilExit() {
        while isRunning { usleep(10_000) }
    }
}

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34) and `…_addchdir_np` (2.29), which
/// its headers declare only for `_GNU_SOURCE` and so Swift's Glibc module does not show.
private enum SpawnExtensions {
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    private static func symbol(_ name: String) throws -> UnsafeMutableRawPointer {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, name) else {
            throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "this C library has no \(name)"])
        }
        return symbol
    }

    static func closeFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) throws {
        let function = unsafeBitCast(try symbol("posix_spawn_file_actions_addclosefrom_np"), to: CloseFrom.self)
        guard function(actions, lowest) == 0 else { throw CocoaError(.featureUnsupported) }
    }

    static func changeDirectory(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: String) throws {
        let function = unsafeBitCast(try symbol("posix_spawn_file_actions_addchdir_np"), to: ChangeDirectory.self)
        guard path.withCString({ function(actions, $0) }) == 0 else { throw CocoaError(.featureUnsupported) }
    }
}
