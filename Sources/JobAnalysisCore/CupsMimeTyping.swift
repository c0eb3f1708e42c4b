/// cupsd's typing of a document by its content: the rules of CUPS 2.4's `mime.types` and
/// cups-filters' `cupsfilters.types` as Debian 12 installs them (/usr/share/cups/mime), applied
/// as `mimeFileType` applies them (scheduler/type.c): over the first 4096 bytes
/// (`MIME_MAX_BUFFER` in 2.4.2), the highest `priority` wins, and among equal priorities the
/// first type in alphabetical order. Filename-extension rules are left out: the name is the
/// client's (`document-name`) and proves nothing about what the bytes print as.
///
/// Only the types that decide how a document prints are modelled; a document none of them
/// matches is `application/octet-stream` (cupsd refuses it on a filtered queue; a raw queue
/// sends it to the printer as it is).
public enum CupsMimeTyping {
    /// cupsd's MIME type for a document whose first bytes are `head`, or `nil` for
    /// `application/octet-stream`.
    public static func type(of head: some Collection<UInt8>) -> String? {
        let buffer = Array(head.prefix(bufferSize))
        guard !buffer.isEmpty else { return nil }
        let rules = Rules(buffer)
        // priority(150): image/pwg-raster; application/vnd.adobe-reader-postscript is PostScript
        // with an Acrobat creator (priced as PostScript either way).
        if rules.string(0, "RaS2") && rules.string(4, "PwgRaster\u{0}") { return "image/pwg-raster" }
        for (name, matches) in typesInOrder where matches(rules) { return name }
        return nil
    }

    /// The bytes cupsd reads to type a document (CUPS 2.4.2's MIME_MAX_BUFFER).
    public static let bufferSize = 4096

    /// The priority-100 types with content rules, in cupsd's (alphabetical) order.
    static let typesInOrder: [(String, @Sendable (Rules) -> Bool)] = [
        ("application/pdf", { $0.pdfRegex() }),
        ("application/postscript", { r in
            r.string(0, "%!") || r.string(0, [0x04] + Array("%!".utf8))
                || (r.contains(0, 128, uel)
                    && (r.contains(0, 4096, "LANGUAGE=POSTSCRIPT") || r.contains(0, 4096, "LANGUAGE = Postscript")
                        || r.contains(0, 4096, "LANGUAGE = PostScript") || r.contains(0, 4096, "LANGUAGE = POSTSCRIPT")
                        || (r.contains(0, 4096, [0x0A] + Array("%!".utf8)) && !r.contains(0, 4096, "ENTER LANGUAGE"))))
        }),
        ("application/vnd.cups-banner", { $0.string(0, "#CUPS-BANNER") }),
        ("application/vnd.cups-command", { $0.string(0, "#CUPS-COMMAND") }),
        ("application/vnd.cups-pdf-banner", { $0.string(0, "#PDF-BANNER") }),
        ("application/vnd.cups-ppd", { $0.string(0, "*PPD-Adobe:") }),
        ("application/vnd.cups-raster", { r in
            r.string(0, "RaSt") || r.string(0, "tSaR") || (r.string(0, "RaS2") && !r.string(4, "PwgRaster\u{0}"))
                || r.string(0, "2SaR") || r.string(0, "RaS3") || r.string(0, "3SaR")
        }),
        ("application/vnd.cups-raw", { r in
            (r.string(0, [0x1B, 0x45]) && !r.string(2, [0x1B, 0x25, 0x30, 0x42])) || r.string(0, [0x1B, 0x40])
                || (r.contains(0, 128, uel) && (r.contains(0, 4096, "LANGUAGE=PCL") || r.contains(0, 4096, "LANGUAGE = PCL")))
        }),
        ("application/x-cshell", { r in
            r.printable(0, 1024) && r.string(0, "#!") && (r.contains(2, 80, "/csh") || r.contains(2, 80, "/tcsh"))
        }),
        ("application/x-csource", { r in
            r.printable(0, 1024)
                && (r.string(0, "/*") || r.string(0, "//") || r.string(0, "#include") || r.contains(0, 1024, "\n#include")
                    || r.string(0, "#define") || r.contains(0, 1024, "\n#define"))
        }),
        ("application/x-perl", { r in r.printable(0, 1024) && r.string(0, "#!") && r.contains(2, 80, "/perl") }),
        ("application/x-shell", { r in
            r.printable(0, 1024) && r.string(0, "#!")
                && (r.contains(2, 80, "/bash") || r.contains(2, 80, "/ksh") || r.contains(2, 80, "/sh") || r.contains(2, 80, "/zsh"))
        }),
        ("image/gif", { $0.string(0, "GIF87a") || $0.string(0, "GIF89a") }),
        ("image/jpeg", { r in r.string(0, [0xFF, 0xD8, 0xFF]) && r.byte(3).map { $0 >= 0xE0 && $0 <= 0xEF } == true }),
        ("image/png", { $0.string(0, [0x89] + Array("PNG".utf8)) }),
        ("image/tiff", { $0.string(0, [0x4D, 0x4D, 0x00, 0x2A]) || $0.string(0, [0x49, 0x49, 0x2A, 0x00]) }),
        ("image/urf", { $0.string(0, "UNIRAST\u{0}") }),
        ("image/x-alias", { $0.short(8) == 8 || $0.short(8) == 24 }),
        ("image/x-bitmap", { $0.string(0, "BM") && !$0.printable(2, 14) }),
        ("image/x-photocd", { $0.string(2048, "PCD_IPI") }),
        ("image/x-portable-bitmap", { $0.string(0, "P1") || $0.string(0, "P4") }),
        ("image/x-portable-graymap", { $0.string(0, "P2") || $0.string(0, "P5") }),
        ("image/x-portable-pixmap", { $0.string(0, "P3") || $0.string(0, "P6") }),
        ("image/x-sgi-rgb", { $0.short(0) == 474 }),
        ("image/x-sun-raster", { $0.string(0, [0x59, 0xA6, 0x6A, 0x95]) }),
        ("image/x-xbitmap", { $0.string(0, "#define") }),
        ("image/x-xpixmap", { $0.string(3, "XPM") }),
        ("image/x-xwindowdump", { $0.string(4, [0, 0, 0, 7]) }),
        ("text/html", { r in r.printable(0, 1024) && (r.caseInsensitiveString(0, "<HTML>") || r.caseInsensitiveString(0, "<!DOCTYPE")) }),
        ("text/plain", { $0.printable(0, 1024) }),
    ]

