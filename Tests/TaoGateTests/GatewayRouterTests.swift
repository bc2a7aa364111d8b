import HTTPTypes
import Hummingbird
import Logging
import NIOEmbedded
import Testing

@testable import TaoGate

@Suite("Route table")
struct GatewayRouterTests {
    /// Adds `x-layer: <name>` to every answer it passes.
    struct Layer: RouteStep {
        let name: String

        func handle(
            _ request: Request,
            context: GatewayRequestContext,
            next: nonisolated(nonsending) @Sendable (Request, GatewayRequestContext) async throws -> Response
        ) async throws -> Response {
            var response = try await next(request, context)
            response.headers.append(HTTPField(name: HTTPField.Name("x-layer")!, value: name))
            return response
        }
    }

    /// Answers what the steps after it throw as `x-answered: <status>`, as `EveryRouteMiddleware` does.
    struct Answering: RouteStep {
        func handle(
            _ request: Request,
            context: GatewayRequestContext,
            next: nonisolated(nonsending) @Sendable (Request, GatewayRequestContext) async throws -> Response
        ) async throws -> Response {
            do {
                return try await next(request, context)
            } catch let error as HTTPError {
                return Response(status: .ok, headers: [GatewayRouterTests.answered: String(error.status.code)])
            }
        }
    }

    static let answered = HTTPField.Name("x-answered")!

    static func answer(_ responder: GatewayResponder, _ method: HTTPRequest.Method, _ path: String) async throws -> Response {
        let request = Request(
            head: HTTPRequest(method: method, scheme: "http", authority: "127.0.0.1", path: path),
            body: RequestBody(buffer: .init())
        )
        let context = GatewayRequestContext(source: .init(channel: EmbeddedChannel(), logger: Logger(label: "test")))
        return try await responder.answer(request, context: context)
    }

    static let layer = HTTPField.Name("x-layer")!
    static let found = HTTPField.Name("x-found")!

    /// The handler's answer: the route the request was found under, as the log and metrics name it.
    static func routeName(_: Request, context: GatewayRequestContext) -> Response {
        Response(status: .ok, headers: [found: context.endpointPath ?? "none"])
    }

    @Test("A route of a fixed path is kept by method and path, with the router's steps and its group's around it")
    func fixedPathIsKeptWithItsSteps() async throws {
        let router = GatewayRouter()
        router.add(step: Layer(name: "outer"))
        router.group("/v1", Layer(name: "group")).post("chat/completions", use: { Self.routeName($0, context: $1) })
        let responder = router.buildResponder()
        #expect(responder.exact[.init(method: .post, path: "/v1/chat/completions")] != nil)

        let response = try await Self.answer(responder, .post, "/v1/chat/completions")
        #expect(response.status == .ok)
        #expect(response.headers[values: Self.layer] == ["group", "outer"])
        #expect(response.headers[Self.found] == "/v1/chat/completions")
    }

    @Test("A group within a group takes the outer group's steps first, and both prefixes")
    func nestedGroupTakesBothGroupsSteps() async throws {
        let router = GatewayRouter()
        router.group("/admin", Layer(name: "auth")).group("", Layer(name: "json")).post("keys", use: { Self.routeName($0, context: $1) })
        let response = try await Self.answer(router.buildResponder(), .post, "/admin/keys")
        #expect(response.headers[values: Self.layer] == ["json", "auth"])
        #expect(response.headers[Self.found] == "/admin/keys")
    }

    @Test("The router's steps wrap every route, also those added before them")
    func routerStepsWrapEarlierRoutes() async throws {
        let router = GatewayRouter()
        router.group().get("/early", use: { Self.routeName($0, context: $1) })
        router.add(step: Layer(name: "late"))
        #expect(try await Self.answer(router.buildResponder(), .get, "/early").headers[values: Self.layer] == ["late"])
    }

    @Test("A request no route answers reaches the router's steps as a not-found error, for them to answer")
    func unknownPathReachesTheRoutersSteps() async throws {
        let router = GatewayRouter()
        router.add(step: Answering())
        router.group().get("/known", use: { Self.routeName($0, context: $1) })
        let response = try await Self.answer(router.buildResponder(), .get, "/unknown")
        #expect(response.headers[Self.answered] == "404")
    }

    @Test("What a route with a parameter throws reaches the router's steps as it was thrown")
    func parameterRouteFailureReachesTheRoutersSteps() async throws {
        let router = GatewayRouter()
        router.add(step: Answering())
        router.group().get("/keys/:id") { _, _ -> Response in throw HTTPError(.conflict) }
        let response = try await Self.answer(router.buildResponder(), .get, "/keys/ck_7")
        #expect(response.headers[Self.answered] == "409")
    }

    @Test("A path with a parameter is left to the router, which reads the parameter, with the group's steps")
    func parameterPathGoesToTheRouter() async throws {
        let router = GatewayRouter()
        router.group("/keys", Layer(name: "group")).get(":id") { _, context in
            Response(status: .ok, headers: [Self.found: context.parameters.get("id") ?? "none"])
        }
        let responder = router.buildResponder()
        #expect(responder.exact.isEmpty)

        let response = try await Self.answer(responder, .get, "/keys/ck_7")
        #expect(response.headers[Self.found] == "ck_7")
        #expect(response.headers[values: Self.layer] == ["group"])
    }

    @Test("A path the table does not hold exactly is answered by the router as before")
    func inexactPathIsAnsweredByTheRouter() async throws {
        let router = GatewayRouter()
        router.add(step: Layer(name: "outer"))
        router.group().post("/v1/chat/completions", use: { Self.routeName($0, context: $1) })
        let responder = router.buildResponder()

        let trailing = try await Self.answer(responder, .post, "/v1/chat/completions/")
        #expect(trailing.status == .ok)
        #expect(trailing.headers[values: Self.layer] == ["outer"])
        #expect(trailing.headers[Self.found] == "/v1/chat/completions")
        #expect(try await Self.answer(responder, .get, "/v1/chat/completions").status == .notFound)
        #expect(try await Self.answer(responder, .post, "/v1/unknown").status == .notFound)
    }
}
