import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import Synchronization

/// The requests a connection has received whole, in order, for the connection's one task
/// (`GatewayHTTPChannel`) to answer one at a time. The event loop puts them in; the task takes
/// them out, waiting when there is none.
final class RequestInbox: Sendable {
    enum Item: Sendable {
        /// A request's head and its whole body (see `ClientConnectionHandler` for a body over
        /// the limit).
        case request(Head, ByteBuffer)
        /// Bytes that are not HTTP: answered with 400, and the connection closed.
        case malformed
    }

    /// A request's head as the routes read it, and what its HTTP version asks of the answer.
    struct Head: Sendable {
        let request: HTTPRequest
        /// HTTP/1.0, which knows no chunked body.
        let isHTTP10: Bool
        /// The connection stays open after the answer (HTTP/1.1 unless the client says
        /// `Connection: close`; HTTP/1.0 only when it says `keep-alive`).
        let keepsAlive: Bool

        /// Nil for a method HTTPTypes cannot hold.
        init?(_ head: HTTPRequestHead) {
            guard let method = try? HTTPRequest.Method(head.method) else { return nil }
            if head.uri.utf8.first == UInt8(ascii: "/") {
                // The origin form, as every client of a gateway sends it: the path as it came,
                // without the URL parsing HTTPTypes' conversion does for an absolute form.
                request = HTTPRequest(
                    method: method,
                    scheme: "http",
                    authority: head.headers.first(name: "host"),
                    path: head.uri,
                    headerFields: HTTPFields(head.headers, splitCookie: false)
                )
            } else {
                guard let converted = try? HTTPRequest(head, secure: false, splitCookie: false) else { return nil }
                request = converted
            }
            isHTTP10 = head.version.major == 1 && head.version.minor == 0
            keepsAlive = head.isKeepAlive
        }
    }

    private struct State: ~Copyable {
        var queue: [Item] = []
        var waiter: UnsafeContinuation<Item?, Never>?
        var finished = false
    }

    private let state = Mutex(State())

    /// Adds `item`; returns how many items now wait (0 when the task took it at once).
    @discardableResult
    func deliver(_ item: Item) -> Int {
        let (waiter, waiting) = state.withLock { state -> (UnsafeContinuation<Item?, Never>?, Int) in
            if state.finished { return (nil, 0) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, 0)
            }
            state.queue.append(item)
            return (nil, state.queue.count)
        }
        waiter?.resume(returning: item)
        return waiting
    }

    /// No more items will come (the client closed its side, or the connection is gone). The
    /// items already in stay to be taken.
    func finish() {
        state.withLock { state -> UnsafeContinuation<Item?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }?.resume(returning: nil)
    }

    /// The next item, or nil once the inbox is finished and empty.
    func next() async -> Item? {
        await withUnsafeContinuation { continuation in
            let now = state.withLock { state -> Item?? in
                if !state.queue.isEmpty { return .some(state.queue.removeFirst()) }
                if state.finished { return .some(nil) }
                state.waiter = continuation
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }
}
