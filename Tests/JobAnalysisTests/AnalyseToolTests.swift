import Testing
import FoundationEssentials
import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import JobAnalysis
import JobAnalysisCore

/// `tollgate-analyse` as a process: JSON output, stdin, exit codes, sandbox, and the
/// ``AnalyserProcess`` client API.
@Suite("tollgate-analyse executable")
struct AnalyseToolTests {
    /// The tool next to the test bundle (swift test builds every product into the same directory).
    static let tool: String? = {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let exe = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var dir = exe
        while let last = dir.last, last != "/" { dir.removeLast() }
        let candidate = dir + "tollgate-analyse"
        return access(candidate, X_OK) == 0 ? candidate : nil
    }()

    struct Run { var status: Int32; var stdout: String; var stderr: String }

    func run(_ arguments: [String], stdin: String? = nil) throws -> Run {
        let tool = try #require(Self.tool, "build the tollgate-analyse product first")
        let docs = TestDocuments()
        let out = docs.path("stdout"), err = docs.path("stderr")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv: [UnsafeMutablePointer<CChar>?] = ([tool] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        try #require(posix_spawn(&pid, tool, &actions, nil, argv, environ) == 0)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        func read(_ p: String) throws -> String {
            let d = try DocumentData(path: p, maxBytes: 1 << 30)
            return String(decoding: d.bytes, as: UTF8.self)
        }
        return Run(status: code, stdout: try read(out), stderr: try read(err))
    }

    static let twoPages = "%!PS\n/Helvetica findfont 20 scalefont setfont\n72 700 moveto (one) show showpage\n1 0 0 setrgbcolor 72 700 moveto (two) show showpage\n"

    @Test func jsonOutputDecodes() throws {
        let docs = TestDocuments()
        let pdf = try docs.pdf("doc.pdf", postscript: Self.twoPages)
        let r = try run(["--json", "--copies", "3", "--sides", "two-sided-long-edge", pdf])
        #expect(r.status == 0)
        let a = try JSONDecoder().decode(JobAnalysis.self, from: Data(r.stdout.utf8))
        #expect(a.pageCount == 2 && a.colourPageCount == 1)
        #expect(a.output.totalSheets == 3 && a.output.totalImpressions == 6)
    }

    @Test func readsStdin() throws {
        let docs = TestDocuments()
        let pdf = try docs.pdf("doc.pdf", postscript: Self.twoPages)
        let r = try run(["--json", "-"], stdin: pdf)
        #expect(r.status == 0)
        let a = try JSONDecoder().decode(JobAnalysis.self, from: Data(r.stdout.utf8))
        #expect(a.pageCount == 2 && a.colourPageCount == 1)
    }

    @Test func humanSummary() throws {
        let docs = TestDocuments()
        let pdf = try docs.pdf("doc.pdf", postscript: Self.twoPages)
        let r = try run([pdf])
        #expect(r.status == 0)
        #expect(r.stdout.contains("pages:       2  colour: 1"))
    }

