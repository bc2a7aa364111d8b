import Foundation
import LLMClient
import NIOCore
import Testing

@testable import TaoGate

@Suite("Translated chat requests written without JSONEncoder")
struct ChatRequestJSONTests {
    static let usualRequests: [ChatCompletionRequest] = [
        ChatCompletionRequest(model: "gpt-4o", messages: [.user("hi")]),
        ChatCompletionRequest(
            model: "m\"odel",
            messages: [
                .system("Be brief.\nReally."),
                .user("quote \" back\\slash \u{1} é 直接 😀 </tag>"),
                ChatMessage(role: "assistant", content: nil, name: "helper", reasoningContent: "thought"),
                ChatMessage(role: "tool", content: .text("42"), toolCallID: "call_1"),
            ],
            temperature: 0.7,
            topP: 1,
            maxTokens: 4096,
            maxCompletionTokens: 100,
            stop: ["END", "\n\n"],
            stream: true,
            streamOptions: .init(includeUsage: true),
            reasoningEffort: "low",
            user: "u1"
        ),
        ChatCompletionRequest(model: "m", messages: [], temperature: 1e-7, stream: false, streamOptions: .init(includeUsage: false)),
    ]

    private static func object(_ bytes: ByteBuffer) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? NSDictionary)
    }

    @Test("A usual request is written as the same JSON as JSONEncoder writes", arguments: usualRequests)
    func sameAsJSONEncoder(request: ChatCompletionRequest) throws {
        let written = try #require(ChatRequestJSON.written(request))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let encoded = ByteBuffer(bytes: try encoder.encode(request))
        #expect(try Self.object(written) == Self.object(encoded))
    }

    @Test("A request with tools, a response format, tool calls or content parts is left to JSONEncoder")
    func unusualRequestsAreLeft() {
        let call = ChatToolCall(id: "t1", name: "f", arguments: "{}")
        let unusual = [
            ChatCompletionRequest(model: "m", messages: [.user("hi")], tools: [ChatTool(function: .init(name: "f"))]),
            ChatCompletionRequest(model: "m", messages: [.user("hi")], responseFormat: .object(["type": .string("json_object")])),
            ChatCompletionRequest(model: "m", messages: [.user("hi")], parallelToolCalls: false),
            ChatCompletionRequest(model: "m", messages: [ChatMessage(role: "assistant", content: nil, toolCalls: [call])]),
            ChatCompletionRequest(model: "m", messages: [ChatMessage(role: "user", content: .parts([]))]),
            ChatCompletionRequest(model: "m", messages: [.user("hi")], temperature: .infinity),
        ]
        for request in unusual {
            #expect(ChatRequestJSON.written(request) == nil)
        }
    }
}
