/// One item of a Responses conversation, in `input` and in a response's `output`: a message, a
/// function call and its output, the model's reasoning, a custom tool call and its output, or a
/// kind this type does not model (hosted tools' calls, item references), kept with its `type`.
public enum ResponsesItem: Codable, Sendable, Hashable {
    case message(ResponsesMessage)
    case functionCall(ResponsesFunctionCall)
    case functionCallOutput(callID: String, output: ResponsesToolOutput)
    case reasoning(ResponsesReasoning)
    case customToolCall(ResponsesCustomToolCall)
    case customToolCallOutput(callID: String, output: ResponsesToolOutput)
    case other(type: String, value: JSONValue)

    private enum CodingKeys: String, CodingKey {
        case type, output
        case callID = "call_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // An item without a type is a message (`{"role","content"}`).
        switch try container.decodeIfPresent(String.self, forKey: .type) ?? "message" {
        case "message": self = .message(try ResponsesMessage(from: decoder))
        case "function_call": self = .functionCall(try ResponsesFunctionCall(from: decoder))
        case "function_call_output":
            self = .functionCallOutput(
                callID: try container.decode(String.self, forKey: .callID),
                output: try container.decodeIfPresent(ResponsesToolOutput.self, forKey: .output) ?? .text("")
            )
        case "reasoning": self = .reasoning(try ResponsesReasoning(from: decoder))
        case "custom_tool_call": self = .customToolCall(try ResponsesCustomToolCall(from: decoder))
        case "custom_tool_call_output":
            self = .customToolCallOutput(
                callID: try container.decode(String.self, forKey: .callID),
                output: try container.decodeIfPresent(ResponsesToolOutput.self, forKey: .output) ?? .text("")
            )
        case let type: self = .other(type: type, value: try JSONValue(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .message(let message): try message.encode(to: encoder)
        case .functionCall(let call): try call.encode(to: encoder)
        case .reasoning(let reasoning): try reasoning.encode(to: encoder)
        case .customToolCall(let call): try call.encode(to: encoder)
        case .functionCallOutput(let callID, let output), .customToolCallOutput(let callID, let output):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(type, forKey: .type)
            try container.encode(callID, forKey: .callID)
            try container.encode(output, forKey: .output)
        case .other(_, let value): try value.encode(to: encoder)
        }
    }

    /// The item's `type` as it appears on the wire.
    public var type: String {
        switch self {
        case .message: "message"
        case .functionCall: "function_call"
        case .functionCallOutput: "function_call_output"
        case .reasoning: "reasoning"
        case .customToolCall: "custom_tool_call"
        case .customToolCallOutput: "custom_tool_call_output"
        case .other(let type, _): type
        }
    }
}

/// A message item: a role and its content (a string, or parts).
public struct ResponsesMessage: Codable, Sendable, Hashable {
    public var id: String?
    /// `user`, `assistant`, `system` or `developer`.
    public var role: String
    public var content: [ResponsesContentPart]
    public var status: String?

    public init(id: String? = nil, role: String, content: [ResponsesContentPart], status: String? = nil) {
        self.id = id
        self.role = role
        self.content = content
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case id, type, role, content, status
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decodeIfPresent(String.self, forKey: .id)
        self.role = try container.decode(String.self, forKey: .role)
        self.status = try container.decodeIfPresent(String.self, forKey: .status)
        if let text = try? container.decode(String.self, forKey: .content) {
            self.content = [role == "assistant" ? .outputText(text) : .inputText(text)]
        } else {
            self.content = try container.decodeIfPresent([ResponsesContentPart].self, forKey: .content) ?? []
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("message", forKey: .type)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encode(role, forKey: .role)
        try container.encodeIfPresent(status, forKey: .status)
        try container.encode(content, forKey: .content)
    }

    /// The text of its text parts, joined.
    public var text: String { content.compactMap(\.text).joined() }
}

/// A part of a message: text in or out, an image, a refusal, or another kind kept as it was.
public enum ResponsesContentPart: Codable, Sendable, Hashable {
    case inputText(String)
    case outputText(String)
    case inputImage(url: String?, fileID: String?)
    case refusal(String)
    case other(type: String, value: JSONValue)

