import Testing

@testable import TaoGate

@Suite("Control characters")
struct ControlCharactersTests {
    @Test("Text holds a control character exactly when one of its scalars is in Unicode's Cc category")
    func matchesUnicodeControlCategory() {
        for value in UInt32(0)...0x2FF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            #expect(String(scalar).hasControlCharacters == (scalar.properties.generalCategory == .control), "U+\(String(value, radix: 16))")
        }
    }

    @Test("Printable text beyond ASCII holds none", arguments: ["gpt-4o", "通义千问-max", "a\u{A0}b", "model 🙂", ""])
    func printableTextHoldsNone(text: String) {
        #expect(!text.hasControlCharacters)
    }
}
