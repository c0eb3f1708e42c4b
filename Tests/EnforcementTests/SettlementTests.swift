import BackendCore
import Pricing
import Testing
@testable import Enforcement

/// What a finished job is charged, from its real backend's run: the exit code alone never decides.
@Suite struct SettlementTests {
    func run(_ termination: RealBackendTermination, cancelled: Bool = false, scheme: String = "ipp", lines: [String] = []) -> RealBackendRun {
        var report = PrinterStatusReport()
        for line in lines { report.read(line: Substring(line)) }
        return RealBackendRun(termination: termination, cancelled: cancelled, scheme: scheme, report: report)
    }

    @Test func aCompletedRunIsChargedInFull() {
        #expect(Settlement(run: run(.exited(0), lines: ["INFO: Connected to printer.", "PAGE: total 3"])) == .full)
    }

    /// The ipp backend exits 0 after the printer refused the document at Send-Document.
    @Test func aRefusedDocumentIsNotChargedWhateverTheExitCode() {
        for code: Int32 in [0, 5] {
            let refused = run(.exited(code), lines: ["INFO: Connected to printer.", "ERROR: Unable to add document to print job.", "PAGE: total 0"])
            guard case .nothing(let why) = Settlement(run: refused) else { Issue.record("charged after a refusal (exit \(code))"); continue }
            #expect(why.contains("refused"))
        }
    }

    /// The ipp backend cancels the printer's job and exits 0: the printer's count decides.
    @Test func anIPPCancelIsChargedWhatThePrinterMade() {
        #expect(Settlement(run: run(.exited(0), cancelled: true, lines: ["PAGE: total 0", "PAGE: total 4", "PAGE: total 2"])) == .impressions(4))
        guard case .nothing = Settlement(run: run(.exited(0), cancelled: true, lines: ["INFO: Waiting for job to complete.", "PAGE: total 0"])) else {
            Issue.record("a cancel before any impression was charged"); return
        }
    }

    /// socket and lpd cannot take back bytes the printer has: after the last one, a cancel or a
    /// failure is charged in full; before it, only what the printer reports.
    @Test func aByteSendersCancelAfterTheLastByteIsChargedInFull() {
        for (scheme, line) in [("socket", "INFO: Waiting for printer to finish."), ("socket", "INFO: Print file sent."),
                               ("lpd", "INFO: Data file sent successfully.")] {
            #expect(Settlement(run: run(.signaled(15, cancelled: true), cancelled: true, scheme: scheme, lines: [line])) == .full, "\(scheme)")
            #expect(Settlement(run: run(.exited(1), scheme: scheme, lines: [line])) == .full, "\(scheme) failing after the last byte")
        }
        guard case .nothing = Settlement(run: run(.signaled(15, cancelled: true), cancelled: true, scheme: "socket",
                                                  lines: ["INFO: Connected to printer."])) else {
            Issue.record("charged for a cancel before the data was sent"); return
        }
        // The ipp backend's printer can still cancel: "sent" is not "printed" there.
        guard case .nothing = Settlement(run: run(.exited(0), cancelled: true, scheme: "ipp", lines: ["INFO: Waiting for printer to finish."])) else {
            Issue.record("an ipp cancel was charged in full without the printer's count"); return
        }
    }

    @Test func statusLinesAreReadAsCupsdReadsThem() {
        var report = PrinterStatusReport()
        for line in ["PAGE: total 7", "PAGE: 1 1", "PAGE: total x", "INFO:Print file sent.", "DEBUG: Print file sent."] {
            report.read(line: Substring(line))
        }
        #expect(report.printerImpressions == 7)
        #expect(report.allDataSent, "no space needed after the prefix")
        var debugOnly = PrinterStatusReport()
        debugOnly.read(line: "DEBUG: Unable to add document to print job.")
        #expect(!debugOnly.documentRefused && !debugOnly.allDataSent)
    }

    @Test func aPartialJobPaysItsShareRoundedUpNeverMore() {
        let quote = Quote(cardName: "c", cardVersion: 1, currency: .eur, pageSides: 3, sheets: 3, copies: 1, items: [],
                          total: Money(minorUnits: 100, currency: .eur))
        #expect(Settlement.amount(forImpressions: 1, of: quote.total, pageSides: quote.pageSides).minorUnits == 34)
        #expect(Settlement.amount(forImpressions: 3, of: quote.total, pageSides: quote.pageSides).minorUnits == 100)
        #expect(Settlement.amount(forImpressions: 9, of: quote.total, pageSides: quote.pageSides).minorUnits == 100, "the printer's count never charges more than the price")
    }
}

extension SettlementTests {
    /// The printer stops the job itself (a jam, a cancel at its panel): the ipp backend may exit 0
    /// or 5; what the printer made is charged, and nothing without a count.
    @Test func aJobThePrinterEndsIsChargedWhatItMade() {
        for code: Int32 in [0, 5] {
            #expect(Settlement(run: run(.exited(code), lines: ["PAGE: total 0", "DEBUG: job-state enum aborted", "PAGE: total 2"])) == .impressions(2))
            guard case .nothing(let why) = Settlement(run: run(.exited(code), lines: ["DEBUG: (monitor) job-state = canceled"])) else {
                Issue.record("charged for a job the printer cancelled before printing (exit \(code))"); continue
            }
            #expect(why.contains("cancelled"))
        }
        guard case .nothing = Settlement(run: run(.exited(5), lines: ["ERROR: Print job canceled at printer."])) else {
            Issue.record("charged for a job cancelled at the printer"); return
        }
    }

    /// The printer's last word counts: a job it completed is charged in full, even if cupsd's
    /// cancel came after (the paper is out).
    @Test func aJobThePrinterCompletedIsChargedInFull() {
        #expect(Settlement(run: run(.exited(0), cancelled: true, lines: ["DEBUG: job-state enum processing", "DEBUG: job-state enum completed"])) == .full)
        var report = PrinterStatusReport()
        for line in ["DEBUG: job-state enum pending", "DEBUG: requested-attributes 1setOf keyword job-state,job-name", "DEBUG: job-state enum nonsense"] {
            report.read(line: Substring(line))
        }
        #expect(report.printerJobEnd == nil, "only the printer's terminal states are read")
    }
}
