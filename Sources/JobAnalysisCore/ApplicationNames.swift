/// Maps the free-form strings documents carry (PDF /Creator and /Producer, `%%Creator:`, job
/// names) to short application names that rates cards can match with globs.
public enum ApplicationNames {
    /// Known applications: a lower-case substring to look for and the name it stands for. The
    /// first match wins, so specific patterns come before generic ones.
    package static let patterns: [(String, String)] = [
        ("libreoffice", "LibreOffice"),
        ("openoffice", "OpenOffice"),
        ("microsoft® word", "Microsoft Word"), ("microsoft word", "Microsoft Word"), ("winword", "Microsoft Word"),
        ("microsoft® excel", "Microsoft Excel"), ("microsoft excel", "Microsoft Excel"),
        ("microsoft® powerpoint", "Microsoft PowerPoint"), ("microsoft powerpoint", "Microsoft PowerPoint"),
        ("microsoft: print to pdf", "Microsoft Print to PDF"), ("microsoft print to pdf", "Microsoft Print to PDF"),
        ("microsoft® outlook", "Microsoft Outlook"), ("microsoft outlook", "Microsoft Outlook"),
        ("pscript5", "Windows PostScript driver"),
        ("pdftex", "pdfTeX"), ("luatex", "LuaTeX"), ("xetex", "XeTeX"), ("xdvipdfmx", "XeTeX"),
        ("dvipdfm", "dvipdfmx"), ("dvips", "dvips"),
        ("headlesschrome", "Chrome"), ("chromium", "Chrome"), ("google chrome", "Chrome"), ("chrome", "Chrome"),
        ("skia/pdf", "Chrome"),
        ("firefox", "Firefox"), ("mozilla", "Firefox"),
        ("google docs", "Google Docs"),
        ("acrobat distiller", "Adobe Acrobat Distiller"), ("acrobat pdfmaker", "Adobe Acrobat"),
        ("adobe acrobat", "Adobe Acrobat"), ("adobe indesign", "Adobe InDesign"), ("indesign", "Adobe InDesign"),
        ("adobe illustrator", "Adobe Illustrator"), ("illustrator", "Adobe Illustrator"),
        ("adobe photoshop", "Adobe Photoshop"), ("adobe pdf library", "Adobe PDF Library"),
        ("quartz pdfcontext", "macOS Quartz"), ("macos", "macOS Quartz"), ("mac os x", "macOS Quartz"),
        ("pages", "Apple Pages"), ("keynote", "Apple Keynote"),
        ("inkscape", "Inkscape"), ("scribus", "Scribus"), ("gimp", "GIMP"),
        ("evince", "Evince"), ("okular", "Okular"), ("atril", "Atril"),
        ("wps", "WPS Office"), ("abiword", "AbiWord"), ("gnumeric", "Gnumeric"),
        ("wkhtmltopdf", "wkhtmltopdf"), ("prince", "Prince"), ("weasyprint", "WeasyPrint"),
        ("itext", "iText"), ("reportlab", "ReportLab"), ("tcpdf", "TCPDF"), ("fpdf", "FPDF"),
        ("apache fop", "Apache FOP"), ("pdfium", "PDFium"), ("pdfsharp", "PDFsharp"), ("pdfkit", "PDFKit"),
        ("groff", "groff"), ("enscript", "enscript"), ("a2ps", "a2ps"), ("paps", "paps"),
        ("texttopdf", "CUPS texttopdf"), ("cups-filters", "cups-filters"),
        ("ghostscript", "Ghostscript"), ("gpl ghostscript", "Ghostscript"), ("artifex", "Ghostscript"),
        ("pdfwrite", "Ghostscript"),
        ("mupdf", "MuPDF"), ("qpdf", "qpdf"), ("poppler", "Poppler"), ("cairo", "cairo"),
    ]

    /// The short name for `raw`, or `nil` when no known application matches.
    public static func knownName(for raw: String) -> String? {
        let lower = raw.lowercased()
        for (needle, name) in patterns where lower.contains(needle) {
            // "pages" alone is too common a word: require it to be the whole string or a prefix.
            if needle == "pages" && !(lower == "pages" || lower.hasPrefix("pages ")) { continue }
            return name
        }
        return nil
    }

    /// The short name for `raw`: a known application's name, else the first two words of the
    /// string without version numbers (at most 40 characters).
    public static func normalise(_ raw: String) -> String {
        if let known = knownName(for: raw) { return known }
        func isVersion(_ word: Substring) -> Bool {
            guard let first = word.first else { return true }
            if first.isNumber || first == "(" { return true }
            return (first == "v" || first == "V") && word.dropFirst().first?.isNumber == true
        }
        let words = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "/" })
            .filter { !isVersion($0) }
            .prefix(2)
        let name = words.joined(separator: " ")
        return name.isEmpty ? String(raw.prefix(40)) : String(name.prefix(40))
    }

    /// Chooses the originating application: the caller's attribute, else the document's
    /// creator/producer strings in order (a known application wins over an unknown string; a
    /// generic converter such as Ghostscript or cairo in /Producer loses to a /Creator), else the
    /// job name when it names a known application (`Microsoft Word - report.docx`).
    package static func choose(attribute: String?, candidates: [(String, ApplicationSource)], jobName: String?) -> OriginatingApplication? {
        if let attribute, !attribute.trimmingSpaces.isEmpty {
            let raw = attribute.trimmingSpaces
            return OriginatingApplication(name: normalise(raw), raw: raw, source: .jobAttribute)
        }
        let present = candidates.map { ($0.0.trimmingSpaces, $0.1) }.filter { !$0.0.isEmpty }
        if let known = present.first(where: { knownName(for: $0.0) != nil }) {
            return OriginatingApplication(name: knownName(for: known.0)!, raw: known.0, source: known.1)
        }
        if let first = present.first {
            return OriginatingApplication(name: normalise(first.0), raw: first.0, source: first.1)
        }
        if let jobName, let name = knownName(for: jobName) {
            return OriginatingApplication(name: name, raw: jobName, source: .jobName)
        }
        return nil
    }
}
