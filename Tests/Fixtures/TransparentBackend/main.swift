// Test fixture: the backend wrapper without a gate (every job prints, nothing is charged), so
// that BackendCoreTests can check how the real backend is run without a cupsd and a database.
// The product `tollgate-backend` always has the gate; the end-to-end tests use that one.
import BackendCore

let signals = JobSignals()
signals.block()

BackendWrapper(environment: ProcessEnvironment.entries(), signals: signals)
    .run(arguments: CommandLine.arguments)
    .endProcess()
