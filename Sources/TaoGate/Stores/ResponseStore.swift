import Foundation

/// A response TaoGate answered on a translated route and keeps for `previous_response_id` and
/// `GET /v1/responses/{id}`: the response object, and the conversation it ends (the items before
/// it and its output), as JSON. For a response a native provider keeps, only its owner.
public struct StoredResponse: Sendable, Equatable {
    public var id: String
    /// The client key that made it; only that key finds it (nil: made without a key).
    public var clientKey: String?
    public var createdAt: Date
    public var expiresAt: Date
    /// The response object, as `GET /v1/responses/{id}` answers it.
    public var response: String
    /// Every item of the conversation up to and including the response's output.
    public var conversation: String

    /// A response a native provider made and keeps: TaoGate keeps only whose it is, so that one
    /// client key cannot read, continue or delete another's.
    public static func keptByProvider(id: String, clientKey: String?, createdAt: Date, expiresAt: Date) -> StoredResponse {
        StoredResponse(id: id, clientKey: clientKey, createdAt: createdAt, expiresAt: expiresAt, response: "", conversation: "")
    }

    /// The provider holds the response; TaoGate holds only its owner.
    public var isKeptByProvider: Bool { response.isEmpty }
}

/// Where translated responses live: memory, SQLite, or PostgreSQL (shared by a cluster).
public protocol ResponseStore: Sendable {
    /// Keeps a response (and removes some of those whose time is up).
    func save(_ response: StoredResponse) async throws
    /// The response with this id made by this client key, unless its time is up.
    func response(id: String, clientKey: String?, now: Date) async throws -> StoredResponse?
    /// Deletes the response with this id made by this client key; false when there is none.
    func delete(id: String, clientKey: String?) async throws -> Bool
}

/// Responses in process memory (`DATABASE_URL=memory:`): the most recent `maxResponses`.
public actor MemoryResponseStore: ResponseStore {
    private let maxResponses: Int
    private var responses: [String: StoredResponse] = [:]
    private var order: [String] = []

    public init(maxResponses: Int = 1000) {
        self.maxResponses = maxResponses
    }

    public func save(_ response: StoredResponse) {
        if responses.updateValue(response, forKey: response.id) == nil { order.append(response.id) }
        while order.count > maxResponses { responses[order.removeFirst()] = nil }
    }

    public func response(id: String, clientKey: String?, now: Date) -> StoredResponse? {
        guard let stored = responses[id], stored.clientKey == clientKey, stored.expiresAt > now else { return nil }
        return stored
    }

    public func delete(id: String, clientKey: String?) -> Bool {
        guard responses[id]?.clientKey == clientKey, responses.removeValue(forKey: id) != nil else { return false }
        order.removeAll { $0 == id }
        return true
    }
}
