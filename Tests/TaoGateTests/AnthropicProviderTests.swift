import LLMClient
import Logging
import MockUpstream
import Testing

@Suite("LLMClient's Anthropic provider, alone")
struct AnthropicProviderTests {
    private func withProvider(_ body: @Sendable (AnthropicCompatibleProvider, MockUpstream) async throws -> Void) async throws {
        let mock = MockUpstream(requiredAPIKey: "sk-ant-test")
        let logger = Logger(label: "mock") { _ in SwiftLogNoOpLogHandler() }
        try await withLiveServer({ mock.makeApplication(logger: logger, onServerRunning: $0) }) { port in
            let provider = AnthropicCompatibleProvider(
                configuration: .init(baseURL: "http://127.0.0.1:\(port)/v1", apiKey: "sk-ant-test", authentication: .apiKeyHeader)
            )
            do {
                try await body(provider, mock)
            } catch {
                try await provider.shutdown()
                throw error
            }
            try await provider.shutdown()
        }
    }

    private let request = MessagesRequest(
        model: "claude-sonnet-4-6",
        maxTokens: 64,
        messages: [MessagesMessage(role: "user", content: [.text("Hello there")])]
    )

    @Test("A message comes back typed, sent with x-api-key and anthropic-version")
    func createsAMessage() async throws {
        try await withProvider { provider, mock in
            let message = try await provider.create(request)
            let sent = try #require(mock.messagesRequests.first)
            #expect(message.text == MockReply.text(for: sent))
            #expect(mock.received.first?.headers["x-api-key"] == "sk-ant-test")
            #expect(mock.received.first?.headers["anthropic-version"] == AnthropicCompatibleProvider.apiVersion)
        }
    }

    @Test("A streamed message comes as typed events, ending with message_stop")
    func streamsAMessage() async throws {
        try await withProvider { provider, mock in
            var text = ""
            var names: [String] = []
            for try await event in try await provider.stream(request) {
                names.append(event.name)
                if case .contentBlockDelta(_, .text(let piece)) = event { text += piece }
            }
            #expect(names.first == "message_start")
            #expect(names.last == "message_stop")
            let sent = try #require(mock.messagesRequests.first)
            #expect(text == MockReply.text(for: sent))
        }
    }

    @Test("Tokens are counted by the provider")
    func countsTokens() async throws {
        try await withProvider { provider, _ in
            let count = try await provider.countTokens(request)
            #expect(count > 0)
        }
    }

    @Test("An error answer is a ProviderError with Anthropic's error type")
    func errorsAreTyped() async throws {
        try await withProvider { provider, mock in
            mock.inject(MockFault(status: 529))
            let noRetries = AnthropicCompatibleProvider(
                configuration: .init(
                    baseURL: provider.client.configuration.baseURL,
                    apiKey: "sk-ant-test",
                    authentication: .apiKeyHeader,
                    retryPolicy: RetryPolicy(maxRetries: 0)
                )
            )
            await #expect(
                throws: ProviderError(kind: .status, status: 529, upstreamMessage: "mock upstream failure 529", upstreamType: "overloaded_error")
            ) {
                try await noRetries.create(request)
            }
            try await noRetries.shutdown()
        }
    }
}
