import Configuration
import Foundation
import Logging

/// Settings that take one of a few words.
protocol CaseIterableNames {
    static var allNames: [String] { get }
}
