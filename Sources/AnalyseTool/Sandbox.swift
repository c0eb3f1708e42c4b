#if canImport(Glibc)
import Glibc
#endif

/// Confines this process before it reads a hostile document.
enum Sandbox {
    /// Address space: 1 GiB plus the document (which is memory-mapped).
    static let addressSpace: UInt64 = 1 << 30
    /// Files written (Ghostscript's copy of a PDF read from stdin): 1 GiB.
    static let fileSize: UInt64 = 1 << 30
    static let openFiles: UInt64 = 64

    /// Applies rlimits to this process (inherited by Ghostscript children). Failure policy: a
    /// limit that cannot be lowered is an error; we do not analyse unconfined.
    static func applyLimits(cpuSeconds: UInt64, documentBytes: UInt64) -> String? {
        func set(_ resource: Int32, _ value: UInt64, _ name: String) -> String? {
            var current = rlimit()
            getrlimit(__rlimit_resource_t(UInt32(resource)), &current)
            let v = min(rlim_t(value), current.rlim_max)
            var limit = rlimit(rlim_cur: v, rlim_max: v)
            if setrlimit(__rlimit_resource_t(UInt32(resource)), &limit) != 0 {
                return "cannot set \(name): " + String(cString: strerror(errno))
            }
            return nil
        }
        return set(Int32(RLIMIT_AS.rawValue), addressSpace + documentBytes, "RLIMIT_AS")
            ?? set(Int32(RLIMIT_CPU.rawValue), cpuSeconds, "RLIMIT_CPU")
            ?? set(Int32(RLIMIT_FSIZE.rawValue), fileSize, "RLIMIT_FSIZE")
            ?? set(Int32(RLIMIT_NOFILE.rawValue), openFiles, "RLIMIT_NOFILE")
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
