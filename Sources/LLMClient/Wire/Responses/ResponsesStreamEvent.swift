/// One event of a streamed response: its `type` (`response.output_text.delta`,
/// `response.completed`, …), its `sequence_number`, and its members as they came.
public struct ResponsesStreamEvent: Sendable, Hashable {
    public var type: String
    public var sequenceNumber: Int?
    public var members: JSONValue

    public init(members: JSONValue) {
        self.members = members
        self.type = members["type"]?.stringValue ?? ""
        if case .integer(let number) = members["sequence_number"] { self.sequenceNumber = number }
    }

    /// The text a `response.output_text.delta` adds.
    public var textDelta: String? {
        type == "response.output_text.delta" ? members["delta"]?.stringValue : nil
    }

    /// The whole response of `response.created`, `.completed`, `.incomplete` or `.failed`.
    public var response: JSONValue? { members["response"] }
}
