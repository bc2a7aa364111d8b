import NIOCore

/// The exchanges in flight on one event loop, and the one timer that looks at them all: an
/// exchange past its deadline, or whose body has gone silent for longer than its idle timeout,
/// is stopped. A timer per exchange, scheduled and cancelled on every request, cost more than an
/// exchange's other bookkeeping; watching costs an append and a swap-remove. A timeout ends at
/// most `period` after it is due, never before.
final class ExchangeWatch {
    static let period = TimeAmount.milliseconds(50)

    private let eventLoop: any EventLoop
    private var watched: [UpstreamExchange] = []
    /// Set while anything is watched.
    private var nextLook: NIOScheduledCallback?

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Watches `exchange` until it is removed; false when the loop is shutting down.
    func add(_ exchange: UpstreamExchange) -> Bool {
        eventLoop.assertInEventLoop()
        if nextLook == nil {
            guard let scheduled = try? eventLoop.assumeIsolated().scheduleCallback(in: Self.period, handler: Look(watch: self)) else {
                return false
            }
            nextLook = scheduled
        }
        exchange.watchSlot = watched.count
        watched.append(exchange)
        return true
    }

    func remove(_ exchange: UpstreamExchange) {
        let slot = exchange.watchSlot
        guard watched.indices.contains(slot), watched[slot] === exchange else { return }
        let last = watched.removeLast()
        if slot < watched.count {
            watched[slot] = last
            last.watchSlot = slot
        }
        exchange.watchSlot = -1
    }

    fileprivate func look() {
        nextLook = nil
        let now = NIODeadline.now()
        // Stopping an exchange removes it; the loop goes over the array as it was.
        for exchange in watched {
            if let reason = exchange.overdue(at: now) { exchange.stop(reason) }
        }
        if !watched.isEmpty {
            // Fails only while the loop shuts down, when the pools fail what they carry.
            nextLook = try? eventLoop.assumeIsolated().scheduleCallback(in: Self.period, handler: Look(watch: self))
        }
    }
}

private struct Look: NIOScheduledCallbackHandler {
    let watch: ExchangeWatch
    func handleScheduledCallback(eventLoop: some EventLoop) { watch.look() }
}
