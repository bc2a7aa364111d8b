import HTTPTypes
import Hummingbird

/// Requires one of the configured client keys (TAOGATE_API_KEYS) as `Authorization: Bearer <key>`
/// or `x-api-key: <key>`, compared in constant time. Records which key it was as `key-N`.
struct ClientKeyMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    private let keys: [(id: String, bytes: [UInt8])]

    init(keys: [String]) {
        self.keys = keys.enumerated().map { ("key-\($0.offset + 1)", Array($0.element.utf8)) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let presented = Self.presentedKey(in: request), let id = match(Array(presented.utf8)) else {
            throw GatewayError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"])
        }
        var context = context
        context.clientKeyID = id
        context.record.update { $0.clientKeyID = id }
        return try await next(request, context)
    }

    static func presentedKey(in request: Request) -> String? {
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1].trimmingWhitespace) }
        }
        return request.headers[.xAPIKey]
    }

    /// Checks every key, whatever matches, so timing says nothing about which bytes were right.
    private func match(_ presented: [UInt8]) -> String? {
        var found: String?
        for key in keys where ConstantTime.equal(key.bytes, presented) && found == nil {
            found = key.id
        }
        return found
    }
}

enum ConstantTime {
    /// Equal contents, in time that depends only on the lengths.
    static func equal(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: lhs.count ^ rhs.count)
        if lhs.count != rhs.count { difference |= 1 }
        for index in 0..<max(lhs.count, rhs.count) {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }
}

extension HTTPField.Name {
    static let xAPIKey = HTTPField.Name("x-api-key")!
}
