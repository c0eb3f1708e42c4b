import Testing
@testable import BackendCore

/// argv[5] read as libcups's cupsParseOptions reads it, and the forced options that replace a
/// user's colour and sides choices for the real backend.
@Suite struct JobOptionsTextTests {
    @Test func readsNamesValuesQuotesAndBooleans() {
        let options = JobOptionsText.options(#"job-name='a b' sides=one-sided  noDuplex collate job-account-id="x\" y" media={a=b c=d} ColorModel=RGB"#)
        #expect(options.map(\.name) == ["job-name", "sides", "Duplex", "collate", "job-account-id", "media", "ColorModel"])
        #expect(options.map { String($0.text) } == ["job-name='a b'", "sides=one-sided", "noDuplex", "collate", #"job-account-id="x\" y""#,
                                                    "media={a=b c=d}", "ColorModel=RGB"])
        #expect(options.map(\.isBoolean) == [false, false, true, true, false, false, false])
        #expect(JobOptionsText.options("").isEmpty)
        #expect(JobOptionsText.options("   ").isEmpty)
        #expect(JobOptionsText.options("a=b\\ c d").map(\.name) == ["a", "d"], "a backslash escapes the space")
    }

    @Test func aUsersChoiceCannotUndoTheForcedOptions() {
        let forced: [(name: String, value: String)] = [("print-color-mode", "monochrome"), ("sides", "two-sided-long-edge")]
        let text = "job-uuid=urn:uuid:1 print-color-mode=color PRINT-COLOR-MODE=auto sides=one-sided Duplex=None noduplex ColorModel=RGB output-mode=color copies=2"
        let rewritten = JobOptionsText.forcing(forced, removing: ["ColorModel", "output-mode", "Duplex"], in: text)
        #expect(rewritten == "job-uuid=urn:uuid:1 copies=2 print-color-mode=monochrome sides=two-sided-long-edge")
        #expect(JobOptionsText.forcing(forced, in: "") == "print-color-mode=monochrome sides=two-sided-long-edge")
    }

    @Test func quotedSpacesDoNotHideAnOption() {
        // A value with a quoted space is one option: what follows it is still read (and removed).
        let rewritten = JobOptionsText.forcing([("sides", "two-sided-long-edge")], in: "job-name='x sides=one-sided' sides=one-sided")
        #expect(rewritten == "job-name='x sides=one-sided' sides=two-sided-long-edge")
    }

    @Test func theRealBackendGetsTheForcedOptions() throws {
        let invocation = try BackendInvocation(arguments: ["tollgate:ipp://h/p", "7", "bob", "t", "1", "sides=one-sided", "/spool/d7"])
        guard case .job(let job) = invocation else { Issue.record("not a job"); return }
        #expect(job.realBackendArguments(realArgv0: "ipp://h/p", options: "sides=two-sided-long-edge")
                == ["ipp://h/p", "7", "bob", "t", "1", "sides=two-sided-long-edge", "/spool/d7"])
    }
}
