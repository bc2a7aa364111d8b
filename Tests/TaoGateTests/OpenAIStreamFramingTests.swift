import LLMClient
import NIOCore
import Testing

@testable import TaoGate

@Suite("Relaying /v1 stream events")
struct OpenAIStreamFramingTests {
    private func framed(_ event: ServerSentEvent) -> String {
        var buffer = ByteBuffer()
        OpenAIStreamEvents.append(event, to: &buffer)
        return String(buffer: buffer)
    }

    @Test("An event goes out as one data line and a blank line")
    func singleLine() {
        #expect(framed(ServerSentEvent(data: #"{"a":"é ✓"}"#)) == "data: {\"a\":\"é ✓\"}\n\n")
    }

    @Test("A multi-line data field goes out as several data lines, empty lines included")
    func multiLine() {
        #expect(framed(ServerSentEvent(data: "one\n\ntwo\n")) == "data: one\ndata: \ndata: two\ndata: \n\n")
    }

    @Test("A named event keeps its name")
    func namedEvent() {
        #expect(framed(ServerSentEvent(event: "error", data: "{}")) == "event: error\ndata: {}\n\n")
    }

    @Test("An event with empty data still goes out")
    func emptyData() {
        #expect(framed(ServerSentEvent(data: "")) == "data: \n\n")
    }
}
