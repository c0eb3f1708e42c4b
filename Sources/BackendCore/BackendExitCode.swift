/// The exit codes a CUPS backend may return (`<cups/backend.h>`), and what cupsd does with each.
public enum BackendExitCode: Int32, Sendable, CaseIterable {
    /// The job printed.
    case ok = 0
    /// The job failed; cupsd applies the queue's `printer-error-policy`.
    case failed = 1
    /// The device needs credentials; the job is held for authentication.
    case authRequired = 2
    /// The job is held (`pending-held`) until someone releases it.
    case hold = 3
    /// The queue is stopped and the job is kept.
    case stop = 4
    /// The job is cancelled.
    case cancel = 5
    /// The job is retried later (`JobRetryInterval`).
    case retry = 6
    /// The job is retried at once.
    case retryCurrent = 7

    /// The name used in `<cups/backend.h>`, for log lines.
    public var constantName: String {
        switch self {
        case .ok: "CUPS_BACKEND_OK"
        case .failed: "CUPS_BACKEND_FAILED"
        case .authRequired: "CUPS_BACKEND_AUTH_REQUIRED"
        case .hold: "CUPS_BACKEND_HOLD"
        case .stop: "CUPS_BACKEND_STOP"
        case .cancel: "CUPS_BACKEND_CANCEL"
        case .retry: "CUPS_BACKEND_RETRY"
        case .retryCurrent: "CUPS_BACKEND_RETRY_CURRENT"
        }
    }
}
