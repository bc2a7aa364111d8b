import ArgumentParser
import AsyncHTTPClient
import Foundation
import LLMClient
import NIOCore
import NIOHTTP1
import Synchronization

/// `taogate chat`: talks to a running gateway from the terminal, streaming answers as they come.
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat with a running gateway; answers stream to stdout as they arrive.",
        discussion: """
            With a MESSAGE, asks once and exits. Without one, starts a session that keeps the
            conversation (as --user, or a new id); Ctrl-C stops the current answer, Ctrl-D ends.
            Exit codes: 69 gateway unreachable, 77 key refused, 75 rate limited, 1 other errors.
            """
    )

    @Option(help: "The gateway's address.")
    var url = "http://127.0.0.1:3000"

    @Option(help: "The model to ask (default: the gateway's DEFAULT_MODEL).")
    var model: String?

    @Option(help: "The user id whose conversation to keep (default: a new one per session; none for one message).")
    var user: String?

    @Option(help: "A client key, when the gateway requires one (or TAOGATE_CLIENT_KEY).")
    var key: String?

    @Argument(help: "The message; without it, an interactive session starts.")
    var message: [String] = []

    func run() async throws {
        let client = GatewayClient(url: url, key: key ?? ProcessInfo.processInfo.environment["TAOGATE_CLIENT_KEY"])
        if !message.isEmpty {
            try await client.ask(message.joined(separator: " "), model: model, user: user, interruptible: false)
            return
        }
        let user = self.user ?? "cli-" + UUID().uuidString.prefix(8).lowercased()
        printToStandardError("TaoGate chat with \(url) as \(user). Ctrl-C stops an answer, Ctrl-D ends.")
        let interrupts = InterruptSignal()
        while true {
            printToStandardError("> ", newline: false)
            guard let line = readLine() else { break }
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            do {
                try await interrupts.cancelling {
                    try await client.ask(text, model: model, user: user, interruptible: true)
                }
            } catch is CancellationError {
                printToStandardError("\n(stopped)")
            } catch let exit as ExitCode where exit != .success {
                continue  // the reason is printed; the session goes on
            }
        }
    }
}

/// `taogate models`: the models a running gateway offers.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "models", abstract: "List the models a running gateway offers.")

    @Option(help: "The gateway's address.")
    var url = "http://127.0.0.1:3000"

    @Option(help: "A client key, when the gateway requires one (or TAOGATE_CLIENT_KEY).")
    var key: String?

    func run() async throws {
        let client = GatewayClient(url: url, key: key ?? ProcessInfo.processInfo.environment["TAOGATE_CLIENT_KEY"])
        for model in try await client.models() { print(model) }
    }
}

