// The `tollgate` CUPS backend: installed as $CUPS_SERVERBIN/backend/tollgate, mode 0700, owned
// by root. The wrapper lives in BackendCore, the decisions in Enforcement; this file only hands
// them the process's argv and env.
import BackendCore
import Enforcement
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

var settings: [String: String] = [:]
for entry in environment {
    if let eq = entry.firstIndex(of: "=") { settings[String(entry[..<eq])] = String(entry[entry.index(after: eq)...]) }
}
BackendWrapper(environment: environment, signals: signals,
               gate: Gatekeeper(settings: Gatekeeper.Settings(environment: settings)))
    .run(arguments: CommandLine.arguments)
    .endProcess()
