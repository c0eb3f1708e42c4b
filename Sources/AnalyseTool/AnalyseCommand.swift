import JobAnalysis
#if canImport(Glibc)
import Glibc
#endif

enum AnalyseCommand {
    static func run(arguments: [String]) -> Int32 {
        let parsed: ToolArguments
        do {
            parsed = try ToolArguments.parse(arguments)
        } catch {
            if !error.message.isEmpty { printError(error.message) }
            writeStderr(ToolArguments.usage + "\n")
            return error.message.isEmpty ? AnalyserExitStatus.ok.rawValue : AnalyserExitStatus.usage.rawValue
        }

        // Open the document with our current rights, then confine ourselves.
        let fd: Int32
        if parsed.document == "-" {
            fd = 0
        } else {
            fd = open(parsed.document, O_RDONLY | O_CLOEXEC)
            if fd < 0 {
                printError("cannot open \(parsed.document): " + String(cString: strerror(errno)))
                return AnalyserExitStatus.unreadable.rawValue
            }
        }
        var st = stat()
        let isFile = fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
        var limits = AnalysisLimits()
        limits.ghostscriptTimeout = parsed.timeoutSeconds.map { .seconds($0) }
        if !parsed.render { limits.ghostscriptPath = nil }
        limits.renderAllPages = parsed.renderAll
        // A pipe's size is unknown until read: it gets the time of the largest document accepted.
        let size = isFile ? Int(st.st_size) : limits.maxDocumentBytes
        if let problem = Sandbox.dropPrivileges() ?? Sandbox.applyLimits(limits, documentBytes: size) {
            printError(problem)
            return AnalyserExitStatus.sandbox.rawValue
        }
        let analysis: JobAnalysis
        do {
            analysis = try DocumentAnalyser(limits: limits).analyse(descriptor: fd, options: parsed.options)
        } catch {
            printError(error.description)
            return AnalyserExitStatus.unreadable.rawValue
        }
        if parsed.json {
            guard let json = analysis.jsonText else {
                printError("could not encode the analysis as JSON")
                return AnalyserExitStatus.internalError.rawValue
            }
            writeStdout(json + "\n")
            // The whole answer is out: the caller may take it now, before this process's exit
            // (its teardown) is done.
            close(1)
        } else {
            writeStdout(Summary.text(analysis, document: parsed.document))
        }
        return AnalyserExitStatus.ok.rawValue
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
