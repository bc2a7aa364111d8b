import Foundation
import HTTPTypes
import Hummingbird
import LLMClient
import NIOCore

/// Client keys over HTTP: `POST /admin/keys` (the secret shown once), `GET /admin/keys`,
/// `GET`, `PATCH` and `DELETE /admin/keys/{id}` (DELETE revokes). Keys of TAOGATE_API_KEYS are
/// listed too, and can only be changed where they are configured.
struct AdminKeysController {
    let keys: ClientKeys
    let store: any KeyStore
    let usage: any UsageStore
    let calendar: UsageCalendar

    func addRoutes(to group: GatewayRouteGroup, json: GatewayRouteGroup) {
        json.post("keys", use: create)
        group.get("keys", use: list)
        group.get("keys/{id}", use: show)
        json.patch("keys/{id}", use: update)
        group.delete("keys/{id}", use: revoke)
    }

    @Sendable func create(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let changes = try Self.changes(in: context)
        guard let name = changes.name else { throw Self.invalid(KeyChanges.Invalid(field: "name", problem: "is required")) }
        let (record, secret) = try await keys.create(
            name: name,
            limits: changes.limits,
            owner: changes.owner.flatMap { $0 },
            note: changes.note.flatMap { $0 }
        )
        let body = Self.view(of: record, now: Date())
        return try Self.json(.object(["key": .object(body), "secret": .string(secret)]), status: .created)
    }

    @Sendable func list(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let now = Date()
        let configured = keys.configuredIDs.map { JSONValue.object(Self.configuredView(id: $0)) }
        let stored = try await store.all().map { JSONValue.object(Self.view(of: $0, now: now)) }
        return try Self.json(.object(["keys": .array(configured + stored)]))
    }

    @Sendable func show(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let id = try Self.keyID(in: context)
        if keys.configuredIDs.contains(id) { return try Self.json(.object(["key": .object(Self.configuredView(id: id))])) }
        guard let record = try await store.key(id: id) else { throw Self.notFound(id) }
        let now = Date()
        var body = Self.view(of: record, now: now)
        body["budget_usage"] = .array(try await budgetUsage(of: record, now: now))
        return try Self.json(.object(["key": .object(body)]))
    }

    @Sendable func update(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let id = try Self.keyID(in: context)
        try refuseConfigured(id)
        let changes = try Self.changes(in: context)
        guard let record = try await store.key(id: id) else { throw Self.notFound(id) }
        guard record.isActive else {
            throw GatewayError.invalidRequest(en: "The key \(id) is revoked and cannot change.", zh: "密钥 \(id) 已吊销，不能修改。")
        }
        let changed = changes.applied(to: record)
        guard try await store.update(changed) else { throw Self.notFound(id) }
        return try Self.json(.object(["key": .object(Self.view(of: changed, now: Date()))]))
    }

    @Sendable func revoke(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let id = try Self.keyID(in: context)
        try refuseConfigured(id)
        guard let record = try await store.key(id: id) else { throw Self.notFound(id) }
        if record.isActive {
            // By exact id: a prefix never names a key here.
            guard case .revoked = try await store.revoke(id, at: Date()) else { throw Self.notFound(id) }
        }
        guard let revoked = try await store.key(id: id) else { throw Self.notFound(id) }
        return try Self.json(.object(["key": .object(Self.view(of: revoked, now: Date()))]))
    }

    // MARK: - Views

