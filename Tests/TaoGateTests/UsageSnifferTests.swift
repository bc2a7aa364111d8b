import LLMClient
import NIOCore
import Testing

@testable import TaoGate

@Suite("Usage in upstream answers")
struct UsageSnifferTests {
    @Test("A completion's usage is read from its usage object alone")
    func usageOfACompletion() {
        let body = ByteBuffer(
            string:
                #"{"id":"c1","choices":[{"index":0,"message":{"role":"assistant","content":"hi"}}],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}"#
        )
        let usage = UsageSniffer.usage(inBody: body)
        #expect(usage?.promptTokens == 7)
        #expect(usage?.completionTokens == 3)
    }

    @Test("Braces and quotes inside strings of the usage object do not end it early")
    func bracesInsideStrings() {
        let body = ByteBuffer(
            string:
                #"{"usage":{"note":"a } and a \" and {","prompt_tokens":2,"completion_tokens":5,"total_tokens":7,"details":{"cached":1}},"id":"x"}"#
        )
        #expect(UsageSniffer.usage(inBody: body)?.completionTokens == 5)
    }

    @Test("Content that quotes the word usage is not taken for the usage object")
    func quotedUsageInContent() {
        let body = ByteBuffer(
            string:
                #"{"choices":[{"message":{"content":"say \"usage\": {\"prompt_tokens\": 99}"}}],"usage":{"prompt_tokens":4,"completion_tokens":1,"total_tokens":5}}"#
        )
        #expect(UsageSniffer.usage(inBody: body)?.promptTokens == 4)
    }

    @Test("Counts inside nested details are not taken for the usage's own counts")
    func nestedDetailsAreSkipped() {
        let body = ByteBuffer(
            string:
                #"{"usage":{"prompt_tokens_details":{"prompt_tokens":1000},"completion_tokens_details":{"reasoning_tokens":9},"prompt_tokens": 12,"completion_tokens":30}}"#
        )
        let usage = UsageSniffer.usage(inBody: body)
        #expect(usage?.promptTokens == 12)
        #expect(usage?.completionTokens == 30)
    }

    @Test("A null usage, or none, gives no usage")
    func nullUsage() {
        #expect(UsageSniffer.usage(inBody: ByteBuffer(string: #"{"usage":null,"choices":[]}"#)) == nil)
        #expect(UsageSniffer.usage(inBody: ByteBuffer(string: #"{"choices":[]}"#)) == nil)
    }

    @Test("An unterminated usage object gives no usage rather than a guess")
    func unterminatedUsage() {
        #expect(UsageSniffer.usage(inBody: ByteBuffer(string: #"{"usage":{"prompt_tokens":4,"#)) == nil)
    }

    @Test(
        "An event is searched for a usage object past any mention of usage that is not one",
        arguments: [
            (#"{"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}}"#, true),
            (#"{"choices":[],"usage" : {"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}}"#, true),
            (#"{"choices":[{"delta":{"content":"the \"usage\" of it"}}],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}}"#, true),
            (#"{"choices":[{"delta":{"content":"usage"}}],"usage":null}"#, false),
            (#"{"choices":[{"delta":{"content":"hi"}}]}"#, false),
            (#"{"choices":[],"usage""#, false),
        ]
    )
    func eventUsageSearch(data: String, found: Bool) {
        #expect((UsageSniffer.usage(inEvent: ByteBuffer(string: data)) != nil) == found)
    }

    @Test("A Responses event without a name is typed by the type its data begins with")
    func responsesEventsWithoutANameAreTypedByTheirData() {
        let delta = ServerSentEvent(data: #"{"type":"response.output_text.delta","delta":"hi","sequence_number":3}"#)
        let completed = ServerSentEvent(data: #"{"type":"response.completed","response":{"id":"r"},"sequence_number":4}"#)
        #expect(ResponsesUsageSniffer.kind(of: delta) == .delta)
        #expect(ResponsesUsageSniffer.kind(of: completed) == .final)
    }

    @Test("A Responses event's name decides its type, whatever text its data quotes")
    func responsesEventNamesDecideTheType() {
        let added = ServerSentEvent(event: "response.output_item.added", data: #"{"type":"response.output_item.added","item":{"text":"a .delta\" and response.completed"}}"#)
        #expect(ResponsesUsageSniffer.kind(of: added) == .other)
    }

    @Test("Each ending of a Responses stream ends it, and each kind of delta counts as one", arguments: [
        ("response.completed", ResponsesUsageSniffer.EventKind.final), ("response.incomplete", .final), ("response.failed", .final),
        ("response.output_text.delta", .delta), ("response.function_call_arguments.delta", .delta), ("response.reasoning_summary_text.delta", .delta),
        ("response.output_text.done", .other), ("response.completed.delta.x", .other), ("response.in_progress", .other),
    ])
    func responsesEventKinds(type: String, kind: ResponsesUsageSniffer.EventKind) {
        #expect(ResponsesUsageSniffer.kind(of: ServerSentEvent(event: type, data: "{}")) == kind)
        #expect(ResponsesUsageSniffer.kind(of: ServerSentEvent(data: #"{"type":"\#(type)"}"#)) == kind)
    }
}
