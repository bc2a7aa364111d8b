import Foundation
import HTTPTypes
import Hummingbird

/// `GET /api/usage?from=&to=&group_by=key|model|day`: usage totals for operators, behind
/// TAOGATE_ADMIN_KEY (the route does not exist without it).
struct AdminController {
    let usage: any UsageStore
    let adminKey: String

    struct Totals: ResponseEncodable {
        let success: Bool
        let from: String
        let to: String
        let group_by: String
        let totals: [UsageTotal]
    }

    func addRoutes(to router: Router<GatewayRequestContext>) {
        router.get("/api/usage", use: totals)
    }

    @Sendable func totals(_ request: Request, context: GatewayRequestContext) async throws -> Totals {
        guard let presented = ClientKeyMiddleware.presentedKey(in: request),
            ConstantTime.equal(Array(presented.utf8), Array(adminKey.utf8))
        else { throw GatewayError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"]) }
        let query = request.uri.queryParameters
        let to = try Self.date(query["to"].map(String.init), name: "to") ?? Date()
        let from = try Self.date(query["from"].map(String.init), name: "from") ?? to.addingTimeInterval(-30 * 86_400)
        let grouping = query["group_by"].map(String.init) ?? "key"
        guard let groupBy = UsageGrouping(rawValue: grouping) else {
            throw GatewayError.invalidRequest(en: "group_by must be key, model or day", zh: "group_by 必须是 key、model 或 day")
        }
        let totals = try await usage.totals(from: from, to: to, groupBy: groupBy)
        let format = ISO8601DateFormatter()
        return Totals(success: true, from: format.string(from: from), to: format.string(from: to), group_by: grouping, totals: totals)
    }

    /// An ISO 8601 date or date-time (`2026-11-26` or `2026-11-26T10:00:00Z`).
    private static func date(_ text: String?, name: String) throws -> Date? {
        guard let text, !text.isEmpty else { return nil }
        let full = ISO8601DateFormatter()
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        guard let date = full.date(from: text) ?? day.date(from: text) else {
            throw GatewayError.invalidRequest(en: "\(name) must be an ISO 8601 date", zh: "\(name) 必须是 ISO 8601 日期")
        }
        return date
    }
}
