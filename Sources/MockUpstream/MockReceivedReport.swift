import Foundation
import HTTPTypes
import Hummingbird
import LLMClient
import Logging
import NIOCore
import Synchronization

/// One entry of `GET /mock/requests`: a model request as received (its body as sent, in a string).
struct MockReceivedReport: Encodable {
    let path: String
    let headers: [String: String]
    let body: String
}
