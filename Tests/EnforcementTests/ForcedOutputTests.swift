import IPPWire
import JobAnalysis
import Testing
@testable import Enforcement

/// How `tollgate-colour-default=grey` and `tollgate-duplex-default=force` reach paper: asked of
/// the printer, told to it through the real backend's options, or the job is held.
@Suite struct ForcedOutputTests {
    let a4 = MediaSize(widthPoints: 595, heightPoints: 842)
    let both = JobRules(colour: .grey, duplex: .force)

    func printer(_ values: [String: [IPPValue]]) -> (String) throws(CupsClientError) -> IPPAttributes {
        { _ throws(CupsClientError) in IPPAttributes(values) }
    }

    func analysis(colourPages: Int, pages: Int, format: DocumentFormat = .pdf, options: JobOptions = JobOptions()) -> JobAnalysis {
        var runs = [PageRun(firstPage: 1, lastPage: pages - colourPages, media: a4, colour: .monochrome, colourMethod: .pageStructure)]
        if colourPages > 0 {
            runs.append(PageRun(firstPage: pages - colourPages + 1, lastPage: pages, media: a4, colour: .colour, colourMethod: .pageStructure))
        }
        runs = runs.filter { $0.count > 0 }
        return JobAnalysis(format: format, pageCount: pages, pages: runs, application: nil,
                           output: OutputCalculator.output(for: runs, options: options), provenance: [], warnings: [])
    }

    @Test func anIPPPrinterThatSupportsTheValuesIsTold() throws {
        let forced = try ForcedOutput.plan(rules: both, realScheme: "ipp", realURI: "ipp://p/ipp/print", printer: printer([
            "print-color-mode-supported": [.string("auto"), .string("monochrome")],
            "sides-supported": [.string("one-sided"), .string("two-sided-long-edge")],
        ]))
        #expect(forced == ForcedOutput(grey: .printerOption, duplex: .printerOption))
        #expect(forced.realBackendOptions("print-color-mode=color sides=one-sided copies=1")
                == "copies=1 print-color-mode=monochrome sides=two-sided-long-edge")
        let options = forced.applied(to: JobOptions(copies: 2, sides: .oneSided, colourMode: .colour))
        #expect(options == JobOptions(copies: 2, sides: .twoSidedLongEdge, colourMode: .monochrome), "priced as it will print")
        #expect(forced.violation(of: analysis(colourPages: 2, pages: 3), filtered: false) == nil)
    }

    @Test func aPrinterWithoutTheValuesHoldsTheJobsTheRuleWouldChange() throws {
        let forced = try ForcedOutput.plan(rules: both, realScheme: "IPPS", realURI: "ipps://p/", printer: printer([
            "print-color-mode-supported": [.string("color")], "color-supported": [.boolean(true)],
            "sides-supported": [.string("one-sided")],
        ]))
        guard case .unavailable = forced.grey, case .unavailable = forced.duplex else { Issue.record("\(forced)"); return }
        #expect(forced.realBackendOptions("sides=one-sided") == nil, "nothing to tell a printer that cannot")
        #expect(forced.applied(to: JobOptions()) == JobOptions(), "not priced as grey or duplex")
        #expect(forced.violation(of: analysis(colourPages: 1, pages: 1), filtered: false)?.contains("black and white only") == true)
        #expect(forced.violation(of: analysis(colourPages: 0, pages: 2), filtered: false)?.contains("two-sided only") == true)
        #expect(forced.violation(of: analysis(colourPages: 0, pages: 1), filtered: false) == nil, "one grey side: nothing to change")
        #expect(forced.violation(of: analysis(colourPages: 0, pages: 2, options: JobOptions(sides: .twoSidedLongEdge)), filtered: true) == nil,
                "cupsd's filters already print it two-sided")
        #expect(forced.violation(of: analysis(colourPages: 0, pages: 2, options: JobOptions(sides: .twoSidedLongEdge)), filtered: false) != nil,
                "a raw job's sides option is applied by nothing that was asked")
    }

    @Test func aPrinterWithoutColourNeedsNothing() throws {
        let forced = try ForcedOutput.plan(rules: JobRules(colour: .grey), realScheme: "ipp", realURI: "ipp://p/",
                                           printer: printer(["color-supported": [.boolean(false)]]))
        #expect(forced == ForcedOutput(grey: .printerCannotDoOtherwise))
        #expect(forced.realBackendOptions("print-color-mode=color") == nil)
        #expect(forced.applied(to: JobOptions()).colourMode == .monochrome)
    }

    @Test func otherBackendsCannotBeTold() throws {
        var asked = false
        let forced = try ForcedOutput.plan(rules: both, realScheme: "socket", realURI: "socket://p:9100") { _ throws(CupsClientError) in
            asked = true
            return IPPAttributes()
        }
        #expect(!asked)
        guard case .unavailable(let why) = forced.grey else { Issue.record("\(forced)"); return }
        #expect(why.contains("socket backend"))
        #expect(forced.violation(of: analysis(colourPages: 1, pages: 2), filtered: true)?.contains("1 colour page") == true)
    }

    @Test func aPrinterThatCannotBeReachedIsRetriedAndOneThatFailsIsNotTrusted() throws {
        #expect(throws: CupsClientError.self) {
            try ForcedOutput.plan(rules: both, realScheme: "ipp", realURI: "ipp://p/") { _ throws(CupsClientError) in
                throw .cannotConnect(server: "p:631", reason: "refused")
            }
        }
        let forced = try ForcedOutput.plan(rules: both, realScheme: "ipp", realURI: "ipp://p/") { _ throws(CupsClientError) in
            throw .authenticationRequired(server: "p:631", operation: "Get-Printer-Attributes", offered: "Basic")
        }
        guard case .unavailable = forced.grey, case .unavailable = forced.duplex else { Issue.record("\(forced)"); return }
    }

    @Test func colourRasterFromTheFiltersIsHeldOnAGreyQueue() {
        let forced = ForcedOutput(grey: .printerOption)
        #expect(forced.violation(of: analysis(colourPages: 1, pages: 2, format: .pwgRaster), filtered: true)?.contains("filters made colour") == true)
        #expect(forced.violation(of: analysis(colourPages: 1, pages: 2, format: .pdf), filtered: true) == nil, "the printer renders PDF itself")
        #expect(forced.violation(of: analysis(colourPages: 0, pages: 2, format: .pwgRaster), filtered: true) == nil)
    }

    @Test func noRuleAsksNothing() throws {
        let forced = try ForcedOutput.plan(rules: JobRules(colour: .deny), realScheme: "ipp", realURI: "ipp://p/") { _ throws(CupsClientError) in
            Issue.record("asked the printer")
            return IPPAttributes()
        }
        #expect(forced == ForcedOutput())
        #expect(forced.realBackendOptions("sides=one-sided") == nil)
    }

    @Test func printerURIsGiveTheServerAndResource() {
        #expect(CupsdConnection.serverAndResource(of: "ipp://user:pw@localhost:8631/ipp/print?waitjob=false")! == ("localhost:8631", "/ipp/print"))
        #expect(CupsdConnection.serverAndResource(of: "ipps://printer.example")! == ("printer.example:631", "/"))
        #expect(CupsdConnection.serverAndResource(of: "ipp://[::1]:631/x")! == ("[::1]:631", "/x"))
        #expect(CupsdConnection.serverAndResource(of: "socket://p:9100") == nil)
        #expect(CupsdConnection.serverAndResource(of: "ipp://p/a b") == nil)
    }
}
