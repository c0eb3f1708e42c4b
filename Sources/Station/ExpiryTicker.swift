import Foundation
import Release

/// Runs ``ReleaseService/expireHeldJobs(actor:)`` every `interval` seconds (and sweeps idle
/// sessions), logging what it expired, until its task is cancelled.
public struct ExpiryTicker: Sendable {
    public let release: ReleaseService
    public let sessions: SessionStore
    public let interval: TimeInterval
    public let log: @Sendable (String) -> Void

    public init(release: ReleaseService, sessions: SessionStore, interval: TimeInterval, log: @escaping @Sendable (String) -> Void) {
        self.release = release
        self.sessions = sessions
        self.interval = interval
        self.log = log
    }

    /// One round: expire held jobs whose lifetime ended; returns how many.
    @discardableResult
    public func tick() -> Int {
        do {
            let expired = try release.expireHeldJobs(actor: "tollgated")
            for job in expired {
                log("expired: job \(job.jobID) of \(job.owner) on \(job.queue) (\(job.jobKey)), held since \(job.heldAt), not released in time; cancelled")
            }
            return expired.count
        } catch {
            log("expiry of held jobs failed (tried again in \(Int(interval)) s): \(error)")
            return 0
        }
    }

    /// Ticks now and then every `interval` seconds until cancelled.
    public func run() async {
        while !Task.isCancelled {
            tick()
            await sessions.sweep()
            do {
                try await Task.sleep(nanoseconds: UInt64(max(1, interval) * 1_000_000_000))
            } catch {
                return
            }
        }
    }
}
