import JobAnalysis
#if canImport(Glibc)
import Glibc
#endif

/// Confines this process before it reads a hostile document.
enum Sandbox {
    /// Address space beyond the document (which is memory-mapped): 1 GiB. qpdf's objects are most
    /// of it: a 99 000-page PDF (21 MB) peaked at 470 MB resident, a 200 MB two-page poster at
    /// 35 MB; so about 200 000 pages, two days of a 60-page-a-minute printer, fit.
    static let addressSpace = 1 << 30
    static let openFiles: UInt64 = 64
    /// How long past the CPU limit (SIGXCPU, which says "time limit") the kernel's SIGKILL waits.
    static let cpuGrace = 5

    /// Applies rlimits to this process (inherited by Ghostscript children, each of which has its
    /// own CPU time and address space under them). Failure policy: a limit that cannot be lowered
    /// is an error; we do not analyse unconfined.
    /// - CPU: the whole analysis's time for this size (``AnalysisLimits/analysisTime(documentBytes:)``),
    ///   the same as the caller's wall-clock limit: a backstop when no caller is waiting.
    /// - File size: the largest document accepted, plus a MiB: this tool copies a pipe it is given,
    ///   and a PDF Ghostscript must render but may not open (root's spool file), to unlinked files.
    static func applyLimits(_ limits: AnalysisLimits, documentBytes: Int) -> String? {
        func set(_ resource: Int32, _ soft: Int, hard: Int? = nil, _ name: String) -> String? {
            var current = rlimit()
            getrlimit(__rlimit_resource_t(UInt32(resource)), &current)
            let high = min(rlim_t(hard ?? soft), current.rlim_max)
            var limit = rlimit(rlim_cur: min(rlim_t(soft), high), rlim_max: high)
            if setrlimit(__rlimit_resource_t(UInt32(resource)), &limit) != 0 {
                return "cannot set \(name): " + String(cString: strerror(errno))
            }
            return nil
        }
        let cpu = Int(limits.analysisTime(documentBytes: documentBytes).components.seconds)
        return set(Int32(RLIMIT_AS.rawValue), addressSpace + documentBytes, "RLIMIT_AS")
            ?? set(Int32(RLIMIT_CPU.rawValue), cpu, hard: cpu + cpuGrace, "RLIMIT_CPU")
            ?? set(Int32(RLIMIT_FSIZE.rawValue), limits.maxDocumentBytes + (1 << 20), "RLIMIT_FSIZE")
            ?? set(Int32(RLIMIT_NOFILE.rawValue), Int(openFiles), "RLIMIT_NOFILE")
            ?? set(Int32(RLIMIT_CORE.rawValue), 0, "RLIMIT_CORE")
    }

    /// When running as root, switches to `lp` (else `nobody`): supplementary groups cleared,
    /// then gid, then uid, and checks that root cannot be regained. Call after the document is
    /// open. Failure policy: if the switch fails we stop; we never analyse as root.
    static func dropPrivileges() -> String? {
        guard geteuid() == 0 || getuid() == 0 else { return nil }
        guard let pw = getpwnam("lp") ?? getpwnam("nobody") else { return "no 'lp' or 'nobody' user to run as" }
        let uid = pw.pointee.pw_uid, gid = pw.pointee.pw_gid
        if setgroups(0, nil) != 0 { return "setgroups: " + String(cString: strerror(errno)) }
        if setgid(gid) != 0 { return "setgid: " + String(cString: strerror(errno)) }
        if setuid(uid) != 0 { return "setuid: " + String(cString: strerror(errno)) }
        if setuid(0) == 0 { return "could still regain root after dropping privileges" }
        // HOME of root is not ours any more; Ghostscript writes temporary files in TMPDIR.
        setenv("HOME", "/tmp", 1)
        return nil
    }
}
