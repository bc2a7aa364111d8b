import Foundation
import Logging

/// Log lines handed to a thread of their own, which writes them to the given writers. A line
/// costs its caller (a request's task, on an event loop) a lock and an append, not a system call;
/// and an output that stops reading (a full pipe, a log collector that falls behind) stops the
/// log, not the server.
///
/// The thread writes what is pending every `interval`, at once after an error line or once a
/// quarter of `limit` is pending (a burst does not wait for the interval, nor fill the limit), and
/// whenever `flush()` is called (`taogate serve` calls it as it exits). While nothing is pending
/// it sleeps until the first line comes: an idle server's log costs no wake-ups. Past `limit` bytes
/// pending, lines are dropped; the next write ends with a warning line that says how many.
public final class BufferedLogWriter: LogLineWriter, @unchecked Sendable {
    private let writers: [any LogLineWriter]
    private let format: GatewayLogHandler.Format
    private let limit: Int
    private let interval: TimeInterval

    /// Guards what follows it, and wakes the thread.
    private let condition = NSCondition()
    private var pending: [LogEntry] = []
    private var pendingBytes = 0
    private var dropped = 0
    private var urgent = false
    private var closed = false
    private var threadEnded = false
    /// The thread sleeps until the next line (nothing is pending).
    private var idle = false
    /// How many times the thread has woken to write, for tests.
    var wakeUps: Int {
        condition.lock()
        defer { condition.unlock() }
        return wakeUpCount
    }
    private var wakeUpCount = 0

    /// Held while lines are written, so that the thread and `flush()` keep the lines' order.
    private let writing = NSLock()

    public init(
        writing writers: [any LogLineWriter],
        format: GatewayLogHandler.Format,
        limit: Int = 1 << 20,
        interval: Duration = .milliseconds(20)
    ) {
        self.writers = writers
        self.format = format
        self.limit = limit
        self.interval = interval.milliseconds / 1000
        let thread = Thread { [self] in run() }
        thread.name = "taogate-log"
        thread.start()
    }

    public func write(_ line: [UInt8], level: Logger.Level) {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        guard pendingBytes + line.count <= limit else {
            dropped += 1
            return
        }
        pending.append(LogEntry(bytes: line, level: level))
        pendingBytes += line.count
        if !urgent, level >= .error || pendingBytes >= limit / 4 {
            urgent = true
            condition.signal()
        } else if idle {
            idle = false
            condition.signal()
        }
    }

    /// Writes what is pending now, on the caller's thread.
    public func flush() {
        writing.lock()
        defer { writing.unlock() }
        var (lines, dropped) = takePending()
        if dropped > 0 { lines.append(droppedNotice(dropped)) }
        guard !lines.isEmpty else { return }
        for writer in writers { writer.write(lines) }
    }

    /// Stops the thread and writes what is pending; later lines are not written. An output that
    /// has not taken the thread's last write within `patience` keeps what is pending: the
    /// process is not held up by it.
    public func close(patience: Duration = .seconds(2)) {
        let deadline = Date(timeIntervalSinceNow: patience.milliseconds / 1000)
        condition.lock()
        closed = true
        condition.signal()
        while !threadEnded, condition.wait(until: deadline) {}
        let ended = threadEnded
        condition.unlock()
        if ended { flush() }
    }

    private func run() {
        condition.lock()
        while !closed {
            if pending.isEmpty, dropped == 0, !urgent {
                idle = true
                condition.wait()
                idle = false
                continue
            }
            if !urgent { _ = condition.wait(until: Date(timeIntervalSinceNow: interval)) }
            wakeUpCount += 1
            condition.unlock()
            flush()
            condition.lock()
        }
        threadEnded = true
        condition.broadcast()
        condition.unlock()
    }

    private func takePending() -> (entries: [LogEntry], dropped: Int) {
        condition.lock()
        defer { condition.unlock() }
        let taken = (pending, dropped)
        pending = []
        pendingBytes = 0
        dropped = 0
        urgent = false
        return taken
    }

    private func droppedNotice(_ count: Int) -> LogEntry {
        let line = GatewayLogHandler.line(
            level: .warning,
            message: "log lines dropped: the log's output did not keep up",
            metadata: ["dropped_lines": .stringConvertible(count)],
            format: format
        )
        return LogEntry(bytes: line, level: .warning)
    }
}
