import Logging
import ServiceLifecycle
import Synchronization

/// Writes usage rows in batches, off the request path: requests only append to a buffer, which
/// is flushed every `interval` (or when it holds `batchSize` rows) and once more on shutdown.
final class UsageRecorder: Service {
    private let store: any UsageStore
    private let interval: Duration
    private let batchSize: Int
    private let logger: Logger
    private let buffer = Mutex<[UsageRecord]>([])
    private let wakeUp: AsyncStream<Void>.Continuation
    private let wakeUps: AsyncStream<Void>

    init(store: any UsageStore, interval: Duration = .milliseconds(500), batchSize: Int = 500, logger: Logger) {
        self.store = store
        self.interval = interval
        self.batchSize = batchSize
        self.logger = logger
        (self.wakeUps, self.wakeUp) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func record(_ record: UsageRecord) {
        let count = buffer.withLock {
            $0.append(record)
            return $0.count
        }
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

    /// Writes what is buffered now; on failure keeps it for the next try.
    func flush() async {
        let records = buffer.withLock { buffer -> [UsageRecord] in
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
        guard !records.isEmpty else { return }
        do {
            try await store.insert(records)
        } catch {
            logger.error("usage rows not written yet; will retry", metadata: ["rows": "\(records.count)", "error": "\(error)"])
            buffer.withLock { $0.insert(contentsOf: records, at: 0) }
        }
    }
}
