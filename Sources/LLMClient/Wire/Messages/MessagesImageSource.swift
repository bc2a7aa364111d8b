/// Where an image block's picture is: inline base64 data with its media type, or a URL.
public struct MessagesImageSource: Codable, Sendable, Hashable {
    /// `base64` or `url`.
    public var type: String
    public var mediaType: String?
    public var data: String?
    public var url: String?

    public init(type: String, mediaType: String? = nil, data: String? = nil, url: String? = nil) {
        self.type = type
        self.mediaType = mediaType
        self.data = data
        self.url = url
    }

    enum CodingKeys: String, CodingKey {
        case type, data, url
        case mediaType = "media_type"
    }
}
