// The `tollgate` CUPS backend: installed as $CUPS_SERVERBIN/backend/tollgate, mode 0700, owned
// by root. The wrapper lives in BackendCore, the decisions in Enforcement; this file only hands
// them the process's argv and env, and the gate: tollgated's gate service when it runs
// (ServedGate), else this process (Gatekeeper, which ServedGate also falls back to).
import BackendCore
import Enforcement
import GateService

let signals = JobSignals()
signals.block()

let environment = ProcessEnvironment.entries()
let variables = ProcessEnvironment.dictionary(environment)
let settings = Gatekeeper.Settings(environment: variables)
let gate: JobGate = variables["TOLLGATE_GATE_SOCKET"] == "off"
    ? Gatekeeper(settings: settings)
    : ServedGate(socketPath: variables["TOLLGATE_GATE_SOCKET"] ?? ServedGate.defaultPath, arguments: CommandLine.arguments,
                 environment: environment, settings: settings)
// The gate, and the quota database it keeps open, live until the process ends. Releasing them
// only closed a connection that has nothing left to write (settlement commits with
// synchronous = FULL; the WAL is kept, never checkpointed on close) and disposed of GRDB's
// dispatch queue, which started a worker thread just before exit.
withExtendedLifetime(gate) {
    BackendWrapper(environment: environment, signals: signals, gate: gate)
        .run(arguments: CommandLine.arguments)
        .endProcess()
}
