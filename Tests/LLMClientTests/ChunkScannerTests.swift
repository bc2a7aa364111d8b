import Foundation
import Testing

@testable import LLMClient

@Suite("Reading stream chunks without a JSON decoder")
struct ChunkScannerTests {
    private func decoded(_ text: String) -> ChatCompletionChunk? {
        try? JSONDecoder().decode(ChatCompletionChunk.self, from: Data(text.utf8))
    }

    /// Chunks as OpenAI-compatible upstreams send them, with members the types do not hold.
    static let usualChunks = [
        #"{"id":"c1","object":"chat.completion.chunk","created":1732650000,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#,
        #"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}]}"#,
        #"{"id":"c1","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}"#,
        #"{"id":"c1","created":1,"model":"m","choices":[]}"#,
        #" { "id" : "c1" , "created" : -5 , "model" : "m" , "choices" : [ { "delta" : { "content" : "spaced" } } ] } "#,
        #"{"id":"c1","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"line\nbreak \"quoted\" back\\slash tab\t \u00e9 \ud83d\ude00 \/"}}]}"#,
        #"{"id":"c1","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"直接 UTF-8 ✓"}}]}"#,
        #"{"id":"c1","created":1,"model":"m","choices":[{"index":0,"delta":{"content":null,"tool_calls":[{"index":0,"function":{"name":"f","arguments":"{\"a\":[1,2.5e3,true,false,null]}"}}]}}]}"#,
        #"{"id":"c1","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"x"},"logprobs":{"content":[{"token":"x","logprob":-0.25,"bytes":[120]}]}}]}"#,
        #"{"choices":[{"delta":{"reasoning_content":"thinking"}}]}"#,
        #"{"id":"c1","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}"#,
        #"{"id":"c1","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":4,"prompt_tokens_details":{"cached_tokens":8}}}"#,
    ]

    @Test("A usual chunk is read exactly as JSONDecoder decodes it", arguments: usualChunks)
    func sameAsDecoding(text: String) throws {
        let scanned = try #require(ChatCompletionChunk.scanned(from: text))
        #expect(scanned == decoded(text))
    }

    /// Chunks the scanner leaves to the decoder (valid or not).
    static let unusualChunks = [
        #"{"id":"c1","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"a"}},{"index":1,"delta":{"content":"b"}}]}"#,
        #"{"id":"c1","created":1.5,"model":"m","choices":[]}"#,
        #"{"id":"c1","created":"soon","model":"m","choices":[]}"#,
        #"{"id":"c1","model":"m","choices":null}"#,
        #"{"id":"c1","choices":[{"delta":{"content":"unterminated}}]}"#,
        #"{"id":"c1","choices":[{"delta":{"content":"bad escape \q"}}]}"#,
        #"{"id":"c1","choices":[{"delta":{"content":"lone surrogate \ud83d"}}]}"#,
        #"{"id":"c1"} trailing"#,
        #"[1,2,3]"#,
        "",
    ]

    @Test("Anything outside the usual shape is left to the decoder", arguments: unusualChunks)
    func unusualShapesGiveNil(text: String) {
        #expect(ChatCompletionChunk.scanned(from: text) == nil)
    }

    @Test("A completion's usage is read, with whether its choices were empty")
    func usageOfACompletion() {
        let completion =
            #"{"id":"x","choices":[{"index":0,"message":{"content":"say \"usage\": {}"}}],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}"#
        let usageOnly = #"{"id":"x","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}"#
        let read = { (text: String) in Array(text.utf8).withUnsafeBytes { Usage.reported(in: $0) } }
        #expect(read(completion)?.usage == Usage(promptTokens: 7, completionTokens: 3, totalTokens: 10))
        #expect(read(completion)?.choicesEmpty == false)
        #expect(read(usageOnly)?.choicesEmpty == true)
        #expect(read(#"{"usage":null,"choices":[]}"#) == nil)
    }

    @Test("Skipped objects are read to their end whatever their keys hold, and a broken one fails the scan")
    func skippedObjectsAreReadToTheirEnd() {
        let read = { (text: String) in Array(text.utf8).withUnsafeBytes { Usage.reported(in: $0) } }
        let awkwardKeys =
            #"{"choices":[{"m\u0065ssage":{"a\"b}":{"":[{}]},"x,y":{"z":"}"}}}],"usage":{"prompt_tokens":2,"completion_tokens":1,"total_tokens":3}}"#
        #expect(read(awkwardKeys)?.usage == Usage(promptTokens: 2, completionTokens: 1, totalTokens: 3))
        #expect(read(#"{"choices":[{"message":{1:2}}],"usage":{"prompt_tokens":2,"completion_tokens":1}}"#) == nil)
        #expect(read(#"{"choices":[{"message":{"a" 2}}],"usage":{"prompt_tokens":2,"completion_tokens":1}}"#) == nil)
    }

    @Test("Deeply nested unknown members give up instead of recursing without end")
    func deepNestingGivesUp() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(ChatCompletionChunk.scanned(from: #"{"id":"c1","extra":"# + deep + "}") == nil)
    }
}
