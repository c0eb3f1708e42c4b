/// What cupsd asked the backend to do, from its argument vector.
public enum BackendInvocation: Equatable, Sendable {
    /// No arguments: list the devices this backend offers (`lpinfo -v`, cups-deviced).
    case discovery
    /// Print a job.
    case job(JobArguments)

    /// Reads argv as cupsd passes it: `URI job-id user title copies options [file]`.
    public init(arguments: [String]) throws(BackendError) {
        switch arguments.count {
        case 1:
            self = .discovery
        case 6, 7:
            self = .job(JobArguments(
                deviceURIArgument: arguments[0], jobID: arguments[1], user: arguments[2],
                title: arguments[3], copies: arguments[4], options: arguments[5],
                file: arguments.count == 7 ? arguments[6] : nil))
        default:
            throw .usage(program: arguments.first ?? WrappedDeviceURI.scheme)
        }
    }
}

/// argv[0…6] of a job, unchanged. The wrapper passes 1–5 to the real backend as they are (argv[5]
/// changed only to force a queue's job rule).
public struct JobArguments: Equatable, Sendable {
    /// argv[0]: the device URI without credentials (cupsd puts the full one in `DEVICE_URI`).
    public var deviceURIArgument: String
    public var jobID: String
    public var user: String
    public var title: String
    public var copies: String
    /// argv[5]: job options. Users can set these with `lp -o`: never read policy from them.
    public var options: String
    /// argv[6]: the print file, present only when cupsd ran no filter (raw queues).
    public var file: String?

    public init(deviceURIArgument: String, jobID: String, user: String, title: String,
                copies: String, options: String, file: String?) {
        self.deviceURIArgument = deviceURIArgument
        self.jobID = jobID
        self.user = user
        self.title = title
        self.copies = copies
        self.options = options
        self.file = file
    }

    /// The real backend's argument vector: argv[0] is the real URI as cupsd would show it,
    /// argv[1–5] are unchanged and argv[6] is kept when cupsd gave one. A job that came on stdin
    /// reaches the real backend on stdin: CUPS backends change behaviour on argc (the ipp backend
    /// repeats copies itself for a file argument and retries stdin jobs as raster), so the wrapper
    /// keeps the argument count cupsd chose.
    ///
    /// The title goes with its control characters turned into spaces: the ipp backend writes it
    /// into its status lines (`DEBUG: job-name …`), where a line break in a hostile title would
    /// forge the lines Tollgate charges by (`PAGE:`, `ERROR:`, the printer's job state). cupsd
    /// itself already turns them into spaces in the options (argv[5]). `options` replaces argv[5]
    /// when the gate forces a queue's job rule (``GateVerdict/forward(reservation:options:)``).
    public func realBackendArguments(realArgv0: String, options: String? = nil) -> [String] {
        let safeTitle = String(String.UnicodeScalarView(title.unicodeScalars.map {
            $0.properties.generalCategory == .control ? " " : $0
        }))
        var argv = [realArgv0, jobID, user, safeTitle, copies, options ?? self.options]
        if let file { argv.append(file) }
        return argv
    }
}
