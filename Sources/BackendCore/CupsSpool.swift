/// Where cupsd keeps its jobs' documents as their users sent them: `RequestRoot` in
/// cups-files.conf (default `/var/spool/cups`), document D of job J in `dJJJJJ-DDD`. Readable by
/// root (the backend) while the job is being printed.
public struct CupsSpool: Equatable, Sendable {
    public var requestRoot: String

    public init(requestRoot: String = "/var/spool/cups") {
        self.requestRoot = requestRoot
    }

    /// Reads `RequestRoot` from the text of a cups-files.conf; the default when it is absent.
    public init(cupsFilesConf text: String) {
        self.init()
        for (name, value) in cupsFilesDirectives(text) where name == "requestroot" { requestRoot = value }
    }

    /// Reads `serverRoot/cups-files.conf`; the default when it cannot be read.
    public init(serverRoot: String) {
        if let text = readSmallFile(serverRoot + "/cups-files.conf", limit: 1 << 20) {
            self.init(cupsFilesConf: text)
        } else {
            self.init()
        }
    }

    /// The spool file of document `document` (1-based) of job `jobID`, as cupsd names it.
    public func documentPath(jobID: Int, document: Int) -> String {
        requestRoot + "/d" + CupsSpool.zeroPadded(jobID, 5) + "-" + CupsSpool.zeroPadded(document, 3)
    }

    static func zeroPadded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