    @Test func exitCodes() throws {
        let usage = try run(["--copies", "x", "a.pdf"])
        #expect(usage.status == 2)
        #expect(usage.stderr.hasPrefix("tollgate-analyse: --copies needs a whole number"))
        let missing = try run(["/nonexistent.pdf"])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("cannot open /nonexistent.pdf"))
        let badSides = try run(["--sides", "three", "a.pdf"])
        #expect(badSides.status == 2)
    }

    @Test func deeplyNestedPageTreeInTheTool() throws {
        let depth = 20_000
        var objects = ["<< /Type /Catalog /Pages 2 0 R >>"]
        for level in 0..<depth {
            let me = 2 + level
            let parent = level == 0 ? "" : "/Parent \(me - 1) 0 R"
            let kid = level == depth - 1 ? "\(2 + depth) 0 R" : "\(me + 1) 0 R"
            objects.append("<< /Type /Pages \(parent) /Kids [\(kid)] /Count 1 /MediaBox [0 0 595 842] >>")
        }
        objects.append("<< /Type /Page /Parent \(1 + depth) 0 R >>")
        let docs = TestDocuments()
        let path = docs.write("deep.pdf", TestDocuments.rawPDF(objects))
        let r = try run(["--json", path])
        // Either qpdf lists the page, or the tool fails cleanly; it must not hang.
        if r.status == 0 {
            let a = try JSONDecoder().decode(JobAnalysis.self, from: Data(r.stdout.utf8))
            #expect(a.pageCount == 1 || a.failure != nil)
        } else {
            #expect(r.status != 0)
        }
    }

    @Test func runsUnprivilegedWhenRoot() throws {
        guard geteuid() == 0 else { return }
        // A root-only file is read through the descriptor opened before dropping privileges,
        // and Ghostscript (page 2 needs no render here) still works.
        let docs = TestDocuments()
        let pdf = try docs.pdf("doc.pdf", postscript: Self.twoPages)
        chmod(pdf, 0o600)
        let r = try run(["--json", pdf])
        #expect(r.status == 0)
    }

    @Test func analyserProcessClient() throws {
        let tool = try #require(Self.tool)
        let docs = TestDocuments()
        let pdf = try docs.pdf("doc.pdf", postscript: Self.twoPages)
        let fd = open(pdf, O_RDONLY)
        defer { close(fd) }
        let client = AnalyserProcess(executable: tool, timeout: .seconds(30))
        let a = try client.analyse(descriptor: fd, options: JobOptions(numberUp: 2, jobName: "report"))
        #expect(a.pageCount == 2 && a.output.impressionsPerCopy == 1 && a.output.colourImpressionsPerCopy == 1)
        let bad = AnalyserProcess(executable: "/nonexistent/tollgate-analyse")
        #expect(throws: AnalysisError.self) { try bad.analyse(descriptor: fd, options: JobOptions()) }
    }

    /// A spare (the gate service's: started before its document, root left, warmed up) answers
    /// as a fresh analyser does, is used once, and is stopped at its document's time limit.
    @Test func aSpareAnalyserAnswersAsAFreshOne() throws {
        let tool = try #require(Self.tool)
        let docs = TestDocuments()
        let pdf = try docs.pdf("doc.pdf", postscript: Self.twoPages)
        let fd = open(pdf, O_RDONLY)
        defer { close(fd) }
        let client = AnalyserProcess(executable: tool, timeout: .seconds(30))
        let spares = SpareAnalysers()
        spares.replenish(client)
        usleep(300_000)   // it starts and warms up while no job waits
        let options = JobOptions(numberUp: 2, jobName: "report")
        let spare = try spares.start(client, descriptor: fd, options: options).result()
        let fresh = try client.analyse(descriptor: fd, options: options)
        #expect(spare.failure == nil && spare.pageCount == 2 && spare.output == fresh.output && spare.pages == fresh.pages)
        // None waits now: the next document gets a fresh process, and the same answer.
        let next = try spares.start(client, descriptor: fd, options: options).result()
        #expect(next.output == fresh.output)
    }

    @Test func analyserProcessTimesOut() throws {
        let tool = try #require(Self.tool)
        let docs = TestDocuments()
        let looping = docs.write("loop.ps", "%!PS\n{ } loop\n")
        let fd = open(looping, O_RDONLY)
        defer { close(fd) }
        let clock = ContinuousClock()
        let start = clock.now
        let (a, fresh) = try Self.ghostscriptOfOurAnalysers {
            try AnalyserProcess(executable: tool, timeout: .seconds(2)).analyse(descriptor: fd, options: JobOptions())
        }
        #expect(clock.now - start < .seconds(5))
        // What the client knows without the analyser: the format, from the first bytes; no bound.
        #expect(a.format == .postscript && a.pageCount == nil)
        #expect(a.failure == AnalysisFailure(kind: .timedOut, detail: "tollgate-analyse was stopped after 2 s"))
        // Its Ghostscript went with it (this analyser's own: other suites analyse at the same time).
        #expect(!fresh.isEmpty, "the analyser ran Ghostscript")
        #expect(Self.stillRunning(fresh, within: .seconds(5)).isEmpty)

        // A spare (SpareAnalysers) is stopped at its document's limit as well, its Ghostscript
        // with it.
        let limited = AnalyserProcess(executable: tool, timeout: .seconds(2))
        let spares = SpareAnalysers()
        spares.replenish(limited)
        usleep(300_000)
        let spareStart = clock.now
        let (stopped, spare) = try Self.ghostscriptOfOurAnalysers {
            try spares.start(limited, descriptor: fd, options: JobOptions()).result()
        }
        #expect(clock.now - spareStart < .seconds(5))
        #expect(stopped.failure?.kind == .timedOut, "\(String(describing: stopped.failure))")
        #expect(!spare.isEmpty, "the spare ran Ghostscript")
        #expect(Self.stillRunning(spare, within: .seconds(5)).isEmpty)
    }

    /// Runs `work`, watching for the Ghostscript processes of this process's analysers (a
    /// Ghostscript whose parent is a child of this process): their pids.
    static func ghostscriptOfOurAnalysers<T>(_ work: () throws -> T) throws -> (T, Set<Int>) {
        let watch = GhostscriptWatch()
        let us = Int(getpid())
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            defer { finished.signal() }
            while !watch.lock.withLock({ watch.done }) {
                for pid in Self.processes(mentioning: "-dGraphicsAlphaBits=1 -sOutputFile=- ") {
                    if let analyser = Self.parent(of: pid), Self.parent(of: analyser) == us { _ = watch.lock.withLock { watch.seen.insert(pid) } }
                }
                usleep(20_000)
            }
        }
        defer { watch.lock.withLock { watch.done = true }; finished.wait() }
        let value = try work()
        return (value, watch.lock.withLock { watch.seen })
    }

    /// Which of `pids` still run (not gone, not a zombie) after at most `limit`.
    static func stillRunning(_ pids: Set<Int>, within limit: Duration) -> Set<Int> {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while true {
            let running = pids.filter { state(of: $0).map { $0 != "Z" } ?? false }
            if running.isEmpty || clock.now >= deadline { return running }
            usleep(50_000)
        }
    }

    /// Field 3 and 4 of /proc/PID/stat: the state letter and the parent's pid.
    static func stat(of pid: Int) -> (state: String, parent: Int)? {
        guard let data = try? DocumentData(path: "/proc/\(pid)/stat", maxBytes: 1 << 16) else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(data.fd, &buffer, buffer.count)
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self)
        // "PID (comm) S PPID …": comm may hold spaces and parentheses; the last ")" ends it.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 1, let parent = Int(fields[1]) else { return nil }
        return (String(fields[0]), parent)
    }
    static func parent(of pid: Int) -> Int? { stat(of: pid)?.parent }
    static func state(of pid: Int) -> String? { stat(of: pid)?.state }

    /// Pids whose command line mentions `text`.
    static func processes(mentioning text: String) -> [Int] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var result: [Int] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = Int(name), pid != Int(getpid()) else { continue }
            guard let data = try? DocumentData(path: "/proc/\(pid)/cmdline", maxBytes: 1 << 20) else { continue }
            // /proc files report size 0: read through the descriptor instead.
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = read(data.fd, &buffer, buffer.count)
            if n > 0, String(decoding: buffer[0..<n].map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(text) { result.append(pid) }
        }
        return result
    }
}

/// What ``AnalyseToolTests/ghostscriptOfOurAnalysers(_:)`` has seen so far.
final class GhostscriptWatch: @unchecked Sendable {
    let lock = NSLock()
    var done = false
    var seen = Set<Int>()
}
