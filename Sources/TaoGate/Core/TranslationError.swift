/// A request holds something the provider it is routed to cannot be given in its own API (a
/// server tool, a document, audio): it is refused with a 400 that names it, never dropped silently.
struct TranslationError: Error, Sendable, Equatable {
    /// What cannot be carried, such as "content block `document`".
    let what: String

    static func unsupported(_ what: String) -> TranslationError {
        TranslationError(what: what)
    }
}
