import NIOCore
import NIOHTTP1

/// An upstream request's line and header fields as the bytes that go on the wire, checked as
/// they are written: in one pass, what SwiftNIO's header validator and request encoder did in two
/// pipeline steps for each of a request's three parts (head, body, end).
///
/// Only what the transport sends is handled: HTTP/1.1, and a body framed by its
/// `Content-Length` (the transport always knows it), never chunked: a head that carries
/// `Transfer-Encoding` (a provider's configured headers could) is refused.
public enum UpstreamRequestHead {
    /// Why a head cannot be sent: a field that would let its value end the line, or a target
    /// that would end the request line.
    struct Unsendable: Error, Equatable {
        let reason: String
    }

    /// `head` as bytes, ending with the blank line that ends the header block.
    static func encode(_ head: HTTPRequestHead, allocator: ByteBufferAllocator) throws(Unsendable) -> ByteBuffer {
        let method = head.method.rawValue
        guard !method.isEmpty, method.utf8.allSatisfy(\.isTokenByte) else { throw Unsendable(reason: "the method is not a token") }
        guard !head.uri.isEmpty, head.uri.utf8.allSatisfy(\.isRequestTargetByte) else {
            throw Unsendable(reason: "the request target holds a space or a control character")
        }
        var buffer = allocator.buffer(capacity: 64 + head.uri.utf8.count + head.headers.count * 48)
        buffer.writeString(method)
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeString(head.uri)
        buffer.writeStaticString(" HTTP/1.1\r\n")
        for (name, value) in head.headers {
            if let problem = problem(withField: name, value: value) { throw Unsendable(reason: problem) }
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("\r\n")
        return buffer
    }

    /// Why a field could not go in an upstream request, or nil when it can: the rule `encode`
    /// applies to every field, open to configuration so that a provider's headers and keys are
    /// refused when they are read rather than on every call. Never quotes the value.
    public static func problem(withField name: String, value: String) -> String? {
        guard !name.isEmpty, name.utf8.allSatisfy(\.isTokenByte) else { return "a header name is not a token" }
        guard isSendable(value: value) else { return "the value of \(name) holds a control character" }
        // The body is framed by its Content-Length alone: a second framing would let the
        // upstream (or a proxy before it) read the body differently from the transport.
        if name.utf8.count == 17 && name.lowercased() == "transfer-encoding" {
            return "the body is framed by Content-Length, not Transfer-Encoding"
        }
        return nil
    }

    /// Whether `value` may be a field's value: no control character but HTAB.
    public static func isSendable(value: String) -> Bool {
        value.utf8.allSatisfy(\.isFieldValueByte)
    }
}

extension UInt8 {
    /// RFC 9110's `tchar`: what a method or a field name is made of.
    fileprivate var isTokenByte: Bool {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// A field value may hold anything but control characters (HTAB excepted): CR, LF and NUL
    /// would let it end the line or the head (RFC 9110, 5.5).
    fileprivate var isFieldValueByte: Bool {
        self == UInt8(ascii: "\t") || (self >= 0x20 && self != 0x7F)
    }

    /// A request target is visible characters only: a space or a control character would end
    /// the request line.
    fileprivate var isRequestTargetByte: Bool {
        self > 0x20 && self != 0x7F
    }
}
