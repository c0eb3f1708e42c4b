import JobAnalysis
#if canImport(Glibc)
import Glibc
#endif

/// What a spare analyser (`--await-document`) does while it waits for its document: it leaves
/// root (nothing it is given later needs it: the document comes as a descriptor), then analyses
/// a built-in one-page PDF and throws the result away, so that qpdf, the analysers and the JSON
/// writer have run once. Each took its first-call cost on the job's path before (lazy binding,
/// Swift metadata, qpdf's own start-up).
enum SpareWarmUp {
    /// A valid one-page A4 PDF with one black square (qpdf --check finds nothing).
    static let document = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>\nendobj\n4 0 obj\n<< /Length 21 >>\nstream\n0 g 72 720 10 10 re f\nendstream\nendobj\nxref\n0 5\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n0000000115 00000 n \n0000000219 00000 n \ntrailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n290\n%%EOF\n"

    /// Drops root (nil, or why it could not: then the spare stops, as a fresh analyser would),
    /// then warms up; a warm-up that fails changes nothing.
    static func prepare() -> String? {
        if let problem = Sandbox.dropPrivileges() { return problem }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        var bytes = Array(document.utf8)
        _ = bytes.withUnsafeMutableBytes { write(fds[1], $0.baseAddress, $0.count) }
        close(fds[1])
        var limits = AnalysisLimits()
        limits.ghostscriptPath = nil
        _ = (try? DocumentAnalyser(limits: limits).analyse(descriptor: fds[0]))?.jsonText
        close(fds[0])
        return nil
    }
}
