import Foundation
import Hummingbird
import NIOCore

/// The rules for a `userId`: 1 to 128 characters of letters, digits and `-_.:@`.
enum UserID {
    static let invalid = GatewayError.invalidRequest(
        en: "userId must be 1 to 128 characters of letters, digits, '-', '_', '.', ':' or '@'",
        zh: "userId 必须是 1 到 128 个字符，只能包含字母、数字及 '-'、'_'、'.'、':'、'@'"
    )

    static func isValid(_ value: String) -> Bool {
        !value.isEmpty && value.utf8.count <= 128
            && value.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || "-_.:@".utf8.contains(byte)
            }
    }
}
