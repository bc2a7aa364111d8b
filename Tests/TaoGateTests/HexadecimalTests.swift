import Testing

@testable import TaoGate

@Suite("Hexadecimal")
struct HexadecimalTests {
    @Test("Bytes are written as two lower-case hex digits each, leading zeros kept")
    func bytesAreTwoLowerCaseDigits() {
        #expect(Hexadecimal.string([0x00, 0x0F, 0xA0, 0xFF]) == "000fa0ff")
        #expect(Hexadecimal.string([UInt8]()) == "")
    }

    @Test("A key's hash is the hex SHA-256 of its text")
    func keyHashIsHexSHA256() {
        // FIPS 180-2's example: SHA-256("abc").
        #expect(ClientKeys.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
