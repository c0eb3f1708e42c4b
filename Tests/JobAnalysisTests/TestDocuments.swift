import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import JobAnalysis

/// Builds test documents in a private temporary directory with Ghostscript, qpdf or raw bytes.
final class TestDocuments {
    let directory: String

    init() {
        var template = Array("/tmp/tollgate-analysis-tests-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        directory = String(cString: made!)
    }

    deinit {
        _ = run("/bin/rm", ["-rf", directory])
    }

    func path(_ name: String) -> String { directory + "/" + name }

    /// Writes `bytes` to `name`; returns the path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let p = path(name)
        let fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            precondition(n > 0)
            offset += n
        }
        close(fd)
        return p
    }

    @discardableResult
    func write(_ name: String, _ text: String) -> String { write(name, Array(text.utf8)) }

    /// Converts PostScript text to PDF with Ghostscript's pdfwrite.
    func pdf(_ name: String, postscript: String, extra: [String] = []) throws -> String {
        let ps = write(name + ".ps", postscript)
        let out = path(name)
        let status = run("/usr/bin/gs", ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite"] + extra + ["-o", out, ps])
        try #require(status == 0, "gs pdfwrite failed for \(name)")
        return out
    }

    /// Runs qpdf with `arguments`; returns the output path (qpdf exit 3 = warnings is fine).
    func qpdf(_ arguments: [String]) throws -> Int32 {
        run("/usr/bin/qpdf", arguments)
    }

    /// Runs a program, waits, returns its exit status.
    @discardableResult
    func run(_ program: String, _ arguments: [String], stdout: String? = nil) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, program, &actions, nil, argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Builds a classic PDF from object bodies (object i+1 = objects[i]) with a correct xref.
    static func rawPDF(_ objects: [String], root: Int = 1, info: Int? = nil, version: String = "1.4") -> [UInt8] {
        var out = Array("%PDF-\(version)\n%\u{E2}\u{E3}\n".utf8)
        var offsets: [Int] = []
        for (i, body) in objects.enumerated() {
            offsets.append(out.count)
            out += Array("\(i + 1) 0 obj\n\(body)\nendobj\n".utf8)
        }
        let xref = out.count
        var table = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for o in offsets {
            let s = String(o)
            table += String(repeating: "0", count: 10 - s.count) + s + " 00000 n \n"
        }
        table += "trailer\n<< /Size \(objects.count + 1) /Root \(root) 0 R" + (info.map { " /Info \($0) 0 R" } ?? "") + " >>\nstartxref\n\(xref)\n%%EOF\n"
        return out + Array(table.utf8)
    }

    /// A stream object body with `content` (unfiltered).
    static func stream(_ content: String, dictionary: String = "") -> String {
        "<< /Length \(content.utf8.count) \(dictionary) >>\nstream\n\(content)\nendstream"
    }

    /// A one-page PDF whose page content is `content`, with optional extra resources/objects.
    static func onePage(content: String, mediaBox: String = "[0 0 595 842]", resources: String = "<< >>",
                        pageExtra: String = "", extraObjects: [String] = [], info: String? = nil) -> [UInt8] {
        var objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox \(mediaBox) /Resources \(resources) /Contents 4 0 R \(pageExtra) >>",
            stream(content),
        ] + extraObjects
        var infoIndex: Int?
        if let info { objects.append(info); infoIndex = objects.count }
        return rawPDF(objects, info: infoIndex)
    }
}

/// Analyses with default limits.
func analyse(_ path: String, _ options: JobOptions = JobOptions()) throws -> JobAnalysis {
    try DocumentAnalyser().analyse(path: path, options: options)
}
