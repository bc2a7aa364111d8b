import LLMClient

/// A JSON value valid for a JSON schema, for the mock's tool arguments and structured answers:
/// `const`, `enum`, `default` and `examples` first, then a value of the schema's type within its
/// bounds (objects with their required properties, or all of them when none is required).
/// Local `$ref`s are followed; `pattern` is not honoured.
public enum MockSchemaExample {
    public static func value(for schema: JSONValue) -> JSONValue {
        value(for: schema, root: schema, depth: 0)
    }

    private static func value(for schema: JSONValue, root: JSONValue, depth: Int) -> JSONValue {
        guard depth < 16, case .object(let members) = schema else { return .null }
        if let reference = members["$ref"]?.stringValue, let target = resolve(reference, in: root) {
            return value(for: target, root: root, depth: depth + 1)
        }
        if let constant = members["const"] { return constant }
        if let first = members["enum"]?.arrayValue?.first { return first }
        if let fallback = members["default"] { return fallback }
        if let example = members["examples"]?.arrayValue?.first { return example }
        for key in ["anyOf", "oneOf", "allOf"] {
            if let first = members[key]?.arrayValue?.first(where: { $0["type"]?.stringValue != "null" }) {
                return value(for: first, root: root, depth: depth + 1)
            }
        }
        let type: String
        switch members["type"] {
        case .string(let name): type = name
        case .array(let names): type = names.compactMap(\.stringValue).first { $0 != "null" } ?? "null"
        default: type = members["properties"] != nil ? "object" : "string"
        }
        switch type {
        case "object":
            let properties = members["properties"]?.objectValue ?? [:]
            let required = members["required"]?.arrayValue?.compactMap(\.stringValue) ?? Array(properties.keys)
            var object: [String: JSONValue] = [:]
            for name in required {
                object[name] = properties[name].map { value(for: $0, root: root, depth: depth + 1) } ?? .string("example")
            }
            return .object(object)
        case "array":
            let item = members["items"].map { value(for: $0, root: root, depth: depth + 1) } ?? .string("example")
            let count = max(1, number(members["minItems"]).map(Int.init) ?? 1)
            return .array(Array(repeating: item, count: min(count, 8)))
        case "integer":
            let minimum = number(members["minimum"]) ?? number(members["exclusiveMinimum"]).map { $0 + 1 } ?? 1
            let maximum = number(members["maximum"]) ?? .greatestFiniteMagnitude
            return .integer(Int(min(max(minimum, 1), maximum).rounded(.up)))
        case "number":
            let minimum = number(members["minimum"]) ?? 1
            let maximum = number(members["maximum"]) ?? .greatestFiniteMagnitude
            return .number(min(max(minimum, 1), maximum))
        case "boolean":
            return .bool(true)
        case "null":
            return .null
        default:
            switch members["format"]?.stringValue {
            case "date-time": return .string("2026-01-01T00:00:00Z")
            case "date": return .string("2026-01-01")
            case "email": return .string("user@example.com")
            case "uri", "url": return .string("https://example.com")
            case "uuid": return .string("00000000-0000-4000-8000-000000000000")
            default:
                let minimum = number(members["minLength"]).map(Int.init) ?? 0
                let text = "example"
                return .string(text.count >= minimum ? text : text + String(repeating: "x", count: minimum - text.count))
            }
        }
    }

    private static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .integer(let number): Double(number)
        case .number(let number): number
        default: nil
        }
    }

    /// `#/$defs/Name` or `#/definitions/Name` within the root schema.
    private static func resolve(_ reference: String, in root: JSONValue) -> JSONValue? {
        guard reference.hasPrefix("#/") else { return nil }
        var current: JSONValue? = root
        for part in reference.dropFirst(2).split(separator: "/") {
            current = current?[String(part)]
        }
        return current
    }
}
