/// A PDF colour space, reduced to what deciding "neutral or colour" needs.
indirect enum ColourSpace: Equatable {
    case gray
    case rgb
    case cmyk
    /// ICCBased with N components (1, 3 or 4); rendering depends on the profile.
    case icc(components: Int)
    case lab
    /// Indexed: base space, highest index, lookup table bytes (base components per entry).
    case indexed(base: ColourSpace, hival: Int, lookup: [UInt8])
    /// Separation with its colorant name.
    case separation(String)
    /// DeviceN with its colorant names.
    case deviceN([String])
    /// Pattern, with the underlying space for uncoloured patterns.
    case pattern(ColourSpace?)
    /// Something we do not understand (reason).
    case unknown(String)

    /// Number of colour components operators such as `sc` take.
    var componentCount: Int {
        switch self {
        case .gray, .separation, .indexed: return 1
        case .rgb, .lab: return 3
        case .cmyk: return 4
        case .icc(let n): return n
        case .deviceN(let names): return names.count
        case .pattern(let under): return under?.componentCount ?? 0
        case .unknown: return 1
        }
    }

    /// The initial colour after `cs`/`CS` selects this space (ISO 32000-1 §8.6.8).
    var initialColour: [Double] {
        switch self {
        case .cmyk: return [0, 0, 0, 1]
        case .icc(let n): return n == 4 ? [0, 0, 0, 1] : Array(repeating: 0, count: n)
        case .separation, .deviceN: return Array(repeating: 1, count: componentCount)
        default: return Array(repeating: 0, count: componentCount)
        }
    }

    /// Colorant names that print neutral at any tint.
    static let neutralColorants: Set<String> = ["Black", "All", "None", "Gray", "Grey"]
    /// Process colorants that print colour at a visible tint.
    static let processColorants: Set<String> = ["Cyan", "Magenta", "Yellow", "Red", "Green", "Blue", "Orange", "Violet"]

    /// Whether a colour with `values` in this space prints neutral.
    func judge(_ values: [Double]) -> ColourJudgement {
        func v(_ i: Int) -> Double { i < values.count ? values[i] : 0 }
        switch self {
        case .gray: return .neutral
        case .rgb: return NeutralRule.rgb(v(0), v(1), v(2))
        case .cmyk: return NeutralRule.cmyk(v(0), v(1), v(2), v(3))
        case .icc(let n):
            switch n {
            case 1: return .neutral
            case 3: return NeutralRule.icc(spread: NeutralRule.spread([v(0), v(1), v(2)]))
            case 4:
                if v(0) == 0 && v(1) == 0 && v(2) == 0 { return .neutral }
                return NeutralRule.icc(spread: NeutralRule.spread(NeutralRule.cmykToRGB(v(0), v(1), v(2), v(3))))
            default: return .undecided("ICC-based colour space with \(n) components")
            }
        case .lab:
            let a = abs(v(1)), b = abs(v(2))
            if a <= 2 && b <= 2 { return .neutral }
            if a >= 10 || b >= 10 { return .colour }
            return .undecided("Lab colour close to grey")
        case let .indexed(base, hival, lookup):
            let index = max(0, min(hival, Int(v(0).rounded())))
            return base.judgeEntry(index, lookup: lookup)
        case .separation(let name):
            if Self.neutralColorants.contains(name) || v(0) <= 0.02 { return .neutral }
            if Self.processColorants.contains(name) { return v(0) > 0.06 ? .colour : .neutral }
            return .undecided("spot colour \(name)")
        case .deviceN(let names):
            var verdict = ColourJudgement.neutral
            for (i, name) in names.enumerated() where !Self.neutralColorants.contains(name) && v(i) > 0.02 {
                if Self.processColorants.contains(name) {
                    if v(i) > 0.06 { return .colour }
                } else {
                    verdict = verdict.and(.undecided("DeviceN colorant \(name)"))
                }
            }
            return verdict
        case .pattern:
            return .undecided("pattern")
        case .unknown(let reason):
            return .undecided(reason)
        }
    }

    /// Judges entry `index` of an Indexed lookup table whose base space is `self`.
    func judgeEntry(_ index: Int, lookup: [UInt8]) -> ColourJudgement {
        let n = componentCount
        let start = index * n
        guard n > 0, start + n <= lookup.count else { return .neutral }
        let values: [Double]
        if case .lab = self {
            // Lab lookup bytes map onto the /Range; assume the usual L 0…100, a/b −128…127.
            values = [Double(lookup[start]) / 255 * 100, Double(lookup[start + 1]) - 128, Double(lookup[start + 2]) - 128]
        } else {
            values = (0..<n).map { Double(lookup[start + $0]) / 255 }
        }
        return judge(values)
    }

    /// Judges every entry of an Indexed lookup table (an image may use any of them).
    func judgeAllEntries(hival: Int, lookup: [UInt8]) -> ColourJudgement {
        var verdict = ColourJudgement.neutral
        for i in 0...max(0, hival) {
            verdict = verdict.and(judgeEntry(i, lookup: lookup))
            if verdict == .colour { return verdict }
        }
        return verdict
    }
}
