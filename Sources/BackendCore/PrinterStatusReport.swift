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
        }
    }

    /// socket: "Print file sent." (file argument) and "Waiting for printer to finish." (after the
    /// last byte, either way); lpd: "Data file sent successfully."; usb has none.
    static let allSentTexts = ["Print file sent.", "Waiting for printer to finish.", "Data file sent successfully."]
    /// ipp: the printer answered Send-Document or Print-Job with a refusal.
    static let refusedTexts = ["Unable to add document to print job.", "Print job was not accepted.",
                               "Printer cannot print supplied content.", "Printer cannot print with supplied options."]
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
