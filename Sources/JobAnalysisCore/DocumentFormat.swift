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

/// Recognises a document's format from its first bytes.
///
/// Failure policy: anything not positively recognised is ``DocumentFormat/unknown`` with a reason;
/// the caller prices it with a queue-configured fallback, never as free.
public enum FormatDetector {
    /// The format of a document whose first bytes (up to a few KiB) are `head`.
    public static func detect(_ head: some Collection<UInt8>) -> (DocumentFormat, String?) {
        let bytes = Array(head.prefix(4096))
        if bytes.isEmpty { return (.unknown, "the document is empty (0 bytes)") }
        var body = bytes[...]
        // Skip a UTF-8 BOM, leading whitespace or NULs, and a PJL wrapper's UEL.
        let uel: [UInt8] = Array("\u{1B}%-12345X".utf8)
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
            // PDF readers accept garbage before the header (up to 1 KiB); checked after the
            // other formats so that PostScript or PCL mentioning "%PDF-" stays what it is.
            return (.pdf, "PDF header found at byte \(pdfAt), after leading garbage")
        }
        if looksLikeText(bytes) { return (.text, nil) }
        let hex = bytes.prefix(8).map { byte in
            let s = String(byte, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined(separator: " ")
        return (.unknown, "unrecognised format (first bytes: \(hex))")
    }

    /// Printable UTF-8/ASCII with tabs, newlines and form feeds; no NUL and few control bytes.
    package static func looksLikeText(_ bytes: [UInt8]) -> Bool {
        var controls = 0
        for b in bytes {
            if b == 0 { return false }
            if b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D && b != 0x0C { controls += 1 }
        }
        if controls * 100 > bytes.count { return false }
        // Valid UTF-8 (a truncated last sequence is fine) or Latin-1 text.
        var decoded = 0, invalid = 0
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: decoded += 1
            case .emptyInput: break loop
            case .error: invalid += 1
            }
        }
        return invalid <= 3 || invalid * 20 < decoded
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
