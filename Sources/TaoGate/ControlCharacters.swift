extension String {
    /// Whether the text holds one of Unicode's control characters (Cc), a set Unicode has fixed
    /// for good: U+0000–U+001F and U+007F–U+009F. Compared by value, not through a lookup of
    /// each scalar's properties (which was most of checking a model name on every request).
    var hasControlCharacters: Bool {
        unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }
}
