import HTTPTypes
import Hummingbird

/// TaoGate's route table. Routes are added through groups (`group(_:_:)`): a path prefix and the
/// steps its routes take before their handler (`RouteStep`). The router's own steps
/// (`add(step:)`) come before those of every request, also of one that no route answers.
///
/// `GatewayResponder` looks a request up by method and exact path first, one dictionary lookup,
/// and asks Hummingbird's router (a trie) only for the other paths: the admin API's
/// `/admin/keys/{id}`, an unknown path. The trie walks the path component by component and
/// builds the parameters; for `/v1` and `/api` that was about 3 % of a request's CPU
/// (BENCHMARKS.md). A path the table does not hold exactly (a trailing slash, an empty
/// component) goes to the trie, which answers as before.
///
/// A route's steps and its handler are called directly, on the connection's event loop, rather
/// than through Hummingbird's middleware responders and route closures: that took ten of the
/// thirty-five executor switches of a `/v1` request (BENCHMARKS.md, "Sixteenth sitting").
final class GatewayRouter {
    typealias Context = GatewayRequestContext

    private let router = Router(context: Context.self)
    private var steps: [any RouteStep] = []
    private var exact: [GatewayResponder.Route: GatewayResponder.Endpoint] = [:]

    init() {
        router.add(middleware: CarryFailures())
    }

    /// Adds a step that every request takes, after those added before it.
    func add(step: some RouteStep) {
        steps.append(step)
    }

    /// The routes under `prefix`, which take `steps` (the first outermost) before their handler.
    func group(_ prefix: RouterPath = "", _ steps: any RouteStep...) -> GatewayRouteGroup {
        GatewayRouteGroup(router: self, prefix: prefix, steps: steps)
    }

    /// Answers `method` on `path` with `handler` (a route and its group's steps).
    func add(_ path: RouterPath, method: HTTPRequest.Method, handler: @escaping RouteHandler) {
        router.on(path, method: method, responder: HandlerResponder(handler: handler))
        if path.components.allSatisfy({ $0 == .path(Substring($0.description)) }) {
            exact[.init(method: method, path: path.description)] = .init(path: path.description, handler: handler)
        }
    }

    /// Every route, with its method (for the OpenAPI description's test).
    var routes: [Router<Context>.RouteDescription] { router.routes }

    func buildResponder() -> GatewayResponder {
        GatewayResponder(exact: exact, router: router.buildResponder(), steps: steps)
    }

    /// What a route found by the trie threw, or the trie's not-found: Hummingbird's router answers
    /// an `HTTPResponseError` itself, in its plain shape, where the router's steps would answer it
    /// in the route's dialect; carried past it, the error reaches them.
    struct CarriedFailure: Error {
        let error: any Error
    }

    private struct CarryFailures: RouterMiddleware {
        func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
            do {
                return try await next(request, context)
            } catch {
                throw CarriedFailure(error: error)
            }
        }
    }

    /// A handler as the trie's responder.
    private struct HandlerResponder: HTTPResponder {
        let handler: RouteHandler

        func respond(to request: Request, context: Context) async throws -> Response {
            try await handler(request, context)
        }
    }
}

/// Routes under one path prefix that take the same steps before their handler.
struct GatewayRouteGroup {
    let router: GatewayRouter
    let prefix: RouterPath
    /// The first outermost.
    let steps: [any RouteStep]

    /// The routes under this group's prefix followed by `path`, which take this group's steps and
    /// then `steps`.
    func group(_ path: RouterPath = "", _ steps: any RouteStep...) -> GatewayRouteGroup {
        GatewayRouteGroup(router: router, prefix: prefix.appendingPath(path), steps: self.steps + steps)
    }

    /// Answers `method` on the group's prefix followed by `path` with `handler`, after the
    /// group's steps.
    @discardableResult
    func on<Output: ResponseGenerator>(
        _ path: RouterPath,
        method: HTTPRequest.Method,
        use handler: @escaping @Sendable (Request, GatewayRequestContext) async throws -> Output
    ) -> Self {
        let answer: RouteHandler = { request, context in try await handler(request, context).response(from: request, context: context) }
        router.add(prefix.appendingPath(path), method: method, handler: steps.wrapping(answer))
        return self
    }

    @discardableResult
    func get<Output: ResponseGenerator>(
        _ path: RouterPath = "",
        use handler: @escaping @Sendable (Request, GatewayRequestContext) async throws -> Output
    ) -> Self {
        on(path, method: .get, use: handler)
    }

    @discardableResult
    func post<Output: ResponseGenerator>(
        _ path: RouterPath = "",
        use handler: @escaping @Sendable (Request, GatewayRequestContext) async throws -> Output
    ) -> Self {
        on(path, method: .post, use: handler)
    }

    @discardableResult
    func patch<Output: ResponseGenerator>(
        _ path: RouterPath = "",
        use handler: @escaping @Sendable (Request, GatewayRequestContext) async throws -> Output
    ) -> Self {
        on(path, method: .patch, use: handler)
    }

    @discardableResult
    func delete<Output: ResponseGenerator>(
        _ path: RouterPath = "",
        use handler: @escaping @Sendable (Request, GatewayRequestContext) async throws -> Output
    ) -> Self {
        on(path, method: .delete, use: handler)
    }
}

/// Answers a request by the route of its exact path, or else by the router (see `GatewayRouter`),
/// after the router's steps.
struct GatewayResponder: HTTPResponder {
    typealias Context = GatewayRequestContext

    struct Route: Hashable {
        let method: HTTPRequest.Method
        let path: String
    }

    struct Endpoint {
        /// The route's path as the router names it (the log's and the metrics' route label).
        let path: String
        let handler: RouteHandler
    }

    let exact: [Route: Endpoint]
    /// The router's steps around finding the route and its answer.
    private let answerRequest: RouteHandler

    init(exact: [Route: Endpoint], router: RouterResponder<Context>, steps: [any RouteStep]) {
        self.exact = exact
        let find: RouteHandler = { request, context in
            guard let endpoint = exact[Route(method: request.method, path: request.uri.path)] else {
                do {
                    return try await router.respond(to: request, context: context)
                } catch let carried as GatewayRouter.CarriedFailure {
                    throw carried.error
                }
            }
            // As the router does for the routes it finds.
            context.coreContext.endpointPath.value = endpoint.path
            return try await endpoint.handler(request, context)
        }
        answerRequest = steps.wrapping(find)
    }

    /// The answer to `request` (on the caller's executor, unlike `respond`).
    func answer(_ request: Request, context: Context) async throws -> Response {
        do {
            return try await answerRequest(request, context)
        } catch let error as any HTTPResponseError {
            return try error.response(from: request, context: context)
        }
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        try await answer(request, context: context)
    }
}
