/// The body of `GET /models`.
public struct ModelList: Codable, Sendable, Hashable {
    public struct Model: Codable, Sendable, Hashable {
        public var id: String
        public var object: String
        public var created: Int?
        public var ownedBy: String?

        public init(id: String, created: Int? = nil, ownedBy: String? = nil) {
            self.id = id
            self.object = "model"
            self.created = created
            self.ownedBy = ownedBy
        }

        enum CodingKeys: String, CodingKey {
            case id, object, created
            case ownedBy = "owned_by"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.id = try container.decode(String.self, forKey: .id)
            self.object = try container.decodeIfPresent(String.self, forKey: .object) ?? "model"
            self.created = try container.decodeIfPresent(Int.self, forKey: .created)
            self.ownedBy = try container.decodeIfPresent(String.self, forKey: .ownedBy)
        }
    }

    public var object: String
    public var data: [Model]

    public init(data: [Model]) {
        self.object = "list"
        self.data = data
    }

    enum CodingKeys: String, CodingKey {
        case object, data
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.object = try container.decodeIfPresent(String.self, forKey: .object) ?? "list"
        self.data = try container.decode([Model].self, forKey: .data)
    }
}
