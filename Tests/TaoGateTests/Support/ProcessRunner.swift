import Foundation

/// What a finished process left.
struct ProcessOutcome: Sendable {
    let status: Int32
    let output: String
    let errors: String
}

/// Runs a process to its end on threads of its own. Waiting on the few threads that run the
/// tests' tasks would stall every test beside it, and so would waiting on Dispatch's global
/// queue, where NIO resolves host names.
enum ProcessRunner {
    static func run(
        _ executable: URL,
        _ arguments: [String],
        environment: [String: String]? = nil,
        directory: URL? = nil,
        input: String? = nil
    ) async throws -> ProcessOutcome {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try runBlocking(executable, arguments, environment, directory, input) })
            }.start()
        }
    }

    private static func runBlocking(
        _ executable: URL,
        _ arguments: [String],
        _ environment: [String: String]?,
        _ directory: URL?,
        _ input: String?
    ) throws -> ProcessOutcome {
        let output = Pipe()
        let errors = Pipe()
        let stdin = Pipe()
        let process = try ChildProcess(
            executable,
            arguments,
            environment: environment,
            directory: directory,
            standardInput: stdin.fileHandleForReading.fileDescriptor,
            standardOutput: output.fileHandleForWriting.fileDescriptor,
            standardError: errors.fileHandleForWriting.fileDescriptor
        )
        // The child has its own copies; the test process keeps only its ends.
        try stdin.fileHandleForReading.close()
        try output.fileHandleForWriting.close()
        try errors.fileHandleForWriting.close()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        // Both pipes are drained at once, so neither can fill up and block the child.
        nonisolated(unsafe) var errorData = Data()
        let errorsRead = DispatchSemaphore(value: 0)
        Thread {
            errorData = errors.fileHandleForReading.readDataToEndOfFile()
            errorsRead.signal()
        }.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        errorsRead.wait()
        process.waitUntilExit()
        return ProcessOutcome(
            status: process.terminationStatus,
            output: String(decoding: outputData, as: UTF8.self),
            errors: String(decoding: errorData, as: UTF8.self)
        )
    }
}
