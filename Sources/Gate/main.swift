// tollgate-gate: a job decided and settled in this one process (Gatekeeper: cupsd's reads,
// analysis, price, the database), for when tollgated's gate service does not run. The
// `tollgate:` backend (Sources/Backend) becomes this program (exec, same argv and environment,
// the spooled job on stdin), so it runs as the backend would: root, under cupsd. Installed as
// /usr/lib/tollgate/tollgate-gate, never in cupsd's backend directory (cups-deviced would list it).
//
// With TOLLGATE_RESUME_ADMITTED and TOLLGATE_RESUME_RUN (set only by the backend, which removes
// them from what cupsd gave it): the job was admitted by the gate service, printed, and the
// service is gone: settle it from that admission and end as the real backend ended.
import BackendCore
import Enforcement
import Foundation
import GateWire

let signals = JobSignals()
signals.block()

let environment = ProcessEnvironment.entries()
let variables = ProcessEnvironment.dictionary(environment)
let settings = Gatekeeper.Settings(environment: variables)

if let admittedText = variables[LocalGateProgram.resumeAdmitted], let runText = variables[LocalGateProgram.resumeRun] {
    let log = BackendLog()
    guard let admitted = try? JSONDecoder().decode(AdmittedJob.self, from: Data(admittedText.utf8)),
          let run = try? RealBackendRun(hexEncoded: runText),
          case .job(let job)? = try? BackendInvocation(arguments: CommandLine.arguments) else {
        log.error("Tollgate: the job's admission cannot be read; tollgate reconcile settles it")
        BackendOutcome.exit(BackendExitCode.failed.rawValue).endProcess()
    }
    let gate = Gatekeeper(settings: settings, log: log, resuming: admitted)
    gate.finish(job, reservation: admitted.jobKey, run: run)
    BackendOutcome(run.termination).endProcess()
}

let gate = Gatekeeper(settings: settings)
// The gate, and the quota database it keeps open, live until the process ends. Releasing them
// only closed a connection that has nothing left to write (settlement commits with
// synchronous = FULL; the WAL is kept, never checkpointed on close) and disposed of GRDB's
// dispatch queue, which started a worker thread just before exit.
withExtendedLifetime(gate) {
    BackendWrapper(environment: LocalGateProgram.withoutResume(environment), signals: signals, gate: gate)
        .run(arguments: CommandLine.arguments)
        .endProcess()
}
