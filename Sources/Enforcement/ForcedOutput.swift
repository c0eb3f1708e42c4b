import BackendCore
import IPPWire
import JobAnalysisCore

/// How a queue's `tollgate-colour-default=grey` and `tollgate-duplex-default=force` are made
/// true for one job: what the printer is told, what the job is priced as, and when it is held
/// because nothing on its way to paper can do it. Decided before the job is analysed, as its
/// price depends on it.
///
/// - ipp/ipps backend, on a raw or a filtered queue: the real backend gets argv[5] with the
///   user's colour and sides options (`print-color-mode`, `ColorModel`, `output-mode`, `sides`,
///   `Duplex`) removed and `print-color-mode=monochrome` / `sides=two-sided-long-edge` added; it
///   sends them to the printer as job attributes. Only when the printer says it supports the
///   value (Get-Printer-Attributes at the printer's own URI, as the ipp backend asks it); a
///   printer without colour (`color-supported=false`) prints grey anyway. A filtered job whose
///   filters already made colour raster (or a driver's data) is held: the printer is told
///   monochrome, but nothing proves it turns those pixels grey.
/// - any other backend (socket, lpd, usb …): it sends the bytes as they are, and Tollgate does
///   not rewrite a printer language. A job the rule would change (a colour page; more than one
///   side per copy printed one-sided) is held with the reason; one it would not change prints.
///
/// Failure policy: never printed in colour or one-sided on such a queue while priced otherwise.
/// A printer that cannot be asked (down) makes the backend retry the job later; one that answers
/// garbage or wants credentials counts as not supporting the value.
public struct ForcedOutput: Equatable, Sendable {
    /// How one rule reaches paper.
    public enum Means: Equatable, Sendable {
        /// The queue has no such rule.
        case notAsked
        /// The real backend sends it to the printer, which says it supports it.
        case printerOption
        /// The printer cannot print otherwise (no colour): nothing to change.
        case printerCannotDoOtherwise
        /// Nothing on this queue can do it: why. A job the rule would change is held.
        case unavailable(String)

        /// True when the job prints as the rule says whatever its document asks.
        public var isApplied: Bool { self == .printerOption || self == .printerCannotDoOtherwise }
    }

    public var grey: Means = .notAsked
    public var duplex: Means = .notAsked

    public init(grey: Means = .notAsked, duplex: Means = .notAsked) {
        self.grey = grey
        self.duplex = duplex
    }

    /// The options (argv[5] names) that choose colour or sides, for the ipp backend and cupsd's
    /// filters; removed before the forced value is added.
    static let colourOptionNames: Set<String> = ["print-color-mode", "ColorModel", "output-mode"]
    static let sidesOptionNames: Set<String> = ["sides", "Duplex"]
    /// What the printer is asked for Get-Printer-Attributes.
    public static let printerAttributeNames = ["print-color-mode-supported", "color-supported", "sides-supported"]

    /// What the queue's `rules` need for a job through the real backend `realScheme` at `realURI`.
    /// `printer` answers Get-Printer-Attributes at that URI; it is called only when a rule needs
    /// it and the backend is ipp or ipps.
    public static func plan(rules: JobRules, realScheme: String, realURI: String,
                            printer: (String) throws(CupsClientError) -> IPPAttributes) throws(CupsClientError) -> ForcedOutput {
        let wantsGrey = rules.colour == .grey, wantsDuplex = rules.duplex == .force
        guard wantsGrey || wantsDuplex else { return ForcedOutput() }
        let scheme = realScheme.lowercased()
        guard scheme == "ipp" || scheme == "ipps" else {
            let why = "the \(scheme) backend cannot tell the printer to (it sends the printer's data as it is)"
            return ForcedOutput(grey: wantsGrey ? .unavailable(why) : .notAsked, duplex: wantsDuplex ? .unavailable(why) : .notAsked)
        }
        let attributes: IPPAttributes
        do {
            attributes = try printer(realURI)
        } catch {
            if case .cannotConnect = error { throw error }
            let why = "the printer did not say what it supports (\(error))"
            return ForcedOutput(grey: wantsGrey ? .unavailable(why) : .notAsked, duplex: wantsDuplex ? .unavailable(why) : .notAsked)
        }
        var forced = ForcedOutput()
        if wantsGrey {
            if attributes.strings("print-color-mode-supported").contains("monochrome") {
                forced.grey = .printerOption
            } else if attributes.values("color-supported") == [.boolean(false)] {
                forced.grey = .printerCannotDoOtherwise
            } else {
                forced.grey = .unavailable("the printer does not accept print-color-mode=monochrome")
            }
        }
        if wantsDuplex {
            forced.duplex = attributes.strings("sides-supported").contains(JobOptions.Sides.twoSidedLongEdge.rawValue)
                ? .printerOption : .unavailable("the printer does not print two-sided (sides-supported has no two-sided-long-edge)")
        }
        return forced
    }

    /// The job's options as it will print: what the analysis prices.
    public func applied(to options: JobOptions) -> JobOptions {
        var options = options
        if grey.isApplied { options.colourMode = .monochrome }
        if duplex == .printerOption { options.sides = .twoSidedLongEdge }
        return options
    }

    /// The argv[5] the real backend gets, nil when it keeps cupsd's.
    public func realBackendOptions(_ options: String) -> String? {
        var forced: [(name: String, value: String)] = []
        var synonyms: Set<String> = []
        if grey == .printerOption {
            forced.append(("print-color-mode", JobOptions.ColourMode.monochrome.rawValue))
            synonyms.formUnion(ForcedOutput.colourOptionNames)
        }
        if duplex == .printerOption {
            forced.append(("sides", JobOptions.Sides.twoSidedLongEdge.rawValue))
            synonyms.formUnion(ForcedOutput.sidesOptionNames)
        }
        guard !forced.isEmpty else { return nil }
        return JobOptionsText.forcing(forced, removing: synonyms, in: options)
    }

    /// Why the job analysed as `analysis` cannot print as the queue's rules say, in words its
    /// owner understands; nil when it can. `filtered`: cupsd's filters made what the printer gets.
    public func violation(of analysis: JobAnalysis, filtered: Bool) -> String? {
        let notGrey = analysis.pages.filter { $0.colour != .monochrome }.reduce(0) { $0 + $1.count }
        switch grey {
        case .unavailable(let why) where notGrey > 0:
            return "this printer prints in black and white only, but \(why); this job has \(notGrey) colour page(s): send it in black and white"
        case .printerOption where filtered && notGrey > 0 && analysis.format != .pdf && analysis.format != .postscript:
            return "this printer prints in black and white only, but this queue's filters made colour \(analysis.format.rawValue) (\(notGrey) page(s)): send it in black and white"
        default:
            break
        }
        if case .unavailable(let why) = duplex, analysis.output.impressionsPerCopy > 1,
           !(filtered && analysis.output.sides.isTwoSided) {
            return "this printer prints two-sided only, but \(why); this job has \(analysis.output.impressionsPerCopy) one-sided page(s) per copy: send it two-sided (lp -o sides=two-sided-long-edge)"
        }
        return nil
    }
}
