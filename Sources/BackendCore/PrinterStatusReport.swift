/// What the real backend's status lines (its stderr, passed on to cupsd unchanged) say about
/// what reached the printer — evidence for charging what printed, not an exit code alone.
///
/// Read from CUPS 2.4's backends (backend/ipp.c, socket.c, lpd.c, usb): the texts below are
/// theirs. Lines are matched whole, after the `INFO:`/`ERROR:` prefix cupsd itself reads.
public struct PrinterStatusReport: Equatable, Sendable {
    /// A byte-sending backend (socket, lpd, usb) said the whole print file reached the printer.
    public var allDataSent = false
    /// The printer refused the document (the ipp backend then ends with 0 or 5 alike).
    public var documentRefused = false
    /// The printer's own count of impressions made (the ipp backend's `PAGE: total N`, from
    /// job-impressions-completed or an SNMP page counter): the largest reported.
    public var printerImpressions: Int?
    /// How the printer's own job ended, as the ipp backend last read it from the printer
    /// (Get-Job-Attributes); nil while it runs, and for backends that cannot know.
    public var printerJobEnd: PrinterJobEnd?

    public init() {}

    public mutating func read(line: Substring) {
        if line.hasPrefix("PAGE: total ") {
            if let count = Int(line.dropFirst("PAGE: total ".count).prefix(while: \.isNumber)) {
                printerImpressions = max(printerImpressions ?? 0, count)
            }
        } else if line.hasPrefix("INFO:") {
            let text = line.dropFirst(5).drop(while: { $0 == " " })
            if PrinterStatusReport.allSentTexts.contains(where: { text.hasPrefix($0) }) { allDataSent = true }
        } else if line.hasPrefix("ERROR:") {
            let text = line.dropFirst(6).drop(while: { $0 == " " })
            if PrinterStatusReport.refusedTexts.contains(where: { text.hasPrefix($0) }) { documentRefused = true }
            if text.hasPrefix(PrinterStatusReport.canceledAtPrinterText) { printerJobEnd = .canceled }
        } else if line.hasPrefix("DEBUG: ") {
            // The ipp backend writes every attribute of the printer's answers as a DEBUG line
            // (`DEBUG: job-state enum aborted`), and its monitor thread the state it polled.
            for prefix in PrinterStatusReport.jobStatePrefixes where line.hasPrefix(prefix) {
                if let end = PrinterJobEnd(rawValue: String(line.dropFirst(prefix.count).prefix(while: { !$0.isWhitespace }))) {
                    printerJobEnd = end
                }
            }
        }
    }

    /// socket: "Print file sent." (file argument) and "Waiting for printer to finish." (after the
    /// last byte, either way); lpd: "Data file sent successfully."; usb has none.
    static let allSentTexts = ["Print file sent.", "Waiting for printer to finish.", "Data file sent successfully."]
    /// ipp: the printer answered Send-Document or Print-Job with a refusal.
    /// ipp: the printer's job-state, in a printer's answer and in the monitor's poll.
    static let jobStatePrefixes = ["DEBUG: job-state enum ", "DEBUG: (monitor) job-state = "]
    /// ipp: the printer cancelled or aborted the job itself (the backend then exits 5).
    static let canceledAtPrinterText = "Print job canceled at printer."
    static let refusedTexts = ["Unable to add document to print job.", "Print job was not accepted.",
                               "Printer cannot print supplied content.", "Printer cannot print with supplied options."]
}

/// The terminal states of the printer's job (RFC 8011 job-state 7, 8, 9), as the ipp backend names them.
public enum PrinterJobEnd: String, Equatable, Sendable {
    case canceled, aborted, completed
}

/// How the real backend's run ended, and what it showed on the way.
public struct RealBackendRun: Equatable, Sendable {
    public var termination: RealBackendTermination
    /// Whether the wrapper passed cupsd's cancel (SIGTERM …) on to it, whatever its exit code
    /// (the ipp backend cancels the printer's job and exits 0).
    public var cancelled: Bool
    /// The real backend's URI scheme (`ipp`, `socket`, …).
    public var scheme: String
    public var report: PrinterStatusReport

    public init(termination: RealBackendTermination, cancelled: Bool, scheme: String, report: PrinterStatusReport = PrinterStatusReport()) {
        self.termination = termination
        self.cancelled = cancelled
        self.scheme = scheme
        self.report = report
    }
}
