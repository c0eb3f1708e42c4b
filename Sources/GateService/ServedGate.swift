import BackendCore
import Enforcement
#if canImport(Glibc)
import Glibc
#endif

/// The backend's gate when the gate service (``GateServer``, in tollgated) runs: the job is
/// decided and settled there, on its open database connection and parsed rates cards, and the
/// backend only passes the job on (argv, environment, spool file, stderr).
///
/// Failure policy (never free, never twice): the service not running or not answering before the
/// verdict → the job is decided here, in this process (``Gatekeeper``), exactly as without a
/// service: the job key makes a reservation the service may already have made count once. The
/// service gone after the verdict → this process settles the job itself from what the service
/// said it admitted (``AdmittedJob``): settling a settled job again changes nothing.
public final class ServedGate: JobGate {
    /// `/run/tollgate/gate.sock` (`TOLLGATE_GATE_SOCKET` in cupsd's environment says otherwise).
    public static let defaultPath = "/run/tollgate/gate.sock"

    private let socketPath: String
    private let arguments: [String]
    private let environment: [String]
    private let settings: Gatekeeper.Settings
    private let log: BackendLog
    private var connection: GateSocket?
    /// The gate in this process, once the service has failed the job.
    private var local: Gatekeeper?

    public init(socketPath: String, arguments: [String], environment: [String], settings: Gatekeeper.Settings,
                log: BackendLog = BackendLog()) {
        self.socketPath = socketPath
        self.arguments = arguments
        self.environment = environment
        self.settings = settings
        self.log = log
    }

    deinit { connection?.close() }

    public func admit(_ job: JobArguments, document: JobDocument) -> GateVerdict {
        if let socket = GateSocket.connect(path: socketPath) {
            connection = socket
            do {
                var fds: [Int32] = [2]
                if case .spool(let fd) = document { fds.append(fd) }
                try socket.send(GateRequest.admit(arguments: arguments, environment: environment, spooled: fds.count == 2), fds: fds)
                guard let (reply, extra) = try socket.receive(GateReply.self) else { throw GateServiceError.protocolViolation("the service closed the connection") }
                extra.forEach { close($0) }
                guard case .verdict(let verdict, let admitted) = reply else { throw GateServiceError.protocolViolation("no verdict") }
                if case .forward = verdict, admitted == nil { throw GateServiceError.protocolViolation("a forward verdict without its admission") }
                if let admitted { local = nil; self.admitted = admitted }
                return verdict
            } catch {
                log.info("Tollgate: the gate service did not decide job \(job.jobID) (\(error)); deciding it here")
                socket.close()
                connection = nil
            }
        }
        // The service's analyser may have read the spool file: from its start again.
        if case .spool(let fd) = document { lseek(fd, 0, SEEK_SET) }
        let gate = Gatekeeper(settings: settings, log: log)
        local = gate
        return gate.admit(job, document: document)
    }

    /// What the service admitted (for a local finish if the service goes away).
    private var admitted: AdmittedJob?

    public func printing(_ job: JobArguments, reservation: String, report: PrinterStatusReport, scheme: String) {
        if let connection {
            do { try connection.send(GateRequest.printing(report: report, scheme: scheme)); return } catch { lost(job, error) }
        }
        localGate()?.printing(job, reservation: reservation, report: report, scheme: scheme)
    }

    public func finish(_ job: JobArguments, reservation: String, run: RealBackendRun) {
        if let connection {
            do {
                try connection.send(GateRequest.finish(run: run))
                guard let (reply, extra) = try connection.receive(GateReply.self) else { throw GateServiceError.protocolViolation("the service closed the connection") }
                extra.forEach { close($0) }
                guard case .finished = reply else { throw GateServiceError.protocolViolation("no end of job") }
                return
            } catch {
                lost(job, error)
            }
        }
        localGate()?.finish(job, reservation: reservation, run: run)
    }

    private func lost(_ job: JobArguments, _ error: any Error) {
        log.info("Tollgate: the gate service stopped answering during job \(job.jobID) (\(error)); settling it here")
        connection?.close()
        connection = nil
    }

    /// The gate that finishes the job here: the one that admitted it, or one resuming the service's admission.
    private func localGate() -> Gatekeeper? {
        if let local { return local }
        guard let admitted else { return nil }
        let gate = Gatekeeper(settings: settings, log: log, resuming: admitted)
        local = gate
        return gate
    }
}
