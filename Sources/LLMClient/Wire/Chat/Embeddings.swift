/// The body of `POST /embeddings`.
public struct EmbeddingsRequest: Codable, Sendable, Hashable {
    public var model: String
    /// A string or a list of strings.
    public var input: [String]
    public var dimensions: Int?

    public init(model: String, input: [String], dimensions: Int? = nil) {
        self.model = model
        self.input = input
        self.dimensions = dimensions
    }
}

/// The answer of `POST /embeddings` (with `encoding_format: float`).
public struct EmbeddingsResponse: Codable, Sendable, Hashable {
    public struct Embedding: Codable, Sendable, Hashable {
        public var index: Int
        public var embedding: [Double]
    }

    public var model: String
    public var data: [Embedding]
    public var usage: Usage?
}
