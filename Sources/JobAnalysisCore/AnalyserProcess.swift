import CBackendSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Exit statuses of `tollgate-analyse`, shared by the tool and its client.
public enum AnalyserExitStatus: Int32, Sendable {
    /// The analysis is on stdout (possibly a ``JobAnalysis/failure``).
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

/// Runs `tollgate-analyse --json` as a child process with a wall-clock limit and decodes its
/// result: the way a privileged caller (the backend) analyses a hostile document without
/// parsing it itself.
///
/// The child reads the document on its stdin (`-`), so it never needs to open the caller's
/// private spool file by name; it applies rlimits to itself and, when started as root, drops to
/// `lp` (or `nobody`) before reading.
///
/// Failure policy: what the document does to the analyser is a ``JobAnalysis/failure`` (the
/// analyser killed at the time limit or by its CPU limit: `timedOut`; killed by another signal,
/// an unexpected exit status, output that is not an analysis: `crashed`), with the format and
/// page bound this side reads from the document's first bytes and size (``PageBound``), so the
/// caller prices by the bound or holds the job. Only an analyser that cannot run at all (missing,
/// cannot confine itself) throws ``AnalysisError/analyserFailed(_:)``.
public struct AnalyserProcess: Sendable {
    /// Path of the `tollgate-analyse` executable.
    public var executable: String
    /// Wall-clock limit for the whole analysis; `nil`: ``AnalysisLimits/analysisTime(documentBytes:)``
    /// for the document's size.
    public var timeout: Duration?
    /// Largest JSON output accepted, in bytes.
    public var maxOutputBytes: Int

    public init(executable: String = "/usr/lib/tollgate/tollgate-analyse", timeout: Duration? = nil,
                maxOutputBytes: Int = 64 << 20) {
        self.executable = executable
        self.timeout = timeout
        self.maxOutputBytes = maxOutputBytes
    }

    /// The argument of a spare (``SpareAnalysers``): its stdin is a socket on which one message
    /// comes, the command line (NUL-separated) with the document's descriptor attached.
    public static let awaitDocumentFlag = "--await-document"

    /// The command-line arguments that express `options` (without the document operand).
    public static func arguments(for options: JobOptions) -> [String] {
        var args = ["--json", "--copies", String(options.copies), "--number-up", String(options.numberUp),
                    "--sides", options.sides.rawValue, "--color-mode", options.colourMode.rawValue]
        if !options.pageRanges.isEmpty {
            let text = options.pageRanges.map { r in
                r.upperBound == Int.max ? "\(r.lowerBound)-" : r.lowerBound == r.upperBound ? "\(r.lowerBound)" : "\(r.lowerBound)-\(r.upperBound)"
            }.joined(separator: ",")
            args += ["--page-ranges", text]
        }
        if let name = options.jobName { args += ["--job-name", name] }
        if let app = options.applicationName { args += ["--app", app] }
        return args
    }

    /// Analyses the file at `path` (opened here for reading, closed afterwards).
    public func analyse(path: String, options: JobOptions) throws(AnalysisError) -> JobAnalysis {
        try start(path: path, options: options).result()
    }

    /// Analyses the document open on `descriptor` (a regular file; rewound, not closed).
    public func analyse(descriptor: Int32, options: JobOptions) throws(AnalysisError) -> JobAnalysis {
        try start(descriptor: descriptor, options: options).result()
    }

    /// Starts analysing the file at `path` and returns while `tollgate-analyse` runs; the caller
    /// may do other work, then asks ``PendingAnalysis/result()``.
    public func start(path: String, options: JobOptions) -> PendingAnalysis {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return PendingAnalysis(failure: .cannotOpen(path: path, reason: String(cString: strerror(errno)))) }
        // The child has its own copy of the descriptor once posix_spawn returns.
        defer { close(fd) }
        return start(descriptor: fd, options: options)
    }

    /// Starts analysing the document open on `descriptor` (a regular file; rewound, not closed;
    /// the child reads its own copy, so the caller may close it at once).
    public func start(descriptor: Int32, options: JobOptions) -> PendingAnalysis {
        let document = DocumentFacts(descriptor: descriptor)
        let limit = timeout ?? AnalysisLimits().analysisTime(documentBytes: document.byteCount ?? AnalysisLimits().maxDocumentBytes)
        let child = ChildProcess(executable: executable, arguments: Self.arguments(for: options) + ["-"],
                                 stdinDescriptor: descriptor, timeout: limit, newProcessGroup: true)
        switch child.start() {
        case .failed(let outcome): return PendingAnalysis(failure: .analyserFailed("tollgate-analyse \(outcome.description)"))
        case .running(let running):
            return PendingAnalysis(child: running, document: document, options: options, timeout: limit, maxOutputBytes: maxOutputBytes)
        }
    }
}

