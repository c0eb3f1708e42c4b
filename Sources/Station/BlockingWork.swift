import Foundation

/// Runs blocking calls (PAM, crypt(3)) on a thread of their own, so that neither NIO's event
/// loops nor Swift's cooperative thread pool (two threads on a two-core kiosk server) wait for
/// pam_unix's ~2 s delay after a wrong password.
///
/// At most `limit` calls run at once; beyond that ``run(_:)`` answers `nil` at once (the caller
/// says the station is busy) rather than starting threads without bound.
public actor BlockingWork {
    public nonisolated let limit: Int
    private var running = 0

    public init(limit: Int = 16) {
        self.limit = max(1, limit)
    }

    /// `body`'s result, computed on a new thread; `nil` when `limit` calls are already running.
    public func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T? {
        guard running < limit else { return nil }
        running += 1
        defer { running -= 1 }
        return await Self.onThread(body)
    }

    /// `body`'s result, computed on a new thread (no limit: callers bound their own concurrency).
    public static func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = "tollgated-blocking"
            thread.start()
        }
    }
}
