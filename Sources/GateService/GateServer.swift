import BackendCore
import Enforcement
import Foundation
import GateWire
import JobAnalysisCore
import PostgreSQLStore
import QuotaDB

/// The gate service: decides and settles the jobs of `tollgate:` backends that connect to it
/// (``ServedGate``), so that a job does not pay, every time, for opening the database (a
/// PostgreSQL connection with TLS and SCRAM is the dearest part) in a new process.
///
/// Each job is one connection, served on its own thread by a ``Gatekeeper`` exactly as in the
/// backend: the same decisions, the same sentences, written to the backend's own stderr. What the
/// service keeps between jobs is only the open stores (``SharedStores``); the settings come with
/// each job from the environment cupsd gave its backend.
///
/// Failure policy: a peer that is not root (who runs backends) is refused; a request that makes
/// no sense is answered by closing the connection (the backend then decides the job itself); a
/// backend that goes away mid-job leaves its reservation to `tollgate reconcile`, as when the
/// backend itself is killed.
public final class GateServer: @unchecked Sendable {
    public let path: String
    private let listener: GateSocket
    private let stores = SharedStores()
    private let spares = SpareAnalysers()
    private let cards = RatesCardCache()
    private let slots = DispatchSemaphore(value: 256)
    private let log: @Sendable (String) -> Void

    /// Listens on `path` (mode 0600). `preopened`: a store this process has open already (tollgated's own).
    public init(path: String, preopened: (DatabaseLocation, any PrintAccountingStore)? = nil,
                log: @escaping @Sendable (String) -> Void = { _ in }) throws(GateWireError) {
        self.path = path
        self.log = log
        if let (location, store) = preopened { stores.keep(store, for: location) }
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
        } catch {
            throw .protocolViolation("cannot make the directory of \(path): \(error)")
        }
        listener = try GateSocket.listen(path: path)
    }

    deinit {
        listener.close()
        unlink(path)
    }

    /// Accepts jobs until the process ends, each on its own thread.
    public func run() {
        while true {
            slots.wait()
            guard let connection = listener.accept() else {
                slots.signal()
                if errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE { usleep(10_000); continue }
                return
            }
            Thread.detachNewThread { [self] in
                defer { slots.signal() }
                serve(connection)
            }
        }
    }

    /// A verdict in the service's log.
    static func summary(_ verdict: GateVerdict) -> String {
        switch verdict {
        case .forward(let key, _): "printing, reserved as \(key ?? "nothing")"
        case .hold(let state, _): "held (\(state))"
        case .refuse(let code, _): "refused (\(code.constantName))"
        }
    }

    private func serve(_ connection: GateSocket) {
        defer { connection.close() }
        guard let uid = connection.peerUID, uid == 0 || uid == geteuid() else { return }
        connection.setReceiveTimeout(seconds: 30)
        guard let (bytes, fds) = try? connection.receive() else { return }
        let request = try? GateRequest(decoding: bytes)
        var analyser: AnalyserProcess?
        // The next job's analyser starts once this job is done (started at once, its start-up
        // would take a core from this job's real backend and settlement), after the backend's
        // stderr is closed: cupsd reads it to the end.
        defer { analyser.map { spares.replenish($0) } }
        defer { fds.forEach { close($0) } }
        guard case .admit(let arguments, let environment, let spooled)? = request, fds.count == (spooled ? 2 : 1),
              case .job(let job)? = try? BackendInvocation(arguments: arguments) else { return }
        let settings = Gatekeeper.Settings(environment: ProcessEnvironment.dictionary(environment))
        let document: JobDocument
        if spooled {
            document = .spool(descriptor: fds[1])
        } else if let file = job.file {
            document = .file(path: file)
        } else {
            return
        }
        let gate = Gatekeeper(settings: settings, log: BackendLog(fd: fds[0]), resources: GateResources(openStore: stores.open, spares: spares, cards: cards))
        analyser = AnalyserProcess(executable: settings.analyser)
        let verdict = gate.admit(job, document: document)
        let admitted = gate.admitted.flatMap { try? JSONEncoder().encode($0) }.map { Array($0) }
        let sent: Void? = try? connection.send(GateReply.verdict(verdict, admitted: admitted).encoded)
        // The service's own log, once the backend has its answer.
        log("tollgated: gate: job \(job.jobID) on \(settings.printer): \(Self.summary(verdict))")
        guard sent != nil else { return }
        guard case .forward(let reservation?, _) = verdict else { return }
        // The real backend runs now, for as long as the printer takes.
        connection.setReceiveTimeout(seconds: nil)
        while let (bytes, extra) = try? connection.receive() {
            extra.forEach { close($0) }
            guard let message = try? GateRequest(decoding: bytes) else { return }
            switch message {
            case .printing(let report, let scheme):
                gate.printing(job, reservation: reservation, report: report, scheme: scheme)
            case .finish(let run):
                gate.finish(job, reservation: reservation, run: run)
                try? connection.send(GateReply.finished.encoded)
                log("tollgated: gate: job \(job.jobID) on \(settings.printer): settled (\(run.termination))")
                return
            case .admit:
                return
            }
        }
    }
}

/// The stores the gate service keeps open, one per database location, for every job: opening
/// one (a PostgreSQL connection, TLS and SCRAM included; a SQLite file and its schema check) is
/// the part of a job worth keeping. Each store serialises its own transactions.
final class SharedStores: @unchecked Sendable {
    private let lock = NSLock()
    private var stores: [String: any PrintAccountingStore] = [:]

    func keep(_ store: any PrintAccountingStore, for location: DatabaseLocation) {
        lock.lock()
        defer { lock.unlock() }
        stores[location.path] = store
    }

    func open(_ location: DatabaseLocation) throws(QuotaError) -> any PrintAccountingStore {
        lock.lock()
        defer { lock.unlock() }
        if let store = stores[location.path] { return store }
        let store = try SQLQuotaStore.open(location)
        stores[location.path] = store
        return store
    }
}
