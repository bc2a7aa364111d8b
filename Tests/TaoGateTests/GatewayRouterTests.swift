import HTTPTypes
import Hummingbird
import Logging
import NIOEmbedded
import Testing

@testable import TaoGate

@Suite("Route table")
struct GatewayRouterTests {
    /// Adds `x-layer: <name>` to every answer it passes.
    struct Layer: RouterMiddleware {
        typealias Context = GatewayRequestContext
        let name: String

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            var response = try await next(request, context)
            response.headers.append(HTTPField(name: HTTPField.Name("x-layer")!, value: name))
            return response
        }
    }

    static func answer(_ responder: GatewayResponder, _ method: HTTPRequest.Method, _ path: String) async throws -> Response {
        let request = Request(
            head: HTTPRequest(method: method, scheme: "http", authority: "127.0.0.1", path: path),
            body: RequestBody(buffer: .init())
        )
        let context = GatewayRequestContext(source: .init(channel: EmbeddedChannel(), logger: Logger(label: "test")))
        return try await responder.respond(to: request, context: context)
    }

    static let layer = HTTPField.Name("x-layer")!
    static let found = HTTPField.Name("x-found")!

    /// The handler's answer: the route the request was found under, as the log and metrics name it.
    static func routeName(_: Request, context: GatewayRequestContext) -> Response {
        Response(status: .ok, headers: [found: context.endpointPath ?? "none"])
    }

    @Test("A route of a fixed path is kept by method and path, with the router's middleware around it")
    func fixedPathIsKeptWithItsMiddleware() async throws {
        let router = GatewayRouter()
        router.add(middleware: Layer(name: "outer"))
        router.group("/v1").add(middleware: Layer(name: "group")).post("chat/completions", use: Self.routeName)
        let responder = router.buildResponder()
        #expect(responder.exact[.init(method: .post, path: "/v1/chat/completions")] != nil)

        let response = try await Self.answer(responder, .post, "/v1/chat/completions")
        #expect(response.status == .ok)
        #expect(response.headers[values: Self.layer] == ["group", "outer"])
        #expect(response.headers[Self.found] == "/v1/chat/completions")
    }

    @Test("A middleware added after a route does not wrap it, as in the router")
    func laterMiddlewareDoesNotWrapEarlierRoute() async throws {
        let router = GatewayRouter()
        router.get("/early", use: Self.routeName)
        router.add(middleware: Layer(name: "late"))
        router.get("/late", use: Self.routeName)
        let responder = router.buildResponder()

        #expect(try await Self.answer(responder, .get, "/early").headers[values: Self.layer] == [])
        #expect(try await Self.answer(responder, .get, "/late").headers[values: Self.layer] == ["late"])
    }

    @Test("A path with a parameter is left to the router, which reads the parameter")
    func parameterPathGoesToTheRouter() async throws {
        let router = GatewayRouter()
        router.get("/keys/:id") { _, context in Response(status: .ok, headers: [Self.found: context.parameters.get("id") ?? "none"]) }
        let responder = router.buildResponder()
        #expect(responder.exact.isEmpty)

        let response = try await Self.answer(responder, .get, "/keys/ck_7")
        #expect(response.headers[Self.found] == "ck_7")
    }

    @Test("A path the table does not hold exactly is answered by the router as before")
    func inexactPathIsAnsweredByTheRouter() async throws {
        let router = GatewayRouter()
        router.add(middleware: Layer(name: "outer"))
        router.post("/v1/chat/completions", use: Self.routeName)
        let responder = router.buildResponder()

        let trailing = try await Self.answer(responder, .post, "/v1/chat/completions/")
        #expect(trailing.status == .ok)
        #expect(trailing.headers[values: Self.layer] == ["outer"])
        #expect(trailing.headers[Self.found] == "/v1/chat/completions")
        #expect(try await Self.answer(responder, .get, "/v1/chat/completions").status == .notFound)
        #expect(try await Self.answer(responder, .post, "/v1/unknown").status == .notFound)
    }
}
