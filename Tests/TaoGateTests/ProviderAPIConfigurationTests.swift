import Foundation
import Testing

@testable import TaoGate

@Suite("Which APIs a provider speaks")
struct ProviderAPIConfigurationTests {
    @Test("The default provider speaks chat, messages and responses natively unless TAOTOKEN_APIS says otherwise")
    func taotokenAPIs() throws {
        #expect(try GatewayConfiguration(values: ["TAOTOKEN_API_KEY": "k"]).providers[0].apis == [.chat, .messages, .responses])
        let chatOnly = try GatewayConfiguration(values: ["TAOTOKEN_API_KEY": "k", "TAOTOKEN_APIS": "chat, Embeddings"])
        #expect(chatOnly.providers[0].apis == [.chat, .embeddings])
        #expect(throws: ConfigurationError.self) {
            try GatewayConfiguration(values: ["TAOTOKEN_API_KEY": "k", "TAOTOKEN_APIS": "chat,telepathy"])
        }
    }

    @Test("A provider in the providers file gives its APIs and how it authenticates; chat and Bearer by default")
    func providerAPIsAndAuth() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("taogate-apis-\(UUID().uuidString).yaml").path
        let file = [
            "providers:",
            "  - name: anthropic",
            "    base_url: https://api.anthropic.com/v1",
            "    keys: [{ env: ANTHROPIC_KEY }]",
            "    apis: [messages]",
            "    auth: x-api-key",
            "  - name: plain",
            "    base_url: https://example.com/v1",
            "    keys: [{ env: ANTHROPIC_KEY }]",
        ].joined(separator: "\n")
        try file.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = try GatewayConfiguration(values: ["TAOGATE_CONFIG": path, "ANTHROPIC_KEY": "sk-ant"])
        #expect(configuration.providers[0].apis == [.messages])
        #expect(configuration.providers[0].authentication == .apiKeyHeader)
        #expect(configuration.providers[1].apis == [.chat])
        #expect(configuration.providers[1].authentication == .bearer)
    }
}
