import NIOCore
import Synchronization

/// A streamed response body on its way from its connection (on an event loop) to its one reader
/// (a task): the reads the connection has made and the reader has not yet taken. At
/// `highWatermark` reads ahead the connection stops reading until the reader is down to
/// `lowWatermark`, so a slow reader slows the upstream. A reader that leaves (its task
/// cancelled, or the body let go before its end) stops the exchange, whose connection is closed.
///
/// What SwiftNIO's `NIOThrowingAsyncSequenceProducer` did here, for one reader only: without its
/// generic state machine made and torn down for every stream (about 5 % of a stream's CPU), and
/// without a cancellation handler around a read that does not wait.
final class UpstreamBodyQueue: Sendable {
    static let lowWatermark = 2
    static let highWatermark = 16

    private enum End {
        case open
        case finished
        case failed(any Error)
    }

    private struct State {
        var reads = CircularBuffer<ByteBuffer>(initialCapacity: 4)
        var end = End.open
        /// The reader, while it waits for the next read; only while none is queued.
        var waiter: UnsafeContinuation<ByteBuffer?, any Error>?
        /// The connection was told to stop reading.
        var paused = false
        /// The reader has left: later reads are dropped, and a wait ends at once.
        var readerGone = false
        /// The way back to the connection, until the body ends or the reader leaves: it holds
        /// the exchange, which must be freed then even while the reader keeps the body.
        var demand: BodyDemand?
        /// The reader has made its iterator: from then on the iterator, not the body, says when
        /// the reader has left.
        var iteratorMade = false
    }

    /// What a look at the state found for the reader.
    private enum Take {
        /// With the way to tell the connection to read again, when the reader has caught up.
        case read(ByteBuffer, resumeReading: BodyDemand?)
        case end
        case failure(any Error)
        case wait
    }

    private let state: Mutex<State>

    init(demand: BodyDemand) {
        state = Mutex(State(demand: demand))
    }

    // MARK: The connection's side (on its event loop)

    /// Hands the reader the next read of the body; false when the reader is far enough behind
    /// that the connection should stop reading until it is told to resume.
    func yield(_ read: ByteBuffer) -> Bool {
        let (waiter, keepReading) = state.withLock { state -> (UnsafeContinuation<ByteBuffer?, any Error>?, Bool) in
            guard case .open = state.end, !state.readerGone else { return (nil, true) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, true)
            }
            state.reads.append(read)
            guard state.reads.count >= Self.highWatermark else { return (nil, true) }
            state.paused = true
            return (nil, false)
        }
        waiter?.resume(returning: read)
        return keepReading
    }

    /// The body has ended, or failed with `error`: the reader takes what is queued, then the end.
    func finish(_ error: (any Error)? = nil) {
        let waiter = state.withLock { state -> UnsafeContinuation<ByteBuffer?, any Error>? in
            guard case .open = state.end else { return nil }
            state.demand = nil
            let waiter = state.waiter
            state.waiter = nil
            // A waiter means nothing is queued: it takes the end now, a failure only once.
            state.end = waiter == nil ? (error.map { .failed($0) } ?? .finished) : .finished
            return waiter
        }
        guard let waiter else { return }
        if let error { waiter.resume(throwing: error) } else { waiter.resume(returning: nil) }
    }

    // MARK: The reader's side

    /// The next read of the body, waiting for it when none is queued; nil at the end. Throws the
    /// body's failure once, and `CancellationError` when the reader's task is cancelled.
    func next() async throws -> ByteBuffer? {
        if Task.isCancelled {
            readerLeft()
            throw CancellationError()
        }
        let take = state.withLock { Self.take(from: &$0) }
        guard case .wait = take else { return try Self.outcome(of: take) }
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { waiter in
                // Something may have come since the first look.
                let take = state.withLock { state -> Take in
                    let take = Self.take(from: &state)
                    if case .wait = take { state.waiter = waiter }
                    return take
                }
                guard case .wait = take else { return waiter.resume(with: Result { try Self.outcome(of: take) }) }
            }
        } onCancel: {
            readerLeft()
        }
    }

    /// The reader's iterator, whose end (`UpstreamBodyReader`'s) says the reader has left.
    func makeIterator() -> UpstreamBodyReader {
        state.withLock { $0.iteratorMade = true }
        return UpstreamBodyReader(self, holds: .iterator)
    }

    /// The body has been let go: the reader has left, unless it made an iterator first.
    func bodyLetGo() {
        if !state.withLock({ $0.iteratorMade }) { readerLeft() }
    }

    /// The reader has left, before the end or after it: what is queued is dropped, a waiting read
    /// ends with `CancellationError`, and the exchange is told (its connection is closed unless
    /// the body had ended).
    func readerLeft() {
        let (waiter, demand) = state.withLock { state -> (UnsafeContinuation<ByteBuffer?, any Error>?, BodyDemand?) in
            guard !state.readerGone else { return (nil, nil) }
            state.readerGone = true
            state.reads.removeAll()
            let waiter = state.waiter
            state.waiter = nil
            defer { state.demand = nil }
            return (waiter, state.demand)
        }
        waiter?.resume(throwing: CancellationError())
        demand?.didTerminate()
    }

    /// What the reader gets for what it took (not `.wait`), telling the connection to read again
    /// when the reader has caught up.
    private static func outcome(of take: Take) throws -> ByteBuffer? {
        switch take {
        case .read(let read, let resumeReading):
            resumeReading?.produceMore()
            return read
        case .end, .wait:
            return nil
        case .failure(let error):
            throw error
        }
    }

    private static func take(from state: inout State) -> Take {
        if let read = state.reads.popFirst() {
            guard state.paused, state.reads.count <= lowWatermark else { return .read(read, resumeReading: nil) }
            state.paused = false
            return .read(read, resumeReading: state.demand)
        }
        if state.readerGone { return .failure(CancellationError()) }
        switch state.end {
        case .open:
            return .wait
        case .finished:
            return .end
        case .failed(let error):
            state.end = .finished
            return .failure(error)
        }
    }
}

/// The reader's hold on a streamed body, as SwiftNIO's async sequences count it: the reader has
/// left (`UpstreamBodyQueue.readerLeft`, which stops an exchange not yet ended) when its iterator
/// is let go, or when the body is let go before any iterator was made.
final class UpstreamBodyReader: Sendable {
    enum Holder {
        case body
        case iterator
    }

    let queue: UpstreamBodyQueue
    private let holder: Holder

    init(_ queue: UpstreamBodyQueue, holds holder: Holder) {
        self.queue = queue
        self.holder = holder
    }

    deinit {
        switch holder {
        case .body: queue.bodyLetGo()
        case .iterator: queue.readerLeft()
        }
    }
}
