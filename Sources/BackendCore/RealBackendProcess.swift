import CBackendSupport
#if canImport(Glibc)
import Glibc
#endif

/// How the real backend ended.
public enum RealBackendTermination: Equatable, Sendable {
    /// It exited with this code (0–7 for a well-behaved backend).
    case exited(Int32)
    /// It was killed by this signal; `cancelled` says whether the wrapper forwarded a cancel.
    case signaled(Int32, cancelled: Bool)
}

/// Runs the real backend as cupsd would and waits for it, forwarding cupsd's cancel.
public struct RealBackendProcess {
    public let path: String
    public let arguments: [String]
    public let environment: [String]
    /// The descriptor that becomes its stdin (the spool file), or nil to share ours.
    public let standardInput: Int32?
    /// When set, the child switches to this uid/gid before exec.
    public let dropTo: (uid: uid_t, gid: gid_t)?

    public init(path: String, arguments: [String], environment: [String],
                standardInput: Int32?, dropTo: (uid: uid_t, gid: gid_t)?) {
        self.path = path
        self.arguments = arguments
        self.environment = environment
        self.standardInput = standardInput
        self.dropTo = dropTo
    }

    /// Starts the process and waits for it. A cancel signal received meanwhile (``JobSignals``
    /// must have blocked them) is passed on as SIGTERM, as cupsd would have sent it.
    public func run() throws(BackendError) -> RealBackendTermination {
        var childErrno: Int32 = 0
        let pid = withCStringArray(arguments) { argv in
            withCStringArray(environment) { envp in
                tollgate_spawn(path, argv, envp, standardInput ?? -1,
                               dropTo == nil ? 0 : 1, dropTo?.uid ?? 0, dropTo?.gid ?? 0, &childErrno)
            }
        }
        guard pid > 0 else { throw .spawnFailed(path: path, errno: childErrno) }

        var waitSet = JobSignals.set(JobSignals.cancelSignals + [SIGCHLD])
        var cancelled = false
        while true {
            var status: Int32 = 0
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid {
                if status & 0x7F == 0 { return .exited((status >> 8) & 0xFF) }
                return .signaled(status & 0x7F, cancelled: cancelled)
            }
            var info = siginfo_t()
            let signal = sigwaitinfo(&waitSet, &info)
            if JobSignals.cancelSignals.contains(signal) && !cancelled {
                cancelled = true
                kill(pid, SIGTERM)
            }
        }
    }
}

/// Calls `body` with a NULL-terminated `char *[]` built from `strings`.
func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