/// The reference API, from the client's side.
struct GatewayClient {
    let url: String
    let key: String?
    /// A refused connection fails within the connect timeout instead of being retried for long.
    private static let http = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: .init(timeout: .init(connect: .seconds(3)))
    )

    init(url: String, key: String?) {
        self.url = url
        self.key = key
    }

    private struct Ask: Encodable {
        let message: String
        let model: String?
        let userId: String?
    }

    private struct Content: Decodable {
        let content: String?
        let error: String?
        let code: String?
    }

    private struct ModelsReply: Decodable {
        let models: [String]
    }

    /// Streams one answer to stdout, with a spinner on stderr until the first words.
    func ask(_ message: String, model: String?, user: String?, interruptible: Bool) async throws {
        var request = HTTPClientRequest(url: url + "/api/chat/stream")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(Ask(message: message, model: model, userId: user))))

        let spinner = Spinner.start()
        defer { spinner.stop() }
        let response = try await send(request)
        var decoder = SSEDecoder()
        var wroteAnything = false
        func show(_ events: [ServerSentEvent]) throws {
            for event in events where event.data != "[DONE]" {
                guard let content = try? JSONDecoder().decode(Content.self, from: Data(event.data.utf8)) else { continue }
                if event.event == "error" || content.error != nil {
                    spinner.stop()
                    if wroteAnything { FileHandle.standardOutput.write(Data("\n".utf8)) }
                    printToStandardError("taogate: the answer broke off: \(content.error ?? "error") (\(content.code ?? "unknown"))")
                    throw ExitCode.failure
                }
                if let text = content.content {
                    spinner.stop()
                    FileHandle.standardOutput.write(Data(text.utf8))
                    wroteAnything = true
                }
            }
        }
        do {
            for try await buffer in response.body {
                try show(try decoder.decode(buffer))
            }
            try show(try decoder.finish())
        } catch let error as HTTPClientError where error == .cancelled {
            throw CancellationError()
        }
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    func models() async throws -> [String] {
        var request = HTTPClientRequest(url: url + "/api/models")
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        let response = try await send(request)
        let body = try await response.body.collect(upTo: 4 * 1024 * 1024)
        return (try? JSONDecoder().decode(ModelsReply.self, from: Data(body.readableBytesView)).models) ?? []
    }

    /// Sends a request; a failure gets one clear line on stderr and its exit code.
    private func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let response: HTTPClientResponse
        do {
            response = try await Self.http.execute(request, timeout: .seconds(120))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            printToStandardError("taogate: cannot reach the gateway at \(url)")
            throw ExitCode(69)
        }
        guard response.status == .ok else {
            let body = (try? await response.body.collect(upTo: 64 * 1024)).map { String(buffer: $0) } ?? ""
            let reason = (try? JSONDecoder().decode(Content.self, from: Data(body.utf8)))?.error ?? "HTTP \(response.status.code)"
            switch response.status.code {
            case 401:
                printToStandardError("taogate: the gateway refused the key (401): \(reason) Use --key or TAOGATE_CLIENT_KEY.")
                throw ExitCode(77)
            case 429:
                let wait = response.headers.first(name: "Retry-After").map { " Retry in \($0) s." } ?? ""
                printToStandardError("taogate: rate limited (429): \(reason)\(wait)")
                throw ExitCode(75)
            default:
                printToStandardError("taogate: the gateway answered \(response.status.code): \(reason)")
                throw ExitCode.failure
            }
        }
        return response
    }
}

/// A spinner on stderr while waiting for the first words; only on a terminal.
final class Spinner: Sendable {
    private let task: Task<Void, Never>?

    private init(task: Task<Void, Never>?) {
        self.task = task
    }

    static func start() -> Spinner {
        guard isatty(STDERR_FILENO) != 0 else { return Spinner(task: nil) }
        return Spinner(
            task: Task {
                let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
                var index = 0
                while !Task.isCancelled {
                    printToStandardError("\r\(frames[index % frames.count]) ", newline: false)
                    index += 1
                    try? await Task.sleep(for: .milliseconds(80))
                }
                printToStandardError("\r  \r", newline: false)
            }
        )
    }

    func stop() {
        task?.cancel()
    }
}

/// Turns Ctrl-C into the cancellation of the current answer instead of the end of the program;
/// with no answer running, Ctrl-C ends the session as usual.
final class InterruptSignal {
    /// The answer running now, shared with the signal handler.
    private final class Current: Sendable {
        let task = Mutex<Task<Void, any Error>?>(nil)
    }

    private let source: any DispatchSourceSignal
    private let current = Current()

    init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let current = self.current
        source.setEventHandler {
            if let task = current.task.withLock({ $0 }) { task.cancel() } else { Foundation.exit(130) }
        }
        source.resume()
    }

    /// Runs `operation` so that Ctrl-C cancels it.
    func cancelling(_ operation: @escaping @Sendable () async throws -> Void) async throws {
        let task = Task { try await operation() }
        current.task.withLock { $0 = task }
        defer { current.task.withLock { $0 = nil } }
        try await task.value
    }
}
