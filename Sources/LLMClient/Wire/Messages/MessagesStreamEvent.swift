/// One event of a streamed Anthropic message, by its `type`.
public enum MessagesStreamEvent: Codable, Sendable, Hashable {
    case messageStart(MessagesResponse)
    case contentBlockStart(index: Int, block: MessagesContentBlock)
    case contentBlockDelta(index: Int, delta: Delta)
    case contentBlockStop(index: Int)
    case messageDelta(stopReason: String?, stopSequence: String?, usage: MessagesUsage?)
    case messageStop
    case ping
    case error(AnthropicErrorBody.Detail)
    /// An event type this enum does not know; ignored by readers, as Anthropic asks.
    case unknown(type: String)

    /// What a `content_block_delta` adds to its block.
    public enum Delta: Codable, Sendable, Hashable {
        case text(String)
        case inputJSON(String)
        case thinking(String)
        case signature(String)
        case other(type: String)

        private enum CodingKeys: String, CodingKey {
            case type, text, thinking, signature
            case partialJSON = "partial_json"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let type = try container.decode(String.self, forKey: .type)
            switch type {
            case "text_delta": self = .text(try container.decode(String.self, forKey: .text))
            case "input_json_delta": self = .inputJSON(try container.decodeIfPresent(String.self, forKey: .partialJSON) ?? "")
            case "thinking_delta": self = .thinking(try container.decode(String.self, forKey: .thinking))
            case "signature_delta": self = .signature(try container.decode(String.self, forKey: .signature))
            default: self = .other(type: type)
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .text(let text):
                try container.encode("text_delta", forKey: .type)
                try container.encode(text, forKey: .text)
            case .inputJSON(let json):
                try container.encode("input_json_delta", forKey: .type)
                try container.encode(json, forKey: .partialJSON)
            case .thinking(let thinking):
                try container.encode("thinking_delta", forKey: .type)
                try container.encode(thinking, forKey: .thinking)
            case .signature(let signature):
                try container.encode("signature_delta", forKey: .type)
                try container.encode(signature, forKey: .signature)
            case .other(let type):
                try container.encode(type, forKey: .type)
            }
        }
    }

    private enum CodingKeys: String, CodingKey {
        case type, message, index, delta, usage, error
        case contentBlock = "content_block"
    }

    private struct MessageDelta: Codable {
        var stop_reason: String?
        var stop_sequence: String?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "message_start":
            self = .messageStart(try container.decode(MessagesResponse.self, forKey: .message))
        case "content_block_start":
            self = .contentBlockStart(
                index: try container.decodeIfPresent(Int.self, forKey: .index) ?? 0,
                block: try container.decode(MessagesContentBlock.self, forKey: .contentBlock)
            )
        case "content_block_delta":
            self = .contentBlockDelta(
                index: try container.decodeIfPresent(Int.self, forKey: .index) ?? 0,
                delta: try container.decode(Delta.self, forKey: .delta)
            )
        case "content_block_stop":
            self = .contentBlockStop(index: try container.decodeIfPresent(Int.self, forKey: .index) ?? 0)
        case "message_delta":
            let delta = try container.decodeIfPresent(MessageDelta.self, forKey: .delta)
            self = .messageDelta(
                stopReason: delta?.stop_reason,
                stopSequence: delta?.stop_sequence,
                usage: try container.decodeIfPresent(MessagesUsage.self, forKey: .usage)
            )
        case "message_stop": self = .messageStop
        case "ping": self = .ping
        case "error": self = .error(try container.decode(AnthropicErrorBody.Detail.self, forKey: .error))
        default: self = .unknown(type: type)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .type)
        switch self {
        case .messageStart(let message): try container.encode(message, forKey: .message)
        case .contentBlockStart(let index, let block):
            try container.encode(index, forKey: .index)
            try container.encode(block, forKey: .contentBlock)
        case .contentBlockDelta(let index, let delta):
            try container.encode(index, forKey: .index)
            try container.encode(delta, forKey: .delta)
        case .contentBlockStop(let index): try container.encode(index, forKey: .index)
        case .messageDelta(let stopReason, let stopSequence, let usage):
            try container.encode(MessageDelta(stop_reason: stopReason, stop_sequence: stopSequence), forKey: .delta)
            try container.encodeIfPresent(usage, forKey: .usage)
        case .error(let detail): try container.encode(detail, forKey: .error)
        case .messageStop, .ping, .unknown: break
        }
    }

    /// The event's `type`, which is also its SSE `event:` name.
    public var name: String {
        switch self {
        case .messageStart: "message_start"
        case .contentBlockStart: "content_block_start"
        case .contentBlockDelta: "content_block_delta"
        case .contentBlockStop: "content_block_stop"
        case .messageDelta: "message_delta"
        case .messageStop: "message_stop"
        case .ping: "ping"
        case .error: "error"
        case .unknown(let type): type
        }
    }
}
