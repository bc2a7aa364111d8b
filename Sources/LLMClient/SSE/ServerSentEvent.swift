import NIOCore

/// One event of a `text/event-stream`, as the WHATWG HTML standard defines its fields.
///
/// Its data is kept as bytes: a relay reads an event's data without making a String of it, and
/// an event that came in the usual form (an optional `event: …` line, one `data: …` line, a blank
/// line, each ending in LF) keeps those bytes as they came, to be written out again unchanged.
public struct ServerSentEvent: Sendable, Hashable {
    /// The `event:` field; nil means the default type, "message".
    public var event: String? {
        didSet { wire = nil }
    }
    /// The `data:` lines, joined with LF.
    public var dataBytes: ByteBuffer {
        didSet { wire = nil }
    }
    /// The last `id:` seen in the stream so far.
    public var id: String?
    /// The event's own bytes as they came, when they are exactly how it is written out
    /// (`OpenAIStreamEvents` and the other relays copy them instead of framing it again).
    public private(set) var wire: ByteBuffer?

    public init(event: String? = nil, data: String, id: String? = nil) {
        self.event = event
        self.dataBytes = ByteBuffer(string: data)
        self.id = id
    }

    init(event: String?, dataBytes: ByteBuffer, id: String?, wire: ByteBuffer? = nil) {
        self.event = event
        self.dataBytes = dataBytes
        self.id = id
        self.wire = wire
    }

    /// The `data:` lines, joined with "\n" (bytes that are not UTF-8 are replaced).
    public var data: String {
        get { String(buffer: dataBytes) }
        set { dataBytes = ByteBuffer(string: newValue) }
    }

    /// Whether the data is exactly `text` (such as OpenAI's `[DONE]`), compared without a String.
    public func dataIs(_ text: StaticString) -> Bool {
        dataBytes.withUnsafeReadableBytes { $0.equals(text) }
    }

    public static func == (lhs: ServerSentEvent, rhs: ServerSentEvent) -> Bool {
        lhs.event == rhs.event && lhs.id == rhs.id && lhs.dataBytes == rhs.dataBytes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(event)
        hasher.combine(id)
        hasher.combine(dataBytes)
    }
}
