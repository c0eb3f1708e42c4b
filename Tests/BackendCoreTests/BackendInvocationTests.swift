import Testing
@testable import BackendCore

@Suite struct BackendInvocationTests {
    @Test func noArgumentsIsDiscovery() throws {
        #expect(try BackendInvocation(arguments: ["tollgate"]) == .discovery)
    }

    @Test func sixArgumentsReadStdin() throws {
        let invocation = try BackendInvocation(arguments: ["tollgate:ipp://h/p", "42", "alice", "My title", "2", "sides=two-sided-long-edge"])
        guard case .job(let job) = invocation else { Issue.record("not a job"); return }
        #expect(job.jobID == "42")
        #expect(job.user == "alice")
        #expect(job.title == "My title")
        #expect(job.copies == "2")
        #expect(job.options == "sides=two-sided-long-edge")
        #expect(job.file == nil)
        #expect(job.realBackendArguments(realArgv0: "ipp://h/p") == ["ipp://h/p", "42", "alice", "My title", "2", "sides=two-sided-long-edge"])
    }

    @Test func sevenArgumentsKeepTheFile() throws {
        let invocation = try BackendInvocation(arguments: ["tollgate:ipp://h/p", "7", "bob", "t", "1", "", "/var/spool/cups/d00007-001"])
        guard case .job(let job) = invocation else { Issue.record("not a job"); return }
        #expect(job.file == "/var/spool/cups/d00007-001")
        #expect(job.realBackendArguments(realArgv0: "ipp://h/p").count == 7)
        #expect(job.realBackendArguments(realArgv0: "ipp://h/p").last == "/var/spool/cups/d00007-001")
    }

    /// A title cannot forge the real backend's status lines (the ipp backend echoes it in DEBUG lines).
    @Test func theRealBackendGetsTheTitleWithoutLineBreaks() throws {
        let title = "Essay\nERROR: Unable to add document to print job.\rPAGE: total 0\u{7}"
        guard case .job(let job) = try BackendInvocation(arguments: ["tollgate:ipp://h/p", "7", "bob", title, "1", ""]) else {
            Issue.record("not a job"); return
        }
        #expect(job.realBackendArguments(realArgv0: "ipp://h/p")[3] == "Essay ERROR: Unable to add document to print job. PAGE: total 0 ")
        #expect(job.title == title, "the title itself is kept (the job's record shows it escaped)")
    }

    @Test(arguments: [2, 3, 4, 5, 8, 9])
    func otherCountsAreUsageErrors(count: Int) {
        let arguments = ["tollgate"] + Array(repeating: "x", count: count - 1)
        #expect(throws: BackendError.usage(program: "tollgate")) { try BackendInvocation(arguments: arguments) }
    }

    @Test func usageExitsWithFailed() {
        #expect(BackendError.usage(program: "tollgate").exitCode == .failed)
        #expect(BackendError.usage(program: "tollgate").message.hasPrefix("Usage: tollgate job-id user title copies options [file]"))
    }
}
