#if canImport(Glibc)
import Glibc
#endif

/// What the process should do when the wrapper is done.
public enum BackendOutcome: Equatable, Sendable {
    /// Exit with this code.
    case exit(Int32)
    /// End by this signal, as the real backend did, so cupsd sees what it would have seen.
    case raise(Int32)
}

/// The `tollgate:` backend: finds the real backend behind `tollgate:REAL-URI`, spools the job and
/// runs the real backend exactly as cupsd would have, passing its exit status back.
public struct BackendWrapper {
    /// The process environment as `NAME=value` strings, in order.
    public let environment: [String]
    public let log: BackendLog
    public let signals: JobSignals
    /// Decides and charges; nil makes the wrapper transparent (every job prints, nothing is charged).
    public let gate: JobGate?

    public init(environment: [String], log: BackendLog = BackendLog(), signals: JobSignals = JobSignals(),
                gate: JobGate? = nil) {
        self.environment = environment
        self.log = log
        self.signals = signals
        self.gate = gate
    }

    /// Runs one invocation of the backend with `arguments` (argv).
    public func run(arguments: [String]) -> BackendOutcome {
        do {
            switch try BackendInvocation(arguments: arguments) {
            case .discovery:
                // One line in the format cups-deviced reads: class, scheme, make and model, info.
                writeAll(1, "network \(WrappedDeviceURI.scheme) \"Unknown\" \"Tollgate print accounting and release (tollgate:REAL-URI)\"\n")
                return .exit(BackendExitCode.ok.rawValue)
            case .job(let job):
                return try runJob(job)
            }
        } catch {
            if case .usage = error {
                writeAll(2, error.message + "\n")
            } else {
                log.error(error.message)
            }
            log.debug("Tollgate: exiting with \(error.exitCode.constantName)")
            return .exit(error.exitCode.rawValue)
        }
    }

