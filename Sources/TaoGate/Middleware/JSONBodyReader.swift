import HTTPTypes
import Hummingbird
import NIOCore

/// Reads a model route's body once, for every step after it: refuses a Content-Type that is not
/// JSON (415: a browser page elsewhere can POST `text/plain` to a loopback gateway without asking,
/// but not `application/json`), a body over MAX_BODY_BYTES (413), and a body that is not one JSON
/// object or holds a member twice (400, see `InboundBody`). A step of `RouteAccessMiddleware`,
/// after the rate limit, and the admin API's step on routes with a body.
struct JSONBodyReader: RouteStep {
    typealias Context = GatewayRequestContext

    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: @Sendable (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        var context = context
        try await read(&request, into: &context)
        return try await next(request, context)
    }

    /// Reads and scans the body into `context.json`; throws the refusal.
    func read(_ request: inout Request, into context: inout GatewayRequestContext) async throws {
        if context.receivedBody != nil { return try readReceived(request, into: &context) }
        guard Self.isJSON(request.headers.value(of: .contentType)) else { throw GatewayError(.unsupportedMediaType) }
        let body = try await request.collectBody(upTo: maxBodyBytes)
        context.json = (body, try InboundBody.scan(body))
    }

    /// `read` of a body the connection read already (`context.receivedBody`, which keeps one
    /// byte past the limit), with no wait: TaoGate's own server hands every body over so.
    func readReceived(_ request: Request, into context: inout GatewayRequestContext) throws {
        guard Self.isJSON(request.headers.value(of: .contentType)) else { throw GatewayError(.unsupportedMediaType) }
        guard let body = context.receivedBody, body.readableBytes <= maxBodyBytes else { throw GatewayError(.payloadTooLarge) }
        context.json = (body, try InboundBody.scan(body))
    }

    /// `application/json` or a `+json` type, with any parameters (`; charset=utf-8`).
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        if contentType == "application/json" { return true }
        let type = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingWhitespace.lowercased() } ?? ""
        return type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json"))
    }
}

extension GatewayRequestContext {
    /// The body `JSONBodyReader` read; a route without it is misconfigured.
    var jsonBody: (body: ByteBuffer, fields: InboundBody) {
        get throws {
            guard let json else { throw GatewayError(.internalError, details: "the route reads no JSON body") }
            return json
        }
    }
}
