import Testing

@testable import TaoGate

@Suite("Request ids")
struct RequestIdentifierTests {
    @Test("Request ids are sixteen lower-case hex digits")
    func idsAreSixteenHexDigits() {
        for _ in 0..<1000 {
            let id = RequestIdentifier.next()
            #expect(id.utf8.count == 16)
            #expect(id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        }
    }

    @Test("Request ids of one process never repeat")
    func idsNeverRepeat() {
        let ids = (0..<100_000).map { _ in RequestIdentifier.next() }
        #expect(Set(ids).count == ids.count)
    }

    @Test("A value is written as its sixteen hex digits, leading zeros kept")
    func hexadecimalKeepsLeadingZeros() {
        #expect(RequestIdentifier.hexadecimal(0x0123_4567_89AB_CDEF) == "0123456789abcdef")
        #expect(RequestIdentifier.hexadecimal(0) == "0000000000000000")
    }
}
