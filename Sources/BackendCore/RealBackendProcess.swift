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
    /// must have blocked them) is passed on as SIGTERM, as cupsd would have sent it. Its stderr
    /// comes through a pipe: every byte goes on to ours (cupsd) unchanged, and its status lines are
    /// read on the way (``PrinterStatusReport``); `progress` hears each change of the report while
    /// the job prints. `scheme` names the real backend for the run.
    public func run(scheme: String, progress: (PrinterStatusReport) -> Void = { _ in }) throws(BackendError) -> RealBackendRun {
        var pipeFDs: [Int32] = [-1, -1]
        guard tollgate_pipe_cloexec(&pipeFDs) == 0 else { throw .spawnFailed(path: path, errno: errno) }
        let (statusIn, statusOut) = (pipeFDs[0], pipeFDs[1])
        defer { close(statusIn) }
        var waitSet = JobSignals.set(JobSignals.cancelSignals + [SIGCHLD])
        let signalFD = tollgate_signalfd(&waitSet)
        guard signalFD >= 0 else {
            close(statusOut)
            throw .spawnFailed(path: path, errno: errno)
        }
        defer { close(signalFD) }

        var childErrno: Int32 = 0
        let pid = withCStringArray(arguments) { argv in
            withCStringArray(environment) { envp in
                tollgate_spawn(path, argv, envp, standardInput ?? -1, statusOut,
                               dropTo == nil ? 0 : 1, dropTo?.uid ?? 0, dropTo?.gid ?? 0, &childErrno)
            }
        }
        close(statusOut)
        guard pid > 0 else { throw .spawnFailed(path: path, errno: childErrno) }

        var relay = StatusRelay()
        var cancelled = false
        var statusOpen = true
        func ended(_ status: Int32) -> RealBackendRun {
            relay.finish()
            let termination: RealBackendTermination = status & 0x7F == 0
                ? .exited((status >> 8) & 0xFF) : .signaled(status & 0x7F, cancelled: cancelled)
            return RealBackendRun(termination: termination, cancelled: cancelled, scheme: scheme, report: relay.report)
        }
        while true {
            // After SIGCHLD, or once its stderr is closed: has it ended? (Never a blocking wait:
            // a cancel must still reach it.)
            var status: Int32 = 0
            if !statusOpen || relay.childExited {
                if waitpid(pid, &status, WNOHANG) == pid {
                    if statusOpen { relay.drain(statusIn) }
                    return ended(status)
                }
                relay.childExited = false
            }
            var fds = [pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: statusOpen ? statusIn : -1, events: Int16(POLLIN), revents: 0)]
            if poll(&fds, 2, -1) < 0 {
                if errno == EINTR { continue }
                // poll itself failed (it cannot, with these descriptors): wait for the child
                // rather than spin; its stderr still reaches cupsd through the pipe buffer.
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                relay.drain(statusIn)
                return ended(status)
            }
            if fds[1].revents != 0 {
                let before = relay.report
                statusOpen = relay.pass(from: statusIn)
                if relay.report != before { progress(relay.report) }
            }
            if fds[0].revents != 0 {
                while case let signal = tollgate_read_signal(signalFD), signal > 0 {
                    if signal == SIGCHLD {
                        relay.childExited = true
                    } else if JobSignals.cancelSignals.contains(signal) && !cancelled {
                        cancelled = true
                        kill(pid, SIGTERM)
                    }
                }
            }
        }
    }
}

/// Passes the real backend's stderr on to ours byte for byte and reads its lines on the way.
/// A line longer than the buffer is passed on but not read (no status line is that long).
struct StatusRelay {
    var report = PrinterStatusReport()
    var childExited = false
    private var line: [UInt8] = []
    private static let maximumLine = 4096

    /// Reads what is waiting; false at end of file.
    mutating func pass(from fd: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16384)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 { return errno == EINTR || errno == EAGAIN }
        if n == 0 { return false }
        buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < n {
                let written = write(2, raw.baseAddress! + offset, n - offset)
                if written > 0 { offset += written } else if errno != EINTR { break }
            }
        }
        for byte in buffer[..<n] {
            if byte == 0x0A {
                report.read(line: Substring(decoding: line, as: UTF8.self))
                line.removeAll(keepingCapacity: true)
            } else if line.count < Self.maximumLine {
                line.append(byte)
            }
        }
        return true
    }

    /// Reads everything left (the child has exited; a grandchild may still hold the pipe, so
    /// only what is already there).
    mutating func drain(_ fd: Int32) {
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        while poll(&fds, 1, 0) > 0, fds[0].revents != 0, pass(from: fd) { fds[0].revents = 0 }
    }

    /// The last line, if it had no newline.
    mutating func finish() {
        if !line.isEmpty { report.read(line: Substring(decoding: line, as: UTF8.self)) }
        line.removeAll()
    }
}

/// Calls `body` with a NULL-terminated `char *[]` built from `strings`.
func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
