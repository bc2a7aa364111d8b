import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A swift-log handler writing one line per event, as JSON (`LOG_FORMAT=json`) or as
/// `key=value` text, to every given `LogLineWriter`.
///
/// Integer and floating-point metadata (`.stringConvertible`) is written as JSON numbers.
public struct GatewayLogHandler: LogHandler {
    public enum Format: Sendable {
        case json, text
    }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let format: Format
    private let writers: [any LogLineWriter]

    public init(level: Logger.Level, format: Format, writers: [any LogLineWriter]) {
        self.logLevel = level
        self.format = format
        self.writers = writers
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata {
            // The handler's own metadata is usually empty: the event's is then used as it is.
            if merged.isEmpty { merged = extra } else { merged.merge(extra) { $1 } }
        }
        let line: String
        switch format {
        case .json: line = jsonLine(level: event.level, message: "\(event.message)", metadata: merged)
        case .text: line = textLine(level: event.level, message: "\(event.message)", metadata: merged)
        }
        for writer in writers { writer.write(line, level: event.level) }
    }

    private func jsonLine(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var line = "{\"ts\":\""
        line.reserveCapacity(256 + 32 * metadata.count)
        line += Self.timestamp()
        line += "\",\"level\":\""
        line += level.rawValue
        line += "\",\"msg\":"
        JSONText.appendString(message, to: &line)
        for (key, value) in Self.inOrder(metadata) {
            if let fields = Self.fields(value) {
                fields.appendJSON(to: &line)
                continue
            }
            line += ","
            JSONText.appendString(key, to: &line)
            line += ":"
            Self.appendJSON(value, to: &line)
        }
        line += "}"
        return line
    }

    private static func appendJSON(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let text):
            JSONText.appendString(text, to: &line)
        case .stringConvertible(let convertible):
            // The common types first, by concrete type: casts to `any BinaryInteger` cost more.
            switch convertible {
            case let number as Int: line += String(number)
            case let number as Double: line += number.isFinite ? String(number) : "null"
            case let flag as Bool: line += flag ? "true" : "false"
            case let number as any BinaryInteger: line += number.description
            case let number as Float: line += number.isFinite ? String(number) : "null"
            default: JSONText.appendString(convertible.description, to: &line)
            }
        case .array(let values):
            line += "["
            for (index, element) in values.enumerated() {
                if index > 0 { line += "," }
                appendJSON(element, to: &line)
            }
            line += "]"
        case .dictionary(let values):
            line += "{"
            for (index, key) in values.keys.sorted().enumerated() {
                if index > 0 { line += "," }
                JSONText.appendString(key, to: &line)
                line += ":"
                appendJSON(values[key]!, to: &line)
            }
            line += "}"
        }
    }

    /// `ts level message key=value …`: a value (or message) holding anything but letters, digits
    /// and `-_.:/@+,` is written as a quoted JSON string, so no value can break the line or forge
    /// another field.
    private func textLine(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var line = "\(Self.timestamp()) \(level.rawValue) "
        Self.appendText(message, to: &line)
        for (key, value) in Self.inOrder(metadata) {
            if let fields = Self.fields(value) {
                fields.appendText(to: &line)
                continue
            }
            line += " "
            Self.appendText(key, to: &line)
            line += "="
            Self.appendText("\(value)", to: &line)
        }
        return line
    }

    /// Metadata by key; one entry (the request line's `LogFields`) needs no sort.
    private static func inOrder(_ metadata: Logger.Metadata) -> [(key: String, value: Logger.Metadata.Value)] {
        metadata.count == 1 ? Array(metadata) : metadata.sorted(by: { $0.key < $1.key })
    }

    private static func fields(_ value: Logger.Metadata.Value) -> LogFields? {
        if case .stringConvertible(let convertible) = value { return convertible as? LogFields }
        return nil
    }

    static func appendText(_ value: String, to line: inout String) {
        let plain =
            !value.isEmpty
            && value.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || "-_.:/@+,".utf8.contains(byte)
            }
        if plain {
            line += value
        } else {
            JSONText.appendString(value, to: &line)
        }
    }

    /// `2026-11-26T22:41:47.123Z`, written digit by digit into one small string.
    static func timestamp() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(unsafeUninitializedCapacity: 24) { buffer in
            var offset = 0
            /// `value` in `width` digits, then `separator`.
            func put(_ value: Int, width: Int, _ separator: UInt8) {
                var value = value
                for position in stride(from: offset + width - 1, through: offset, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                buffer[offset + width] = separator
                offset += width + 1
            }
            put(Int(parts.tm_year) + 1900, width: 4, UInt8(ascii: "-"))
            put(Int(parts.tm_mon) + 1, width: 2, UInt8(ascii: "-"))
            put(Int(parts.tm_mday), width: 2, UInt8(ascii: "T"))
            put(Int(parts.tm_hour), width: 2, UInt8(ascii: ":"))
            put(Int(parts.tm_min), width: 2, UInt8(ascii: ":"))
            put(Int(parts.tm_sec), width: 2, UInt8(ascii: "."))
            put(Int(spec.tv_nsec / 1_000_000), width: 3, UInt8(ascii: "Z"))
            return offset
        }
    }
}
