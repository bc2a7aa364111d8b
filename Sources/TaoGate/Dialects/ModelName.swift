import LLMClient
import NIOCore

/// The rule for model names on every route: 1 to 200 bytes, no control characters.
enum ModelName {
    static func isValid(_ model: String) -> Bool {
        !model.isEmpty && model.utf8.count <= 200 && !model.hasControlCharacters
    }
}
