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

    @Test("An event in the usual form keeps its own bytes, with or without its type line")
    func usualEventKeepsItsBytes() throws {
        let text = "event: message_start\ndata: {\"a\":1}\n\ndata: {\"b\":2}\n\n"
        var decoder = SSEDecoder()
        let events = try decoder.decode(ByteBuffer(string: text))
        #expect(events.map { $0.wire.map { String(buffer: $0) } } == ["event: message_start\ndata: {\"a\":1}\n\n", "data: {\"b\":2}\n\n"])
        #expect(events.map(\.data) == [#"{"a":1}"#, #"{"b":2}"#])
        #expect(events.map(\.event) == ["message_start", nil])
    }

    @Test(
        "An event in any other form has no bytes of its own to relay",
        arguments: [
            "data:{}\n\n", "data: {}\r\n\r\n", "data: 1\ndata: 2\n\n", "data: {}\nid: 7\n\n", "event:x\ndata: {}\n\n",
            "data: {}\n",
        ]
    )
    func otherFormsHaveNoWireBytes(text: String) throws {
        var decoder = SSEDecoder()
        let events = try decoder.decode(ByteBuffer(string: text)) + decoder.finish()
        #expect(events.count == 1)
        #expect(events.first?.wire == nil)
    }

    @Test("A comment or id line before an event is left out of the bytes it keeps, as framing leaves it out")
    func linesBeforeAnEventAreNotItsBytes() throws {
        var decoder = SSEDecoder()
        let events = try decoder.decode(ByteBuffer(string: ": ping\nid: 7\ndata: {}\n\n"))
        #expect(events.map { $0.wire.map { String(buffer: $0) } } == ["data: {}\n\n"])
        #expect(events.first?.id == "7")
    }

    @Test("An event in the usual form cut by the end of a read is the same event as when whole")
    func usualEventsSplitAtEveryOffsetAreTheSame() throws {
        let text = "event: a\ndata: {\"x\":\"é\"}\n\ndata: [DONE]\n\nevent: a\ndata: 2\n\n"
        let bytes = Array(text.utf8)
        var whole = SSEDecoder()
        let expected = try whole.decode(bytes)
        #expect(expected.count == 3 && expected.allSatisfy { $0.wire != nil })
        for offset in 0...bytes.count {
            var decoder = SSEDecoder()
            let events = try decoder.decode(bytes[..<offset]) + decoder.decode(bytes[offset...])
            #expect(events == expected, "split at \(offset)")
            #expect(events.map(\.event) == ["a", nil, "a"], "split at \(offset)")
        }
    }

    @Test("An event in the usual form larger than the limit is refused, even whole in one read")
    func usualEventLargerThanLimitIsRefused() throws {
        var decoder = SSEDecoder(maxEventBytes: 1000)
        #expect(throws: SSEDecoder.EventTooLarge.self) {
            _ = try decoder.decode(Array(("data: " + String(repeating: "y", count: 2000) + "\n\n").utf8))
        }
    }

    @Test("Setting an event's data or type drops the bytes it came with")
    func changedEventDropsItsWireBytes() throws {
        var decoder = SSEDecoder()
        var events = try decoder.decode(ByteBuffer(string: "data: 1\n\ndata: 2\n\n"))
        events[0].data = "one"
        events[1].event = "named"
        #expect(events.allSatisfy { $0.wire == nil })
    }

    @Test("Raw bytes are compared with literal text at an offset, at their end and whole")
    func rawBytesCompareWithLiteralText() {
        Array("data: [DONE]".utf8).withUnsafeBytes { bytes in
            #expect(bytes.starts(with: "data: ") && bytes.starts(with: "[DONE]", at: 6))
            #expect(!bytes.starts(with: "[DONE]x", at: 6) && !bytes.starts(with: "data:x"))
            #expect(bytes.ends(with: "[DONE]") && !bytes.ends(with: "DONE"))
            #expect(bytes.equals("data: [DONE]") && !bytes.equals("data: [DONE"))
        }
        [UInt8]().withUnsafeBytes { empty in
            #expect(empty.starts(with: "") && empty.equals("") && !empty.starts(with: "d"))
        }
    }
}
