import Logging
import ServiceLifecycle
import Synchronization

/// Writes usage rows in batches, off the request path: requests only append to a buffer, which
/// is flushed every `interval` (or when it holds `batchSize` rows) and once more on shutdown.
///
/// It cannot wedge. When a batch fails while the database answers, its rows are written one by
/// one, and a row the database refuses is logged and set aside (counted in
/// `taogate_usage_rows_dropped_total{reason="refused"}`); the others are written. While the
/// database is away, rows wait, at most `maxBuffered` of them; beyond that the oldest are dropped
/// (`reason="buffer_full"`).
final class UsageRecorder: Service {
    private let store: any UsageStore
    private let isReachable: @Sendable () async -> Bool
    private let interval: Duration
    private let batchSize: Int
    private let maxBuffered: Int
    private let logger: Logger
    private let metrics: GatewayMetrics?
    private let buffer = Mutex<[UsageRecord]>([])
    private let wakeUp: AsyncStream<Void>.Continuation
    private let wakeUps: AsyncStream<Void>

    init(
        store: any UsageStore,
        isReachable: @escaping @Sendable () async -> Bool = { true },
        interval: Duration = .milliseconds(500),
        batchSize: Int = 500,
        maxBuffered: Int = 100_000,
        logger: Logger,
        metrics: GatewayMetrics? = nil
    ) {
        self.store = store
        self.isReachable = isReachable
        self.interval = interval
        self.batchSize = batchSize
        self.maxBuffered = maxBuffered
        self.logger = logger
        self.metrics = metrics
        (self.wakeUps, self.wakeUp) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func record(_ record: UsageRecord) {
        let (count, dropped) = buffer.withLock { buffer -> (Int, Int) in
            buffer.append(record)
            let excess = max(0, buffer.count - maxBuffered)
            if excess > 0 { buffer.removeFirst(excess) }
            return (buffer.count, excess)
        }
        if dropped > 0 { metrics?.usageRowsDropped(dropped, reason: "buffer_full") }
        if count >= batchSize { wakeUp.yield() }
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in self.wakeUps { await self.flush() }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: self.interval)
                        self.wakeUp.yield()
                    }
                }
                await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.wakeUp.finish()
        }
        await flush()
    }

    /// Writes what is buffered now. Rows the database refuses are set aside; while it is away,
    /// the rows are kept for the next try.
    func flush() async {
        let records = buffer.withLock { buffer -> [UsageRecord] in
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
        guard !records.isEmpty else { return }
        do {
            try await store.insert(records)
            return
        } catch {
            guard await isReachable() else {
                logger.error("usage rows not written yet; will retry", metadata: ["rows": "\(records.count)", "error": "\(error)"])
                keepForRetry(records)
                return
            }
        }
        // The database answers but refused the batch: find the rows it refuses.
        var unwritten: [UsageRecord] = []
        var refused = 0
        for record in records {
            do {
                try await store.insert([record])
            } catch {
                if await isReachable() {
                    refused += 1
                    logger.error(
                        "usage row refused by the database; set aside",
                        metadata: ["provider": "\(record.provider ?? "-")", "status": "\(record.status)", "error": "\(error)"]
                    )
                } else {
                    unwritten.append(record)
                }
            }
        }
        if refused > 0 { metrics?.usageRowsDropped(refused, reason: "refused") }
        if !unwritten.isEmpty { keepForRetry(unwritten) }
    }

    /// Puts rows back in front of the buffer, within its bound.
    private func keepForRetry(_ records: [UsageRecord]) {
        let dropped = buffer.withLock { buffer -> Int in
            buffer.insert(contentsOf: records, at: 0)
            let excess = max(0, buffer.count - maxBuffered)
            if excess > 0 { buffer.removeFirst(excess) }
            return excess
        }
        if dropped > 0 { metrics?.usageRowsDropped(dropped, reason: "buffer_full") }
    }

    /// How many rows wait to be written (for tests).
    var bufferedCount: Int { buffer.withLock { $0.count } }
}
