/// How usage totals are grouped: by client key, model, calendar day or hour (in USAGE_TIME_ZONE).
public enum UsageGrouping: String, Sendable, CaseIterable {
    case key, model, day, hour
}
