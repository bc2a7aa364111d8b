import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An incremental `text/event-stream` decoder over bytes as they arrive.
///
/// Follows the WHATWG event-stream grammar: lines end in LF, CR or CRLF (a CRLF may be split
/// across two reads), `:` starts a comment (`: ping` keep-alives), `data:` lines accumulate and a
/// blank line dispatches the event. An event may be split across reads at any byte. Lines and
/// events are bounded by `maxEventBytes` so a hostile upstream cannot grow memory without limit.
public struct SSEDecoder: Sendable {
    /// An event or a single line grew past `maxEventBytes`.
    public struct EventTooLarge: Error, Sendable, CustomStringConvertible {
        public let limit: Int
        public var description: String { "server-sent event larger than \(limit) bytes" }
    }

    private static let lf: UInt8 = 0x0A
    private static let cr: UInt8 = 0x0D
    private static let colon: UInt8 = 0x3A
    private static let space: UInt8 = 0x20

    public let maxEventBytes: Int
    private var partialLine: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var eventType: String?
    /// The last event type read: a stream repeats a few types (`response.output_text.delta`
    /// for every piece), so a type equal to it is the same string again, not a new one.
    private var lastEventType: String?
    private var lastEventID: String?
    /// The previous read ended in CR: an LF at the start of the next one belongs to it.
    private var pendingCR = false

    public init(maxEventBytes: Int = 16 * 1024 * 1024) {
        self.maxEventBytes = maxEventBytes
    }

