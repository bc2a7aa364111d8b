import ArgumentParser
import AsyncHTTPClient
import Foundation
import LLMClient
import NIOCore
import NIOHTTP1
import Synchronization

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
