import BackendCore
#if canImport(Glibc)
import Glibc
#endif

/// The backend's gate when tollgated's gate service runs (GateService): the job is decided and
/// settled there, on its open database connection, and this process (the `tollgate:` backend, a
/// small program without Foundation or a database library: it starts once per job) only passes
/// the job on: argv, environment, the spool file and its own stderr.
///
/// Failure policy (never free, never twice):
/// - the service not running → the job is decided in the gate program
///   (``LocalGateProgram``, `tollgate-gate`: the same decisions in one process), which this
///   process becomes (exec) before it reads the job;
/// - no verdict from the service (it died, or answered garbage) → the same, with the spool file
///   as the program's stdin: the job key makes a reservation the service may already have made
///   count once;
/// - the service gone after the verdict → the gate program settles the job from what the
///   service said it admitted (its `AdmittedJob`): settling a settled job changes nothing.
public final class ServedGate: JobGate {
    /// `/run/tollgate/gate.sock` (`TOLLGATE_GATE_SOCKET` in cupsd's environment says otherwise;
    /// `off`: never ask a service).
    public static let defaultPath = "/run/tollgate/gate.sock"

    private var connection: GateSocket?
    private let arguments: [String]
    private let environment: [String]
    private let program: LocalGateProgram
    private let log: BackendLog
    /// What the service said settles the job (its AdmittedJob, encoded by the service).
    private var admitted: [UInt8]?

    public init(connection: GateSocket, arguments: [String], environment: [String], program: LocalGateProgram,
                log: BackendLog = BackendLog()) {
        self.connection = connection
        self.arguments = arguments
        self.environment = environment
        self.program = program
        self.log = log
    }

    deinit { connection?.close() }

    public func admit(_ job: JobArguments, document: JobDocument) -> GateVerdict {
        var stdin: Int32? = nil
        if case .spool(let fd) = document { stdin = fd }
        do throws(GateWireError) {
            guard let connection else { throw .protocolViolation("no connection") }
            try connection.send(GateRequest.admit(arguments: arguments, environment: environment, spooled: stdin != nil).encoded,
                                fds: [2] + (stdin.map { [$0] } ?? []))
            guard case .verdict(let verdict, let admitted) = try reply() else { throw .protocolViolation("no verdict") }
            if case .forward = verdict, admitted == nil { throw .protocolViolation("a forward verdict without its admission") }
            self.admitted = admitted
            return verdict
        } catch {
            log.info("Tollgate: the gate service did not decide job \(job.jobID) (\(error)); deciding it here")
            connection?.close()
            connection = nil
            return program.decide(arguments: arguments, environment: environment, stdin: stdin, log: log)
        }
    }

    public func printing(_ job: JobArguments, reservation: String, report: PrinterStatusReport, scheme: String) {
        guard let connection else { return }
        do {
            try connection.send(GateRequest.printing(report: report, scheme: scheme).encoded)
        } catch {
            // Only evidence for a backend that dies: the run itself still reaches a gate at the end.
            lost(job, error)
        }
    }

    public func finish(_ job: JobArguments, reservation: String, run: RealBackendRun) {
        do throws(GateWireError) {
            guard let connection else { throw .protocolViolation("no connection") }
            try connection.send(GateRequest.finish(run: run).encoded)
            guard case .finished = try reply() else { throw .protocolViolation("no end of job") }
        } catch {
            lost(job, error)
            guard let admitted else { return }
            program.settle(arguments: arguments, environment: environment, admitted: admitted, run: run, log: log)
        }
    }

    private func reply() throws(GateWireError) -> GateReply {
        guard let connection, let (bytes, fds) = try connection.receive() else { throw .protocolViolation("the service closed the connection") }
        fds.forEach { close($0) }
        return try GateReply(decoding: bytes)
    }

    private func lost(_ job: JobArguments, _ error: any Error) {
        guard let connection else { return }
        log.info("Tollgate: the gate service stopped answering during job \(job.jobID) (\(error)); settling it here")
        connection.close()
        self.connection = nil
    }
}

/// `tollgate-gate`: the program that decides and settles a job in its own process (the
/// backend as it was before the gate service: it links the analysis client, the rates cards
/// and the database). The `tollgate:` backend becomes it (exec, same argv and environment) when
/// the service cannot decide or settle a job.
///
/// Failure policy: the program missing or not executable → the job is held with the reason (an
/// administrator's problem; retrying would not help, printing would be free).
public struct LocalGateProgram: Sendable {
    /// `/usr/lib/tollgate/tollgate-gate` (`TOLLGATE_GATE_PROGRAM` says otherwise).
    public static let defaultPath = "/usr/lib/tollgate/tollgate-gate"
    /// Set by the backend for the gate program: settle this admission with this run and end.
    public static let resumeAdmitted = "TOLLGATE_RESUME_ADMITTED"
    public static let resumeRun = "TOLLGATE_RESUME_RUN"

    public let path: String

    public init(environment: [String: String]) {
        path = environment["TOLLGATE_GATE_PROGRAM"] ?? Self.defaultPath
    }

    /// The environment without the resume settings (only this process sets them).
    public static func withoutResume(_ environment: [String]) -> [String] {
        environment.filter { !$0.hasPrefix(resumeAdmitted + "=") && !$0.hasPrefix(resumeRun + "=") }
    }

    /// Becomes the gate program for the whole job; `stdin`: the spool file, rewound, when the
    /// job came on stdin and was read already. Returns only the verdict that holds the job when
    /// the program cannot run.
    public func decide(arguments: [String], environment: [String], stdin: Int32?, log: BackendLog) -> GateVerdict {
        if let stdin {
            guard lseek(stdin, 0, SEEK_SET) == 0, dup2(stdin, 0) == 0 else {
                return .refuse(exitCode: .retry, message: "Tollgate: cannot pass the spooled job on (\(String(cString: strerror(errno)))); the job will be retried")
            }
        }
        return become(arguments: arguments, environment: Self.withoutResume(environment), log: log)
    }

    /// Becomes the gate program to settle `admitted` with `run`; it ends the process as the
    /// real backend ended. Returns only when the program cannot run (the reservation then stays
    /// open for `tollgate reconcile`).
    public func settle(arguments: [String], environment: [String], admitted: [UInt8], run: RealBackendRun, log: BackendLog) {
        _ = become(arguments: arguments,
                   environment: Self.withoutResume(environment) + [Self.resumeAdmitted + "=" + String(decoding: admitted, as: UTF8.self),
                                                                   Self.resumeRun + "=" + run.hexEncoded],
                   log: log)
        log.error("Tollgate: job \(arguments.count > 1 ? arguments[1] : "?") printed and could not be settled here either; tollgate reconcile settles it")
    }

    private func become(arguments: [String], environment: [String], log: BackendLog) -> GateVerdict {
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        execve(path, argv, envp)
        let why = String(cString: strerror(errno))
        argv.forEach { free($0) }
        envp.forEach { free($0) }
        return .hold(jobState: "tollgate-gate-missing",
                     message: "Tollgate: the gate program \(path) cannot run (\(why)) and the gate service did not decide the job; the job waits for an administrator")
    }
}
