#if canImport(Glibc)
import Glibc
#endif

/// The steps of a job where the fault-matrix tests (Tests/EndToEndTests/FaultMatrixTests.swift)
/// kill the process deciding it, with `TOLLGATE_FAULT=POINT` in its environment: it ends itself
/// with SIGKILL there, as a power cut or the OOM killer would, and the test proves that after
/// `tollgate reconcile` nothing printed free, nothing was charged twice and `tollgate check`
/// passes. Only debug builds have this code; a release build never reads the variable.
public enum FaultPoint: String, Sendable, CaseIterable {
    /// The job is spooled; nothing is decided.
    case afterSpool = "after-spool"
    /// The job is analysed and priced; nothing is reserved.
    case afterAnalysis = "after-analysis"
    /// The job is reserved on the wallet chain; the real backend has not started.
    case afterAuthorise = "after-authorise"
    /// The real backend has ended; the job is not settled.
    case afterRealBackend = "after-real-backend"

    /// Ends this process with SIGKILL if `TOLLGATE_FAULT` names this point (debug builds only).
    @inline(__always)
    public func reach() {
        #if DEBUG
        guard let value = getenv("TOLLGATE_FAULT"), String(cString: value) == rawValue else { return }
        kill(getpid(), SIGKILL)
        #endif
    }
}
