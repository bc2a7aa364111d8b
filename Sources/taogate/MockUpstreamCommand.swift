import ArgumentParser
import Hummingbird
import Logging
import MockUpstream

/// `taogate mock-upstream`: runs the fake OpenAI-compatible provider alone.
struct MockUpstreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock-upstream",
        abstract: "Run MockUpstream, a fake OpenAI-compatible provider with injectable faults.",
        discussion: """
            Serves POST /v1/chat/completions (plain and SSE) and GET /v1/models. Inject faults with
            POST /mock/faults, e.g. {"status":503,"times":2} or {"cutAfterChunks":3}.
            """
    )

    @Option(help: "Listen address.")
    var host = "127.0.0.1"

    @Option(help: "Listen port.")
    var port = 18181

    @Option(help: "When set, requests must carry this key as a Bearer token.")
    var apiKey: String?

    func run() async throws {
        let mock = MockUpstream(requiredAPIKey: apiKey)
        let app = mock.makeApplication(host: host, port: port, logger: Logger(label: "mock-upstream")) { _ in
            printToStandardError("MockUpstream listening on http://\(host):\(port)/v1")
        }
        try await app.runService()
    }
}
