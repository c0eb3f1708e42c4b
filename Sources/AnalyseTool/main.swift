// tollgate-analyse: analyses one print document in its own rlimited, unprivileged process.
import CBackendSupport
import JobAnalysisCore
#if canImport(Glibc)
import Glibc
#endif

var arguments = Array(CommandLine.arguments.dropFirst())
if arguments == [AnalyserProcess.awaitDocumentFlag] {
    // A spare (SpareAnalysers): leave root and warm up, wait on the socket that is stdin for the
    // command line and the document, which becomes stdin; then run as if started with them.
    if let problem = SpareWarmUp.prepare() {
        AnalyseCommand.printError(problem)
        exit(AnalyserExitStatus.sandbox.rawValue)
    }
    guard let (received, document) = awaitDocument() else { exit(AnalyserExitStatus.usage.rawValue) }
    arguments = received
    guard dup2(document, 0) == 0 else { exit(AnalyserExitStatus.unreadable.rawValue) }
    close(document)
}
exit(AnalyseCommand.run(arguments: arguments))

/// The one message a spare gets: NUL-separated arguments and the document's descriptor.
func awaitDocument() -> ([String], Int32)? {
    var bytes = [UInt8](repeating: 0, count: 64 * 1024)
    var fd: Int32 = -1
    var count: Int32 = 0
    let n = bytes.withUnsafeMutableBytes { tollgate_receive_with_fds(0, $0.baseAddress, UInt($0.count), &fd, 1, &count) }
    guard n > 0, count == 1 else { return nil }
    let fields = bytes[..<n].split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    return (fields, fd)
}
