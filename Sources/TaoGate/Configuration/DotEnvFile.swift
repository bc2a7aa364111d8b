/// Parses the `.env` files people actually write: `KEY=value`, `export KEY=value`, single- or
/// double-quoted values (double quotes understand `\n`, `\"`, `\\`), `#` comments on their own
/// line or after an unquoted value, and blank lines.
///
/// swift-configuration reads `.env` files too, but keeps quotes and rejects `export`.
public enum DotEnvFile {
    /// A line that is neither a comment, blank, nor `KEY=value`.
    public struct SyntaxError: Error, CustomStringConvertible, Equatable {
        public let line: Int
        public var description: String { ".env line \(line) is not KEY=value" }
    }

    public static func parse(_ text: String) throws(SyntaxError) -> [String: String] {
        var values: [String: String] = [:]
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            var line = rawLine.drop(while: \.isWhitespace)
            if line.isEmpty || line.first == "#" { continue }
            if line.hasPrefix("export ") || line.hasPrefix("export\t") {
                line = line.dropFirst("export".count).drop(while: \.isWhitespace)
            }
            guard let equals = line.firstIndex(of: "=") else { throw SyntaxError(line: offset + 1) }
            let key = line[..<equals].trimmingWhitespace
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) else {
                throw SyntaxError(line: offset + 1)
            }
            values[String(key)] = value(line[line.index(after: equals)...].drop(while: { $0 == " " || $0 == "\t" }))
        }
        return values
    }

    private static func value(_ raw: Substring) -> String {
        guard let quote = raw.first, quote == "\"" || quote == "'" else {
            // Unquoted: a " #" starts a comment.
            var text = raw
            if let hash = text.firstRange(of: " #") { text = text[..<hash.lowerBound] }
            return String(text.trimmingWhitespace)
        }
        var result = ""
        var escaping = false
        for character in raw.dropFirst() {
            if escaping {
                switch character {
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "r": result.append("\r")
                default: result.append(character)
                }
                escaping = false
            } else if character == "\\" && quote == "\"" {
                escaping = true
            } else if character == quote {
                return result
            } else {
                result.append(character)
            }
        }
        // No closing quote: keep what was written, as most loaders do.
        return String(raw)
    }
}

extension Substring {
    var trimmingWhitespace: Substring {
        var text = self
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return text
    }
}
