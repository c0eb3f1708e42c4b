// tollgate-analyse: analyses one print document in its own rlimited, unprivileged process.
#if canImport(Glibc)
import Glibc
#endif

exit(AnalyseCommand.run(arguments: Array(CommandLine.arguments.dropFirst())))
