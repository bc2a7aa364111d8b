import Foundation
import HTTPTypes
import Hummingbird

/// Short random request ids: 16 hex digits.
enum RequestIdentifier {
    static func next() -> String {
        let value = UInt64.random(in: 0...UInt64.max)
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
