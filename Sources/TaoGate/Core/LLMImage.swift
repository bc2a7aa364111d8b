import LLMClient

/// An image, by URL or as inline data.
enum LLMImage: Sendable, Hashable {
    case url(String)
    case data(mediaType: String, base64: String)

    /// A `data:` URL is read as inline data; anything else stays a URL.
    init(url: String) {
        if url.hasPrefix("data:"), let comma = url.firstIndex(of: ",") {
            let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
            if header.hasSuffix(";base64") {
                self = .data(mediaType: String(header.dropLast(7)), base64: String(url[url.index(after: comma)...]))
                return
            }
        }
        self = .url(url)
    }

    /// The image as a URL (`data:` for inline data).
    var url: String {
        switch self {
        case .url(let url): url
        case .data(let mediaType, let base64): "data:\(mediaType);base64,\(base64)"
        }
    }
}
