import Foundation

/// A real system user for a test's lifetime: `useradd` (a fresh random name with `prefix`, so
/// concurrent tests never share one), optionally with a password (`chpasswd`) and a home, removed
/// with `userdel` by ``remove()`` or when released.
///
/// Jobs are submitted only by users that exist: Debian 12's cupsd 2.4.2-3+deb12u10 segfaults on a
/// document sent in the name of a user the system does not know (`lp -U nosuchuser`), and a real
/// print server knows its users by their Unix id (PeerCred), not by a name a client claims.
public final class SystemUser: @unchecked Sendable {
    public let name: String
    /// The login password (set with chpasswd), when asked for.
    public let password: String
    private var removed = false

    public init(prefix: String = "tg", password withPassword: Bool = false, home: Bool = false) throws {
        name = prefix + String(UInt32.random(in: 100_000...999_999))
        password = withPassword ? "Pw-" + String(UInt64.random(in: 1 << 40 ... 1 << 60), radix: 36) : ""
        let add = try ProcessRunner.run(["/usr/sbin/useradd", home ? "-m" : "-M", "-s", "/bin/sh", name])
        guard add.status == 0 else { throw TestFailure("useradd \(name): \(add.stderr)") }
        if withPassword {
            let set = try ProcessRunner.run(["/usr/sbin/chpasswd"], stdin: Data("\(name):\(password)\n".utf8))
            guard set.status == 0 else {
                remove()
                throw TestFailure("chpasswd: \(set.stderr)")
            }
        }
    }

    deinit { remove() }

    public func remove() {
        guard !removed else { return }
        removed = true
        _ = try? ProcessRunner.run(["/usr/sbin/userdel", "-r", name])
    }

    /// `arguments` run as this user (runuser keeps the given environment).
    public func command(_ arguments: [String]) -> [String] {
        ["/usr/sbin/runuser", "-u", name, "--"] + arguments
    }
}
