import Foundation
import Testing
import TestSupport

/// The quota database and its -wal and -shm files are 0600, whatever the umask of whoever made
/// them, after `tollgate db init`, after writes, and again after a chmod by hand (the next open
/// takes the group and other bits away).
@Suite struct DatabaseFileModeTests {
    func modes(_ database: String) -> [String: String] {
        var result: [String: String] = [:]
        for suffix in ["", "-wal", "-shm"] {
            var info = stat()
            result["db" + suffix] = stat(database + suffix, &info) == 0 ? String(info.st_mode & 0o777, radix: 8) : "missing"
        }
        return result
    }

    let privateModes = ["db": "600", "db-wal": "600", "db-shm": "600"]

    func tollgate(_ command: String, _ database: String) throws -> ProcessResult {
        // umask 0: what SQLite would create 0666 (and a 0644 main file would give its -wal and -shm).
        try ProcessRunner.shell("umask 000; exec \(BuiltProducts.executable("tollgate")) \(command)",
                                environment: ["PATH": "/usr/bin:/bin", "TOLLGATE_DB": database,
                                              "TOLLGATE_PIN_KEY": (database as NSString).deletingLastPathComponent + "/pin.key", "LANG": "C"])
    }

    @Test func theDatabaseAndItsWALAndSHMArePrivate() throws {
        let dir = try TemporaryDirectory()
        let database = dir.path + "/state/tollgate.db"
        let created = try tollgate("db init --currency EUR", database)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(modes(database) == privateModes, "after db init")
        var info = stat()
        #expect(stat(dir.path + "/state", &info) == 0 && info.st_mode & 0o777 == 0o700, "its new directory is 0700")

        #expect(try tollgate("topup tgmode 1.00", database).status == 0)
        #expect(modes(database) == privateModes, "after a write")

        // A database from before (0644, as SQLite made it) or chmod'ed by hand: the next open fixes it.
        for suffix in ["", "-wal", "-shm"] { chmod(database + suffix, 0o644) }
        #expect(try tollgate("user show tgmode", database).status == 0)
        #expect(modes(database) == privateModes, "after an open of a 0644 database")
    }
}
