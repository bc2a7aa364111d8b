import LLMClient
import NIOCore

/// The rule for model names on every route: 1 to 200 bytes, no control characters.
enum ModelName {
    static func isValid(_ model: String) -> Bool {
        !model.isEmpty && model.utf8.count <= 200 && !model.unicodeScalars.contains(where: isControl)
    }

    /// Unicode's control characters (Cc), a set it has fixed for good: U+0000–U+001F and
    /// U+007F–U+009F. Compared directly, not through a lookup of the scalar's properties.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