    private func runJob(_ job: JobArguments) throws(BackendError) -> BackendOutcome {
        // cupsd puts the full URI (with credentials) in DEVICE_URI and a redacted one in argv[0].
        let deviceURI = value(of: "DEVICE_URI") ?? job.deviceURIArgument
        let wrapped = try WrappedDeviceURI(parsing: deviceURI)
        let serverBin = value(of: "CUPS_SERVERBIN") ?? "/usr/lib/cups"
        let real = try RealBackend(scheme: wrapped.realScheme, serverBin: serverBin)
        let decision = PrivilegeDecision(effectiveUID: geteuid(), realBackendMode: real.mode)
        let dropTo = decision == .dropToRunUser
            ? try CupsRunUser(serverRoot: value(of: "CUPS_SERVERROOT") ?? "/etc/cups").resolve()
            : nil
        log.debug("Tollgate: job \(job.jobID) for \(wrapped.redactedRealURI) through \(real.path) (mode \(octal(real.mode)), \(dropTo == nil ? "same user" : "unprivileged"))")

        let realArgv0 = job.deviceURIArgument.lowercased().hasPrefix(WrappedDeviceURI.scheme + ":")
            ? String(job.deviceURIArgument.dropFirst(WrappedDeviceURI.scheme.count + 1))
            : wrapped.redactedRealURI
        // A raw job is the file cupsd named in argv[6]; anything else came on stdin and is spooled.
        var spool: SpoolFile? = nil
        let document: JobDocument
        if let file = job.file {
            document = .file(path: file)
        } else {
            let spooled = try SpoolFile(copying: 0, into: value(of: "TMPDIR") ?? "/tmp", signals: signals)
            log.debug("Tollgate: spooled \(spooled.size) bytes from stdin")
            spool = spooled
            document = .spool(descriptor: spooled.fd)
        }
        FaultPoint.afterSpool.reach()
        if signals.cancelPending() { throw .cancelledBeforeStart }

        var reservation: String? = nil
        var realOptions = job.options
        // Filters that produced nothing (they failed, or the document was empty) print nothing:
        // nothing is priced or charged, and the job can be printed again once fixed. The same for
        // an empty raw file (cupsd refuses empty documents today; this does not rely on it). A file
        // that cannot be read is left to the gate, which never lets it through cheaper than it prints.
        let nothingToPrint = spool.map { $0.size == 0 } ?? job.file.map { Self.isEmptyFile($0) } ?? false
        if nothingToPrint {
            log.info(spool == nil ? "Tollgate: the job's file is empty; nothing charged"
                                  : "Tollgate: the job's filters produced nothing to print; nothing charged")
        }
        if let gate, !nothingToPrint {
            switch gate.admit(job, document: document) {
            case .forward(let key, let options):
                FaultPoint.afterAuthorise.reach()
                reservation = key
                if let options {
                    log.debug("Tollgate: the real backend's options are \"\(options)\" (the queue's job rules)")
                    realOptions = options
                }
            case .hold(let jobState, let message):
                // cupsd keeps an ERROR line as the held job's job-printer-state-message (an INFO
                // line is cleared when the backend ends), so `lpstat -l` shows why it waits.
                writeAll(2, "JOBSTATE: \(BackendLog.singleLine(jobState))\n")
                log.error(message)
                return .exit(BackendExitCode.hold.rawValue)
            case .refuse(let code, let message):
                log.error(message)
                return .exit(code.rawValue)
            }
            if let spool, lseek(spool.fd, 0, SEEK_SET) != 0 {
                throw .spoolFailed(directory: value(of: "TMPDIR") ?? "/tmp", errno: errno)
            }
            if signals.cancelPending() {
                if let reservation {
                    gate.finish(job, reservation: reservation,
                                run: RealBackendRun(termination: .signaled(SIGTERM, cancelled: true), cancelled: true, scheme: wrapped.realScheme))
                }
                throw .cancelledBeforeStart
            }
        }

        let process = RealBackendProcess(
            path: real.path,
            arguments: job.realBackendArguments(realArgv0: realArgv0, options: realOptions),
            environment: environmentForRealBackend(realURI: wrapped.realURI),
            standardInput: spool?.fd,
            dropTo: dropTo)
        let run: RealBackendRun
        do {
            run = try process.run(scheme: wrapped.realScheme) { report in
                if let gate, let reservation { gate.printing(job, reservation: reservation, report: report, scheme: wrapped.realScheme) }
            }
        } catch {
            // The real backend never ran: release what was reserved.
            if let gate, let reservation {
                gate.finish(job, reservation: reservation,
                            run: RealBackendRun(termination: .exited(BackendExitCode.stop.rawValue), cancelled: false, scheme: wrapped.realScheme))
            }
            throw error
        }
        FaultPoint.afterRealBackend.reach()
        if let gate, let reservation { gate.finish(job, reservation: reservation, run: run) }
        switch run.termination {
        case .exited(let code):
            let name = BackendExitCode(rawValue: code)?.constantName ?? "unknown status"
            log.debug("Tollgate: real backend exited with \(code) (\(name))")
        case .signaled(let signal, let cancelled):
            log.debug("Tollgate: real backend ended by signal \(signal)\(cancelled ? " after cancel" : "")")
        }
        return BackendOutcome(run.termination)
    }

    /// Whether `path` is a regular file of 0 bytes (false when it cannot be read: not proven empty).
    static func isEmptyFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && info.st_size == 0
    }

    /// Our environment with `DEVICE_URI` set to the real printer's URI.
    func environmentForRealBackend(realURI: String) -> [String] {
        environment.filter { !$0.hasPrefix("DEVICE_URI=") } + ["DEVICE_URI=" + realURI]
    }

    /// The value of environment variable `name`, if set.
    func value(of name: String) -> String? {
        let prefix = name + "="
        return environment.last(where: { $0.hasPrefix(prefix) }).map { String($0.dropFirst(prefix.count)) }
    }
}

extension BackendOutcome {
    /// Ending as the real backend ended: its exit code, or its fatal signal.
    public init(_ termination: RealBackendTermination) {
        switch termination {
        case .exited(let code): self = .exit(code)
        case .signaled(let signal, _): self = .raise(signal)
        }
    }

    /// Ends the process as this outcome says. `raise` first turns off core dumps and restores the
    /// signal's default action, so the wrapper ends exactly as the real backend did.
    public func endProcess() -> Never {
        switch self {
        case .exit(let code):
            Glibc.exit(code)
        case .raise(let signal):
            var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
            setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &noCore)
            Glibc.signal(signal, SIG_DFL)
            var set = JobSignals.set([signal])
            sigprocmask(SIG_UNBLOCK, &set, nil)
            Glibc.raise(signal)
            Glibc.exit(128 + signal)
        }
    }
}
