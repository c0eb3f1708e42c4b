import Foundation

/// Documents generated for tests with Ghostscript (no committed binaries).
public enum TestDocuments {
    /// A PDF of `pages` A4 pages, each saying its number; pages in `colorPages` carry red text.
    public static func pdf(pages: Int, colorPages: Set<Int> = [], in dir: String, name: String = "doc.pdf") throws -> String {
        let path = dir + "/" + name
        var ps = "%!PS\n/Helvetica findfont 36 scalefont setfont\n"
        for page in 1...pages {
            ps += "<< /PageSize [595 842] >> setpagedevice\n"
            ps += colorPages.contains(page) ? "1 0 0 setrgbcolor\n" : "0 setgray\n"
            ps += "72 700 moveto (Tollgate test page \(page) of \(pages)) show showpage\n"
        }
        let source = dir + "/" + name + ".ps"
        try ps.write(toFile: source, atomically: true, encoding: .utf8)
        let result = try ProcessRunner.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite",
                                            "-o", path, source])
        guard result.status == 0 else { throw TestFailure("gs failed: \(result.stderr)") }
        return path
    }

    /// The page count of a PDF, by qpdf.
    public static func pageCount(_ pdf: String) throws -> Int {
        let result = try ProcessRunner.run(["qpdf", "--show-npages", pdf])
        guard let n = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestFailure("qpdf --show-npages \(pdf): \(result.stderr)")
        }
        return n
    }
}
