/// One event of a `text/event-stream`, as the WHATWG HTML standard defines its fields.
public struct ServerSentEvent: Sendable, Hashable {
    /// The `event:` field; nil means the default type, "message".
    public var event: String?
    /// The `data:` lines, joined with "\n".
    public var data: String
    /// The last `id:` seen in the stream so far.
    public var id: String?

    public init(event: String? = nil, data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }
}
