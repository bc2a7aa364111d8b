import LLMClient
import NIOCore
import Testing

@Suite("SSE decoder")
struct SSEDecoderTests {
    private func decodeWhole(_ text: String) throws -> [ServerSentEvent] {
        var decoder = SSEDecoder()
        return try decoder.decode(Array(text.utf8)) + decoder.finish()
    }

    @Test("A data line followed by a blank line is one event")
    func dataLineThenBlankLineIsOneEvent() throws {
        #expect(try decodeWhole("data: hello\n\n") == [ServerSentEvent(data: "hello")])
    }

    @Test("Several data lines join with newlines")
    func multiLineDataJoinsWithNewlines() throws {
        #expect(try decodeWhole("data: one\ndata: two\ndata:three\n\n") == [ServerSentEvent(data: "one\ntwo\nthree")])
    }

    @Test("Comments such as ': ping' are ignored")
    func commentsAreIgnored() throws {
        let events = try decodeWhole(": ping\n\ndata: a\n\n: OPENROUTER PROCESSING\n\ndata: b\n\n")
        #expect(events.map(\.data) == ["a", "b"])
    }

    @Test("CRLF and lone CR end lines like LF")
    func crlfAndCREndLines() throws {
        #expect(try decodeWhole("data: a\r\n\r\ndata: b\r\rdata: c\n\n").map(\.data) == ["a", "b", "c"])
    }

    @Test("The event and id fields are kept; unknown fields are ignored")
    func eventAndIDFieldsAreKept() throws {
        let events = try decodeWhole("event: error\nid: 7\nretry: 10\nfoo: bar\ndata: {}\n\ndata: x\n\n")
        #expect(events == [ServerSentEvent(event: "error", data: "{}", id: "7"), ServerSentEvent(data: "x", id: "7")])
    }

    @Test("A repeated event type is each event's own, and a new type after it replaces it")
    func repeatedEventTypesStayPerEvent() throws {
        let events = try decodeWhole("event: delta\ndata: a\n\nevent: delta\ndata: b\n\nevent: deltas\ndata: c\n\ndata: d\n\nevent: delta\ndata: e\n\n")
        #expect(events.map(\.event) == ["delta", "delta", "deltas", nil, "delta"])
    }

    @Test("Only one space after the colon is removed")
    func onlyOneLeadingSpaceIsRemoved() throws {
        #expect(try decodeWhole("data:  two spaces\n\n").map(\.data) == [" two spaces"])
    }

    @Test("A block without data dispatches nothing")
    func blockWithoutDataDispatchesNothing() throws {
        #expect(try decodeWhole("event: ping\n\n").isEmpty)
    }

    @Test("A last event without its blank line is still delivered when the stream ends")
    func lastEventWithoutBlankLineIsDelivered() throws {
        #expect(try decodeWhole("data: a\n\ndata: tail").map(\.data) == ["a", "tail"])
    }

    @Test("Splitting a stream at every byte offset gives the same events")
    func splittingAtEveryOffsetGivesSameEvents() throws {
        let text = ": ping\r\n\r\ndata: {\"a\":\"é中文\"}\r\n\r\nevent: x\ndata: 1\ndata: 2\n\ndata: [DONE]\r\r"
        let bytes = Array(text.utf8)
        let expected = try decodeWhole(text)
        #expect(expected.count == 3)
        for offset in 0...bytes.count {
            var decoder = SSEDecoder()
            var events = try decoder.decode(bytes[..<offset])
            events += try decoder.decode(bytes[offset...])
            events += try decoder.finish()
            #expect(events == expected, "split at \(offset)")
        }
    }

    @Test("Feeding one byte at a time gives the same events")
    func feedingOneByteAtATimeGivesSameEvents() throws {
        let text = "data: a\r\n\r\ndata: b\rdata: c\r\r: c\n\ndata: d\n\n"
        var decoder = SSEDecoder()
        var events: [ServerSentEvent] = []
        for byte in text.utf8 { events += try decoder.decode([byte]) }
        events += try decoder.finish()
        #expect(events == (try decodeWhole(text)))
    }

    @Test("A line of several megabytes arriving in pieces is decoded whole")
    func multiMegabyteLineIsDecoded() throws {
        let payload = String(repeating: "x", count: 4 * 1024 * 1024)
        let bytes = Array("data: \(payload)\n\n".utf8)
        var decoder = SSEDecoder()
        var events: [ServerSentEvent] = []
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + 65_536)
            events += try decoder.decode(bytes[index..<end])
            index = end
        }
        #expect(events.count == 1)
        #expect(events.first?.data.utf8.count == payload.utf8.count)
    }

    @Test("An event larger than the limit is refused")
    func eventLargerThanLimitIsRefused() throws {
        var decoder = SSEDecoder(maxEventBytes: 1000)
        #expect(throws: SSEDecoder.EventTooLarge.self) {
            _ = try decoder.decode(Array(("data: " + String(repeating: "y", count: 2000)).utf8))
        }
    }
}
