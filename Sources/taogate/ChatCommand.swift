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