    /// The types cups-filters prints with texttopdf (cupsfilters.convs), paged as text.
    public static let textTypes: Set<String> = [
        "text/plain", "text/html", "application/x-shell", "application/x-csource", "application/x-perl", "application/x-cshell",
    ]

    static let uel = Array("\u{1B}%-12345X".utf8)

    /// mime.types' rule functions over cupsd's buffer, with type.c's bounds (including its
    /// off-by-one: `contains` never finds a string that ends at the last byte read).
    struct Rules {
        let b: [UInt8]
        init(_ buffer: [UInt8]) { b = buffer }

        func string(_ offset: Int, _ text: String) -> Bool { string(offset, Array(text.utf8)) }
        func string(_ offset: Int, _ bytes: [UInt8]) -> Bool {
            offset + bytes.count <= b.count && b[offset..<(offset + bytes.count)].elementsEqual(bytes)
        }
        func caseInsensitiveString(_ offset: Int, _ text: String) -> Bool {
            let bytes = Array(text.utf8)
            guard offset + bytes.count <= b.count else { return false }
            return zip(b[offset...], bytes).allSatisfy { lower($0) == lower($1) }
        }
        private func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c + 0x20 : c }
        func byte(_ offset: Int) -> UInt8? { offset < b.count ? b[offset] : nil }
        /// `short(offset, value)`: a big-endian 16-bit value.
        func short(_ offset: Int) -> Int? { offset + 2 <= b.count ? Int(b[offset]) << 8 | Int(b[offset + 1]) : nil }

        func contains(_ offset: Int, _ region: Int, _ text: String) -> Bool { contains(offset, region, Array(text.utf8)) }
        func contains(_ offset: Int, _ region: Int, _ needle: [UInt8]) -> Bool {
            let available = b.count - offset
            guard available >= needle.count, offset < b.count else { return false }
            let starts = available > region ? region - needle.count : available - needle.count
            guard starts > 0 else { return false }
            for n in 0..<starts where b[offset + n] == needle[0] {
                if b[(offset + n)..<(offset + n + needle.count)].elementsEqual(needle) { return true }
            }
            return false
        }

        /// `printable(offset, length)`: 8-bit characters and the usual control characters
        /// (BS, HT, LF, VT, FF, CR, SUB, ESC), over the bytes the document has (none at all,
        /// at its very end, counts as printable; beyond its end, not).
        func printable(_ offset: Int, _ length: Int) -> Bool {
            guard offset <= b.count else { return false }
            let end = min(b.count, offset + length)
            return b[offset..<end].allSatisfy(Self.isPrintable)
        }
        static func isPrintable(_ c: UInt8) -> Bool {
            c >= 128 || (c >= 32 && c <= 126) || (c >= 8 && c <= 13) || c == 26 || c == 27
        }

        /// `regex(0,^[\n\r]*%PDF)`, matched by regexec on the buffer up to its first NUL.
        func pdfRegex() -> Bool {
            var i = 0
            while i < b.count, b[i] == 0x0A || b[i] == 0x0D { i += 1 }
            return string(i, "%PDF")
        }
    }
}
