// The `tollgate` CUPS backend: installed as $CUPS_SERVERBIN/backend/tollgate, mode 0700, owned
// by root. A small program (BackendCore and the gate's wire; no Foundation, no database): the
// job is decided and settled by tollgated's gate service (ServedGate); without the service,
// this process becomes the gate program, tollgate-gate, which decides the job itself.
import BackendCore
import GateWire

let signals = JobSignals()
signals.block()

let environment = LocalGateProgram.withoutResume(ProcessEnvironment.entries())
let variables = ProcessEnvironment.dictionary(environment)
let program = LocalGateProgram(environment: variables)
let arguments = CommandLine.arguments

// Discovery (no arguments): the wrapper answers cups-deviced; no gate is needed.
guard arguments.count > 1 else {
    BackendWrapper(environment: environment, signals: signals).run(arguments: arguments).endProcess()
}
let socketPath = variables["TOLLGATE_GATE_SOCKET"] ?? ServedGate.defaultPath
guard socketPath != "off", let connection = GateSocket.connect(path: socketPath) else {
    // No service: the gate program decides the job, before anything of it is read here.
    let log = BackendLog()
    if case .hold(let jobState, let message) = program.decide(arguments: arguments, environment: environment, stdin: nil, log: log) {
        log.emit("JOBSTATE", jobState)
        log.error(message)
        BackendOutcome.exit(BackendExitCode.hold.rawValue).endProcess()
    }
    BackendOutcome.exit(BackendExitCode.retry.rawValue).endProcess()
}
let gate = ServedGate(connection: connection, arguments: arguments, environment: environment, program: program)
withExtendedLifetime(gate) {
    BackendWrapper(environment: environment, signals: signals, gate: gate)
        .run(arguments: arguments)
        .endProcess()
}
