#if canImport(Glibc)
import Glibc
#endif

/// The CUPS backend that talks to the real printer, found and checked before it is run.
public struct RealBackend: Equatable, Sendable {
    /// `$CUPS_SERVERBIN/backend/<scheme>`.
    public let path: String
    /// Its permission bits (after following symlinks, as exec does).
    public let mode: mode_t

    /// Finds the backend for `scheme` under `serverBin` and refuses one that is missing, not an
    /// executable regular file, or writable by group or others, or that sits (after symlinks) in
    /// a directory writable by group or others: anyone who could write either could run code as
    /// root or as lp for every job. When we run as root both must also belong to root, as cupsd
    /// requires of its own backends.
    public init(scheme: String, serverBin: String, effectiveUID: uid_t = geteuid()) throws(BackendError) {
        let path = serverBin + "/backend/" + scheme
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .realBackendMissing(path: path)
        }
        guard info.st_mode & S_IFMT == S_IFREG, info.st_mode & 0o111 != 0 else {
            throw .realBackendNotExecutable(path: path)
        }
        let mode = info.st_mode & 0o7777
        if mode & (S_IWGRP | S_IWOTH) != 0 {
            throw .realBackendInsecure(path: path, reason: "it is writable by group or others (mode \(octal(mode)))")
        }
        if effectiveUID == 0 && info.st_uid != 0 {
            throw .realBackendInsecure(path: path, reason: "it is not owned by root (uid \(info.st_uid))")
        }
        // The directory that really holds it (after symlinks) must be as safe as the file:
        // whoever can write there can replace it.
        if let resolved = realpath(path, nil) {
            defer { free(resolved) }
            var directory = String(cString: resolved)
            if let slash = directory.utf8.lastIndex(of: UInt8(ascii: "/")) {
                directory = String(directory[..<slash])
            }
            var dirInfo = stat()
            if stat(directory.isEmpty ? "/" : directory, &dirInfo) == 0 {
                if dirInfo.st_mode & (S_IWGRP | S_IWOTH) != 0 {
                    throw .realBackendInsecure(path: path, reason: "its directory \(directory) is writable by group or others")
                }
                if effectiveUID == 0 && dirInfo.st_uid != 0 {
                    throw .realBackendInsecure(path: path, reason: "its directory \(directory) is not owned by root")
                }
            }
        }
        self.path = path
        self.mode = mode
    }
}

func octal(_ mode: mode_t) -> String {
    "0" + String(mode, radix: 8)
}
