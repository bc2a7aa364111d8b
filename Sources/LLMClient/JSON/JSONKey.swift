/// A member's name as the scanner met it, compared with literal names without making a String.
///
/// A name of plain ASCII with no escapes (nearly every name an API sends) is its bytes in the
/// text, valid only while the scanner's `members` hands it over; any other name is the String it
/// spells, so `"\u0075sage"` still matches `"usage"`.
package struct JSONKey: CustomStringConvertible {
    private enum Spelling {
        case bytes(UnsafeRawBufferPointer)
        case decoded(String)
    }

    private let spelling: Spelling

    init(bytes: UnsafeRawBufferPointer) {
        spelling = .bytes(bytes)
    }

    init(spelled: String) {
        spelling = .decoded(spelled)
    }

    /// The name as a String, for the callers that keep it.
    package var description: String {
        switch spelling {
        case .bytes(let bytes): String(decoding: bytes, as: UTF8.self)
        case .decoded(let name): name
        }
    }

    package static func == (key: JSONKey, name: StaticString) -> Bool {
        switch key.spelling {
        case .bytes(let bytes):
            bytes.equals(name)
        case .decoded(let decoded):
            decoded.utf8.elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        }
    }

    /// Lets a `switch` over a key match literal names.
    package static func ~= (name: StaticString, key: JSONKey) -> Bool {
        key == name
    }
}
