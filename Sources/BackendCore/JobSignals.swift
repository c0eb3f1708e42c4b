#if canImport(Glibc)
import Glibc
#endif

/// The signals cupsd uses to cancel a job, handled synchronously.
///
/// cupsd cancels a job by sending SIGTERM to every process of it. The wrapper blocks SIGTERM,
/// SIGINT, SIGHUP and SIGCHLD from the start and collects them with `sigpending`/`sigwaitinfo`,
/// so there is no asynchronous handler and no global state: while spooling it checks for a
/// pending cancel between chunks; while the real backend runs it forwards the cancel to it and
/// waits for it to finish (see ``RealBackendProcess``).
public struct JobSignals: Sendable {
    /// Signals that mean "cancel this job".
    public static let cancelSignals: [Int32] = [SIGTERM, SIGINT, SIGHUP]

    public init() {}

    /// Blocks the cancel signals and SIGCHLD for this process. Call first thing in `main`.
    public func block() {
        var set = JobSignals.set(JobSignals.cancelSignals + [SIGCHLD])
        sigprocmask(SIG_BLOCK, &set, nil)
    }

    /// Whether a cancel signal has arrived and is waiting.
    public func cancelPending() -> Bool {
        var pending = sigset_t()
        sigemptyset(&pending)
        sigpending(&pending)
        return JobSignals.cancelSignals.contains { sigismember(&pending, $0) == 1 }
    }

    static func set(_ signals: [Int32]) -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        return set
    }
}
