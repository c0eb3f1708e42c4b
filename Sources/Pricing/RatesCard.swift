/// A named, versioned rates card: price rules per page side plus optional per-sheet and per-job
/// charges, and the charge for documents whose format was not understood.
///
/// A card is validated when created: rule names are unique, amounts are non-negative and in the
/// card's currency, and no two equally specific rules can match the same page side (see
/// ``RuleSpecificity``). A valid card therefore picks exactly one rule, or none, for any page side.
public struct RatesCard: Hashable, Sendable {
    /// Name of the card (queues refer to it, e.g. `tollgate-rates-default=staff`).
    public let name: String
    /// Version, a positive integer raised on every change.
    public let version: Int
    /// The site currency all amounts are in.
    public let currency: Currency
    /// The rules, in the order the admin wrote them (order never decides a price).
    public let rules: [PriceRule]
    /// Charged per sheet of paper, per copy (optional).
    public let perSheet: ExactAmount?
    /// Charged once per job, whatever the copies (optional).
    public let perJob: ExactAmount?
    /// Charged per copy of a document whose format was not understood. Required: an unknown
    /// format is never free unless the admin writes 0 on purpose.
    public let unknownFormatPerCopy: ExactAmount

    /// Creates and validates a card.
    public init(
        name: String,
        version: Int,
        currency: Currency,
        rules: [PriceRule],
        perSheet: ExactAmount? = nil,
        perJob: ExactAmount? = nil,
        unknownFormatPerCopy: ExactAmount
    ) throws(RatesCardError) {
        guard !name.trimmingBlanks().isEmpty else { throw .emptyName }
        guard version >= 1 else { throw .invalidVersion(version) }
        self.name = name
        self.version = version
        self.currency = currency
        self.rules = rules
        self.perSheet = perSheet
        self.perJob = perJob
        self.unknownFormatPerCopy = unknownFormatPerCopy
        try validate()
    }

    /// The rule that prices a page side: the most specific matching one, or `nil` if none matches.
    public func rule(media: MediaName, colour: ColourMode, sides: Sides, application: String?) -> PriceRule? {
        // Validation guarantees no two matching rules share a specificity, so `max` is unique.
        rules.filter { $0.matches(media: media, colour: colour, sides: sides, application: application) }
            .max { $0.specificity < $1.specificity }
    }

    // MARK: - Validation

    private func validate() throws(RatesCardError) {
        var names = Set<String>()
        for (index, rule) in rules.enumerated() {
            guard !rule.name.trimmingBlanks().isEmpty else { throw .unnamedRule(index: index) }
            guard names.insert(rule.name).inserted else { throw .duplicateRuleName(rule.name) }
            if case .only(let media) = rule.media, !media.isWellFormed {
                throw .invalidMedia(rule: rule.name, media: media.pwgName)
            }
            if case .only(let glob) = rule.application, glob.pattern.isEmpty {
                throw .emptyApplicationGlob(rule: rule.name)
            }
            try check(rule.pricePerSide, field: "per_side", rule: rule.name)
        }
        if let perSheet { try check(perSheet, field: "per_sheet") }
        if let perJob { try check(perJob, field: "per_job") }
        try check(unknownFormatPerCopy, field: "unknown_format")

        for (i, first) in rules.enumerated() {
            for second in rules[(i + 1)...] where first.specificity == second.specificity && first.overlaps(second) {
                throw .ambiguousRules(first: first.name, second: second.name, specificity: first.specificity)
            }
        }
    }

    private func check(_ amount: ExactAmount, field: String, rule: String? = nil) throws(RatesCardError) {
        guard amount.currency == currency else {
            throw .wrongCurrency(field: field, rule: rule, amount: amount, cardCurrency: currency)
        }
        guard !amount.isNegative else { throw .negativeAmount(field: field, rule: rule, amount: amount) }
    }
}
