#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Answers "which system groups is this user in?" — the seam between the store and NSS.
///
/// Groups kept in the database are resolved by the store itself; this covers only system groups.
public protocol SystemGroupResolver: Sendable {
    /// The names of the system groups `user` belongs to (primary and supplementary).
    /// An unknown user has no groups (failure policy: a lookup failure denies group access, never grants it).
    func groups(of user: String) -> Set<String>
    /// The users listed as members of system group `group` (for group-wide scheduled credits).
    func members(of group: String) -> Set<String>
}

/// System groups through NSS (`getpwnam_r`, `getgrouplist`, `getgrgid_r`, `getgrnam_r`):
/// `/etc/group`, LDAP, SSSD — whatever `nsswitch.conf` says.
public struct NSSGroupResolver: SystemGroupResolver {
    public init() {}

    public func groups(of user: String) -> Set<String> {
        guard let primary = primaryGID(of: user) else { return [] }
        var count: Int32 = 64
        var gids = [gid_t](repeating: 0, count: Int(count))
        while getgrouplist(user, primary, &gids, &count) == -1 {
            guard count < 65_536 else { return [] }
            count = max(count, Int32(gids.count) * 2)
            gids = [gid_t](repeating: 0, count: Int(count))
        }
        var names = Set<String>()
        for gid in gids.prefix(Int(count)) {
            if let name = groupName(gid) { names.insert(name) }
        }
        return names
    }

    public func members(of group: String) -> Set<String> {
        var buffer = [CChar](repeating: 0, count: 1 << 16)
        var entry = group_struct()
        var result: UnsafeMutablePointer<group_struct>?
        guard getgrnam_r(group, &entry, &buffer, buffer.count, &result) == 0, let found = result,
              var member = found.pointee.gr_mem else { return [] }
        var names = Set<String>()
        while let name = member.pointee {
            names.insert(String(cString: name))
            member += 1
        }
        return names
    }

    private func primaryGID(of user: String) -> gid_t? {
        var buffer = [CChar](repeating: 0, count: 1 << 14)
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        guard getpwnam_r(user, &entry, &buffer, buffer.count, &result) == 0, let found = result else { return nil }
        return found.pointee.pw_gid
    }

    private func groupName(_ gid: gid_t) -> String? {
        var buffer = [CChar](repeating: 0, count: 1 << 16)
        var entry = group_struct()
        var result: UnsafeMutablePointer<group_struct>?
        guard getgrgid_r(gid, &entry, &buffer, buffer.count, &result) == 0, let found = result else { return nil }
        return String(cString: found.pointee.gr_name)
    }
}

private typealias group_struct = group

/// A fixed table of system groups, for tests and for sites that want none (`[:]`).
public struct StaticGroupResolver: SystemGroupResolver {
    public let groupsByUser: [String: Set<String>]

    public init(_ groupsByUser: [String: Set<String>] = [:]) {
        self.groupsByUser = groupsByUser
    }

    public func groups(of user: String) -> Set<String> { groupsByUser[user] ?? [] }

    public func members(of group: String) -> Set<String> {
        Set(groupsByUser.filter { $0.value.contains(group) }.map(\.key))
    }
}
