import Foundation
import Testing
import TestSupport

/// Per-queue job rules (`lpadmin -o tollgate-max-pages-default=…` and friends), checked on the
/// price as the job will print: a job that breaks one is held or cancelled with the reason,
/// nothing reaches the printer and nothing is charged.
@Suite(.serialized) struct JobRulesEndToEndTests {

    @Test func aJobOverThePageLimitIsHeldWithTheReason() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: ["-o", "tollgate-mode-default=quota", "-o", "tollgate-max-pages-default=5"])
        try bench.tollgate(["topup", "root", "5.00"])
        let docs = try TemporaryDirectory()
        let big = try bench.submit(try TestDocuments.pdf(pages: 3, in: docs.path, name: "big.pdf"), queue: "lab", options: ["copies=2"])
        let held = try bench.waitForJob(big, in: ["pending-held", "completed", "aborted"])
        #expect(held.state == "pending-held")
        #expect(held.message.contains("at most 5 printed sides; this one has 6"), "copies count: \(held.message)")
        let small = try bench.submit(try TestDocuments.pdf(pages: 5, in: docs.path, name: "small.pdf"), queue: "lab")
        #expect(try bench.waitForJob(small, in: ["pending-held", "completed", "aborted"]).state == "completed")
        #expect(try bench.receivedDocuments().count == 1, "only the job within the limit printed")
        let kinds = try bench.ledgerKinds()
        #expect(kinds == ["top-up", "reserve", "debit"], "the held job reserved nothing")
    }

    @Test func aJobOverThePriceLimitIsCancelledWhenTheQueueSaysSo() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: ["-o", "tollgate-mode-default=track", "-o", "tollgate-max-cost-default=0.50",
                                                         "-o", "tollgate-over-limit-default=cancel"])
        let docs = try TemporaryDirectory()
        // 10 A4 mono sides 0.50 + 10 sheets 0.05 = 0.55 EUR.
        let job = try bench.submit(try TestDocuments.pdf(pages: 10, in: docs.path), queue: "lab")
        let done = try bench.waitForJob(job, in: ["canceled", "completed", "aborted", "pending-held"])
        #expect(done.state == "canceled", "\(done)")
        #expect(bench.errorLog.contains("at most 0.50 EUR; this one costs 0.55 EUR"))
        #expect(try bench.receivedDocuments().isEmpty)
        let kinds = try bench.ledgerKinds()
        #expect(kinds.isEmpty, "a track queue charged nothing for a job it did not print")
    }

    @Test func aBlackAndWhiteQueueHoldsColourJobs() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: ["-o", "tollgate-mode-default=track", "-o", "tollgate-colour-default=deny"])
        let docs = try TemporaryDirectory()
        let colour = try bench.submit(try TestDocuments.pdf(pages: 3, colorPages: [2], in: docs.path, name: "colour.pdf"), queue: "lab",
                                      options: ["print-color-mode=color"])
        let held = try bench.waitForJob(colour, in: ["pending-held", "completed", "aborted"])
        #expect(held.state == "pending-held")
        #expect(held.message.contains("black and white only; this job has 1 colour page"), "\(held.message)")
        let grey = try bench.submit(try TestDocuments.pdf(pages: 3, in: docs.path, name: "grey.pdf"), queue: "lab")
        #expect(try bench.waitForJob(grey, in: ["pending-held", "completed", "aborted"]).state == "completed")
        #expect(try bench.receivedDocuments().count == 1)
    }

    @Test func aMalformedRuleHoldsTheJob() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: ["-o", "tollgate-mode-default=track", "-o", "tollgate-max-pages-default=many"])
        let docs = try TemporaryDirectory()
        let job = try bench.submit(try TestDocuments.pdf(pages: 1, in: docs.path), queue: "lab")
        let held = try bench.waitForJob(job, in: ["pending-held", "completed", "aborted"])
        #expect(held.state == "pending-held", "never printed unchecked")
        #expect(held.message.contains("tollgate-max-pages-default"), "\(held.message)")
        #expect(try bench.receivedDocuments().isEmpty)
    }

    /// Makes the bench's printer write the job attributes it received for each document
    /// (ippeveprinter gives its print command each as `IPP_NAME=value`) into `dir`; returns a
    /// reader of everything it wrote.
    func recordPrinterAttributes(_ bench: CupsBench, printer: Int = 1, into dir: String) throws -> () -> String {
        try bench.setPrintCommand("env | grep '^IPP_' > '\(dir)'/\"$(basename \"$1\")\".env\nexit 0", printer: printer)
        return {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            return files.sorted().compactMap { try? String(contentsOfFile: dir + "/" + $0, encoding: .utf8) }.joined(separator: "\n")
        }
    }

    static let forcedStates: Set<String> = ["pending-held", "completed", "aborted", "canceled"]

    @Test func aGreyQueueMakesThePrinterPrintMonochromeAndChargesMono() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: ["-o", "tollgate-mode-default=quota", "-o", "tollgate-colour-default=grey"])
        try bench.addQueue("office", kind: "everywhere", options: ["-o", "tollgate-mode-default=quota", "-o", "tollgate-colour-default=grey"])
        let user = try SystemUser(prefix: "tggrey")
        try bench.tollgate(["topup", user.name, "2.00"])
        let docs = try TemporaryDirectory(), seen = try TemporaryDirectory()
        let received = try recordPrinterAttributes(bench, into: seen.path)
        // 3 pages, 2 in colour: 3 mono sides 0.15 + 3 sheets 0.015 = 0.165 → 0.17 EUR (in colour: 0.57).
        let pdf = try TestDocuments.pdf(pages: 3, colorPages: [2, 3], in: docs.path, name: "colour.pdf")
        // The user asks for colour every way the ipp backend and cupsd's filters understand.
        let raw = try bench.submit(pdf, queue: "lab", options: ["print-color-mode=color", "ColorModel=RGB"], user: user)
        let done = try bench.waitForJob(raw, in: Self.forcedStates)
        #expect(done.state == "completed", "\(done)")
        #expect(received().contains("IPP_PRINT_COLOR_MODE=monochrome"), "the printer was told: \(received())")
        #expect(!received().contains("IPP_PRINT_COLOR_MODE=color"))
        #expect(try bench.wallet(user.name) == "1.83 EUR", "charged the mono price")

        // A filtered (IPP Everywhere) queue: the printer gets the filters' PDF, told monochrome too.
        let filtered = try bench.submit(pdf, queue: "office", options: ["print-color-mode=color"], user: user)
        let printed = try bench.waitForJob(filtered, in: Self.forcedStates)
        #expect(printed.state == "completed", "\(printed)")
        #expect(received().components(separatedBy: "IPP_PRINT_COLOR_MODE=monochrome").count == 3, "\(received())")
        #expect(try bench.wallet(user.name) == "1.66 EUR", "charged the mono price again")
        #expect(try bench.receivedDocuments().count == 2)
    }

    @Test func aForceDuplexQueueMakesThePrinterPrintTwoSidedAndChargesTheSheets() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: ["-o", "tollgate-mode-default=quota", "-o", "tollgate-duplex-default=force"])
        let user = try SystemUser(prefix: "tgdup")
        try bench.tollgate(["topup", user.name, "1.00"])
        let docs = try TemporaryDirectory(), seen = try TemporaryDirectory()
        let received = try recordPrinterAttributes(bench, into: seen.path)
        // 2 mono sides two-sided 0.08 + 1 sheet 0.005 = 0.085 → 0.09 EUR (one-sided: 0.11).
        let job = try bench.submit(try TestDocuments.pdf(pages: 2, in: docs.path), queue: "lab",
                                   options: ["sides=one-sided", "Duplex=None"], user: user)
        let done = try bench.waitForJob(job, in: Self.forcedStates)
        #expect(done.state == "completed", "\(done)")
        #expect(received().contains("IPP_SIDES=two-sided-long-edge"), "the printer was told: \(received())")
        #expect(!received().contains("IPP_SIDES=one-sided"))
        #expect(try bench.wallet(user.name) == "0.91 EUR", "charged 1 sheet two-sided")
        #expect(try bench.ledgerKinds() == ["top-up", "reserve", "debit"])
    }

    @Test func aPrinterThatCannotDuplexHoldsTheJobsItWouldPrintOneSided() throws {
        let bench = try CupsBench(oneSided: [1])
        try bench.addQueue("lab", kind: "raw", options: ["-o", "tollgate-mode-default=quota", "-o", "tollgate-duplex-default=force"])
        let user = try SystemUser(prefix: "tgsimp")
        try bench.tollgate(["topup", user.name, "1.00"])
        let docs = try TemporaryDirectory()
        let two = try bench.submit(try TestDocuments.pdf(pages: 2, in: docs.path, name: "two.pdf"), queue: "lab", user: user)
        let held = try bench.waitForJob(two, in: Self.forcedStates)
        #expect(held.state == "pending-held", "\(held)")
        #expect(held.message.contains("two-sided only") && held.message.contains("does not print two-sided"), "\(held.message)")
        #expect(try bench.receivedDocuments().isEmpty)
        #expect(try bench.ledgerKinds() == ["top-up"], "nothing reserved or charged")
        // One side per copy: the rule changes nothing, so it prints.
        let one = try bench.submit(try TestDocuments.pdf(pages: 1, in: docs.path, name: "one.pdf"), queue: "lab", user: user)
        #expect(try bench.waitForJob(one, in: Self.forcedStates).state == "completed")
        #expect(try bench.receivedDocuments().count == 1)
    }

    @Test func aGreyRuleOnASocketPrinterHoldsColourJobs() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: ["-o", "tollgate-mode-default=track", "-o", "tollgate-colour-default=grey"])
        try bench.useSocketPrinter("lab")
        let user = try SystemUser(prefix: "tgsock")
        let docs = try TemporaryDirectory()
        let colour = try bench.submit(try TestDocuments.pdf(pages: 2, colorPages: [1], in: docs.path, name: "colour.pdf"), queue: "lab", user: user)
        let held = try bench.waitForJob(colour, in: Self.forcedStates)
        #expect(held.state == "pending-held", "\(held)")
        #expect(held.message.contains("black and white only") && held.message.contains("socket backend"), "\(held.message)")
        #expect(try bench.socketReceived().isEmpty, "nothing sent to the printer")
        #expect(try bench.ledgerKinds().isEmpty, "nothing charged")
        let grey = try bench.submit(try TestDocuments.pdf(pages: 2, in: docs.path, name: "grey.pdf"), queue: "lab", user: user)
        #expect(try bench.waitForJob(grey, in: Self.forcedStates).state == "completed")
        #expect(try bench.socketReceived().count == 1)
    }
}
