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
        let line = Self.line(level: event.level, message: "\(event.message)", metadata: merged, format: format)
        for writer in writers { writer.write(line, level: event.level) }
    }

    /// One event's line, its newline included.
    static func line(level: Logger.Level, message: String, metadata: Logger.Metadata, format: Format) -> [UInt8] {
        var line = LogLine(capacity: 256 + 32 * metadata.count)
        switch format {
        case .json: appendJSONLine(level: level, message: message, metadata: metadata, to: &line)
        case .text: appendTextLine(level: level, message: message, metadata: metadata, to: &line)
        }
        line.append(byte: UInt8(ascii: "\n"))
        return line.bytes
    }

    /// What `log(event:)` writes for an event whose only metadata is `fields` (the request's
    /// line, once per request), without the metadata dictionary and event that `Logger.log`
    /// builds for it. For a handler with no metadata of its own, which `log(event:)` would merge.
    func write(_ fields: LogFields, message: String, level: Logger.Level) {
        var line = LogLine(capacity: 288)
        switch format {
        case .json:
            Self.appendJSONStart(level: level, message: message, to: &line)
            fields.appendJSON(to: &line)
            line.append(byte: UInt8(ascii: "}"))
        case .text:
            Self.appendTextStart(level: level, message: message, to: &line)
            fields.appendText(to: &line)
        }
        line.append(byte: UInt8(ascii: "\n"))
        for writer in writers { writer.write(line.bytes, level: level) }
    }

    private static func appendJSONStart(level: Logger.Level, message: String, to line: inout LogLine) {
        line.append("{\"ts\":\"")
        appendTimestamp(to: &line)
        line.append("\",\"level\":\"")
        line.append(level.rawValue)
        line.append("\",\"msg\":")
        line.appendJSONString(message)
    }

    private static func appendJSONLine(level: Logger.Level, message: String, metadata: Logger.Metadata, to line: inout LogLine) {
        appendJSONStart(level: level, message: message, to: &line)
        for (key, value) in inOrder(metadata) {
            if let fields = fields(value) {
                fields.appendJSON(to: &line)
                continue
            }
            line.append(byte: UInt8(ascii: ","))
            line.appendJSONString(key)
            line.append(byte: UInt8(ascii: ":"))
            appendJSON(value, to: &line)
        }
        line.append(byte: UInt8(ascii: "}"))
    }

    private static func appendJSON(_ value: Logger.Metadata.Value, to line: inout LogLine) {
        switch value {
        case .string(let text):
            line.appendJSONString(text)
        case .stringConvertible(let convertible):
            // The common types first, by concrete type: casts to `any BinaryInteger` cost more.
            switch convertible {
            case let number as Int: line.append(number)
            case let number as Double: line.appendJSONNumber(number)
            case let flag as Bool: line.append(flag ? "true" : "false")
            case let number as any BinaryInteger: line.append(number.description)
            case let number as Float: if number.isFinite { line.append(String(number)) } else { line.append("null") }
            default: line.appendJSONString(convertible.description)
            }
        case .array(let values):
            line.append(byte: UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { line.append(byte: UInt8(ascii: ",")) }
                appendJSON(element, to: &line)
            }
            line.append(byte: UInt8(ascii: "]"))
        case .dictionary(let values):
            line.append(byte: UInt8(ascii: "{"))
            for (index, key) in values.keys.sorted().enumerated() {
                if index > 0 { line.append(byte: UInt8(ascii: ",")) }
                line.appendJSONString(key)
                line.append(byte: UInt8(ascii: ":"))
                appendJSON(values[key]!, to: &line)
            }
            line.append(byte: UInt8(ascii: "}"))
        }
    }

    /// `ts level message key=value …`: a value (or message) holding anything but letters, digits
    /// and `-_.:/@+,` is written as a quoted JSON string, so no value can break the line or forge
    /// another field.
    private static func appendTextStart(level: Logger.Level, message: String, to line: inout LogLine) {
        appendTimestamp(to: &line)
        line.append(byte: UInt8(ascii: " "))
        line.append(level.rawValue)
        line.append(byte: UInt8(ascii: " "))
        appendText(message, to: &line)
    }

    private static func appendTextLine(level: Logger.Level, message: String, metadata: Logger.Metadata, to line: inout LogLine) {
        appendTextStart(level: level, message: message, to: &line)
        for (key, value) in inOrder(metadata) {
            if let fields = fields(value) {
                fields.appendText(to: &line)
                continue
            }
            line.append(byte: UInt8(ascii: " "))
            appendText(key, to: &line)
            line.append(byte: UInt8(ascii: "="))
            appendText("\(value)", to: &line)
        }
    }

    /// Metadata by key; one entry (the request line's `LogFields`) needs no sort.
    private static func inOrder(_ metadata: Logger.Metadata) -> [(key: String, value: Logger.Metadata.Value)] {
        metadata.count == 1 ? Array(metadata) : metadata.sorted(by: { $0.key < $1.key })
    }

    private static func fields(_ value: Logger.Metadata.Value) -> LogFields? {
        if case .stringConvertible(let convertible) = value { return convertible as? LogFields }
        return nil
    }

    static func appendText(_ value: String, to line: inout LogLine) {
        let plain =
            !value.isEmpty
            && value.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || "-_.:/@+,".utf8.contains(byte)
            }
        if plain {
            line.append(value)
        } else {
            line.appendJSONString(value)
        }
    }

    /// `2026-11-26T22:41:47.123Z`, written digit by digit.
    static func appendTimestamp(to line: inout LogLine) {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        line.append(Int(parts.tm_year) + 1900, width: 4)
        line.append(byte: UInt8(ascii: "-"))
        line.append(Int(parts.tm_mon) + 1, width: 2)
        line.append(byte: UInt8(ascii: "-"))
        line.append(Int(parts.tm_mday), width: 2)
        line.append(byte: UInt8(ascii: "T"))
        line.append(Int(parts.tm_hour), width: 2)
        line.append(byte: UInt8(ascii: ":"))
        line.append(Int(parts.tm_min), width: 2)
        line.append(byte: UInt8(ascii: ":"))
        line.append(Int(parts.tm_sec), width: 2)
        line.append(byte: UInt8(ascii: "."))
        line.append(Int(spec.tv_nsec / 1_000_000), width: 3)
        line.append(byte: UInt8(ascii: "Z"))
    }
}
