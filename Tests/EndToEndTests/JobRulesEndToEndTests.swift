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
}
