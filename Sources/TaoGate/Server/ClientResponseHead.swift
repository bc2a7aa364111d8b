import HTTPTypes
import NIOCore

/// What an answer to a client says about itself on the wire beyond its own fields, and how its
/// body is delimited: everything `ClientResponseHead.encode` needs from the request it answers
/// and the connection it goes out on.
struct AnswerContext {
    /// The answered request's method: a HEAD or CONNECT request's answer has no body.
    var method: HTTPRequest.Method
    /// The client spoke HTTP/1.0, which knows no chunked body: a body of unknown length is
    /// delimited by closing the connection instead.
    var isHTTP10 = false
    /// This answer is the connection's last: it says `Connection: close`.
    var closesConnection = false
    /// The `Date` field's value (`HTTPDate.now`).
    var date: String
    /// The `Server` field's value.
    var server: String
}

/// How an answer's body is delimited (RFC 9112, 6), chosen as SwiftNIO's response encoder
/// chooses it.
enum AnswerFraming: Equatable {
    /// The answer's own Content-Length: the body goes as it is.
    case contentLength
    /// Each write of the body is a chunk, and the body ends with the last chunk.
    case chunked
    /// An HTTP/1.0 client's body of unknown length: it ends when the connection closes.
    case untilClose
    /// No body goes out: the answer to HEAD or CONNECT, or a status without one (1xx, 204, 304).
    case none
}

/// An answer's status line and fields as the bytes that go to the client, written in one pass
/// from Hummingbird's `HTTPResponse`: what SwiftNIO's HTTPTypes codec (a conversion to
/// `HTTPHeaders`) and its response encoder did in two pipeline steps. HTTPTypes has already made
/// every field name a token and every value free of CR, LF and NUL.
///
/// The answer's `Date` and `Server` fields are the gateway's, and so are `Transfer-Encoding`
/// and, on a connection's last answer, `Connection`: the answer's own are replaced.
enum ClientResponseHead {
    /// `response`'s head as bytes, ending with the blank line, and how its body goes; the
    /// buffer has room for `reservingBody` more bytes (a short body that goes with its head).
    static func encode(
        _ response: HTTPResponse,
        _ context: AnswerContext,
        reservingBody: Int = 0,
        allocator: ByteBufferAllocator
    ) -> (ByteBuffer, AnswerFraming) {
        let rules = FramingRules(response, context)
        var buffer = allocator.buffer(capacity: 160 + response.headerFields.count * 40 + reservingBody)
        buffer.writeStaticString("HTTP/1.1 ")
        writeStatusCode(response.status.code, to: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeString(response.status.reasonPhrase)
        buffer.writeStaticString("\r\n")
        for field in response.headerFields where !rules.replaces(field.name, closingConnection: context.closesConnection) {
            write(field, to: &buffer)
        }
        buffer.writeStaticString("Date: ")
        buffer.writeString(context.date)
        buffer.writeStaticString("\r\nServer: ")
        buffer.writeString(context.server)
        buffer.writeStaticString("\r\n")
        if context.closesConnection { buffer.writeStaticString("Connection: close\r\n") }
        if rules.saysChunked { buffer.writeStaticString("Transfer-Encoding: chunked\r\n") }
        buffer.writeStaticString("\r\n")
        return (buffer, rules.framing)
    }

    /// `data` as one chunk of a chunked body (`data` must not be empty: an empty chunk ends it).
    static func chunk(_ data: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: data.readableBytes + 12)
        buffer.writeString(String(data.readableBytes, radix: 16))
        buffer.writeStaticString("\r\n")
        buffer.writeImmutableBuffer(data)
        buffer.writeStaticString("\r\n")
        return buffer
    }

    /// The last chunk of a chunked body, with its trailer fields.
    static func lastChunk(trailers: HTTPFields?, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 5 + (trailers?.count ?? 0) * 40)
        buffer.writeStaticString("0\r\n")
        for field in trailers ?? [:] { write(field, to: &buffer) }
        buffer.writeStaticString("\r\n")
        return buffer
    }

    /// RFC 9112's rules for one answer's framing fields and body.
    struct FramingRules {
        /// How the body goes out.
        let framing: AnswerFraming
        /// The head says `Transfer-Encoding: chunked`: the body is chunked, or it would be were
        /// the request not HEAD (whose answer says what the GET's would, RFC 9110, 9.3.2).
        let saysChunked: Bool
        /// The status, or the answer to CONNECT, has no body at all: no framing field either.
        let hasNoBody: Bool

        init(_ response: HTTPResponse, _ context: AnswerContext) {
            let code = response.status.code
            hasNoBody = context.method == .connect || (100..<200).contains(code) || code == 204 || code == 304
            let hasLength = response.headerFields.contains(.contentLength)
            saysChunked = !hasNoBody && !hasLength && !context.isHTTP10
            if hasNoBody || context.method == .head {
                framing = .none
            } else if hasLength {
                framing = .contentLength
            } else {
                framing = context.isHTTP10 ? .untilClose : .chunked
            }
        }

        /// Whether the answer's own field gives way to the gateway's or to the framing.
        func replaces(_ name: HTTPField.Name, closingConnection: Bool) -> Bool {
            switch name {
            case .date, .server, .transferEncoding: true
            case .contentLength: hasNoBody
            case .connection: closingConnection
            default: false
            }
        }
    }

    /// `Name: value` and CRLF; the value's bytes as HTTPTypes holds them.
    private static func write(_ field: HTTPField, to buffer: inout ByteBuffer) {
        buffer.writeString(field.name.rawName)
        buffer.writeStaticString(": ")
        field.withUnsafeBytesOfValue { buffer.writeBytes($0) }
        buffer.writeStaticString("\r\n")
    }

    private static func writeStatusCode(_ code: Int, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "0") + UInt8(code / 100 % 10))
        buffer.writeInteger(UInt8(ascii: "0") + UInt8(code / 10 % 10))
        buffer.writeInteger(UInt8(ascii: "0") + UInt8(code % 10))
    }
}
