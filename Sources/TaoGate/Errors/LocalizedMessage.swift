import HTTPTypes

/// A message in the languages TaoGate answers in.
public struct LocalizedMessage: Sendable, Hashable {
    public var en: String
    public var zh: String

    public init(en: String, zh: String) {
        self.en = en
        self.zh = zh
    }

    public func text(in language: Language) -> String {
        language == .chinese ? zh : en
    }
}