/// `tollgate-analyse --await-document` processes started before their document is known, one
/// waiting per analyser executable: the gate service hands each job's document to one (its
/// start-up, about 5 ms of loading and initialising libraries, is then off the job's path) and
/// starts the next. Each document still gets a process of its own, which confines itself (rlimits
/// for that document's size, root dropped) only once it has the document, exactly as a fresh one.
///
/// Failure policy: a spare that died, or cannot take the document, is replaced by a fresh
/// process for the job (``AnalyserProcess/start(descriptor:options:)``): never no analysis.
public final class SpareAnalysers: @unchecked Sendable {
    private struct Spare: @unchecked Sendable {
        let child: ChildProcess.Running
        let socket: Int32
    }

    private let waiting = Mutex<[String: Spare]>([:])
    /// Analysers whose answer was taken before they had exited (``adopt(_:)``).
    private let exiting = Mutex<[Exiting]>([])
    private struct Exiting: @unchecked Sendable {
        let child: ChildProcess.Running
    }

    public init() {}

    deinit {
        waiting.withLock { spares in spares.values.forEach { close($0.socket) } }
    }

    /// Starts analysing the document on `descriptor` with a waiting spare of `analyser`'s
    /// executable, else with a new process.
    public func start(_ analyser: AnalyserProcess, descriptor: Int32, options: JobOptions) -> PendingAnalysis {
        let spare = waiting.withLock { $0.removeValue(forKey: analyser.executable) }
        guard let spare else { return analyser.start(descriptor: descriptor, options: options) }
        defer { close(spare.socket) }
        let document = DocumentFacts(descriptor: descriptor)
        let limit = analyser.timeout ?? AnalysisLimits().analysisTime(documentBytes: document.byteCount ?? AnalysisLimits().maxDocumentBytes)
        var request = Array((AnalyserProcess.arguments(for: options) + ["-"]).joined(separator: "\u{0}").utf8)
        var fd = descriptor
        lseek(descriptor, 0, SEEK_SET)
        let sent = request.withUnsafeMutableBytes { raw in tollgate_send_with_fds(spare.socket, raw.baseAddress, UInt(raw.count), &fd, 1) }
        guard sent == request.count else { return analyser.start(descriptor: descriptor, options: options) }
        spare.child.deadline = ContinuousClock().now.advanced(by: limit)
        return PendingAnalysis(child: spare.child, document: document, options: options, timeout: limit, maxOutputBytes: analyser.maxOutputBytes,
                               reaper: self)
    }

    /// Keeps an analyser that has answered until it has exited (reaped by ``replenish(_:)``).
    func adopt(_ child: ChildProcess.Running) {
        guard !child.reapIfExited() else { return }
        let kept = Exiting(child: child)
        exiting.withLock { $0.append(kept) }
    }

    /// Starts a spare of `analyser`'s executable if none is waiting (call off a job's path), and
    /// reaps the analysers that have exited since they answered.
    public func replenish(_ analyser: AnalyserProcess) {
        exiting.withLock { children in children.removeAll { $0.child.reapIfExited() } }
        guard waiting.withLock({ $0[analyser.executable] == nil }) else { return }
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else { return }
        defer { close(pair[1]) }
        // Days: the wait for a document is not the analysis's time; that limit is set when the
        // document is handed over.
        let child = ChildProcess(executable: analyser.executable, arguments: [AnalyserProcess.awaitDocumentFlag],
                                 stdinDescriptor: pair[1], timeout: .seconds(86_400 * 365), newProcessGroup: true)
        guard case .running(let running) = child.start() else { close(pair[0]); return }
        let kept = waiting.withLock { spares in
            guard spares[analyser.executable] == nil else { return false }
            spares[analyser.executable] = Spare(child: running, socket: pair[0])
            return true
        }
        // Another thread was quicker: this one is killed and reaped as it is dropped.
        if !kept { close(pair[0]) }
    }
}

/// What the caller itself knows of a document, for when the analyser does not answer: its size
/// and first bytes (read at the start, as the caller may close the descriptor meanwhile; the
/// format is detected from them only if needed, without interpreting anything).
struct DocumentFacts: Sendable {
    /// The size of a regular file; `nil` for a pipe.
    var byteCount: Int?
    var head: [UInt8]