    private enum CodingKeys: String, CodingKey {
        case type, text, refusal, annotations, logprobs
        case imageURL = "image_url"
        case fileID = "file_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "input_text": self = .inputText(try container.decode(String.self, forKey: .text))
        case "output_text": self = .outputText(try container.decode(String.self, forKey: .text))
        case "input_image":
            self = .inputImage(
                url: try container.decodeIfPresent(String.self, forKey: .imageURL),
                fileID: try container.decodeIfPresent(String.self, forKey: .fileID)
            )
        case "refusal": self = .refusal(try container.decode(String.self, forKey: .refusal))
        default: self = .other(type: type, value: try JSONValue(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        if case .other(_, let value) = self {
            try value.encode(to: encoder)
            return
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .inputText(let text):
            try container.encode("input_text", forKey: .type)
            try container.encode(text, forKey: .text)
        case .outputText(let text):
            try container.encode("output_text", forKey: .type)
            try container.encode(text, forKey: .text)
            try container.encode([JSONValue](), forKey: .annotations)
            try container.encode([JSONValue](), forKey: .logprobs)
        case .inputImage(let url, let fileID):
            try container.encode("input_image", forKey: .type)
            try container.encodeIfPresent(url, forKey: .imageURL)
            try container.encodeIfPresent(fileID, forKey: .fileID)
        case .refusal(let refusal):
            try container.encode("refusal", forKey: .type)
            try container.encode(refusal, forKey: .refusal)
        case .other:
            break
        }
    }

    public var text: String? {
        switch self {
        case .inputText(let text), .outputText(let text): text
        default: nil
        }
    }
}

/// `{"type":"function_call","id","call_id","name","arguments","status"}`
public struct ResponsesFunctionCall: Codable, Sendable, Hashable {
    public var id: String?
    /// What joins the call to its output.
    public var callID: String
    public var name: String
    /// JSON text.
    public var arguments: String
    public var status: String?

    public init(id: String?, callID: String, name: String, arguments: String, status: String? = "completed") {
        self.id = id
        self.callID = callID
        self.name = name
        self.arguments = arguments
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case id, type, name, arguments, status
        case callID = "call_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decodeIfPresent(String.self, forKey: .id)
        self.callID = try container.decode(String.self, forKey: .callID)
        self.name = try container.decode(String.self, forKey: .name)
        self.arguments = try container.decodeIfPresent(String.self, forKey: .arguments) ?? ""
        self.status = try container.decodeIfPresent(String.self, forKey: .status)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("function_call", forKey: .type)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encode(callID, forKey: .callID)
        try container.encode(name, forKey: .name)
        try container.encode(arguments, forKey: .arguments)
        try container.encodeIfPresent(status, forKey: .status)
    }
}

/// `{"type":"custom_tool_call","id","call_id","name","input"}`: a call of a freeform tool.
public struct ResponsesCustomToolCall: Codable, Sendable, Hashable {
    public var id: String?
    public var callID: String
    public var name: String
    public var input: String
    public var status: String?

    public init(id: String?, callID: String, name: String, input: String, status: String? = "completed") {
        self.id = id
        self.callID = callID
        self.name = name
        self.input = input
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case id, type, name, input, status
        case callID = "call_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decodeIfPresent(String.self, forKey: .id)
        self.callID = try container.decode(String.self, forKey: .callID)
        self.name = try container.decode(String.self, forKey: .name)
        self.input = try container.decodeIfPresent(String.self, forKey: .input) ?? ""
        self.status = try container.decodeIfPresent(String.self, forKey: .status)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("custom_tool_call", forKey: .type)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encode(callID, forKey: .callID)
        try container.encode(name, forKey: .name)
        try container.encode(input, forKey: .input)
        try container.encodeIfPresent(status, forKey: .status)
    }
}

/// `{"type":"reasoning","id","summary":[{"type":"summary_text","text"}],"content"?,"encrypted_content"?}`
public struct ResponsesReasoning: Codable, Sendable, Hashable {
    public var id: String?
    public var summary: [String]
    /// The raw reasoning, where a provider gives it (`reasoning_text` parts).
    public var content: [String]?
    public var encryptedContent: String?

    public init(id: String?, summary: [String], content: [String]? = nil, encryptedContent: String? = nil) {
        self.id = id
        self.summary = summary
        self.content = content
        self.encryptedContent = encryptedContent
    }

    enum CodingKeys: String, CodingKey {
        case id, type, summary, content
        case encryptedContent = "encrypted_content"
    }

    private struct Part: Codable {
        var type: String
        var text: String
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decodeIfPresent(String.self, forKey: .id)
        self.summary = (try container.decodeIfPresent([Part].self, forKey: .summary) ?? []).map(\.text)
        self.content = try container.decodeIfPresent([Part].self, forKey: .content)?.map(\.text)
        self.encryptedContent = try container.decodeIfPresent(String.self, forKey: .encryptedContent)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("reasoning", forKey: .type)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encode(summary.map { Part(type: "summary_text", text: $0) }, forKey: .summary)
        try container.encodeIfPresent(content?.map { Part(type: "reasoning_text", text: $0) }, forKey: .content)
        try container.encodeIfPresent(encryptedContent, forKey: .encryptedContent)
    }

    /// The reasoning's text: its content where given, else its summary.
    public var text: String { (content ?? summary).joined(separator: "\n") }
}

/// A tool's output: a string, or parts (`input_text`, `input_image`).
public enum ResponsesToolOutput: Codable, Sendable, Hashable {
    case text(String)
    case parts([ResponsesContentPart])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .parts(try container.decode([ResponsesContentPart].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .parts(let parts): try container.encode(parts)
        }
    }

    public var text: String {
        switch self {
        case .text(let text): text
        case .parts(let parts): parts.compactMap(\.text).joined(separator: "\n")
        }
    }
}
