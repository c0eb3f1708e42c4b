import Foundation

/// A browser's session with the station: first anonymous (the sign-in page, which needs a CSRF
/// token too), then signed in as one user.
public struct Session: Sendable, Hashable {
    /// How the user proved who they are.
    public enum Method: String, Sendable, Hashable {
        case password
        case pin
    }

    /// The cookie value: 256 random bits, the only key to the session.
    public let token: String
    /// Every POST of this session must carry this value (form field or `X-CSRF-Token` header).
    public let csrfToken: String
    /// The signed-in user; `nil` before sign-in.
    public var user: String?
    public var method: Method?
    public var createdAt: Date
    public var lastSeen: Date
    /// Messages to show on the next page (the outcome of the last action).
    public var notices: [Notice]

    /// Whether a user signed in with this session.
    public var isSignedIn: Bool { user != nil }
}

/// A message shown once, on the page after an action.
public struct Notice: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case success, error, info
    }

    public var kind: Kind
    public var text: String

    public init(_ kind: Kind, _ text: String) {
        self.kind = kind
        self.text = text
    }
}

/// Sessions kept in memory (a restart signs everybody out), each ended after `idleTimeout`
/// seconds without a request.
///
/// Signing in always issues a new token and a new CSRF token (the anonymous session's token is
/// dropped), so a token planted before sign-in is worth nothing after it. The store holds at
/// most `capacity` sessions: when full it drops expired ones, then the least recently seen
/// anonymous one, so opening sign-in pages in a loop cannot exhaust memory nor sign anyone out.
public actor SessionStore {
    public nonisolated let idleTimeout: TimeInterval
    public nonisolated let capacity: Int
    private let clock: @Sendable () -> Date
    private var sessions: [String: Session] = [:]

    public init(idleTimeout: TimeInterval, capacity: Int = 10_000, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.idleTimeout = idleTimeout
        self.capacity = max(1, capacity)
        self.clock = clock
    }

    /// A new session for the sign-in page.
    public func startAnonymous() -> Session {
        insert(user: nil, method: nil)
    }

    /// Signs `user` in: ends the session `previous` (if any) and returns a new one.
    public func signIn(user: String, method: Session.Method, replacing previous: String?) -> Session {
        if let previous { sessions[previous] = nil }
        return insert(user: user, method: method)
    }

    /// The live session for `token`, marked as seen now; `nil` when unknown or idle too long
    /// (an idle session is removed).
    public func session(token: String) -> Session? {
        guard SecretToken.isWellFormed(token), var session = sessions[token] else { return nil }
        let now = clock()
        guard !isExpired(session, at: now) else {
            sessions[token] = nil
            return nil
        }
        session.lastSeen = now
        sessions[token] = session
        return session
    }

    /// Ends the session (sign-out).
    public func end(token: String) {
        sessions[token] = nil
    }

    /// Queues a message for the session's next page.
    public func addNotices(_ notices: [Notice], token: String) {
        sessions[token]?.notices.append(contentsOf: notices)
    }

    /// The queued messages, removed from the session.
    public func takeNotices(token: String) -> [Notice] {
        guard let notices = sessions[token]?.notices, !notices.isEmpty else { return [] }
        sessions[token]?.notices = []
        return notices
    }

    /// Removes every idle session; returns how many.
    @discardableResult
    public func sweep() -> Int {
        let now = clock()
        let before = sessions.count
        sessions = sessions.filter { !isExpired($0.value, at: now) }
        return before - sessions.count
    }

    /// Sessions held now (live or not yet swept).
    public var count: Int { sessions.count }

    private func isExpired(_ session: Session, at now: Date) -> Bool {
        now.timeIntervalSince(session.lastSeen) >= idleTimeout
    }

    private func insert(user: String?, method: Session.Method?) -> Session {
        if sessions.count >= capacity {
            sweep()
            if sessions.count >= capacity {
                let victim = sessions.values.filter { $0.user == nil }.min { $0.lastSeen < $1.lastSeen }
                    ?? sessions.values.min { $0.lastSeen < $1.lastSeen }
                if let victim { sessions[victim.token] = nil }
            }
        }
        let now = clock()
        var token = SecretToken.generate()
        while sessions[token] != nil { token = SecretToken.generate() }
        let session = Session(token: token, csrfToken: SecretToken.generate(), user: user, method: method,
                              createdAt: now, lastSeen: now, notices: [])
        sessions[token] = session
        return session
    }
}
