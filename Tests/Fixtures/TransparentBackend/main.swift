// Test fixture: the backend wrapper without a gate (every job prints, nothing is charged), so
// that BackendCoreTests can check how the real backend is run without a cupsd and a database.
// The product `tollgate-backend` always has the gate; the end-to-end tests use that one.
import BackendCore
#if canImport(Glibc)
import Glibc
#endif

let signals = JobSignals()
signals.block()

var environment: [String] = []
var entry = environ
while let pointer = entry.pointee {
    environment.append(String(cString: pointer))
    entry += 1
}

BackendWrapper(environment: environment, signals: signals)
    .run(arguments: CommandLine.arguments)
    .endProcess()
