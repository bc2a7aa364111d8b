import Foundation
import Testing

@testable import TaoGate

@Suite("Chat page")
struct ChatPageTests {
    @Test("The page at / is HTML under a content security policy that forbids inline scripts")
    func pageIsServedWithItsPolicy() async throws {
        try await LiveGateway.run { gateway in
            let page = try await gateway.get("/")
            #expect(page.status == 200)
            #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(page.header("Content-Security-Policy")?.contains("script-src 'self'") == true)
            #expect(page.body.contains("<script src=\"/chat.js\""))
            #expect(!page.body.contains("<script>"))
        }
    }

    @Test("The page's script and styles are served with their types, not as HTML")
    func assetsAreServedWithTheirTypes() async throws {
        try await LiveGateway.run { gateway in
            let script = try await gateway.get("/chat.js")
            let styles = try await gateway.get("/chat.css")
            #expect(script.status == 200 && styles.status == 200)
            #expect(script.header("Content-Type") == "text/javascript; charset=utf-8")
            #expect(styles.header("Content-Type") == "text/css; charset=utf-8")
            #expect(script.body.contains("/api/chat/stream"))
        }
    }

    @Test("The page needs no client key, though the API behind it does")
    func pageIsPublicWhenKeysAreRequired() async throws {
        try await LiveGateway.run(["TAOGATE_API_KEYS": "tg-page-test-key-eeeeeeeeeeeeeeeeeee"]) { gateway in
            let page = try await gateway.get("/")
            let models = try await gateway.get("/api/models")
            #expect(page.status == 200)
            #expect(models.status == 401)
        }
    }
}