    /// Feeds the next bytes of the stream and returns the events they complete.
    public mutating func decode(_ buffer: ByteBuffer) throws -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        try decode(buffer) { events.append($0) }
        return events
    }

    /// Feeds the next bytes of the stream and hands each event they complete to `body`, in
    /// order, as it is made: nothing is gathered, and an event is lent rather than copied
    /// (a copy retains and releases its buffers; a relay reads each event once).
    public mutating func decode(_ buffer: ByteBuffer, each body: (ServerSentEvent) -> Void) throws {
        try buffer.withUnsafeReadableBytes { bytes in
            try self.scan(bytes, of: buffer, emit: body)
        }
    }

    /// Feeds bytes given as a collection (convenient in tests and for strings).
    public mutating func decode(_ bytes: some Collection<UInt8>) throws -> [ServerSentEvent] {
        try decode(ByteBuffer(bytes: bytes))
    }

    /// Ends the stream: a last line without a line break and an event without its blank line
    /// are still delivered, since real upstreams close that way.
    public mutating func finish() throws -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        try finish { events.append($0) }
        return events
    }

    /// Ends the stream as `finish()` does, handing the last events to `body`.
    public mutating func finish(each body: (ServerSentEvent) -> Void) throws {
        if !partialLine.isEmpty {
            let line = partialLine
            partialLine = []
            try line.withUnsafeBytes { try processLine($0, emit: body) }
        }
        dispatch(emit: body)
        pendingCR = false
    }

    /// `bytes` are `buffer`'s readable bytes.
    private mutating func scan(_ bytes: UnsafeRawBufferPointer, of buffer: ByteBuffer, emit: (ServerSentEvent) -> Void) throws {
        let end = bytes.count
        var lineStart = 0
        if pendingCR {
            pendingCR = false
            if end > 0 && bytes[0] == Self.lf { lineStart = 1 }
        }
        while lineStart < end {
            if partialLine.isEmpty, !hasData, eventType == nil,
                let end = emitUsualEvent(in: bytes, of: buffer, from: lineStart, emit: emit)
            {
                lineStart = end
                continue
            }
            guard let lineEnd = Self.lineBreak(in: bytes, from: lineStart) else { break }
            let byte = bytes[lineEnd]
            try endLine(UnsafeRawBufferPointer(rebasing: bytes[lineStart..<lineEnd]), emit: emit)
            lineStart = lineEnd + 1
            if byte == Self.cr {
                if lineStart < end {
                    if bytes[lineStart] == Self.lf { lineStart += 1 }
                } else {
                    pendingCR = true
                }
            }
        }
        if lineStart < end {
            guard partialLine.count + (end - lineStart) <= maxEventBytes else {
                throw EventTooLarge(limit: maxEventBytes)
            }
            partialLine.append(contentsOf: bytes[lineStart..<end])
        }
    }

    /// Where the first line break (LF or CR) at or after `start` is, found with `memchr`, which
    /// compares many bytes at a time: a byte-by-byte loop here was the largest single piece of
    /// relaying a stream. A CR is looked for only before the first LF (most streams have none).
    private static func lineBreak(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        let base = bytes.baseAddress! + start
        let length = bytes.count - start
        let lf = memchr(base, Int32(Self.lf), length)
        let beforeLF = lf.map { UnsafeRawPointer($0) - base } ?? length
        if let cr = memchr(base, Int32(Self.cr), beforeLF) { return start + (UnsafeRawPointer(cr) - base) }
        return lf == nil ? nil : start + beforeLF
    }

    private mutating func endLine(_ tail: UnsafeRawBufferPointer, emit: (ServerSentEvent) -> Void) throws {
        if partialLine.isEmpty {
            try processLine(tail, emit: emit)
            return
        }
        guard partialLine.count + tail.count <= maxEventBytes else { throw EventTooLarge(limit: maxEventBytes) }
        partialLine.append(contentsOf: tail)
        let line = partialLine
        partialLine.removeAll(keepingCapacity: partialLine.capacity <= 64 * 1024)
        try line.withUnsafeBytes { try processLine($0, emit: emit) }
    }

    private mutating func processLine(_ line: UnsafeRawBufferPointer, emit: (ServerSentEvent) -> Void) throws {
        if line.isEmpty {
            dispatch(emit: emit)
            return
        }
        if line[0] == Self.colon { return }  // a comment, such as ": ping"

        let name: UnsafeRawBufferPointer
        var value: UnsafeRawBufferPointer
        if let colonIndex = line.firstIndex(of: Self.colon) {
            name = UnsafeRawBufferPointer(rebasing: line[..<colonIndex])
            value = UnsafeRawBufferPointer(rebasing: line[(colonIndex + 1)...])
            if value.first == Self.space { value = UnsafeRawBufferPointer(rebasing: value[1...]) }
        } else {
            name = line
            value = UnsafeRawBufferPointer(start: nil, count: 0)
        }

        if name.elementsEqual("data".utf8) {
            guard data.count + value.count + 1 <= maxEventBytes else { throw EventTooLarge(limit: maxEventBytes) }
            data.append(contentsOf: value)
            data.append(Self.lf)
            hasData = true
        } else if name.elementsEqual("event".utf8) {
            eventType = reusedEventType(value)
        } else if name.elementsEqual("id".utf8) {
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        }
        // "retry" and unknown fields are ignored: a client of an LLM API does not reconnect.
    }

    private mutating func dispatch(emit: (ServerSentEvent) -> Void) {
        defer {
            data.removeAll(keepingCapacity: data.capacity <= 64 * 1024)
            hasData = false
            eventType = nil
        }
        guard hasData else { return }
        emit(ServerSentEvent(event: eventType, dataBytes: ByteBuffer(bytes: data.dropLast()), id: lastEventID))
    }

    /// An event in the usual form, whole in this read, starting at `start`: an optional
    /// `event: <type>` line, one `data: <data>` line and a blank line, each ending in LF. It is
    /// what nearly every event of an LLM stream looks like, and it is taken as a slice of the
    /// read (no copy), which keeps its bytes as they came. Anything else (comments, ids, several
    /// data lines, CRs, an event cut by the end of the read) is left to the line-by-line path,
    /// which gives the same event. Hands the event to `emit` and says where it ends; nil when
    /// there is none at `start`.
    private mutating func emitUsualEvent(
        in bytes: UnsafeRawBufferPointer,
        of buffer: ByteBuffer,
        from start: Int,
        emit: (ServerSentEvent) -> Void
    ) -> Int? {
        var lineStart = start
        var type: UnsafeRawBufferPointer?
        if bytes.starts(with: Self.eventPrefix, at: lineStart) {
            guard let lineEnd = Self.lineFeed(in: bytes, from: lineStart) else { return nil }
            type = UnsafeRawBufferPointer(rebasing: bytes[(lineStart + Self.eventPrefix.utf8CodeUnitCount)..<lineEnd])
            lineStart = lineEnd + 1
        }
        guard bytes.starts(with: Self.dataPrefix, at: lineStart),
            let dataEnd = Self.lineFeed(in: bytes, from: lineStart),
            dataEnd + 1 < bytes.count, bytes[dataEnd + 1] == Self.lf,
            dataEnd + 2 - start <= maxEventBytes
        else { return nil }
        let dataStart = lineStart + Self.dataPrefix.utf8CodeUnitCount
        var eventType: String?
        if let type { eventType = reusedEventType(type) }
        let reader = buffer.readerIndex
        emit(
            ServerSentEvent(
                event: eventType,
                dataBytes: buffer.getSlice(at: reader + dataStart, length: dataEnd - dataStart)!,
                id: lastEventID,
                wire: buffer.getSlice(at: reader + start, length: dataEnd + 2 - start)!
            )
        )
        return dataEnd + 2
    }

    private static let eventPrefix: StaticString = "event: "
    private static let dataPrefix: StaticString = "data: "

    /// Where the LF ending the line at `start` is; nil when the line has a CR or no end here.
    private static func lineFeed(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let lineEnd = lineBreak(in: bytes, from: start), bytes[lineEnd] == lf else { return nil }
        return lineEnd
    }

    /// The event type named by `value`: the previous event's own string when it is the same.
    private mutating func reusedEventType(_ value: UnsafeRawBufferPointer) -> String {
        if let last = lastEventType, last.utf8.count == value.count,
            last.utf8.withContiguousStorageIfAvailable({ value.isEmpty || memcmp($0.baseAddress!, value.baseAddress!, value.count) == 0 })
                == true
        {
            return last
        }
        let type = String(decoding: value, as: UTF8.self)
        lastEventType = type
        return type
    }
}
