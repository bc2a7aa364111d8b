import HTTPTypes
import NIOCore
import Testing

@testable import TaoGate

@Suite("Answer heads as the bytes a client receives")
struct ClientResponseHeadTests {
    static func context(_ method: HTTPRequest.Method = .post, http10: Bool = false, closing: Bool = false) -> AnswerContext {
        AnswerContext(method: method, isHTTP10: http10, closesConnection: closing, date: "Mon, 07 Dec 2026 16:00:00 GMT", server: "TaoGate")
    }

    static func encode(_ response: HTTPResponse, _ context: AnswerContext = context()) -> (text: String, framing: AnswerFraming) {
        let (buffer, framing) = ClientResponseHead.encode(response, context, allocator: ByteBufferAllocator())
        return (String(buffer: buffer), framing)
    }

    @Test("The status line and the answer's fields come first, then Date and Server, then the blank line")
    func headHasStatusFieldsDateAndServer() {
        let response = HTTPResponse(status: .ok, headerFields: [.contentType: "application/json", .contentLength: "2"])
        let (text, framing) = Self.encode(response)
        #expect(
            text == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                + "Date: Mon, 07 Dec 2026 16:00:00 GMT\r\nServer: TaoGate\r\n\r\n"
        )
        #expect(framing == .contentLength)
    }

    @Test("The answer's own Date and Server give way to the gateway's")
    func gatewayDateAndServerReplaceTheAnswers() {
        let response = HTTPResponse(status: .ok, headerFields: [.date: "yesterday", .server: "upstream", .contentLength: "0"])
        let text = Self.encode(response).text
        #expect(!text.contains("yesterday"))
        #expect(!text.contains("upstream"))
        #expect(text.components(separatedBy: "Date: ").count == 2)
        #expect(text.components(separatedBy: "Server: ").count == 2)
    }

    @Test("A connection's last answer says Connection: close in place of the answer's own Connection field")
    func lastAnswerSaysConnectionClose() {
        let response = HTTPResponse(status: .ok, headerFields: [.connection: "keep-alive", .contentLength: "0"])
        let text = Self.encode(response, Self.context(closing: true)).text
        #expect(text.contains("Connection: close\r\n"))
        #expect(!text.contains("keep-alive"))
    }

    @Test("An answer kept alive keeps its own Connection field")
    func answerKeptAliveKeepsItsConnectionField() {
        let response = HTTPResponse(status: .ok, headerFields: [.connection: "keep-alive", .contentLength: "0"])
        #expect(Self.encode(response).text.contains("Connection: keep-alive\r\n"))
    }

    @Test("An answer of unknown length is chunked for an HTTP/1.1 client, whatever Transfer-Encoding it carried")
    func unknownLengthIsChunked() {
        let response = HTTPResponse(status: .ok, headerFields: [.contentType: "text/event-stream", .transferEncoding: "gzip"])
        let (text, framing) = Self.encode(response)
        #expect(framing == .chunked)
        #expect(text.contains("Transfer-Encoding: chunked\r\n"))
        #expect(!text.contains("gzip"))
    }

    @Test("An answer with a Content-Length drops a Transfer-Encoding it carried")
    func contentLengthWinsOverTransferEncoding() {
        let response = HTTPResponse(status: .ok, headerFields: [.contentLength: "5", .transferEncoding: "chunked"])
        let (text, framing) = Self.encode(response)
        #expect(framing == .contentLength)
        #expect(!text.lowercased().contains("transfer-encoding"))
    }

    @Test("An answer of unknown length goes unchunked to an HTTP/1.0 client, its end the connection's close")
    func unknownLengthToHTTP10EndsWithTheConnection() {
        let response = HTTPResponse(status: .ok, headerFields: [.contentType: "text/event-stream"])
        let (text, framing) = Self.encode(response, Self.context(http10: true))
        #expect(framing == .untilClose)
        #expect(!text.lowercased().contains("transfer-encoding"))
    }

    @Test("A 204 or 304 answer carries neither Content-Length nor Transfer-Encoding, and no body")
    func statusesWithoutBodyHaveNoFraming() {
        for status in [HTTPResponse.Status.noContent, .notModified] {
            let response = HTTPResponse(status: status, headerFields: [.contentLength: "0", .transferEncoding: "chunked"])
            let (text, framing) = Self.encode(response)
            #expect(framing == .none)
            #expect(!text.lowercased().contains("content-length"))
            #expect(!text.lowercased().contains("transfer-encoding"))
        }
    }

    @Test("The answer to HEAD keeps its Content-Length and sends no body")
    func headAnswerKeepsLengthWithoutBody() {
        let response = HTTPResponse(status: .ok, headerFields: [.contentLength: "57"])
        let (text, framing) = Self.encode(response, Self.context(.head))
        #expect(framing == .none)
        #expect(text.contains("Content-Length: 57\r\n"))
    }

    @Test("The answer to HEAD of a stream says it would be chunked, and sends no body")
    func headAnswerOfStreamSaysChunked() {
        let response = HTTPResponse(status: .ok, headerFields: [.contentType: "text/event-stream"])
        let (text, framing) = Self.encode(response, Self.context(.head))
        #expect(framing == .none)
        #expect(text.contains("Transfer-Encoding: chunked\r\n"))
    }

    @Test("The answer to CONNECT carries no framing field and no body")
    func connectAnswerHasNoFraming() {
        let response = HTTPResponse(status: .notFound, headerFields: [.contentLength: "9"])
        let (text, framing) = Self.encode(response, Self.context(.connect))
        #expect(framing == .none)
        #expect(!text.lowercased().contains("content-length"))
    }

    @Test("A status with a reason phrase of its own is written with it")
    func customReasonPhraseIsWritten() {
        let response = HTTPResponse(status: .init(code: 529, reasonPhrase: "Site Overloaded"), headerFields: [.contentLength: "0"])
        #expect(Self.encode(response).text.hasPrefix("HTTP/1.1 529 Site Overloaded\r\n"))
    }

    @Test("A chunk is its size in hexadecimal, CRLF, its bytes and CRLF")
    func chunkIsFramedBySize() {
        let data = ByteBuffer(string: String(repeating: "x", count: 300))
        let chunk = ClientResponseHead.chunk(data, allocator: ByteBufferAllocator())
        #expect(String(buffer: chunk) == "12c\r\n" + String(repeating: "x", count: 300) + "\r\n")
    }

    @Test("The last chunk is zero, then the trailer fields, then the blank line")
    func lastChunkCarriesTrailers() {
        let allocator = ByteBufferAllocator()
        #expect(String(buffer: ClientResponseHead.lastChunk(trailers: nil, allocator: allocator)) == "0\r\n\r\n")
        let withTrailer = ClientResponseHead.lastChunk(trailers: [HTTPField.Name("X-Usage")!: "12"], allocator: allocator)
        #expect(String(buffer: withTrailer) == "0\r\nX-Usage: 12\r\n\r\n")
    }
}
