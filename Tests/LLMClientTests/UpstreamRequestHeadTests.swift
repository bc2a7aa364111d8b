import NIOCore
import NIOHTTP1
import Testing

@testable import LLMClient

@Suite("Upstream request head")
struct UpstreamRequestHeadTests {
    func encoded(_ headers: HTTPHeaders, uri: String = "/v1/chat/completions", method: HTTPMethod = .POST) throws -> String {
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: headers)
        return String(buffer: try UpstreamRequestHead.encode(head, allocator: ByteBufferAllocator()))
    }

    func refusal(_ headers: HTTPHeaders, uri: String = "/v1/chat/completions") -> UpstreamRequestHead.Unsendable? {
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: uri, headers: headers)
        do {
            _ = try UpstreamRequestHead.encode(head, allocator: ByteBufferAllocator())
            return nil
        } catch {
            return error
        }
    }

    @Test("A head is its request line, each field in order on a line of its own, and a blank line")
    func wireForm() throws {
        let text = try encoded(["Host": "api.example:443", "Authorization": "Bearer k", "Content-Length": "13"])
        #expect(text == "POST /v1/chat/completions HTTP/1.1\r\nHost: api.example:443\r\nAuthorization: Bearer k\r\nContent-Length: 13\r\n\r\n")
    }

    @Test("A repeated field is written as many times as it was given")
    func repeatedField() throws {
        let text = try encoded(["anthropic-beta": "a", "anthropic-beta": "b"])
        #expect(text.components(separatedBy: "\r\n").filter { $0.hasPrefix("anthropic-beta: ") } == ["anthropic-beta: a", "anthropic-beta: b"])
    }

    @Test("A value with a tab and bytes beyond ASCII is sent as it is")
    func valueBeyondASCII() throws {
        let text = try encoded(["X-Note": "a\tcafé"])
        #expect(text.contains("X-Note: a\tcafé\r\n"))
    }

    @Test("A value holding CR, LF, NUL or DEL is refused", arguments: ["a\r\nInjected: 1", "a\nb", "a\u{0}b", "a\u{7F}b"])
    func controlInValue(value: String) {
        #expect(refusal(["X-Forwarded": value]) != nil)
    }

    @Test("A field name that is not a token is refused", arguments: ["", "Bad Name", "Bad:Name", "Bad\r\nName", "Näme"])
    func nameNotAToken(name: String) {
        #expect(refusal([name: "v"]) != nil)
    }

    @Test("A request target holding a space or a line break is refused", arguments: ["/v1/a b", "/v1/a\r\nHost: evil", "", "/v1/\u{7F}"])
    func targetBreaksTheLine(uri: String) {
        #expect(refusal(["Host": "h"], uri: uri) != nil)
    }

    @Test(
        "A Transfer-Encoding field is refused, in any case: the body is framed by its Content-Length",
        arguments: ["Transfer-Encoding", "transfer-encoding", "TRANSFER-ENCODING"]
    )
    func transferEncodingRefused(name: String) {
        #expect(refusal(["Content-Length": "2", name: "chunked"]) != nil)
    }

    @Test("A request target in absolute form, with a query, is sent as it is")
    func absoluteTarget() throws {
        let text = try encoded(["Host": "upstream:8080"], uri: "http://upstream:8080/v1/models?limit=5", method: .GET)
        #expect(text.hasPrefix("GET http://upstream:8080/v1/models?limit=5 HTTP/1.1\r\n"))
    }
}
