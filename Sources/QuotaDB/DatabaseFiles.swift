import Foundation

/// The database file and SQLite's `-wal` and `-shm` files beside it are private to their owner:
/// mode 0600.
///
/// They hold every balance and the PIN hashes. Everything that opens the database runs as root
/// (the backend, tollgated, administrators' `tollgate` through sudo); users reach it only through
/// tollgated's local socket. A reading group (0640 to a `tollgate` group) would gain nothing it
/// could use: reading a WAL database takes write access to its `-shm` file.
///
/// SQLite creates `-wal` and `-shm` with the main file's permission bits, so the main file is
/// created 0600 before SQLite sees it, and on every open the group and other bits of the three
/// files are cleared (a database made by an older Tollgate, 0644, or chmod'ed by hand) before
/// SQLite creates a missing `-wal` or `-shm` from the main file's mode. Three `stat`s per open.
enum DatabaseFiles {
    /// The files' mode.
    static let mode: mode_t = 0o600

    /// The database and the files SQLite keeps beside it in WAL mode.
    static func paths(of path: String) -> [String] { [path, path + "-wal", path + "-shm"] }

    /// Creates `path` as an empty file with ``mode`` unless it exists (SQLite takes an empty file
    /// as a new database). Its directory is created 0700 when missing.
    static func create(_ path: String) throws(QuotaError) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o700])
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        if fd >= 0 {
            fchmod(fd, mode)                                    // the umask may have taken bits away, never added
            close(fd)
        } else if errno != EEXIST {                             // another process created it meanwhile: fine
            throw .databaseUnavailable(path: path, detail: "cannot create it: \(String(cString: strerror(errno)))")
        }
    }

    /// Clears the group and other bits of the files that exist. A file this process may not chmod
    /// (another user's) is left as it is: opening it decides what this process may do.
    static func makePrivate(_ path: String) {
        for file in paths(of: path) {
            var info = stat()
            guard lstat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_mode & 0o077 != 0 else { continue }
            chmod(file, info.st_mode & 0o700)
        }
    }
}
