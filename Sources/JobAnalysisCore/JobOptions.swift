/// The job options that change what is printed, as plain values (the caller reads them from
/// CUPS: argv[4]/argv[5] and the job's IPP attributes).
public struct JobOptions: Codable, Sendable, Equatable {
    /// Number of copies (IPP `copies`), at least 1.
    public var copies: Int
    /// Document pages per side (IPP `number-up`): 1, 2, 4, 6, 9, 16, …
    public var numberUp: Int
    /// One- or two-sided printing (IPP `sides`).
    public var sides: Sides
    /// IPP `print-color-mode`; `monochrome` makes every page monochrome.
    public var colourMode: ColourMode
    /// Pages to print (IPP `page-ranges`), 1-based and inclusive; empty means all pages.
    public var pageRanges: [ClosedRange<Int>]
    /// The job name (IPP `job-name`), used to guess the application when nothing better exists.
    public var jobName: String?
    /// The originating application if the client sent one (an IPP attribute); wins over metadata.
    public var applicationName: String?

    public init(copies: Int = 1, numberUp: Int = 1, sides: Sides = .oneSided, colourMode: ColourMode = .auto,
                pageRanges: [ClosedRange<Int>] = [], jobName: String? = nil, applicationName: String? = nil) {
        self.copies = copies
        self.numberUp = numberUp
        self.sides = sides
        self.colourMode = colourMode
        self.pageRanges = pageRanges
        self.jobName = jobName
        self.applicationName = applicationName
    }

    /// IPP `sides` keywords.
    public enum Sides: String, Codable, Sendable, Equatable, CaseIterable {
        case oneSided = "one-sided"
        case twoSidedLongEdge = "two-sided-long-edge"
        case twoSidedShortEdge = "two-sided-short-edge"

        /// True for both two-sided modes.
        public var isTwoSided: Bool { self != .oneSided }
    }

    /// IPP `print-color-mode` keywords that matter for accounting (`auto`, `color` and others
    /// print what the document contains).
    public enum ColourMode: String, Codable, Sendable, Equatable, CaseIterable {
        case auto
        case colour = "color"
        case monochrome
    }

    /// Checks the values; returns a message a person can act on, or `nil` when valid.
    public func validationError() -> String? {
        if copies < 1 || copies > 100_000 { return "copies must be between 1 and 100000 (got \(copies))" }
        if numberUp < 1 || numberUp > 256 { return "number-up must be between 1 and 256 (got \(numberUp))" }
        for r in pageRanges where r.lowerBound < 1 {
            return "page-ranges start at page 1 (got \(r.lowerBound)-\(r.upperBound))"
        }
        return nil
    }

    /// Parses IPP/CUPS `page-ranges` text such as `1-3,5,8-`; an open end means "to the last page".
    /// Returns `nil` for malformed text.
    public static func parsePageRanges(_ text: String) -> [ClosedRange<Int>]? {
        var result: [ClosedRange<Int>] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: true) {
            let piece = part.trimmingSpaces
            let bounds = piece.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            if bounds.count == 1 {
                guard let n = Int(bounds[0].trimmingSpaces), n >= 1 else { return nil }
                result.append(n...n)
            } else {
                let lowText = bounds[0].trimmingSpaces, highText = bounds[1].trimmingSpaces
                let low = lowText.isEmpty ? 1 : Int(lowText)
                let high = highText.isEmpty ? Int.max : Int(highText)
                guard let low, let high, low >= 1, high >= low else { return nil }
                result.append(low...high)
            }
        }
        return result.isEmpty ? nil : result
    }
}

extension StringProtocol {
    package var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
