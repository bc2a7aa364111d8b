import NIOCore
import Testing

@testable import TaoGate

@Suite("What the gateway reads of a body before routing it")
struct InboundBodyTests {
    private func scan(_ text: String) throws -> InboundBody {
        try InboundBody.scan(ByteBuffer(string: text))
    }

    @Test("The routing fields are read without a decoder")
    func fieldsAreRead() throws {
        let body = try scan(
            #"{"model":"gpt-4o","messages":[{"role":"user","content":"x"},{}],"stream":true,"stream_options":{"include_usage":true},"max_tokens":77,"extra":{"deep":[1,2]}}"#
        )
        #expect(body.model == "gpt-4o")
        #expect(body.messageCount == 2)
        #expect(body.stream)
        #expect(body.includeUsage)
        #expect(body.hasStreamOptions)
        #expect(body.maxTokens == 77)
        #expect(body.keys == ["model", "messages", "stream", "stream_options", "max_tokens", "extra"])
    }

    @Test(
        "A member given twice at the top level is refused",
        arguments: [
            #"{"stream":false,"model":"m","messages":[],"stream":true}"#,
            #"{"model":"m","messages":[],"model":"other"}"#,
            #"{"model":"m","messages":[],"messages":[{}]}"#,
        ]
    )
    func duplicateTopLevelMembersAreRefused(text: String) {
        #expect(throws: GatewayError.self) { try scan(text) }
    }

    @Test(
        "Among many members, one given twice is refused wherever the two are, and all distinct ones are kept in order",
        arguments: [(3, 10), (3, 30), (20, 35), (39, 40)]
    )
    func duplicateAmongManyIsRefused(first: Int, again: Int) throws {
        let names = (0..<41).map { "m\($0)" }
        let distinct = "{" + names.map { "\"\($0)\":\($0.count)" }.joined(separator: ",") + "}"
        #expect(try scan(distinct).keys == names)
        var repeated = names
        repeated[again] = names[first]
        let text = "{" + repeated.map { "\"\($0)\":1" }.joined(separator: ",") + "}"
        #expect(throws: GatewayError.self) { try scan(text) }
    }

    @Test("A member given twice in stream_options is refused")
    func duplicateStreamOptionIsRefused() {
        #expect(throws: GatewayError.self) {
            try scan(#"{"model":"m","stream_options":{"include_usage":false,"include_usage":true}}"#)
        }
    }

    @Test("Members of nested objects may repeat: only what the gateway reads must be unambiguous")
    func nestedRepeatsAreAllowed() throws {
        #expect(try scan(#"{"model":"m","metadata":{"a":1,"a":2}}"#).model == "m")
    }

    @Test(
        "A model with a control character, none, or too many bytes is refused",
        arguments: ["gpt-4o\u{0}", "a\nb", "a\u{7F}b", "a\u{85}b", "a\u{9F}", "", String(repeating: "m", count: 201)]
    )
    func badModelsAreRefused(model: String) throws {
        var text = ByteBuffer()
        text.writeString("{\"model\":")
        JSONText.writeString(model, to: &text)
        text.writeString("}")
        let body = try InboundBody.scan(text)
        #expect(throws: GatewayError.self) { try body.validModel() }
    }

    @Test("A model may spell anything printable, beyond ASCII too", arguments: ["gpt-4o", "通义千问-max", "a\u{A0}b", "model 🙂"])
    func printableModelsAreAccepted(model: String) throws {
        var text = ByteBuffer()
        text.writeString("{\"model\":")
        JSONText.writeString(model, to: &text)
        text.writeString("}")
        #expect(try InboundBody.scan(text).validModel() == model)
    }

    @Test("A number too long for a machine integer is skipped, not a crash")
    func hugeNumbersAreSkipped() throws {
        #expect(try scan(#"{"model":"m","max_tokens":99999999999999999999999}"#).maxTokens == nil)
    }

    @Test("Bodies that are not one JSON object are refused", arguments: ["", "null", "[]", #"{"model":"m"} {}"#, #"{"model":"m""#])
    func nonObjectsAreRefused(text: String) {
        #expect(throws: GatewayError.self) { try scan(text) }
    }

    @Test("Invalid UTF-8 is refused")
    func invalidUTF8IsRefused() {
        var buffer = ByteBuffer(string: #"{"model":"m","x":""#)
        buffer.writeBytes([0xFF, 0xFE])
        buffer.writeString(#""}"#)
        #expect(throws: GatewayError.self) { try InboundBody.scan(buffer) }
    }
}
