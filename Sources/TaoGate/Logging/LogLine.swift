/// One log line as it is written: bytes appended in place (no string per piece), ended with a
/// newline, and handed to every `LogLineWriter` as they are.
struct LogLine {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    mutating func append(byte: UInt8) {
        bytes.append(byte)
    }

    /// `text` as a quoted, escaped JSON string.
    mutating func appendJSONString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        JSONText.escape(text) { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `number` in decimal digits, most significant first. (Writing them backwards and reversing
    /// `bytes[start...]` copied the slice: an allocation per number.)
    mutating func append(_ number: Int) {
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = number.magnitude
        var divisor: UInt = 1
        while divisor <= magnitude / 10 { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
            divisor /= 10
        }
    }

    /// `number` as a JSON number, or `null` when it is not finite.
    mutating func appendJSONNumber(_ number: Double) {
        if number.isFinite { append(String(number)) } else { append("null") }
    }

    /// `value` digits wide, zero-padded (the timestamp's fields).
    mutating func append(_ value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var value = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            value %= divisor
            divisor /= 10
        }
    }
}
