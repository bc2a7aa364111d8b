/// The bytes a JSON string may hold as they stand, tested eight at a time: the long texts of
/// a conversation (a reply, a prompt) are mostly such bytes, and a byte-by-byte loop over them
/// was the largest part of reading and writing them.
package enum JSONStringBytes {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The length of the run of `bytes` from `start` in which, judged eight bytes at a time, no
    /// byte is special in a JSON string (a control byte below 0x20, a quote or a backslash).
    /// It stops at the first word of eight that holds one (or has fewer than eight bytes left),
    /// so the caller looks at the bytes from there one by one.
    @inline(__always)
    package static func plainPrefixLength(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var passed: UInt64 = 0
        return plainPrefixLength(bytes, from: start, passed: &passed)
    }

    /// As `plainPrefixLength(_:from:)`, adding to `passed` (by OR) the words of the run, so that
    /// a reader learns whether they were all ASCII (`isASCII(_:)`) without reading them again.
    @inline(__always)
    package static func plainPrefixLength(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, passed: inout UInt64) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        var index = start
        while index + 8 <= bytes.count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            if holdsSpecialByte(word) { break }
            passed |= word
            index += 8
        }
        return index - start
    }

    /// Whether the bytes ORed into `passed` (whole words, or single bytes) were all ASCII.
    @inline(__always)
    package static func isASCII(_ passed: UInt64) -> Bool {
        passed & highBits == 0
    }

    /// Whether any of the eight bytes of `word` is below 0x20, a quote or a backslash. Each test
    /// is exact as a whole (a byte of 0x80 or more never counts as below 0x20), though the bits
    /// it sets do not tell which byte matched.
    @inline(__always)
    package static func holdsSpecialByte(_ word: UInt64) -> Bool {
        let control = (word &- ones &* 0x20) & ~word
        let quotes = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
        let backslashes = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
        let quote = (quotes &- ones) & ~quotes
        let backslash = (backslashes &- ones) & ~backslashes
        return (control | quote | backslash) & highBits != 0
    }
}
