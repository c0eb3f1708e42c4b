// The `tollgate` CUPS backend: installed as $CUPS_SERVERBIN/backend/tollgate, mode 0700, owned
// by root. All logic lives in BackendCore; this file only hands it the process's argv and env.
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
