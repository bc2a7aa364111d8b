import Hummingbird

/// A route's handler, or a route with the steps before it, as the gateway calls it.
typealias RouteHandler = @Sendable (Request, GatewayRequestContext) async throws -> Response

/// One step around a group of routes (the client key, the rate limit, the body) or around every
/// request (`EveryRouteMiddleware`): what Hummingbird calls a middleware.
///
/// Unlike a `RouterMiddleware`, whose `next` and whose own `handle` run on the global executor
/// (a switch out of the connection's event loop and back, per step and per request, which the
/// task's executor preference turns into a status-record walk each), a step, its `next` and the
/// handler run on the caller's executor, the connection's loop.
protocol RouteStep: Sendable {
    func handle(
        _ request: Request,
        context: GatewayRequestContext,
        next: @Sendable (Request, GatewayRequestContext) async throws -> Response
    ) async throws -> Response
}

extension RouteStep {
    /// `handler` with this step before it.
    func around(_ handler: @escaping RouteHandler) -> RouteHandler {
        { request, context in try await self.handle(request, context: context, next: handler) }
    }
}

extension [any RouteStep] {
    /// `handler` with these steps before it, the first outermost.
    ///
    /// A loop, not `reduce`: a closure passed through a generic function comes back wrapped in
    /// conversion thunks, each an executor switch per call.
    func wrapping(_ handler: @escaping RouteHandler) -> RouteHandler {
        var handler = handler
        for step in reversed() { handler = step.around(handler) }
        return handler
    }
}

/// A Hummingbird middleware (tracing's) as a step: its `next` runs as Hummingbird's does.
struct MiddlewareStep<Middleware: RouterMiddleware>: RouteStep where Middleware.Context == GatewayRequestContext {
    let middleware: Middleware

    func handle(
        _ request: Request,
        context: GatewayRequestContext,
        next: @Sendable (Request, GatewayRequestContext) async throws -> Response
    ) async throws -> Response {
        try await middleware.handle(request, context: context) { try await next($0, $1) }
    }
}
