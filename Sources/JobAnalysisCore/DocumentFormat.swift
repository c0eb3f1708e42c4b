/// Document formats the analyser recognises.
public enum DocumentFormat: String, Codable, Sendable, Equatable, CaseIterable {
    case pdf
    case postscript
    /// PWG raster (PWG 5102.4), `image/pwg-raster`, sync word `RaS2`.
    case pwgRaster
    /// CUPS raster v1/v2/v3 (`application/vnd.cups-raster`), sync words `RaSt`, `RaS2`, `RaS3` and byte-swapped forms.
    case cupsRaster
    /// Apple raster (`image/urf`), magic `UNIRAST`.
    case appleRaster
    /// PCL 5/PCL XL, possibly wrapped in PJL.
    case pcl
    case text
    /// Not recognised; ``JobAnalysis/formatReason`` says why.
    case unknown
}

/// Recognises a document's format from its first bytes, as cupsd types it.
///
/// cupsd decides how a document prints from its content (``CupsMimeTyping``): a document it
/// types as PostScript goes through pstops, one it types as text through texttopdf, and so on.
/// So Tollgate's format is cupsd's type, mapped to the analyser that counts what that filter
/// chain prints. Only what cupsd types `application/octet-stream` (refused on a filtered queue,
/// sent as it is on a raw queue) is read the way a printer reads it (``printerReading(_:)``).
///
/// Failure policy: anything not positively recognised is ``DocumentFormat/unknown`` with a reason;
/// the caller holds it or prices it with a queue-configured fallback, never as free. An image
/// (imagetopdf scales or tiles it over any number of pages) is unknown, with its type named.
public enum FormatDetector {
    /// The format of a document whose first bytes (up to a few KiB) are `head`.
    public static func detect(_ head: some Collection<UInt8>) -> (DocumentFormat, String?) {
        let bytes = Array(head.prefix(CupsMimeTyping.bufferSize))
        if bytes.isEmpty { return (.unknown, "the document is empty (0 bytes)") }
        guard let type = CupsMimeTyping.type(of: bytes) else { return printerReading(bytes) }
        switch type {
        case "application/pdf": return (.pdf, nil)
        case "application/postscript":
            return (.postscript, bytes.starts(with: CupsMimeTyping.uel) ? "PostScript in a PJL job" : nil)
        case "image/pwg-raster": return (.pwgRaster, nil)
        case "application/vnd.cups-raster": return (.cupsRaster, nil)
        case "image/urf": return (.appleRaster, nil)
        case "application/vnd.cups-raw":
            return (.pcl, bytes.starts(with: CupsMimeTyping.uel) ? nil : "PCL without a PJL header")
        case let text where CupsMimeTyping.textTypes.contains(text):
            return (.text, text == "text/plain" ? nil : "cupsd types it \(text), which texttopdf prints as text")
        case let image where image.hasPrefix("image/"):
            return (.unknown, "cupsd types it \(image): an image, which imagetopdf scales or tiles over pages Tollgate does not count")
        default:
            return (.unknown, "cupsd types it \(type), which Tollgate does not count")
        }
    }

    /// How a printer given the bytes as they are (a raw queue) reads a document cupsd does not
    /// type: a UTF-8 BOM, blank lines, UEL and PJL lines skipped before the magic, and a PDF
    /// header anywhere in the first KiB (PDF readers accept leading garbage). Also the second
    /// reading of a document cupsd types as text that a printer would take for a page
    /// description (see ``DocumentAnalyser``).
    public static func printerReading(_ head: some Collection<UInt8>) -> (DocumentFormat, String?) {
        let bytes = Array(head.prefix(CupsMimeTyping.bufferSize))
        if bytes.isEmpty { return (.unknown, "the document is empty (0 bytes)") }
        var body = bytes[...]
        let uel: [UInt8] = CupsMimeTyping.uel
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        var pjl = false
        while let first = body.first, first == 0x1B || first == 0x40 || first == 0x0D || first == 0x0A || first == 0x20 {
            if body.starts(with: uel) { body = body.dropFirst(uel.count); pjl = true; continue }
            if first == 0x40, body.starts(with: Array("@PJL".utf8)) {
                pjl = true
                // Skip the PJL line; ENTER LANGUAGE names the payload.
                if let nl = body.firstIndex(of: 0x0A) { body = body[(nl + 1)...] } else { body = body[body.endIndex...] }
                continue
            }
            if first == 0x0D || first == 0x0A || first == 0x20 { body = body.dropFirst(); continue }
            break
        }
        if body.starts(with: Array("%PDF-".utf8)) { return (.pdf, nil) }
        if body.starts(with: Array("%!".utf8)) || body.starts(with: [0x04, 0x25, 0x21]) { return (.postscript, nil) }
        if body.starts(with: [0xC5, 0xD0, 0xD3, 0xC6]) { return (.postscript, "DOS EPS binary header") }
        if body.starts(with: Array("RaS2".utf8)) {
            // PWG raster and CUPS raster v2 share the sync word; the header's MediaClass says "PwgRaster".
            if bytes.count >= 4 + 64, bytes[4..<(4 + 9)].elementsEqual(Array("PwgRaster".utf8)) { return (.pwgRaster, nil) }
            return (.cupsRaster, nil)
        }
        for sync in ["RaSt", "tSaR", "2SaR", "RaS3", "3SaR"] where body.starts(with: Array(sync.utf8)) {
            return (.cupsRaster, nil)
        }
        if body.starts(with: Array("UNIRAST".utf8)) { return (.appleRaster, nil) }
        if pjl || body.first == 0x1B || body.starts(with: Array(") HP-PCL XL".utf8)) {
            return (.pcl, pjl ? nil : "PCL without a PJL header")
        }
        if let pdfAt = find(Array("%PDF-".utf8), in: bytes.prefix(1024)) {
            // Checked after the other formats so that PostScript or PCL mentioning "%PDF-" stays what it is.
            return (.pdf, "PDF header found at byte \(pdfAt), after leading garbage")
        }
        let hex = bytes.prefix(8).map { byte in
            let s = String(byte, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined(separator: " ")
        return (.unknown, "unrecognised format: cupsd types it application/octet-stream, not text (first bytes: \(hex))")
    }

    package static func find(_ needle: [UInt8], in haystack: some Collection<UInt8>) -> Int? {
        let hay = Array(haystack)
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] {
            if hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
        }
        return nil
    }
}