    init(descriptor: Int32) {
        var st = stat()
        guard fstat(descriptor, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { byteCount = nil; head = []; return }
        byteCount = Int(st.st_size)
        head = [UInt8](repeating: 0, count: min(4096, Int(st.st_size)))
        let n = head.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        head.removeLast(head.count - max(0, n))
    }

    /// The analysis that says the analyser failed, with this document's bound.
    func failed(_ kind: AnalysisFailure.Kind, _ detail: String, options: JobOptions) -> JobAnalysis {
        var (format, reason) = FormatDetector.detect(head)
        if byteCount == nil { (format, reason) = (.unknown, "not a regular file") }
        // Failure policy: bytes that could not be read bound nothing.
        let bound = byteCount.flatMap { size in
            head.count == min(4096, size) ? PageBound.forDocument(format: format, byteCount: size) : nil
        }
        return JobAnalysis(failure: AnalysisFailure(kind: kind, detail: detail, pageBound: bound), format: format,
                           formatReason: format == .unknown ? reason : nil, options: options)
    }
}

/// A `tollgate-analyse` run in progress (see ``AnalyserProcess/start(descriptor:options:)``).
/// Dropping it without asking for the result kills the child.
public struct PendingAnalysis {
    private let child: ChildProcess.Running?
    /// Who reaps the child once its output is complete (the gate service's spares); nil: this
    /// call waits for the child's exit.
    private let reaper: SpareAnalysers?
    private let failure: AnalysisError?
    private let document: DocumentFacts?
    private let options: JobOptions
    private let timeout: Duration
    private let maxOutputBytes: Int

    init(child: ChildProcess.Running, document: DocumentFacts, options: JobOptions, timeout: Duration, maxOutputBytes: Int,
         reaper: SpareAnalysers? = nil) {
        self.child = child
        self.reaper = reaper
        self.failure = nil
        self.document = document
        self.options = options
        self.timeout = timeout
        self.maxOutputBytes = maxOutputBytes
    }

    init(failure: AnalysisError) {
        self.child = nil
        self.reaper = nil
        self.failure = failure
        self.document = nil
        self.options = JobOptions()
        self.timeout = .zero
        self.maxOutputBytes = 0
    }

    /// Waits for the analyser and decodes its result. Call once. Throws only when the analyser
    /// could not run (see ``AnalyserProcess``); what the document did to it is the result's
    /// ``JobAnalysis/failure``.
    public func result() throws(AnalysisError) -> JobAnalysis {
        guard let child, let document else { throw failure ?? .analyserFailed("tollgate-analyse did not start") }
        var output: [UInt8] = []
        var tooBig = false
        let limit = maxOutputBytes
        let early = child.readOutput { chunk in
            if output.count + chunk.count > limit { tooBig = true; return false }
            output.append(contentsOf: chunk)
            return true
        }
        // The analyser closes its output once the analysis is written: a whole analysis needs
        // no wait for the process's exit (its teardown), which the reaper collects later. What
        // is not a whole analysis waits for the exit status, which says why.
        if early == nil, let reaper, let analysis = try? JobAnalysis(json: output) {
            reaper.adopt(child)
            return analysis
        }
        let outcome = child.reap(after: early)
        func failed(_ kind: AnalysisFailure.Kind, _ detail: String) -> JobAnalysis {
            document.failed(kind, detail, options: options)
        }
        if tooBig { return failed(.crashed, "tollgate-analyse printed more than \(limit) bytes") }
        switch outcome {
        case .exited(AnalyserExitStatus.ok.rawValue):
            do {
                return try JobAnalysis(json: output)
            } catch {
                return failed(.crashed, "tollgate-analyse printed output that is not a job analysis: \(error)")
            }
        case .exited(AnalyserExitStatus.usage.rawValue):
            throw .analyserFailed("tollgate-analyse refused its command line")
        case .exited(AnalyserExitStatus.sandbox.rawValue):
            throw .analyserFailed("tollgate-analyse could not confine itself (rlimits, dropping root)")
        case .exited(AnalyserExitStatus.unreadable.rawValue):
            throw .analyserFailed("tollgate-analyse could not read the document it was given")
        case .timedOut:
            return failed(.timedOut, "tollgate-analyse was stopped after \(secondsText(timeout))")
        case .signalled(SIGXCPU):
            return failed(.timedOut, "tollgate-analyse used up its CPU time")
        case .signalled(SIGXFSZ):
            return failed(.tooLarge, "tollgate-analyse reached its file size limit")
        case .exited, .signalled, .stoppedByReader, .couldNotStart:
            return failed(.crashed, "tollgate-analyse \(outcome.description)")
        }
    }
}
