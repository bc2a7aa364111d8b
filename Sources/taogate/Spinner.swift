import ArgumentParser
import AsyncHTTPClient
import Foundation
import LLMClient
import NIOCore
import NIOHTTP1
import Synchronization

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
