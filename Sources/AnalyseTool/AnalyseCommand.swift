import JobAnalysis
#if canImport(Glibc)
import Glibc
#endif

/// Exit statuses of tollgate-analyse.
enum ToolExit: Int32 {
    case ok = 0
    /// Bad command line.
    case usage = 2
    /// The document could not be opened or read.
    case unreadable = 3
    /// Sandboxing (rlimits, privilege drop) failed: nothing was analysed.
    case sandbox = 4
    /// The analysis could not be encoded.
    case internalError = 5
}

enum AnalyseCommand {
    static func run(arguments: [String]) -> Int32 {
        let parsed: ToolArguments
        do {
            parsed = try ToolArguments.parse(arguments)
        } catch {
            if !error.message.isEmpty { printError(error.message) }
            writeStderr(ToolArguments.usage + "\n")
            return error.message.isEmpty ? ToolExit.ok.rawValue : ToolExit.usage.rawValue
        }

        // Open the document with our current rights, then confine ourselves.
        let fd: Int32
        if parsed.document == "-" {
            fd = 0
        } else {
            fd = open(parsed.document, O_RDONLY | O_CLOEXEC)
            if fd < 0 {
                printError("cannot open \(parsed.document): " + String(cString: strerror(errno)))
                return ToolExit.unreadable.rawValue
            }
        }
        var st = stat()
        let size = fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG ? UInt64(st.st_size) : 0
        if let problem = Sandbox.dropPrivileges() ?? Sandbox.applyLimits(cpuSeconds: UInt64(parsed.timeoutSeconds) + 5,
                                                                       documentBytes: size) {
            printError(problem)
            return ToolExit.sandbox.rawValue
        }
        var limits = AnalysisLimits()
        limits.ghostscriptTimeout = .seconds(parsed.timeoutSeconds)
        if !parsed.render { limits.ghostscriptPath = nil }
        limits.renderAllPages = parsed.renderAll
        let analysis: JobAnalysis
        do {
            analysis = try DocumentAnalyser(limits: limits).analyse(descriptor: fd, options: parsed.options)
        } catch {
            printError(error.description)
            return ToolExit.unreadable.rawValue
        }
        if parsed.json {
            guard let json = analysis.jsonText else {
                printError("could not encode the analysis as JSON")
                return ToolExit.internalError.rawValue
            }
            writeStdout(json + "\n")
        } else {
            writeStdout(Summary.text(analysis, document: parsed.document))
        }
        return ToolExit.ok.rawValue
    }

    static func printError(_ message: String) { writeStderr("tollgate-analyse: \(message)\n") }

    static func writeStdout(_ s: String) { write(1, s) }
    static func writeStderr(_ s: String) { write(2, s) }

    private static func write(_ fd: Int32, _ s: String) {
        var bytes = Array(s.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}
