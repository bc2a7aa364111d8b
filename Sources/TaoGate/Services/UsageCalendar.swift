import Foundation
import Synchronization

/// The calendar of usage and budgets: days, hours and months in one time zone
/// (USAGE_TIME_ZONE, UTC by default), daylight-saving changes included.
public struct UsageCalendar: Sendable {
    public let timeZone: TimeZone
    /// The zone's name as configured (Foundation calls UTC "GMT").
    public let name: String
    private let calendar: Calendar
    /// The last day and month found, each used again while a date falls in it: Foundation's
    /// calendar arithmetic was 3 % of the CPU of a request of a key with a budget, which asks
    /// for its period several times.
    private let lastIntervals = LastIntervals()

    public init(timeZone: TimeZone = TimeZone(identifier: "UTC")!, name: String? = nil) {
        self.timeZone = timeZone
        self.name = name ?? timeZone.identifier
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    public static let utc = UsageCalendar(name: "UTC")

    /// The budget period holding `date`: its day or month; nil for `total`, which never ends.
    func interval(of period: KeyBudget.Period, containing date: Date) -> DateInterval? {
        let component: Calendar.Component
        switch period {
        case .total: return nil
        case .daily: component = .day
        case .monthly: component = .month
        }
        if let last = lastIntervals.interval(of: period, containing: date) { return last }
        guard let interval = calendar.dateInterval(of: component, for: date) else { return nil }
        lastIntervals.keep(interval, of: period)
        return interval
    }

    func startOfDay(_ date: Date) -> Date {
        calendar.startOfDay(for: date)
    }

    /// `2026-12-01`.
    func dayLabel(of date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return Self.format(parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// `2026-12-01T09:00`.
    func hourLabel(of date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour], from: date)
        return Self.format(parts.year ?? 0, parts.month ?? 0, parts.day ?? 0) + "T" + Self.twoDigits(parts.hour ?? 0) + ":00"
    }

    /// The range from `from` to `to` cut where the zone's offset from UTC changes, with the
    /// offset in force in each piece: a database groups each piece by `(at + offset) / 86400`.
    func offsetSegments(from: Date, to: Date) -> [(from: Date, to: Date, offset: Int)] {
        guard from < to else { return [] }
        var segments: [(from: Date, to: Date, offset: Int)] = []
        var start = from
        while start < to {
            let next = timeZone.nextDaylightSavingTimeTransition(after: start).map { min($0, to) } ?? to
            segments.append((start, next, timeZone.secondsFromGMT(for: start)))
            start = next
        }
        return segments
    }

    /// The label of bucket `number` of `seconds` (86 400 or 3 600) at `offset`, read at the
    /// bucket's middle (its start may fall on the other side of a daylight-saving change).
    func label(ofBucket number: Int, seconds: Int, offset: Int) -> String {
        let date = Date(timeIntervalSince1970: Double(number * seconds + seconds / 2 - offset))
        return seconds == 3600 ? hourLabel(of: date) : dayLabel(of: date)
    }

    private static func format(_ year: Int, _ month: Int, _ day: Int) -> String {
        String(year) + "-" + twoDigits(month) + "-" + twoDigits(day)
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : String(value)
    }
}

/// The last interval of each budget period a `UsageCalendar` found.
private final class LastIntervals: Sendable {
    private let intervals = Mutex<[KeyBudget.Period: DateInterval]>([:])

    /// The kept interval, when it holds `date` (its start included, its end not).
    func interval(of period: KeyBudget.Period, containing date: Date) -> DateInterval? {
        intervals.withLock { intervals in
            intervals[period].flatMap { $0.start <= date && date < $0.end ? $0 : nil }
        }
    }

    func keep(_ interval: DateInterval, of period: KeyBudget.Period) {
        intervals.withLock { $0[period] = interval }
    }
}
