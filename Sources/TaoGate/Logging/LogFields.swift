import Logging

/// A log line's fields in the order they were added, passed as one metadata value (under
/// `LogFields.metadataKey`) for a line with many: the request line. `GatewayLogHandler` writes
/// them in place of that one entry, each as its own member; they cost no dictionary, no sort
/// and no cast per value, and numbers stay JSON numbers. Any other handler prints them as
/// `key=value` text. Keys are the gateway's own names, written as they are.
struct LogFields: CustomStringConvertible, Sendable {
    static let metadataKey = "fields"

    enum Value: Sendable {
        case string(String)
        case integer(Int)
        case number(Double)
        case flag(Bool)
        case strings([String])
    }

    private var fields: [(key: StaticString, value: Value)] = []

    init(capacity: Int) {
        fields.reserveCapacity(capacity)
    }

    mutating func add(_ key: StaticString, _ value: Value) {
        fields.append((key, value))
    }

    /// `,"key":value` for each field.
    func appendJSON(to line: inout LogLine) {
        for (key, value) in fields {
            line.append(",\"")
            line.append(key)
            line.append("\":")
            switch value {
            case .string(let text): line.appendJSONString(text)
            case .integer(let number): line.append(number)
            case .number(let number): line.appendJSONNumber(number)
            case .flag(let flag): line.append(flag ? "true" : "false")
            case .strings(let texts):
                line.append(byte: UInt8(ascii: "["))
                for (index, text) in texts.enumerated() {
                    if index > 0 { line.append(byte: UInt8(ascii: ",")) }
                    line.appendJSONString(text)
                }
                line.append(byte: UInt8(ascii: "]"))
            }
        }
    }

    /// ` key=value` for each field, quoted as `GatewayLogHandler.appendText` quotes.
    func appendText(to line: inout LogLine) {
        for (key, value) in fields {
            line.append(byte: UInt8(ascii: " "))
            line.append(key)
            line.append(byte: UInt8(ascii: "="))
            switch value {
            case .string(let text): GatewayLogHandler.appendText(text, to: &line)
            case .integer(let number): line.append(number)
            case .number(let number): line.append(String(number))
            case .flag(let flag): line.append(flag ? "true" : "false")
            case .strings(let texts): GatewayLogHandler.appendText("[" + texts.joined(separator: ", ") + "]", to: &line)
            }
        }
    }

    var description: String {
        var line = LogLine(capacity: 256)
        appendText(to: &line)
        return String(decoding: line.bytes.dropFirst(), as: UTF8.self)
    }
}
