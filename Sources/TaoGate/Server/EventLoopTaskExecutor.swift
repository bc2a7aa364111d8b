import NIOCore

/// Runs a task's jobs on one event loop: the task that answers a connection's requests runs on
/// the loop of the connection (and of its upstream connections), wherever an actor it awaited
/// ran, so that its reads and writes never cross a thread.
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
