import HTTPTypes

/// The language of error messages, chosen from `Accept-Language`.
public enum Language: Sendable {
    case english, chinese

    /// Chinese when the most preferred language the client lists is `zh…`, else English.
    public init(acceptLanguage: String?) {
        guard let acceptLanguage else {
            self = .english
            return
        }
        var best: (tag: Substring, quality: Double)?
        for entry in acceptLanguage.split(separator: ",") {
            let parts = entry.split(separator: ";")
            guard let tag = parts.first?.trimmingWhitespace, !tag.isEmpty else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.trimmingWhitespace
                if pair.hasPrefix("q="), let value = Double(pair.dropFirst(2)) { quality = value }
            }
            if best == nil || quality > best!.quality { best = (tag, quality) }
        }
        self = best.map { $0.tag.lowercased().hasPrefix("zh") } == true ? .chinese : .english
    }
}
