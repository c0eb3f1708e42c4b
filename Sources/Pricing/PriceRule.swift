/// One line of a rates card: the price of one printed page side (impression) for the page
/// sides it matches. Every field but the price may be `*` (``FieldPattern/any``).
public struct PriceRule: Hashable, Sendable {
    /// Unique name within the card; quotes and errors refer to it.
    public var name: String
    /// Paper size (exact PWG name) or any.
    public var media: FieldPattern<MediaName>
    /// Colour, monochrome, or any.
    public var colour: FieldPattern<ColourMode>
    /// One-sided, two-sided job, or any.
    public var sides: FieldPattern<Sides>
    /// Glob on the originating application, or any. A glob of only stars is stored as `.any`.
    public var application: FieldPattern<ApplicationGlob>
    /// Price of one page side.
    public var pricePerSide: ExactAmount

    /// Creates a rule. `application` globs made only of `*` are normalised to `.any`.
    public init(
        name: String,
        media: FieldPattern<MediaName> = .any,
        colour: FieldPattern<ColourMode> = .any,
        sides: FieldPattern<Sides> = .any,
        application: FieldPattern<ApplicationGlob> = .any,
        pricePerSide: ExactAmount
    ) {
        self.name = name
        self.media = media
        self.colour = colour
        self.sides = sides
        if case .only(let glob) = application, glob.isWildcard {
            self.application = .any
        } else {
            self.application = application
        }
        self.pricePerSide = pricePerSide
    }

    /// How specific the rule is (see ``RuleSpecificity`` for the order).
    public var specificity: RuleSpecificity {
        RuleSpecificity(
            application: application.isSpecific, media: media.isSpecific,
            colour: colour.isSpecific, sides: sides.isSpecific)
    }

    /// Whether the rule prices a page side of this media and colour in a job with these sides
    /// from this application. A rule naming an application never matches an unknown one.
    public func matches(media: MediaName, colour: ColourMode, sides: Sides, application: String?) -> Bool {
        guard self.media.matches(media), self.colour.matches(colour), self.sides.matches(sides) else { return false }
        switch self.application {
        case .any: return true
        case .only(let glob): return application.map(glob.matches) ?? false
        }
    }

    /// Whether some page side could match both rules.
    public func overlaps(_ other: PriceRule) -> Bool {
        guard media.overlaps(other.media), colour.overlaps(other.colour), sides.overlaps(other.sides) else {
            return false
        }
        switch (application, other.application) {
        case (.only(let a), .only(let b)): return a.overlaps(b)
        default: return true
        }
    }

    /// `media=iso_a4_210x297mm colour=colour sides=* application=*`.
    public var criteriaDescription: String {
        "media=\(media.value?.pwgName ?? "*") colour=\(colour.value?.rawValue ?? "*") "
            + "sides=\(sides.value?.rawValue ?? "*") application=\(application.value?.pattern ?? "*")"
    }
}
