import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Writes one response to a client connection (see `GatewayHTTPChannel`).
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

    func write(_ response: Response) async throws {
        let writer = BodyWriter(channel: channel, head: response.head, streamed: response.body.contentLength == nil)
        try await response.body.write(writer)
    }

    private struct BodyWriter: ResponseBodyWriter {
        let channel: any Channel
        var head: HTTPResponse?
        let streamed: Bool

        mutating func write(_ buffer: ByteBuffer) async throws {
            writeHeadIfPending()
            if streamed {
                try await writeAndFlush(.body(buffer), soon: true)
            } else {
                channel.write(HTTPResponsePart.body(buffer), promise: nil)
            }
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
            writeHeadIfPending()
            try await writeAndFlush(.end(trailingHeaders))
        }

        /// Writes `part` and flushes it, now or (`soon`) once the task next waits; waits for
        /// the write only when the connection is not writable.
        private func writeAndFlush(_ part: HTTPResponsePart, soon: Bool = false) async throws {
            guard channel.isWritable, channel.isActive else { return try await channel.writeAndFlush(part).get() }
            guard soon else { return channel.writeAndFlush(part, promise: nil) }
            channel.write(part, promise: nil)
            // After whatever the task writes before it next waits (a flush with nothing left to
            // write costs no system call).
            let channel = self.channel
            channel.eventLoop.execute { channel.flush() }
        }

        private mutating func writeHeadIfPending() {
            guard let head else { return }
            self.head = nil
            channel.write(HTTPResponsePart.head(head), promise: nil)
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
