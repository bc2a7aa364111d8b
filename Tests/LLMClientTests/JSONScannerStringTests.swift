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
}
