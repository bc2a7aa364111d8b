import Foundation

/// Which usage to total: a time range, a grouping, and optionally one key or model.
public struct UsageQuery: Sendable {
    public var from: Date
    public var to: Date
    public var groupBy: UsageGrouping
    /// One client key's usage (`anonymous` for calls made without a key).
    public var clientKey: String?
    public var model: String?

    public init(from: Date, to: Date, groupBy: UsageGrouping, clientKey: String? = nil, model: String? = nil) {
        self.from = from
        self.to = to
        self.groupBy = groupBy
        self.clientKey = clientKey
        self.model = model
    }

    /// The name of the group `record` falls in.
    func group(of record: UsageRecord, calendar: UsageCalendar) -> String {
        switch groupBy {
        case .key: record.clientKey ?? UsageQuery.anonymous
        case .model: record.model ?? UsageQuery.unknownModel
        case .day: calendar.dayLabel(of: record.at)
        case .hour: calendar.hourLabel(of: record.at)
        }
    }

    func matches(_ record: UsageRecord) -> Bool {
        record.at >= from && record.at < to
            && (clientKey == nil || (record.clientKey ?? UsageQuery.anonymous) == clientKey)
            && (model == nil || record.model == model)
    }

    /// The group of calls made without a key, and of calls without a model.
    static let anonymous = "anonymous"
    static let unknownModel = "unknown"
}
