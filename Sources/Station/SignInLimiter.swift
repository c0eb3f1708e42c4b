import Foundation

/// Counts failed sign-ins (password or PIN) per client address and per user name, in memory,
/// and refuses further attempts for a while once a key has failed too often.
///
/// This slows down guessing at the station; it comes on top of the PIN lock kept in the
/// database (which survives restarts). A success clears the user name's count, not the
/// address's: a kiosk where someone guesses between genuine sign-ins stays limited.
public actor SignInLimiter {
    /// How many failures within `window` seconds block a key, and for how long.
    public struct Policy: Sendable, Hashable {
        public var maxFailures: Int
        public var window: TimeInterval
        public var blockFor: TimeInterval

        public init(maxFailures: Int, window: TimeInterval, blockFor: TimeInterval) {
            self.maxFailures = maxFailures
            self.window = window
            self.blockFor = blockFor
        }
    }

    private struct Entry {
        var failures: Int
        var firstFailure: Date
        var blockedUntil: Date?
    }

    public nonisolated let perAddress: Policy
    public nonisolated let perUser: Policy
    private let clock: @Sendable () -> Date
    private var addresses: [String: Entry] = [:]
    private var users: [String: Entry] = [:]
    private let maxEntries = 100_000

    /// By default a user name is blocked for 5 minutes after 5 failures; an address (shared by
    /// everyone at one kiosk, or by all clients behind one proxy) after 20.
    public init(perAddress: Policy = Policy(maxFailures: 20, window: 300, blockFor: 300),
                perUser: Policy = Policy(maxFailures: 5, window: 300, blockFor: 300),
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.perAddress = perAddress
        self.perUser = perUser
        self.clock = clock
    }

    /// Until when a sign-in from `address` as `user` is refused, or `nil` if it may be tried.
    public func blockedUntil(address: String, user: String) -> Date? {
        let now = clock()
        let times = [addresses[address]?.blockedUntil, users[Self.userKey(user)]?.blockedUntil]
            .compactMap { $0 }.filter { $0 > now }
        return times.max()
    }

    /// Counts a failed sign-in; returns until when the address or user is now blocked, if it is.
    @discardableResult
    public func recordFailure(address: String, user: String) -> Date? {
        let now = clock()
        if addresses.count + users.count > maxEntries { prune(now) }
        count(&addresses, key: address, policy: perAddress, now: now)
        count(&users, key: Self.userKey(user), policy: perUser, now: now)
        return blockedUntil(address: address, user: user)
    }

    /// A successful sign-in: the user name's failures are forgotten.
    public func recordSuccess(user: String) {
        users[Self.userKey(user)] = nil
    }

    private func count(_ table: inout [String: Entry], key: String, policy: Policy, now: Date) {
        var entry = table[key] ?? Entry(failures: 0, firstFailure: now, blockedUntil: nil)
        if let until = entry.blockedUntil, until <= now { entry = Entry(failures: 0, firstFailure: now, blockedUntil: nil) }
        if now.timeIntervalSince(entry.firstFailure) > policy.window { entry = Entry(failures: 0, firstFailure: now, blockedUntil: nil) }
        entry.failures += 1
        if entry.failures >= policy.maxFailures, entry.blockedUntil == nil {
            entry.blockedUntil = now.addingTimeInterval(policy.blockFor)
        }
        table[key] = entry
    }

    private func prune(_ now: Date) {
        addresses = addresses.filter { Self.isLive($0.value, policy: perAddress, at: now) }
        users = users.filter { Self.isLive($0.value, policy: perUser, at: now) }
    }

    private static func isLive(_ entry: Entry, policy: Policy, at now: Date) -> Bool {
        if let until = entry.blockedUntil { return until > now }
        return now.timeIntervalSince(entry.firstFailure) <= policy.window
    }

    private static func userKey(_ user: String) -> String { user.lowercased() }
}
