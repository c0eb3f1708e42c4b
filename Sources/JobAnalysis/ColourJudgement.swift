/// The verdict on some painted content: neutral grey, visibly colour, or not decidable from
/// structure (the page must be rendered).
enum ColourJudgement: Equatable {
    case neutral
    case colour
    case undecided(String)

    /// Combines two verdicts about things painted on the same page.
    func and(_ other: ColourJudgement) -> ColourJudgement {
        switch (self, other) {
        case (.colour, _), (_, .colour): return .colour
        case (.undecided, _): return self
        case (_, .undecided): return other
        default: return .neutral
        }
    }
}

/// The person's rule, applied to colour values: a colour is visibly not neutral when, as 8-bit
/// RGB, its max−min channel spread exceeds 16.
enum NeutralRule {
    /// Spread threshold as a fraction of full scale (16/255).
    static let threshold = 16.0 / 255.0
    /// For ICC-based spaces, whose rendering depends on the profile: spreads at most this are
    /// neutral, at least ``iccColour`` are colour, in between the page is rendered.
    static let iccNeutral = 6.0 / 255.0
    static let iccColour = 48.0 / 255.0

    static func spread(_ values: [Double]) -> Double {
        guard let lo = values.min(), let hi = values.max() else { return 0 }
        return hi - lo
    }

    /// RGB components in 0…1.
    static func rgb(_ r: Double, _ g: Double, _ b: Double) -> ColourJudgement {
        spread([r, g, b]) > threshold ? .colour : .neutral
    }

    /// Naive CMYK→RGB (r = (1−c)(1−k), …): C=M=Y gives neutral, C=M=Y=0 is always neutral.
    static func cmykToRGB(_ c: Double, _ m: Double, _ y: Double, _ k: Double) -> [Double] {
        let kk = 1 - clamp(k)
        return [(1 - clamp(c)) * kk, (1 - clamp(m)) * kk, (1 - clamp(y)) * kk]
    }

    static func cmyk(_ c: Double, _ m: Double, _ y: Double, _ k: Double) -> ColourJudgement {
        spread(cmykToRGB(c, m, y, k)) > threshold ? .colour : .neutral
    }

    /// An ICC-based colour whose device-space spread is `s`: clear cases decided, the rest rendered.
    static func icc(spread s: Double) -> ColourJudgement {
        if s <= iccNeutral { return .neutral }
        if s >= iccColour { return .colour }
        return .undecided("ICC-based colour close to grey")
    }

    static func clamp(_ v: Double) -> Double { min(1, max(0, v)) }
}
