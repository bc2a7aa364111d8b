import Foundation

/// A page of recent upstream calls, newest first: after the cursor `before` (a row id), and
/// optionally of one key, model or kind of status.
public struct RecentRequestsQuery: Sendable {
    public enum StatusFilter: String, Sendable {
        /// Status below 400.
        case success
        /// Status 400 and above.
        case error
    }

    public var limit: Int
    public var before: Int64?
    public var clientKey: String?
    public var model: String?
    public var status: StatusFilter?

    public init(limit: Int = 50, before: Int64? = nil, clientKey: String? = nil, model: String? = nil, status: StatusFilter? = nil) {
        self.limit = limit
        self.before = before
        self.clientKey = clientKey
        self.model = model
        self.status = status
    }

    func matches(_ row: UsageRow) -> Bool {
        (before == nil || row.id < before!)
            && (clientKey == nil || (row.record.clientKey ?? UsageQuery.anonymous) == clientKey)
            && (model == nil || row.record.model == model)
            && (status == nil || (status == .error) == (row.record.status >= 400))
    }
}

/// A usage row with its id (its place in the log, for paging).
public struct UsageRow: Sendable, Equatable {
    public var id: Int64
    public var record: UsageRecord
}
