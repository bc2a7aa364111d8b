import HTTPTypes
import Hummingbird

/// TaoGate's route table: Hummingbird's `Router`, and beside it every route whose path has no
/// parameter, by method and path, with the same chain of middleware as the router gives it.
///
/// `GatewayResponder` looks a request up there first, one dictionary lookup, and asks the
/// router's trie only for the other paths (the admin API's `/admin/keys/{id}`, an unknown path).
/// The trie walks the path component by component and builds the parameters; for `/v1` and
/// `/api` that was about 3 % of a request's CPU (BENCHMARKS.md). A path the table does not
/// hold exactly (a trailing slash, an empty component) goes to the trie, which answers as before.
final class GatewayRouter: RouterMethods {
    typealias Context = GatewayRequestContext

    private let router = Router(context: Context.self)
    private var exact: [GatewayResponder.Route: GatewayResponder.Endpoint] = [:]

    @discardableResult func on<Responder: HTTPResponder>(
        _ path: RouterPath,
        method: HTTPRequest.Method,
        responder: Responder
    ) -> Self where Responder.Context == Context {
        router.on(path, method: method, responder: responder)
        if path.components.allSatisfy({ $0 == .path(Substring($0.description)) }) {
            // What `Router.on` puts in the trie: the router's middleware, as it is now, around it.
            let chain = router.middlewares.constructResponder(finalResponder: responder)
            exact[.init(method: method, path: path.description)] = .init(path: path.description, responder: chain)
        }
        return self
    }

    @discardableResult func add(middleware: any MiddlewareProtocol<Request, Response, Context>) -> Self {
        router.add(middleware: middleware)
        return self
    }

    /// Every route, with its method (for the OpenAPI description's test).
    var routes: [Router<Context>.RouteDescription] { router.routes }

    func buildResponder() -> GatewayResponder {
        GatewayResponder(exact: exact, router: router.buildResponder())
    }
}

/// Answers a request by the route of its exact path, or else by the router (see `GatewayRouter`).
struct GatewayResponder: HTTPResponder {
    typealias Context = GatewayRequestContext

    struct Route: Hashable {
        let method: HTTPRequest.Method
        let path: String
    }

    struct Endpoint {
        /// The route's path as the router names it (the log's and the metrics' route label).
        let path: String
        let responder: any HTTPResponder<Context>
    }

    let exact: [Route: Endpoint]
    let router: RouterResponder<Context>

    func respond(to request: Request, context: Context) async throws -> Response {
        guard let endpoint = exact[Route(method: request.method, path: request.uri.path)] else {
            return try await router.respond(to: request, context: context)
        }
        // As the router does for the routes it finds.
        context.coreContext.endpointPath.value = endpoint.path
        do {
            return try await endpoint.responder.respond(to: request, context: context)
        } catch let error as any HTTPResponseError {
            return try error.response(from: request, context: context)
        }
    }
}
