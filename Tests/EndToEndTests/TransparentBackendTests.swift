import Foundation
import Testing
import TestSupport

/// The `tollgate:` backend on a real private cupsd in front of a real ippeveprinter.
/// The queues track (always print, charge what printed) so that these tests see the job's path
/// through the real backend; charging has its own tests.
@Suite(.serialized) struct TransparentBackendTests {
    static let track = ["-o", "tollgate-mode-default=track"]

    @Test func rawQueueDeliversTheFileByteForByte() throws {
        let bench = try CupsBench()
        try bench.addQueue("raw", kind: "raw", options: Self.track)
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 3, in: docs.path)
        let job = try bench.submit(pdf, queue: "raw")
        try bench.waitForJob(job, in: ["completed", "aborted", "canceled", "stopped"])
        #expect(try bench.jobStatus(job).state == "completed")
        let received = try bench.receivedDocuments()
        try #require(received.count == 1)
        #expect(FileManager.default.contentsEqual(atPath: received[0], andPath: pdf))
        #expect(bench.errorLog.contains("[Job \(job)] Tollgate: job \(job) for \(bench.printerURI(1))"))
    }

    @Test func everywhereQueueDeliversAJobThatArrivesOnStdin() throws {
        let bench = try CupsBench()
        try bench.addQueue("office", kind: "everywhere", options: Self.track)
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 4, colorPages: [2], in: docs.path)
        let job = try bench.submit(pdf, queue: "office")
        let status = try bench.waitForJob(job, in: ["completed", "aborted", "canceled", "stopped"])
        #expect(status.state == "completed", "\(status)")
        let received = try bench.receivedDocuments()
        try #require(received.count == 1)
        #expect(try TestDocuments.pageCount(received[0]) == 4)
        #expect(bench.errorLog.contains("[Job \(job)] Tollgate: spooled "), "the filter chain fed the job on stdin")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: bench.dir + "/spool/tmp").filter { $0.hasPrefix("tollgate-") }
        #expect(leftovers.isEmpty)
    }

    @Test func cancelWhileTheRealBackendRunsLeavesNoProcessAndNoTempFile() throws {
        let bench = try CupsBench()
        // A real backend that never finishes: it records its pid and becomes `sleep`.
        try bench.installBackend("slow", script: "#!/bin/sh\n[ $# -eq 0 ] && exit 0\necho $$ > \"$TMPDIR/slow-backend.pid\"\nexec sleep 600\n")
        try bench.addQueue("slowq", kind: "everywhere", options: Self.track)
        try bench.client(["lpadmin", "-p", "slowq", "-v", "tollgate:slow://nowhere"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 2, in: docs.path)
        let job = try bench.submit(pdf, queue: "slowq")
        let pidFile = bench.dir + "/spool/tmp/slow-backend.pid"
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: pidFile) && Date() < deadline { usleep(50_000) }
        usleep(100_000)
        let pid = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) == 0, "the real backend runs")

        try bench.client(["cancel", "slowq-\(job)"])
        try bench.waitForJob(job, in: ["canceled"])
        let gone = Date().addingTimeInterval(10)
        while kill(pid, 0) == 0 && Date() < gone { usleep(50_000) }
        #expect(kill(pid, 0) == -1, "the real backend was terminated")
        let wrappers = try ProcessRunner.shell("pgrep -f '^tollgate:slow://nowher[e]' || true")
        #expect(wrappers.stdout.isEmpty, "no tollgate process left: \(wrappers.stdout)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: bench.dir + "/spool/tmp").filter { $0.hasPrefix("tollgate-") }
        #expect(leftovers.isEmpty)
    }

    @Test func missingRealBackendStopsTheQueueAndKeepsTheJob() throws {
        let bench = try CupsBench()
        try bench.addQueue("broken", kind: "raw", options: Self.track)
        try bench.client(["lpadmin", "-p", "broken", "-v", "tollgate:nosuch://printer/x"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        let job = try bench.submit(pdf, queue: "broken")
        let message = "[Job \(job)] Tollgate: the real backend \(bench.serverBin)/backend/nosuch does not exist"
        let deadline = Date().addingTimeInterval(30)
        while !bench.errorLog.contains(message) && Date() < deadline { usleep(100_000) }
        #expect(bench.errorLog.contains("E ") && bench.errorLog.contains(message))
        let status = try bench.waitForJob(job, in: ["pending"], timeout: 30)
        #expect(status.state == "pending", "the job is kept")
        let printer = try bench.client(["lpstat", "-p", "broken"])
        #expect(printer.stdout.contains("disabled"), "the queue is stopped: \(printer.stdout)")
        #expect(try bench.receivedDocuments().isEmpty)
    }

    @Test func userOptionsDoNotChangeWhereTheJobGoes() throws {
        let bench = try CupsBench(printers: 2)
        try bench.addQueue("raw", kind: "raw", printer: 1, options: Self.track)
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 2, in: docs.path)
        let job = try bench.submit(pdf, queue: "raw", options: [
            "device-uri=tollgate:\(bench.printerURI(2))", "DEVICE_URI=\(bench.printerURI(2))",
            "tollgate-real-uri=\(bench.printerURI(2))",
        ])
        try bench.waitForJob(job, in: ["completed", "aborted", "canceled", "stopped"])
        #expect(try bench.receivedDocuments(printer: 1).count == 1)
        #expect(try bench.receivedDocuments(printer: 2).isEmpty)
    }
}
