#if canImport(Glibc)
import Glibc
#endif

/// Runs `tollgate-analyse --json` as a child process with a wall-clock limit and decodes its
/// result: the way a privileged caller (the backend) analyses a hostile document without
/// parsing it itself.
///
/// The child reads the document on its stdin (`-`), so it never needs to open the caller's
/// private spool file by name; it applies rlimits to itself and, when started as root, drops to
/// `lp` (or `nobody`) before reading.
///
/// Failure policy: a child that cannot start, exceeds the time limit (it is killed with its
/// process group), exits non-zero or prints something that is not a `JobAnalysis` yields
/// ``AnalysisError/analyserFailed(_:)``; the caller then prices the job with its fallback.
public struct AnalyserProcess: Sendable {
    /// Path of the `tollgate-analyse` executable.
    public var executable: String
    /// Wall-clock limit for the whole analysis.
    public var timeout: Duration
    /// Largest JSON output accepted, in bytes.
    public var maxOutputBytes: Int

    public init(executable: String = "/usr/lib/tollgate/tollgate-analyse", timeout: Duration = .seconds(90),
                maxOutputBytes: Int = 64 << 20) {
        self.executable = executable
        self.timeout = timeout
        self.maxOutputBytes = maxOutputBytes
    }

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
        let child = ChildProcess(executable: executable, arguments: Self.arguments(for: options) + ["-"],
                                 stdinDescriptor: descriptor, timeout: timeout, newProcessGroup: true)
        switch child.start() {
        case .failed(let outcome): return PendingAnalysis(failure: .analyserFailed("tollgate-analyse \(outcome.description)"))
        case .running(let running): return PendingAnalysis(child: running, maxOutputBytes: maxOutputBytes)
        }
    }
}

/// A `tollgate-analyse` run in progress (see ``AnalyserProcess/start(descriptor:options:)``).
/// Dropping it without asking for the result kills the child.
public struct PendingAnalysis {
    private let child: ChildProcess.Running?
    private let failure: AnalysisError?
    private let maxOutputBytes: Int

    init(child: ChildProcess.Running, maxOutputBytes: Int) {
        self.child = child
        self.failure = nil
        self.maxOutputBytes = maxOutputBytes
    }

    init(failure: AnalysisError) {
        self.child = nil
        self.failure = failure
        self.maxOutputBytes = 0
    }

    /// Waits for the analyser and decodes its result. Call once.
    public func result() throws(AnalysisError) -> JobAnalysis {
        guard let child else { throw failure ?? .analyserFailed("tollgate-analyse did not start") }
        var output: [UInt8] = []
        var tooBig = false
        let limit = maxOutputBytes
        let outcome = child.finish { chunk in
            if output.count + chunk.count > limit { tooBig = true; return false }
            output.append(contentsOf: chunk)
            return true
        }
        if tooBig { throw .analyserFailed("tollgate-analyse printed more than \(limit) bytes") }
        guard outcome.succeeded else {
            throw .analyserFailed("tollgate-analyse \(outcome.description)")
        }
        do {
            return try JobAnalysis(json: output)
        } catch {
            throw .analyserFailed("tollgate-analyse printed output that is not a job analysis: \(error)")
        }
    }
}
