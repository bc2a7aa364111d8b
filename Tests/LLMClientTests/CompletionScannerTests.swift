import Foundation
import NIOCore
import Testing

@testable import LLMClient

@Suite("Reading completions without a JSON decoder")
struct CompletionScannerTests {
    private func decoded(_ text: String) -> ChatCompletionResponse? {
        try? JSONDecoder().decode(ChatCompletionResponse.self, from: Data(text.utf8))
    }

    private func scanned(_ text: String) -> ChatCompletionResponse? {
        Array(text.utf8).withUnsafeBytes { ChatCompletionResponse.scanned(from: $0) }
    }

    /// Completions as OpenAI-compatible upstreams send them, with members the types do not hold.
    static let usualCompletions = [
        #"{"id":"c1","object":"chat.completion","created":1732650000,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hello","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0}},"service_tier":"default","system_fingerprint":"fp_1"}"#,
        #"{"id":"c1","choices":[{"message":{"content":"no role, no index"}}]}"#,
        #"{"id":"c1","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":null},"finish_reason":"length"}],"usage":null}"#,
        #"{"id":"c1","created":1,"model":"m","choices":[]}"#,
        #"{"id":"c1","created":1,"model":"m","choices":[{"index":0,"message":{"content":"a"}},{"index":1,"message":{"content":"b"}}]}"#,
        #"{"id":"c1","created":1,"model":"deepseek","choices":[{"message":{"role":"assistant","content":"x","reasoning_content":"thought"}}]}"#,
        #"{"id":"c1","created":1,"model":"m","choices":[{"message":{"role":"assistant","content":"x","reasoning":"other thought"}}]}"#,
        #"{"id":"c1","created":1,"model":"m","choices":[{"message":{"role":"assistant","content":null,"refusal":"I can't"}}]}"#,
        #" { "id" : "c1" , "created" : -5 , "choices" : [ { "message" : { "content" : "line\nbreak \"q\" \u00e9 \ud83d\ude00 直接" } } ] } "#,
        #"{"choices":[{"message":{"content":"x"}}],"usage":{"prompt_tokens":9,"completion_tokens":4,"completion_tokens_details":{"reasoning_tokens":3},"prompt_cache_hit_tokens":5}}"#,
    ]

    @Test("A usual completion is read exactly as JSONDecoder decodes it", arguments: usualCompletions)
    func sameAsDecoding(text: String) throws {
        let read = try #require(scanned(text))
        #expect(read == decoded(text))
    }

    /// Completions the scanner leaves to the decoder (valid or not).
    static let unusualCompletions = [
        #"{"id":"c1","choices":[{"message":{"role":"assistant","content":null,"tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":"{}"}}]}}]}"#,
        #"{"id":"c1","created":1.5,"choices":[]}"#,
        #"{"id":"c1","choices":[{"message":{"content":7}}]}"#,
        #"{"id":"c1","choices":[{"message":{"content":"x","refusal":{"reason":"policy"}}}]}"#,
        #"{"id":"c1","model":"m"}"#,
        #"{"id":"c1","choices":[{"index":0}]}"#,
        #"{"id":"c1","choices":[]} trailing"#,
        #"{"id":"c1","choices":[{"message":{"content":"unterminated}}]}"#,
    ]

    @Test("Anything outside the usual shape is left to the decoder", arguments: unusualCompletions)
    func unusualIsLeftToTheDecoder(text: String) {
        #expect(scanned(text) == nil)
    }

    @Test("A completion the scanner leaves is read by the decoder")
    func readFallsBackToTheDecoder() throws {
        let text = Self.unusualCompletions[0]
        let read = try ChatCompletionResponse.read(from: ByteBuffer(string: text))
        #expect(read == decoded(text))
        #expect(read.choices.first?.message.toolCalls?.first?.function.name == "f")
    }

    @Test("Text that is neither shape fails to read")
    func garbageFailsToRead() {
        #expect(throws: (any Error).self) { try ChatCompletionResponse.read(from: ByteBuffer(string: "not json")) }
    }
}
