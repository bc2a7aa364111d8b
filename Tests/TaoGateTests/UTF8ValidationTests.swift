import Testing

@testable import TaoGate

@Suite("Request bodies: UTF-8")
struct UTF8ValidationTests {
    static func valid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { InboundBody.isValidUTF8($0) }
    }

    @Test("Bytes are valid exactly when Swift's own UTF-8 validation says so, at every length and offset")
    func agreesWithTheStandardLibrary() {
        // Lead bytes at every boundary of RFC 3629's table, continuation bytes, ASCII.
        let alphabet: [UInt8] = [
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF,
            0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            // ASCII runs around the sequence, so that it falls anywhere in an eight-byte word.
            let prefix = [UInt8](repeating: 0x61, count: Int.random(in: 0...9, using: &generator))
            let middle = (0..<Int.random(in: 1...5, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            let suffix = [UInt8](repeating: 0x62, count: Int.random(in: 0...9, using: &generator))
            let bytes = prefix + middle + suffix
            #expect(Self.valid(bytes) == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes.map { String($0, radix: 16) })")
        }
    }

    @Test("Overlong forms, surrogates, code points past U+10FFFF and cut sequences are refused")
    func invalidFormsAreRefused() {
        for bytes: [UInt8] in [
            [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xE4, 0xB8],
        ] {
            #expect(!Self.valid(Array("some ascii".utf8) + bytes), "\(bytes)")
        }
        #expect(Self.valid(Array("é 直接 😀 and a long run of ASCII after it".utf8)))
    }
}
