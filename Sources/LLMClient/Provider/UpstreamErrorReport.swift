import Foundation
import Instrumentation
import Logging
import NIOCore
import NIOHTTP1
import Tracing

/// What an upstream's error body says, in OpenAI's shape (`{"error":{"message","type","code"}}`)
/// or Anthropic's (`{"type":"error","error":{"type","message"}}`), or as plain text.
struct UpstreamErrorReport {
    var message: String?
    var type: String?
    var code: String?

    init(body: ByteBuffer) {
        let data = Data(body.readableBytesView)
        if let anthropic = try? JSONDecoder().decode(AnthropicErrorBody.self, from: data), anthropic.type == "error" {
            self.message = anthropic.error.message
            self.type = anthropic.error.type
        } else if let openAI = try? JSONDecoder().decode(OpenAIErrorBody.self, from: data) {
            self.message = openAI.error.message
            self.type = openAI.error.type
            self.code = openAI.error.code
        } else if body.readableBytes > 0 {
            self.message = String(String(buffer: body).prefix(500))
        }
    }
}
