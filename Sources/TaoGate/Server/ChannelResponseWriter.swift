import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import Synchronization

/// Writes one response to a client connection (see `GatewayHTTPChannel`) as bytes: its head
/// encoded by `ClientResponseHead`, its body framed as the head says, the answer's last bytes
/// marked for the connection's `ClientConnectionHandler`.
///
/// A body of known length (an answer, an error) goes out with its head in one flush. A streamed
/// body's writes are flushed as soon as the writing task stops to wait (a flush queued on the
/// connection's event loop, which runs the task): what the task writes without waiting, such as
/// the last events and the end of a stream that the upstream sent together, goes out in one
/// system call and one packet rather than one each. A write is waited for only when the
/// connection is not writable as it is made (more than its high-water mark, 64 KiB, is queued
/// for the socket): a client that reads slowly holds the writer, and with it the upstream read,
/// and one that keeps up costs no wait at all, nor a promise per write.
struct ChannelResponseWriter {
    let channel: any Channel
    let context: AnswerContext

    /// The longest body that is copied behind its head rather than written on its own.
    static let joinedBodyLimit = 4096

    /// Writes `response`; returns how its body was delimited (an answer that ends when the
    /// connection closes must be the connection's last).
    @discardableResult
    func write(_ response: Response) async throws -> AnswerFraming {
        let length = response.body.contentLength
        let (head, framing) = ClientResponseHead.encode(
            response.head,
            context,
            reservingBody: length.map { $0 <= Self.joinedBodyLimit ? $0 : 0 } ?? 0,
            allocator: channel.allocator
        )
        let writer = BodyWriter(
            channel: channel,
            head: head,
            framing: framing,
            streamed: length == nil,
            closesConnection: context.closesConnection || framing == .untilClose
        )
        try await response.body.write(writer)
        return framing
    }

    private struct BodyWriter: ResponseBodyWriter {
        let channel: any Channel
        /// The head, until the first bytes after it go.
        var head: ByteBuffer?
        let framing: AnswerFraming
        let streamed: Bool
        /// The connection closes after this answer.
        let closesConnection: Bool
        /// A body of known length's latest bytes, held to go with the answer's end.
        var held: ByteBuffer?

        init(channel: any Channel, head: ByteBuffer, framing: AnswerFraming, streamed: Bool, closesConnection: Bool) {
            self.channel = channel
            self.head = head
            self.framing = framing
            self.streamed = streamed
            self.closesConnection = closesConnection
        }

        mutating func write(_ buffer: ByteBuffer) async throws {
            guard let bytes = framed(buffer) else { return }
            if streamed {
                writePending()
                try await writeAndFlush(.more(bytes), soon: true)
            } else {
                if held != nil { writePending() }
                held = bytes
            }
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
            var last: ByteBuffer
            if framing == .chunked {
                writePending()
                last = ClientResponseHead.lastChunk(trailers: trailingHeaders, allocator: channel.allocator)
            } else if let held, held.readableBytes <= ChannelResponseWriter.joinedBodyLimit, var joined = head.take() {
                // A short body goes in the head's buffer: one write, one piece for the socket.
                joined.writeImmutableBuffer(held)
                last = joined
            } else if let held {
                self.held = nil
                writePending()
                last = held
            } else {
                last = head ?? ByteBuffer()
                head = nil
            }
            // The connection closes after this answer: SwiftNIO's close drops what is still queued
            // for the socket, so the answer ends once its last bytes have been written.
            if closesConnection { return try await channel.writeAndFlush(AnswerBytes.last(last)).get() }
            try await writeAndFlush(.last(last))
        }

        /// `buffer` as the body's framing has it go; nil when nothing goes (a body the answer
        /// does not have, or an empty chunk, which would end a chunked body).
        private func framed(_ buffer: ByteBuffer) -> ByteBuffer? {
            switch framing {
            case .none: nil
            case .chunked: buffer.readableBytes == 0 ? nil : ClientResponseHead.chunk(buffer, allocator: channel.allocator)
            case .contentLength, .untilClose: buffer
            }
        }

        /// Writes `bytes` and flushes them, now or (`soon`) once the task next waits; waits for
        /// the write only when the connection is not writable.
        private func writeAndFlush(_ bytes: AnswerBytes, soon: Bool = false) async throws {
            guard channel.isWritable, channel.isActive else { return try await channel.writeAndFlush(bytes).get() }
            guard soon else { return channel.writeAndFlush(bytes, promise: nil) }
            channel.write(bytes, promise: nil)
            // After whatever the task writes before it next waits (a flush with nothing left to
            // write costs no system call).
            let channel = self.channel
            channel.eventLoop.execute { channel.flush() }
        }

        /// Writes the head and the bytes held, if they have not gone.
        private mutating func writePending() {
            if let head {
                self.head = nil
                channel.write(AnswerBytes.more(head), promise: nil)
            }
            if let held {
                self.held = nil
                channel.write(AnswerBytes.more(held), promise: nil)
            }
        }
    }
}

/// The `Date` header's value (RFC 9110, IMF-fixdate), made once a second.
enum HTTPDate {
    private static let cached = Mutex<(second: Int, text: String)>((-1, ""))

    static var now: String {
        let second = Int(time(nil))
        if let text = cached.withLock({ $0.second == second ? $0.text : nil }) { return text }
        let text = format(second)
        cached.withLock { $0 = (second, text) }
        return text
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func format(_ secondsSince1970: Int) -> String {
        var seconds = time_t(secondsSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekdays[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