    static func view(of record: ClientKeyRecord, now: Date) -> [String: JSONValue] {
        let limits = record.limits
        let status = !record.isActive ? "revoked" : limits.hasExpired(at: now) ? "expired" : "active"
        return [
            "id": .string(record.id),
            "source": .string("database"),
            "name": .string(record.name),
            "prefix": .string(record.prefix),
            "status": .string(status),
            "created_at": .string(timestamp(record.createdAt)),
            "revoked_at": record.revokedAt.map { .string(timestamp($0)) } ?? .null,
            "owner": record.owner.map(JSONValue.string) ?? .null,
            "note": record.note.map(JSONValue.string) ?? .null,
            "rate_limit": limits.rateLimit.map(JSONValue.integer) ?? .null,
            "max_concurrent": limits.maxConcurrent.map(JSONValue.integer) ?? .null,
            "budgets": .array(limits.budgets.map(budgetJSON)),
            "allowed_models": limits.allowedModels.map { .array($0.map(JSONValue.string)) } ?? .null,
            "expires_at": limits.expiresAt.map { .string(timestamp($0)) } ?? .null,
        ]
    }

    private static func configuredView(id: String) -> [String: JSONValue] {
        [
            "id": .string(id), "source": .string("environment"), "name": .string("TAOGATE_API_KEYS"), "prefix": .null,
            "status": .string("active"), "created_at": .null, "revoked_at": .null, "owner": .null, "note": .null,
            "rate_limit": .null, "max_concurrent": .null, "budgets": .array([]), "allowed_models": .null, "expires_at": .null,
        ]
    }

    static func budgetJSON(_ budget: KeyBudget) -> JSONValue {
        switch budget.limit {
        case .tokens(let count):
            .object(["period": .string(budget.period.rawValue), "tokens": .integer(count)])
        case .money(let amount, let currency):
            .object(["period": .string(budget.period.rawValue), "amount": .number(amount), "currency": .string(currency.rawValue)])
        }
    }

    /// Each budget with what its current period has used (as written; requests in flight not
    /// counted) and when it renews.
    private func budgetUsage(of record: ClientKeyRecord, now: Date) async throws -> [JSONValue] {
        var usage: [JSONValue] = []
        for budget in record.limits.budgets {
            let period = calendar.interval(of: budget.period, containing: now)
            let used = budget.used(in: try await self.usage.spent(by: record.id, since: period?.start))
            var entry = Self.budgetJSON(budget).objectValue ?? [:]
            entry["used"] = .number(Money.shown(used))
            entry["remaining"] = .number(Money.shown(max(0, budget.amount - used)))
            entry["period_start"] = period.map { .string(Self.timestamp($0.start)) } ?? .null
            entry["renews_at"] = period.map { .string(Self.timestamp($0.end)) } ?? .null
            usage.append(.object(entry))
        }
        return usage
    }

    // MARK: - Requests

    private static func changes(in context: GatewayRequestContext) throws -> KeyChanges {
        let body = try context.jsonBody.body
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView)) else {
            throw GatewayError.invalidRequest(en: "The body is not valid JSON.", zh: "请求体不是有效的 JSON。")
        }
        do {
            return try KeyChanges(json: json)
        } catch {
            throw invalid(error)
        }
    }

    private func refuseConfigured(_ id: String) throws {
        guard keys.configuredIDs.contains(id) else { return }
        throw GatewayError.invalidRequest(
            en: "The key \(id) comes from TAOGATE_API_KEYS; change it there.",
            zh: "密钥 \(id) 来自 TAOGATE_API_KEYS，请在那里修改。"
        )
    }

    private static func keyID(in context: GatewayRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), !id.isEmpty, id.utf8.count <= 64,
            id.unicodeScalars.allSatisfy({
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-".unicodeScalars.contains($0))
            })
        else { throw GatewayError.invalidRequest(en: "The key id is not valid.", zh: "密钥 id 无效。") }
        return id
    }

    static func invalid(_ problem: KeyChanges.Invalid) -> GatewayError {
        var error = GatewayError.invalidRequest(en: problem.description, zh: problem.description)
        error.param = problem.field
        return error
    }

    private static func notFound(_ id: String) -> GatewayError {
        GatewayError(.notFound, message: LocalizedMessage(en: "No key with id \(id).", zh: "没有 id 为 \(id) 的密钥。"))
    }

    static func timestamp(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) throws -> Response {
        var response = try ClientBody.json(value)
        response.status = status
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
