import Foundation

/// How `GET /api/usage` groups its totals.
public enum UsageGrouping: String, Sendable, CaseIterable {
    case key, model, day
}
