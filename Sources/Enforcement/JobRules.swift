import Pricing

/// The per-queue job rules an administrator sets with lpadmin, checked on the job's price as it
/// will print, before any money moves (PaperCut's printer filters):
///
/// - `tollgate-max-pages-default=N`: at most N printed sides (copies included);
/// - `tollgate-max-cost-default=AMOUNT`: at most that price (the site's currency);
/// - `tollgate-colour-default=deny`: no colour page (the queue is for black and white);
/// - `tollgate-colour-default=grey`: every page prints in black and white, and is priced so;
/// - `tollgate-duplex-default=force`: every job prints two-sided (long edge), and is priced so
///   (how the printer is made to do it, or why a job is held: ``ForcedOutput``);
/// - `tollgate-over-limit-default=hold|cancel`: what a job that breaks one does — held with the
///   reason (an administrator can release it: `lp -i N -H resume` after changing the rule), or
///   cancelled with it. Either way nothing is charged.
///
/// Failure policy: a rule that cannot be read (a malformed amount) holds every job with the
/// reason, as any malformed queue option does; a rule never lets a job through unchecked.
public struct JobRules: Equatable, Sendable {
    /// What a job that breaks a rule does.
    public enum OverLimit: String, Sendable, CaseIterable {
        case hold, cancel
    }

    /// Whether colour pages may print, or print in grey.
    public enum Colour: String, Sendable, CaseIterable {
        case allow, deny, grey
    }

    /// Whether jobs may print one-sided.
    public enum Duplex: String, Sendable, CaseIterable {
        case allow, force
    }

    public var maxPageSides: Int64?
    /// The price limit as the administrator wrote it (`5`, `5.00`, `5.00 EUR`), read in the
    /// card's currency when a job is priced.
    public var maxCost: String?
    public var colour: Colour = .allow
    public var duplex: Duplex = .allow
    public var overLimit: OverLimit = .hold

    public init(maxPageSides: Int64? = nil, maxCost: String? = nil, colour: Colour = .allow, duplex: Duplex = .allow,
                overLimit: OverLimit = .hold) {
        self.maxPageSides = maxPageSides
        self.maxCost = maxCost
        self.colour = colour
        self.duplex = duplex
        self.overLimit = overLimit
    }

    /// Why the job priced `quote` with `colourPages` colour sides breaks a rule, in words its
    /// owner understands; nil when it breaks none.
    public func violation(of quote: Quote, colourPages: Int) throws(JobRuleError) -> String? {
        if let maxPageSides, quote.pageSides > maxPageSides {
            return "this printer takes jobs of at most \(maxPageSides) printed sides; this one has \(quote.pageSides)"
        }
        if let maxCost {
            let limit: Money
            do {
                limit = try Money(parsing: maxCost, currency: quote.currency, unit: .optional)
            } catch {
                throw .invalidMaxCost(maxCost, currency: quote.currency.code)
            }
            if quote.total.minorUnits > limit.minorUnits {
                return "this printer takes jobs of at most \(limit); this one costs \(quote.total)"
            }
        }
        if colour == .deny, colourPages > 0 {
            return "this printer prints black and white only; this job has \(colourPages) colour page(s): send it in black and white"
        }
        return nil
    }
}

/// A job rule the administrator set to something Tollgate cannot use.
public enum JobRuleError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidMaxCost(String, currency: String)

    public var description: String {
        switch self {
        case .invalidMaxCost(let text, let currency):
            "queue option tollgate-max-cost-default=\"\(text)\" is not an amount in \(currency); fix it with lpadmin -p QUEUE -o tollgate-max-cost-default=AMOUNT"
        }
    }
}
