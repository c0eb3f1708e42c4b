#if canImport(Glibc)
import Glibc
#endif

/// Why the wrapper refuses to run a job, with the exit code that tells cupsd what to do with it
/// and a message an administrator can act on.
public enum BackendError: Error, Equatable, Sendable {
    /// Wrong number of arguments.
    case usage(program: String)
    /// The device URI does not start with `tollgate:`.
    case notATollgateURI(String)
    /// `tollgate:` is followed by nothing.
    case emptyRealURI
    /// The URI after `tollgate:` is not a URI libcups can use.
    case malformedRealURI(uri: String, reason: String)
    /// `tollgate:tollgate:…` would run this wrapper again.
    case recursiveURI
    /// There is no backend for the real URI's scheme.
    case realBackendMissing(path: String)
    /// The real backend exists but is not an executable file.
    case realBackendNotExecutable(path: String)
    /// The real backend could be replaced by someone other than root.
    case realBackendInsecure(path: String, reason: String)
    /// The user cupsd runs unprivileged backends as does not exist on this system.
    case unknownRunUser(user: String, group: String)
    /// The job could not be copied to the spool file.
    case spoolFailed(directory: String, errno: Int32)
    /// fork, the privilege drop or exec of the real backend failed.
    case spawnFailed(path: String, errno: Int32)
    /// cupsd cancelled the job (SIGTERM) before the real backend started.
    case cancelledBeforeStart

    /// The exit code for cupsd. Configuration problems stop the queue and keep the job
    /// (CUPS_BACKEND_STOP): nothing is lost and nothing prints until an administrator looks.
    public var exitCode: BackendExitCode {
        switch self {
        case .usage: .failed
        case .cancelledBeforeStart: .cancel
        case .notATollgateURI, .emptyRealURI, .malformedRealURI, .recursiveURI,
             .realBackendMissing, .realBackendNotExecutable, .realBackendInsecure,
             .unknownRunUser, .spoolFailed, .spawnFailed:
            .stop
        }
    }

    /// One line for `ERROR:` (or the usage text on stderr).
    public var message: String {
        switch self {
        case .usage(let program):
            "Usage: \(program) job-id user title copies options [file]"
        case .notATollgateURI(let uri):
            "Tollgate: device URI \"\(uri)\" does not start with \"tollgate:\"; set it with lpadmin -p QUEUE -v tollgate:REAL-URI"
        case .emptyRealURI:
            "Tollgate: device URI \"tollgate:\" names no printer; set it with lpadmin -p QUEUE -v tollgate:ipp://PRINTER/ipp/print"
        case .malformedRealURI(let uri, let reason):
            "Tollgate: the printer URI \"\(uri)\" after \"tollgate:\" is malformed (\(reason))"
        case .recursiveURI:
            "Tollgate: device URI \"tollgate:tollgate:…\" would run Tollgate in front of itself; name the real printer after one \"tollgate:\""
        case .realBackendMissing(let path):
            "Tollgate: the real backend \(path) does not exist; install the CUPS backend for this URI scheme"
        case .realBackendNotExecutable(let path):
            "Tollgate: the real backend \(path) is not an executable file"
        case .realBackendInsecure(let path, let reason):
            "Tollgate: refusing to run the real backend \(path): \(reason)"
        case .unknownRunUser(let user, let group):
            "Tollgate: cannot run the real backend as \(user):\(group), no such user or group on this system"
        case .spoolFailed(let directory, let code):
            "Tollgate: cannot spool the job in \(directory): \(errnoText(code))"
        case .spawnFailed(let path, let code):
            "Tollgate: cannot start the real backend \(path): \(errnoText(code))"
        case .cancelledBeforeStart:
            "Tollgate: job cancelled before it reached the printer"
        }
    }
}

/// `strerror` text for an errno value.
func errnoText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
}
