import Foundation

/// Limits failed sign-ins at the station (passwords and PINs) so that guessing stays slow and
/// nobody can lock another person out.
///
/// The policy (``Policy/standard``). A *name* is a user name, or the user a card number belongs to
/// (a card and its user count as one); each sign-in method counts on its own, so guessing a PIN
/// never slows the password, nor the other way round.
///
/// 1. **A name at one address** (`perNameAtAddress`): after 5 failures for a name from one client
///    address, that name waits 5 minutes before its next attempt there; each further failure
///    doubles the wait, up to a day. A success there clears it. It holds only at that address:
///    the owner signs in at any other station as before.
/// 2. **An address, whatever the names** (`perAddress`): 20 failures from one address within 5
///    minutes refuse that address for 5 minutes (someone trying name after name). This is the one
///    limit other people's failures can put on you: everyone at that kiosk waits (and everyone
///    behind one reverse proxy, which the station sees as one address).
/// 3. **A name from addresses that are not its own** (`perName`): failures for a name from
///    addresses where it has not signed in within 30 days count together, wherever they come
///    from: after 10, the next attempt from any such address waits 1 minute, doubling with each
///    failure up to a day. This is the ceiling for someone who rotates addresses. It never
///    applies at the name's own addresses (where it signed in), so it slows an attacker without
///    locking out the owner. A success does not clear it (each of the owner's sign-ins would give
///    an attacker a fresh start); it is forgotten after 30 days without failures.
///
/// What that allows against a 4-digit PIN (10,000 values): from one address about 13 guesses in
/// the first day, then about one a day; from any number of addresses about 21 guesses in the
/// first day and a half, then about one a day (plus one a day at each of the owner's own stations,
/// for someone standing there). A year of guessing finds a given PIN with a chance of a few per
/// cent, and every failure is in tollgated's log.
///
/// IPv6 clients count by their /64 network (one host can use a whole /64). Counts are in memory:
/// a restart of tollgated forgets them. They are forgotten 30 days after their last failure;
/// above ``maxEntries`` the forgotten go first, then those with the fewest failures (a flood of
/// one-off failures cannot push out the count of a name under attack).
public actor SignInLimiter {
    public typealias Method = Session.Method

    /// Failures of one key: after `free` failures the key waits `firstWait` after its last failure,
    /// and each further failure doubles the wait, up to `longestWait`.
    public struct Backoff: Sendable, Hashable {
        public var free: Int
        public var firstWait: TimeInterval
        public var longestWait: TimeInterval

        public init(free: Int, firstWait: TimeInterval, longestWait: TimeInterval) {
            self.free = free
            self.firstWait = firstWait
            self.longestWait = longestWait
        }

        /// The wait after `failures` failures (`nil`: none yet).
        public func wait(after failures: Int) -> TimeInterval? {
            guard failures >= free else { return nil }
            let doublings = failures - free
            return doublings >= 40 ? longestWait : min(longestWait, firstWait * Double(1 << doublings))
        }
    }

    /// `maxFailures` failures within `window` seconds refuse the key for `blockFor` seconds.
    public struct Window: Sendable, Hashable {
        public var maxFailures: Int
        public var window: TimeInterval
        public var blockFor: TimeInterval

        public init(maxFailures: Int, window: TimeInterval, blockFor: TimeInterval) {
            self.maxFailures = maxFailures
            self.window = window
            self.blockFor = blockFor
        }
    }

    /// The limits (see the type's documentation).
    public struct Policy: Sendable, Hashable {
        public var perNameAtAddress: Backoff
        public var perAddress: Window
        public var perName: Backoff
        /// How long a successful sign-in makes its address one of the name's own.
        public var ownAddressFor: TimeInterval
        /// A count without a failure for this long is forgotten.
        public var forgetAfter: TimeInterval

        public init(perNameAtAddress: Backoff, perAddress: Window, perName: Backoff,
                    ownAddressFor: TimeInterval = 30 * 86_400, forgetAfter: TimeInterval = 30 * 86_400) {
            self.perNameAtAddress = perNameAtAddress
            self.perAddress = perAddress
            self.perName = perName
            self.ownAddressFor = ownAddressFor
            self.forgetAfter = forgetAfter
        }

        public static let standard = Policy(
            perNameAtAddress: Backoff(free: 5, firstWait: 300, longestWait: 86_400),
            perAddress: Window(maxFailures: 20, window: 300, blockFor: 300),
            perName: Backoff(free: 10, firstWait: 60, longestWait: 86_400))
    }

    private struct NameKey: Hashable {
        var method: Method
        var name: String
    }

    private struct NameAtAddressKey: Hashable {
        var method: Method
        var name: String
        var address: String
    }

    private struct Count {
        var failures: Int
        var last: Date
    }

    private struct WindowCount {
        var failures: Int
        var first: Date
        var blockedUntil: Date?
    }

    public nonisolated let policy: Policy
    /// Counts kept before pruning.
    public nonisolated let maxEntries: Int
    /// Own addresses kept per name (the most recent).
    private let ownAddressesPerName = 16
    private let clock: @Sendable () -> Date
    private var atAddress: [NameAtAddressKey: Count] = [:]
    private var addresses: [String: WindowCount] = [:]
    private var names: [NameKey: Count] = [:]
    /// Where each name signed in, and when last.
    private var ownAddresses: [String: [String: Date]] = [:]

    public init(policy: Policy = .standard, maxEntries: Int = 100_000, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.policy = policy
        self.maxEntries = maxEntries
        self.clock = clock
    }

    /// Until when a sign-in with `method` as `name` from `address` is refused, or `nil` if it may be tried.
    public func refusedUntil(_ method: Method, name: String, address: ClientAddress) -> Date? {
        let now = clock()
        let name = Self.nameKey(name)
        var until: [Date] = []
        if let count = atAddress[NameAtAddressKey(method: method, name: name, address: address.limitKey)],
           let wait = policy.perNameAtAddress.wait(after: count.failures) {
            until.append(count.last.addingTimeInterval(wait))
        }
        if let blocked = addresses[address.limitKey]?.blockedUntil { until.append(blocked) }
        if !isOwn(address, of: name, now: now), let count = names[NameKey(method: method, name: name)],
           let wait = policy.perName.wait(after: count.failures) {
            until.append(count.last.addingTimeInterval(wait))
        }
        return until.filter { $0 > now }.max()
    }

    /// Counts a failed sign-in; returns until when the next attempt like it is refused, if it is.
    @discardableResult
    public func recordFailure(_ method: Method, name: String, address: ClientAddress) -> Date? {
        let now = clock()
        if atAddress.count + addresses.count + names.count > maxEntries { prune(now) }
        let key = Self.nameKey(name)
        Self.count(&atAddress[NameAtAddressKey(method: method, name: key, address: address.limitKey), default: Count(failures: 0, last: now)], now)
        countWindow(address.limitKey, now: now)
        if !isOwn(address, of: key, now: now) {
            Self.count(&names[NameKey(method: method, name: key), default: Count(failures: 0, last: now)], now)
        }
        return refusedUntil(method, name: name, address: address)
    }

    /// A successful sign-in: the name's count at this address is cleared and the address becomes
    /// one of the name's own. The address's count and the name's count elsewhere stay.
    public func recordSuccess(_ method: Method, name: String, address: ClientAddress) {
        let now = clock()
        let key = Self.nameKey(name)
        atAddress[NameAtAddressKey(method: method, name: key, address: address.limitKey)] = nil
        var own = (ownAddresses[key] ?? [:]).filter { now.timeIntervalSince($0.value) <= policy.ownAddressFor }
        own[address.limitKey] = now
        if own.count > ownAddressesPerName, let oldest = own.min(by: { $0.value < $1.value }) { own[oldest.key] = nil }
        ownAddresses[key] = own
    }

    private func isOwn(_ address: ClientAddress, of name: String, now: Date) -> Bool {
        guard let since = ownAddresses[name]?[address.limitKey] else { return false }
        return now.timeIntervalSince(since) <= policy.ownAddressFor
    }

    private static func count(_ count: inout Count, _ now: Date) {
        count.failures += 1
        count.last = now
    }

    private func countWindow(_ address: String, now: Date) {
        let window = policy.perAddress
        var entry = addresses[address] ?? WindowCount(failures: 0, first: now, blockedUntil: nil)
        if let until = entry.blockedUntil, until <= now { entry = WindowCount(failures: 0, first: now, blockedUntil: nil) }
        if now.timeIntervalSince(entry.first) > window.window { entry = WindowCount(failures: 0, first: now, blockedUntil: nil) }
        entry.failures += 1
        if entry.failures >= window.maxFailures, entry.blockedUntil == nil {
            entry.blockedUntil = now.addingTimeInterval(window.blockFor)
        }
        addresses[address] = entry
    }

    private func prune(_ now: Date) {
        let forget = policy.forgetAfter
        atAddress = atAddress.filter { now.timeIntervalSince($0.value.last) <= forget }
        names = names.filter { now.timeIntervalSince($0.value.last) <= forget }
        addresses = addresses.filter { entry in
            if let until = entry.value.blockedUntil { return until > now }
            return now.timeIntervalSince(entry.value.first) <= policy.perAddress.window
        }
        ownAddresses = ownAddresses.compactMapValues { own in
            let live = own.filter { now.timeIntervalSince($0.value) <= policy.ownAddressFor }
            return live.isEmpty ? nil : live
        }
        // Still full: the counts with the fewest failures go first.
        var fewest = 1
        while atAddress.count + addresses.count + names.count > maxEntries / 2 {
            atAddress = atAddress.filter { $0.value.failures > fewest }
            addresses = addresses.filter { $0.value.failures > fewest }
            names = names.filter { $0.value.failures > fewest }
            fewest += 1
        }
    }

    private static func nameKey(_ name: String) -> String { name.lowercased() }
}

/// A client's IP address, as the socket gave it (for logs and PAM's `PAM_RHOST`) and as the
/// sign-in limits count it: an IPv4 address as it is, an IPv6 address by its /64 network (the
/// block one host is given), an IPv4-mapped IPv6 address as the IPv4 address.
public struct ClientAddress: Hashable, Sendable, CustomStringConvertible {
    public let text: String
    /// What ``SignInLimiter`` counts by.
    public let limitKey: String

    public init(_ text: String) {
        self.text = text
        var bytes = [UInt8](repeating: 0, count: 16)
        if text.contains(":"), inet_pton(AF_INET6, text, &bytes) == 1 {
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
                limitKey = bytes[12..<16].map(String.init).joined(separator: ".")
            } else {
                limitKey = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
                    .joined(separator: ":") + "::/64"
            }
        } else {
            limitKey = text
        }
    }

    public var description: String { text }
}
