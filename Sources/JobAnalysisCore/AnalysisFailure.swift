/// Why the analysis could not count what the document prints, and the most that can still be
/// said honestly: an upper bound on its pages, or nothing.
///
/// Failure policy (for the caller; see ``isUnanalysable``): a job whose analysis failed is priced
/// by its ``pageBound`` when there is one (every page as the dearest page the card has, since
/// sizes and colours are unknown), and is otherwise **held** with ``description`` as the reason,
/// for an administrator to look at. A failure is never priced as if the document were small: a
/// flat fallback charge let a 1000-page PostScript padded past the size limit, or one that
/// computed for a minute before printing, print for the price of one page.
public struct AnalysisFailure: Codable, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, as a person would group it.
    public enum Kind: String, Codable, Sendable, Equatable, CaseIterable {
        /// The document is larger than the analyser reads (``AnalysisLimits/maxDocumentBytes``).
        case tooLarge
        /// Interpreting the document took longer than its time limit (wall clock or CPU).
        case timedOut
        /// The document is damaged or not valid for its format (qpdf could not read it even
        /// after repair; Ghostscript stopped with a PostScript error).
        case malformed
        /// The PDF needs a password to open.
        case encrypted
        /// The format is not one the analyser recognises (or the document is empty).
        case unrecognisedFormat
        /// The format is recognised but nothing here can count its pages (PCL XL without page
        /// hints; PostScript without Ghostscript).
        case notCountable
        /// The analyser or its interpreter ended abnormally (a signal, an unexpected exit status,
        /// output that is not an analysis): often memory exhausted by the document.
        case crashed

        /// A sentence for the job's hold reason or the log, without a final period.
        public var sentence: String {
            switch self {
            case .tooLarge: "the document is larger than Tollgate analyses"
            case .timedOut: "analysing the document took longer than Tollgate allows"
            case .malformed: "the document is damaged or not valid for its format"
            case .encrypted: "the document is encrypted and cannot be read without its password"
            case .unrecognisedFormat: "the document's format is not one Tollgate recognises"
            case .notCountable: "Tollgate cannot count the pages of this kind of document"
            case .crashed: "the analysis of the document stopped abnormally"
            }
        }
    }

    public var kind: Kind
    /// What happened, in a few words ("Ghostscript was stopped after 60 s, at page 412").
    public var detail: String
    /// At most this many document pages print, whatever interprets the document; `nil` when no
    /// such bound can be given (see ``PageBound/forDocument(format:byteCount:)``).
    public var pageBound: PageBound?

    public init(kind: Kind, detail: String, pageBound: PageBound? = nil) {
        self.kind = kind
        self.detail = detail
        self.pageBound = pageBound
    }

    /// No honest bound on what prints: the caller must hold the job with ``description``.
    public var isUnanalysable: Bool { pageBound == nil }

    /// The sentence, the detail and what bounds the pages, for a person.
    public var description: String {
        var text = kind.sentence
        if !detail.isEmpty { text += " (\(detail))" }
        if let pageBound { text += "; \(pageBound)" } else { text += "; nothing bounds the pages it prints" }
        return text
    }
}

/// An upper bound on the pages a document prints, from facts no interpreter can argue with.
///
/// Only what the bytes themselves limit is a bound. What a document *says* about itself is not:
/// PostScript is a program (`{ showpage } loop` prints forever from a few bytes, so neither its
/// size, its `showpage` tokens nor its DSC `%%Pages:` bound anything), and a PDF's page tree
/// can lie (`/Count` is a claim; a `/Pages` node listed twice in `/Kids` doubles the pages
/// without a byte more, so neither the page objects nor the file size bound what a renderer
/// walking the tree prints). Formats whose every page must occupy bytes of its own do have a
/// bound: a raster page is at least its page header, a text page at least one byte (a form
/// feed, or a line's newline), and an empty document prints nothing.
public struct PageBound: Codable, Sendable, Equatable, CustomStringConvertible {
    /// What the bound rests on.
    public enum Basis: String, Codable, Sendable, Equatable {
        /// An empty document prints no page.
        case emptyDocument
        /// Every PWG or CUPS raster page starts with its own 1796-byte header; every Apple raster
        /// (URF) page with its own 32-byte header, after the 12-byte file header.
        case rasterPageHeaders
        /// Every plain-text page takes at least one byte (a form feed or a line).
        case textBytes
    }

    /// Document pages, before copies and page ranges (which the caller applies as for a count).
    public var maxPages: Int
    public var basis: Basis

    public init(maxPages: Int, basis: Basis) {
        self.maxPages = maxPages
        self.basis = basis
    }

    /// The bound for a document of `format` that is `byteCount` bytes long, or `nil` where the
    /// format's pages need no bytes of their own (PDF, PostScript, PCL, whose copy and repeat
    /// commands multiply pages, and unknown formats).
    public static func forDocument(format: DocumentFormat, byteCount: Int) -> PageBound? {
        guard byteCount > 0 else { return PageBound(maxPages: 0, basis: .emptyDocument) }
        switch format {
        case .pwgRaster, .cupsRaster:
            // A 4-byte sync word, then pages of header + (possibly no) pixel data.
            return PageBound(maxPages: max(0, byteCount - 4) / 1796, basis: .rasterPageHeaders)
        case .appleRaster:
            return PageBound(maxPages: max(0, byteCount - 12) / 32, basis: .rasterPageHeaders)
        case .text:
            return PageBound(maxPages: byteCount, basis: .textBytes)
        case .pdf, .postscript, .pcl, .unknown:
            return nil
        }
    }

    /// The pages of the largest document the bound allows, for pricing it like a counted one:
    /// ``maxPages`` pages on `media` (the caller's choice: the dearest its card prices), colour
    /// unknown (priced as colour). Page ranges, number-up, sides and copies then apply as to any
    /// document (``OutputCalculator``): each either lowers the count or multiplies it alike, so
    /// the output of these pages bounds what the real document prints.
    public func worstCasePages(media: MediaSize) -> [PageRun] {
        guard maxPages > 0 else { return [] }
        return [PageRun(firstPage: 1, lastPage: maxPages, media: media, colour: .unknown, colourMethod: .notDetermined)]
    }

    public var description: String {
        switch basis {
        case .emptyDocument: "an empty document prints nothing"
        case .rasterPageHeaders: "at most \(maxPages) pages, as every raster page has a header of its own"
        case .textBytes: "at most \(maxPages) pages, one per byte of text"
        }
    }
}

/// A size for a person: `812 bytes`, `20.1 MiB`, `2.0 GiB`.
package func mebibytes(_ bytes: Int) -> String {
    func tenths(_ value: Double) -> String { String((value * 10).rounded() / 10) }
    if bytes >= 1 << 30 { return tenths(Double(bytes) / Double(1 << 30)) + " GiB" }
    if bytes >= 1 << 20 { return tenths(Double(bytes) / Double(1 << 20)) + " MiB" }
    return "\(bytes) bytes"
}

/// A duration for a person: `0.3 s`, `2 s`, `310 s`.
package func secondsText(_ duration: Duration) -> String {
    let seconds = duration.milliseconds / 1000
    if seconds >= 10 || seconds == seconds.rounded() { return "\(Int(seconds.rounded())) s" }
    return "\((seconds * 10).rounded() / 10) s"
}
