/// The job as the wrapper holds it when it asks the gate: the print file cupsd named in argv[6],
/// or the spool file holding what came on stdin.
public enum JobDocument: Sendable {
    case file(path: String)
    /// An open, rewound descriptor of the (unlinked) spool file.
    case spool(descriptor: Int32)
}

/// The gate's answer before the real backend runs.
public enum GateVerdict: Equatable, Sendable {
    /// Print: run the real backend. `reservation` names what to settle or release afterwards;
    /// `options`, when set, is the argv[5] the real backend gets instead of cupsd's (a queue's
    /// job rule forced on the printer, ``JobOptionsText``).
    case forward(reservation: String?, options: String? = nil)
    /// Do not print now: cupsd holds the job (`CUPS_BACKEND_HOLD`). `jobState` is the
    /// `JOBSTATE:` keyword (e.g. `account-limit-reached`), `message` what the user reads in
    /// `lpstat -l`.
    case hold(jobState: String, message: String)
    /// Do not print: end with `exitCode` (e.g. `retry` when the database is busy) after `message`.
    case refuse(exitCode: BackendExitCode, message: String)
}

/// What decides whether a job prints, and charges it: the seam between the CUPS-facing wrapper
/// (this module: libc and libcups only) and the use cases (Enforcement: analysis, pricing,
/// quotas). The wrapper asks ``admit(_:document:)`` after spooling and calls ``finish(_:reservation:run:)``
/// once the real backend has ended.
public protocol JobGate {
    func admit(_ job: JobArguments, document: JobDocument) -> GateVerdict
    func finish(_ job: JobArguments, reservation: String, run: RealBackendRun)
    /// What the real backend has reported so far while it prints (evidence kept for a backend
    /// that dies before ``finish(_:reservation:run:)``).
    func printing(_ job: JobArguments, reservation: String, report: PrinterStatusReport, scheme: String)
}
