// The `tollgate` CUPS backend: installed as $CUPS_SERVERBIN/backend/tollgate, mode 0700, owned
// by root. The wrapper lives in BackendCore, the decisions in Enforcement; this file only hands
// them the process's argv and env.
import BackendCore
import Enforcement

let signals = JobSignals()
signals.block()

let environment = ProcessEnvironment.entries()
let settings = Gatekeeper.Settings(environment: ProcessEnvironment.dictionary(environment))
let gate = Gatekeeper(settings: settings)
// The gate, and the quota database it keeps open, live until the process ends. Releasing them
// only closed a connection that has nothing left to write (settlement commits with
// synchronous = FULL; the WAL is kept, never checkpointed on close) and disposed of GRDB's
// dispatch queue, which started a worker thread just before exit.
withExtendedLifetime(gate) {
    BackendWrapper(environment: environment, signals: signals, gate: gate)
        .run(arguments: CommandLine.arguments)
        .endProcess()
}
