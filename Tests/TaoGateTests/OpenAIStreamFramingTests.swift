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

    @Test("Decoded events of every form go out as the same events built from their fields would")
    func decodedEventsFrameAsTheirFields() throws {
        let text = "event: a\ndata: {}\n\ndata:x\n\n: ping\ndata: 1\ndata: 2\n\ndata: y\r\n\r\nid: 3\ndata: z\n\n"
        var decoder = SSEDecoder()
        let events = try decoder.decode(ByteBuffer(string: text))
        #expect(events.count == 5)
        for event in events {
            #expect(framed(event) == framed(ServerSentEvent(event: event.event, data: event.data)))
        }
    }

    @Test("An event in the usual form goes out as the bytes it came in")
    func usualEventGoesOutAsItCame() throws {
        var decoder = SSEDecoder()
        let text = "event: response.output_text.delta\ndata: {\"delta\":\"é\"}\n\n"
        let events = try decoder.decode(ByteBuffer(string: text))
        #expect(events.count == 1 && events[0].wire != nil)
        #expect(framed(events[0]) == text)
    }
}
