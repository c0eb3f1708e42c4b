// The `tollgate` CUPS backend: installed as $CUPS_SERVERBIN/backend/tollgate, mode 0700, owned
// by root. The wrapper lives in BackendCore, the decisions in Enforcement; this file only hands
// them the process's argv and env.
import BackendCore
import Enforcement

let signals = JobSignals()
signals.block()

let environment = ProcessEnvironment.entries()
let settings = Gatekeeper.Settings(environment: ProcessEnvironment.dictionary(environment))
BackendWrapper(environment: environment, signals: signals, gate: Gatekeeper(settings: settings))
    .run(arguments: CommandLine.arguments)
    .endProcess()
