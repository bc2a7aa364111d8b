import NIOCore
import Synchronization

/// Fires once, when a connection's client has gone, and calls back whoever asked.
final class ConnectionCloseSignal: Sendable {
    private struct State {
        var fired = false
        var nextID = 0
        var callbacks: [Int: @Sendable () -> Void] = [:]
    }

    private let state = Mutex(State())

    func fire() {
        let callbacks = state.withLock { state -> [@Sendable () -> Void] in
            state.fired = true
            defer { state.callbacks.removeAll() }
            return Array(state.callbacks.values)
        }
        for callback in callbacks { callback() }
    }

    /// Calls `callback` once when the signal fires (at once if it has). Returns an id for
    /// `removeCallback`, or nil when it was called at once.
    func onFire(_ callback: @escaping @Sendable () -> Void) -> Int? {
        let id = state.withLock { state -> Int? in
            if state.fired { return nil }
            state.nextID += 1
            state.callbacks[state.nextID] = callback
            return state.nextID
        }
        if id == nil { callback() }
        return id
    }

    func removeCallback(_ id: Int) {
        _ = state.withLock { $0.callbacks.removeValue(forKey: id) }
    }
}
