import LLMClient
import NIOCore

/// The gateway's per-request and per-chunk steps, opened to the micro-benchmarks in
/// `Benchmarks/` (`@_spi(Benchmarks) import TaoGate`) and to nothing else. Each forwards to the
/// code the routes run, so a benchmark measures the real thing.
@_spi(Benchmarks)
public enum HotPaths {
    /// `/v1/chat/completions`: what the gateway reads from a body it passes on as it is.
    public static func parseOpenAIBody(_ body: ByteBuffer) throws -> (model: String, stream: Bool) {
        let fields = try InboundBody.scan(body)
        return (try fields.validModel(), fields.stream)
    }

    /// `/api` streams and translated streams: one chat chunk read without a decoder.
    public static func scanChunk(_ text: String) -> ChatCompletionChunk? {
        ChatCompletionChunk.scanned(from: text)
    }

    /// `/v1` streams: one upstream event framed again for the client, unchanged.
    public static func relayOpenAIEvent(_ event: ServerSentEvent, to buffer: inout ByteBuffer) {
        OpenAIStreamEvents.append(event, to: &buffer)
    }

    /// `/v1` streams: whether an event carries usage (only then is it decoded).
    public static func usage(inEvent data: String) -> Usage? {
        UsageSniffer.usage(inEvent: ByteBuffer(string: data))?.usage
    }

    /// `/v1` plain answers: the usage the completion reports.
    public static func usage(inCompletion body: ByteBuffer) -> Usage? {
        UsageSniffer.usage(inBody: body)
    }

    /// `/api/chat/stream`: one piece of content as the reference API's `{"content":…}` event.
    public static func relayContent(_ text: String, to buffer: inout ByteBuffer) {
        ReferenceStreamEvents.appendContent(text, to: &buffer)
    }
}
