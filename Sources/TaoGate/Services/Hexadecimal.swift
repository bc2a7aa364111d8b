/// Bytes as lower-case hex digits, two per byte (request ids, key hashes, key secrets, end-user ids).
///
/// `String(format: "%02x")` per byte, which this replaces, formatted through Foundation's
/// variadic path: for the SHA-256 of a presented client key it was a tenth of a request's CPU.
enum Hexadecimal {
    static func string(_ bytes: some Collection<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { buffer in
            let digits: StaticString = "0123456789abcdef"
            var position = 0
            for byte in bytes {
                buffer[position] = digits.utf8Start[Int(byte >> 4)]
                buffer[position + 1] = digits.utf8Start[Int(byte & 0x0F)]
                position += 2
            }
            return position
        }
    }
}
