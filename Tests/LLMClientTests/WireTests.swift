import Foundation
import LLMClient
import Testing

@Suite("Wire types")
struct WireTests {
    @Test("An error body with a numeric code decodes")
    func errorBodyWithNumericCodeDecodes() throws {
        let body = try JSONDecoder().decode(
            OpenAIErrorBody.self,
            from: Data(#"{"error":{"message":"busy","type":"server_error","code":503}}"#.utf8)
        )
        #expect(body.error.code == "503")
        #expect(body.error.message == "busy")
    }

    @Test("A request encodes max_tokens and stream_options in snake case")
    func requestEncodesSnakeCase() throws {
        let request = ChatCompletionRequest(
            model: "m",
            messages: [.user("hi")],
            maxTokens: 5,
            stream: true,
            streamOptions: .init(includeUsage: true)
        )
        let json = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
        #expect(json.contains(#""max_tokens":5"#))
        #expect(json.contains(#""stream_options":{"include_usage":true}"#))
    }

    @Test("A completion whose message content is null decodes with empty text")
    func completionWithNullContentDecodes() throws {
        let response = try JSONDecoder().decode(
            ChatCompletionResponse.self,
            from: Data(#"{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":null}}]}"#.utf8)
        )
        #expect(response.text == "")
    }
}
