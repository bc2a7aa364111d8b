import Foundation
import Testing

@testable import LLMClient

@Suite("JSONScanner strings")
struct JSONScannerStringTests {
    private func string(_ bytes: [UInt8]) -> String?? {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(bytes: buffer)
            let text = scanner.string()
            return scanner.index == buffer.count ? .some(text) : nil
        }
    }

    @Test("An ASCII string is read as it stands")
    func asciiStringIsRead() {
        #expect(string(Array(#""prompt_tokens""#.utf8)) == .some("prompt_tokens"))
    }

    @Test("A string with other UTF-8 is read whole")
    func utf8StringIsRead() {
        #expect(string(Array(#""héllo 直接 😀""#.utf8)) == .some("héllo 直接 😀"))
    }

    @Test("A string that is not valid UTF-8 is refused instead of repaired")
    func invalidUTF8IsRefused() {
        let text: [UInt8] = [0x22, 0x61, 0xFF, 0x62, 0x22]
        #expect(text.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(bytes: buffer)
            return scanner.string()
        } == nil)
    }

    /// The names of an object's members, each matched against `usage` and `completion_tokens`.
    private func names(_ text: String) -> [String]? {
        var text = text
        return text.withUTF8 { buffer in
            var scanner = JSONScanner(bytes: buffer)
            var found: [String] = []
            let read = scanner.members { scanner, key in
                switch key {
                case "usage": found.append("usage")
                case "completion_tokens": found.append("completion_tokens")
                default: found.append("other:" + key.description)
                }
                return scanner.skipValue(depth: 1)
            }
            return read ? found : nil
        }
    }

    @Test("Member names are matched whole, long ones too, and not by a prefix")
    func namesMatchByBytes() {
        #expect(names(#"{"usage":1,"completion_tokens":2,"usages":3,"use":4}"#) == ["usage", "completion_tokens", "other:usages", "other:use"])
    }

    @Test("A member name with escapes is matched as it decodes")
    func escapedNameMatchesDecoded() {
        #expect(names(#"{"\u0075sage":1,"completion\u005ftokens":2}"#) == ["usage", "completion_tokens"])
    }

    @Test("A member name beyond ASCII is kept as it spells, and its neighbours still match")
    func nonASCIINameIsKept() {
        #expect(names(#"{"usagé":1,"直接":2,"usage":3}"#) == ["other:usagé", "other:直接", "usage"])
    }

    @Test("A member name holding a control character ends the scan")
    func controlCharacterInNameEndsTheScan() {
        #expect(names("{\"us\u{1}age\":1}") == nil)
    }

    @Test("A member name that is not valid UTF-8 ends the scan")
    func invalidNameEndsTheScan() {
        let text: [UInt8] = Array(#"{""#.utf8) + [0xFF] + Array(#"":1}"#.utf8)
        #expect(text.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(bytes: buffer)
            return scanner.members { scanner, _ in scanner.skipValue(depth: 1) }
        } == false)
    }

    @Test("A string is skipped to its own closing quote, past escaped quotes and runs of backslashes")
    func stringsAreSkippedToTheirEnd() throws {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["a", "\"", "\\", "é", "\n", "\u{1}", "/", " ", "直"]
        for _ in 0..<500 {
            let text = (0..<Int.random(in: 0...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let encoded = try JSONEncoder().encode(["s": text, "after": "x"])
            let found: [String]? = encoded.withUnsafeBytes { raw in
                var scanner = JSONScanner(bytes: raw.bindMemory(to: UInt8.self))
                var names: [String] = []
                let read = scanner.members { scanner, key in
                    names.append(key.description)
                    return key == "after" ? scanner.string() == "x" : scanner.skipValue(depth: 1)
                }
                return read && scanner.isAtEnd() ? names : nil
            }
            #expect(found?.sorted() == ["after", "s"], "\(String(decoding: encoded, as: UTF8.self))")
        }
    }

    @Test("A string without its closing quote is not skipped")
    func unterminatedStringIsNotSkipped() {
        for text in [#""abc"#, #""abc\""#, #""abc\"#] {
            var text = text
            #expect(text.withUTF8 { buffer in
                var scanner = JSONScanner(bytes: buffer)
                return scanner.skipValue(depth: 1)
            } == false, "\(text)")
        }
    }

    @Test("A word of eight bytes is special exactly when one of its bytes is a control byte, a quote or a backslash")
    func wordTestMatchesEachByteExactly() {
        for value in 0...255 {
            let byte = UInt8(value)
            let special = byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
            for position in 0..<8 {
                // Neighbours just above the control range and beyond ASCII, where a borrow
                // could spill into the next byte.
                for filler: UInt8 in [0x20, 0x61, 0x80, 0xFF] {
                    var bytes = [UInt8](repeating: filler, count: 8)
                    bytes[position] = byte
                    let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                    #expect(JSONStringBytes.holdsSpecialByte(word) == special, "byte \(value) at \(position) among \(filler)")
                }
            }
        }
    }

    @Test("A long string is read whole, its escapes, a closing quote and bytes beyond ASCII found wherever they fall in a word")
    func longStringsAreReadAcrossWords() {
        let plain = String(repeating: "Load balancing spreads requests. ", count: 3)
        for position in [0, 1, 7, 8, 9, 15, 16, 63, plain.utf8.count] {
            let head = String(plain.prefix(position))
            let tail = String(plain.dropFirst(position))
            #expect(string(Array("\"\(head)\\n\(tail)\"".utf8)) == .some(head + "\n" + tail), "escape at \(position)")
            #expect(string(Array("\"\(head)é\(tail)\"".utf8)) == .some(head + "é" + tail), "é at \(position)")
            #expect(string(Array("\"\(head)\"".utf8)) == .some(head), "end at \(position)")
            // Refused: the scan stops at the control byte.
            #expect(string(Array("\"\(head)\u{01}\(tail)\"".utf8)) == nil, "control byte at \(position)")
        }
    }

    @Test("A long string that is not valid UTF-8 is refused wherever the bad byte falls, also inside a word read whole")
    func longInvalidUTF8IsRefused() {
        let plain = Array(String(repeating: "abcdefgh", count: 4).utf8)
        for position in [0, 3, 8, 13, 31] {
            var text = plain
            text[position] = 0xFF
            let read = ([0x22] + text + [0x22]).withUnsafeBufferPointer { buffer in
                var scanner = JSONScanner(bytes: buffer)
                return scanner.string()
            }
            #expect(read == nil, "0xFF at \(position)")
        }
    }

    @Test("A long string without its closing quote is refused")
    func longUnterminatedStringIsRefused() {
        let text = Array("\"\(String(repeating: "abcdefgh", count: 4))".utf8)
        let read = text.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(bytes: buffer)
            return scanner.string()
        }
        #expect(read == nil)
    }
}
