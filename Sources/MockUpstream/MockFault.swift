import LLMClient

/// A misbehaviour (or a scripted answer) MockUpstream applies to its next model requests, of any API.
///
/// Every field is optional; the ones given combine. JSON names match the Swift names, so the
/// same fault can be injected in-process or with `POST /mock/faults`.
public struct MockFault: Codable, Sendable, Hashable {
    /// A tool call to make instead of the usual answer, when the request offers a tool of this
    /// name and holds no tool result yet: `{"callTool":{"name":"Bash","arguments":{"command":"…"}}}`.
    public struct ToolCall: Codable, Sendable, Hashable {
        public var name: String
        public var arguments: JSONValue

        public init(name: String, arguments: JSONValue) {
            self.name = name
            self.arguments = arguments
        }
    }

    /// Answer with this HTTP status and an OpenAI error body instead of a completion.
    public var status: Int?
    /// The error message sent with `status` (default: "mock upstream failure <status>").
    public var message: String?
    /// A `Retry-After` header value sent with `status`.
    public var retryAfter: String?
    /// Wait this long before sending the response headers.
    public var delayMs: Int?
    /// Never answer: hold the request open for `hangMs` (or until the client leaves).
    public var hang: Bool?
    /// How long a hang lasts at most, before headers or mid-stream (default 30 s).
    public var hangMs: Int?
    /// Streams: break the connection without finishing the body after this many chunks.
    public var cutAfterChunks: Int?
    /// Streams: send half an event, then break the connection, after this many chunks.
    public var truncateAfterChunks: Int?
    /// Streams: go silent (connection open) after this many chunks, for `hangMs`.
    public var hangAfterChunks: Int?
    /// Streams: pause this long between chunks.
    public var dripMs: Int?
    /// Streams: end without `data: [DONE]`.
    public var omitDone: Bool?
    /// Streams: send `data:` that is not JSON after this many chunks.
    public var garbageAfterChunks: Int?
    /// Streams: put a `: ping` comment before every event.
    public var comments: Bool?
    /// Streams: end lines with CRLF instead of LF.
    public var crlf: Bool?
    /// Streams: send one extra event whose data is this many bytes long, before the chunks.
    public var longLineBytes: Int?
    /// Answer with this tool call (see `ToolCall`).
    public var callTool: ToolCall?
    /// How many requests this fault applies to (default 1).
    public var times: Int?

    public init(
        status: Int? = nil,
        message: String? = nil,
        retryAfter: String? = nil,
        delayMs: Int? = nil,
        hang: Bool? = nil,
        hangMs: Int? = nil,
        cutAfterChunks: Int? = nil,
        truncateAfterChunks: Int? = nil,
        hangAfterChunks: Int? = nil,
        dripMs: Int? = nil,
        omitDone: Bool? = nil,
        garbageAfterChunks: Int? = nil,
        comments: Bool? = nil,
        crlf: Bool? = nil,
        longLineBytes: Int? = nil,
        callTool: ToolCall? = nil,
        times: Int? = nil
    ) {
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
        self.delayMs = delayMs
        self.hang = hang
        self.hangMs = hangMs
        self.cutAfterChunks = cutAfterChunks
        self.truncateAfterChunks = truncateAfterChunks
        self.hangAfterChunks = hangAfterChunks
        self.dripMs = dripMs
        self.omitDone = omitDone
        self.garbageAfterChunks = garbageAfterChunks
        self.comments = comments
        self.crlf = crlf
        self.longLineBytes = longLineBytes
        self.callTool = callTool
        self.times = times
    }

    var hangDuration: Duration { .milliseconds(hangMs ?? 30_000) }
}
