import Foundation
import Pricing

/// An OAuth client of the Accounts API as stored: its secret only as a SHA-256 hash.
public struct APIClientRecord: Hashable, Sendable {
    /// The public client id (`client_id`).
    public var id: String
    /// Unique (case-insensitive) name an admin chose.
    public var name: String
    /// SHA-256 of the secret (32 bytes); the secret itself is never stored.
    public var secretHash: Data
    /// The scopes it may ask for (raw values; the API module gives them meaning).
    public var scopes: [String]
    public var createdAt: Date
    public var createdBy: String
    /// The last time it obtained a token or made a call (to the minute).
    public var lastUsedAt: Date?
    /// Set once revoked: it gets no token, and its tokens stop working.
    public var revokedAt: Date?

    public init(id: String, name: String, secretHash: Data, scopes: [String], createdAt: Date, createdBy: String,
                lastUsedAt: Date? = nil, revokedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.secretHash = secretHash
        self.scopes = scopes
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}

/// What a valid bearer token stands for.
public struct APITokenGrant: Hashable, Sendable {
    public var client: APIClientRecord
    /// The scopes this token carries (a subset of the client's).
    public var scopes: [String]
    public var expiresAt: Date
}

/// One `Idempotency-Key` of one client, with what identifies the request it was first used for.
public struct IdempotencyClaim: Hashable, Sendable {
    /// Whose key it is (keys of different clients never collide).
    public var clientID: String
    /// The header's value.
    public var key: String
    /// A digest of the request (method, path, body): the same key with another request is refused.
    public var fingerprint: String

    public init(clientID: String, key: String, fingerprint: String) {
        self.clientID = clientID
        self.key = key
        self.fingerprint = fingerprint
    }
}

/// The answer a money-moving call gave the first time, kept for its retries.
public struct StoredResponse: Hashable, Sendable {
    public var status: Int
    public var body: Data
    /// `true` when this is a retry's answer: nothing was done this time.
    public var isReplay: Bool

    public init(status: Int, body: Data, isReplay: Bool = false) {
        self.status = status
        self.body = body
        self.isReplay = isReplay
    }
}

// Failure policies of the API's storage:
// - A client's name is unique; adding a second one of the same name is refused (`apiClientExists`).
// - Revoking deletes every token of the client in the same transaction: a revoked client's
//   calls are refused at once, not when its tokens expire.
// - Tokens are looked up by their SHA-256; expired ones are deleted whenever a new one is issued.
// - Idempotent credits and adjustments: the key's row and the ledger row are written in one
//   transaction, so either both exist or neither; a retry with the same key and fingerprint
//   returns the first answer and writes nothing; another fingerprint is `idempotencyConflict`.
//   A call that failed leaves no key behind (its retry is tried again). Keys are kept for good.
extension SQLQuotaStore {
    // MARK: - Clients

    public func addAPIClient(_ client: APIClientRecord) throws(QuotaError) {
        // Shown in the console, the CLI's tables and the ledger's actor: no control characters.
        guard Self.isDisplayableName(client.name) else { throw .invalidName(of: "API client", name: client.name, rule: "not blank, no control characters") }
        try write { db in
            if try db.value(Bool.self, sql: "SELECT 1 FROM api_client WHERE name = ?", arguments: [client.name]) == true {
                throw QuotaError.apiClientExists(name: client.name)
            }
            try db.run(sql: """
                INSERT INTO api_client(id, name, secret_hash, scopes, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [client.id, client.name, client.secretHash, client.scopes.joined(separator: " "),
                                 client.createdAt.unixMilliseconds, client.createdBy])
        }
    }

    /// A name an administrator gives a client or a site: not blank, no control characters.
    static func isDisplayableName(_ name: String) -> Bool {
        !name.trimmingCharacters(in: .whitespaces).isEmpty && !name.containsControlCharacter
    }

    /// Every client, revoked ones too, by creation.
    public func apiClients() throws(QuotaError) -> [APIClientRecord] {
        try read { db in try db.rows(sql: "SELECT * FROM api_client ORDER BY created_at, id").map(apiClient) }
    }

    /// The client with this id, revoked or not.
    public func apiClient(id: String) throws(QuotaError) -> APIClientRecord? {
        try read { db in try db.row(sql: "SELECT * FROM api_client WHERE id = ?", arguments: [id]).map(apiClient) }
    }

    /// Revokes the client named by id (or name) and deletes its tokens. Revoking twice keeps the
    /// first time.
    @discardableResult
    public func revokeAPIClient(_ idOrName: String) throws(QuotaError) -> APIClientRecord {
        let at = now
        return try write { db in
            guard let row = try db.row(sql: "SELECT * FROM api_client WHERE id = ?1 OR name = ?1 ORDER BY (id = ?1) DESC LIMIT 1",
                                             arguments: [idOrName]) else {
                throw QuotaError.apiClientNotFound(idOrName)
            }
            let client = apiClient(row)
            try db.run(sql: "UPDATE api_client SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", arguments: [at.unixMilliseconds, client.id])
            try db.run(sql: "DELETE FROM api_token WHERE client_id = ?", arguments: [client.id])
            return apiClient(try db.row(sql: "SELECT * FROM api_client WHERE id = ?", arguments: [client.id])!)
        }
    }

    private func apiClient(_ row: SQLRow) -> APIClientRecord {
        let lastUsed: Int64? = row["last_used_at"]
        let revoked: Int64? = row["revoked_at"]
        let scopes: String = row["scopes"]
        return APIClientRecord(id: row["id"], name: row["name"], secretHash: row["secret_hash"],
                               scopes: scopes.split(separator: " ").map(String.init),
                               createdAt: Date(unixMilliseconds: row["created_at"]), createdBy: row["created_by"],
                               lastUsedAt: lastUsed.map(Date.init(unixMilliseconds:)), revokedAt: revoked.map(Date.init(unixMilliseconds:)))
    }

    // MARK: - Tokens

    /// Stores a token (by its hash) for a client that is not revoked, and marks the client used.
    /// Deletes expired tokens on the way. Throws `apiClientNotFound` for a revoked or unknown client.
    public func issueAPIToken(hash: Data, clientID: String, scopes: [String], expiresAt: Date) throws(QuotaError) {
        let at = now
        try write { db in
            guard try db.value(Bool.self, sql: "SELECT 1 FROM api_client WHERE id = ? AND revoked_at IS NULL", arguments: [clientID]) == true else {
                throw QuotaError.apiClientNotFound(clientID)
            }
            try db.run(sql: "DELETE FROM api_token WHERE expires_at <= ?", arguments: [at.unixMilliseconds])
            try db.run(sql: "INSERT INTO api_token(token_hash, client_id, scopes, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                       arguments: [hash, clientID, scopes.joined(separator: " "), at.unixMilliseconds, expiresAt.unixMilliseconds])
            try db.run(sql: "UPDATE api_client SET last_used_at = ? WHERE id = ?", arguments: [at.unixMilliseconds, clientID])
        }
    }

    /// The grant of the token with this hash, if it exists, has not expired and its client is not
    /// revoked; `nil` otherwise (the caller answers 401 without saying which).
    public func apiToken(hash: Data) throws(QuotaError) -> APITokenGrant? {
        let at = now
        return try read { db in
            guard let row = try db.row(sql: """
                SELECT t.scopes AS token_scopes, t.expires_at AS token_expires_at, c.*
                FROM api_token t JOIN api_client c ON c.id = t.client_id
                WHERE t.token_hash = ? AND t.expires_at > ? AND c.revoked_at IS NULL
                """, arguments: [hash, at.unixMilliseconds]) else { return nil }
            let scopes: String = row["token_scopes"]
            return APITokenGrant(client: apiClient(row), scopes: scopes.split(separator: " ").map(String.init),
                                 expiresAt: Date(unixMilliseconds: row["token_expires_at"]))
        }
    }

    /// Records that the client made a call now, at most once a minute (a write per call would
    /// serialise every API call on the database's write lock).
    public func touchAPIClient(_ clientID: String, lastUsedAt: Date?) throws(QuotaError) {
        let at = now
        if let lastUsedAt, at.timeIntervalSince(lastUsedAt) < 60 { return }
        try write { db in
            _ = try db.run(sql: "UPDATE api_client SET last_used_at = ? WHERE id = ?", arguments: [at.unixMilliseconds, clientID])
        }
    }

    // MARK: - E-mail addresses

    /// Sets (or with `nil`, clears) a recorded user's e-mail address. Unique among users,
    /// case-insensitively.
    public func setEmail(_ email: String?, for user: String) throws(QuotaError) {
        try Self.checkUserName(user)
        let email = email?.trimmingCharacters(in: .whitespaces)
        if let email { try Self.checkEmail(email) }
        let at = now
        try write { db in
            try ensureUser(db, user, at: at)
            if let email, let owner = try db.value(String.self, sql: "SELECT name FROM \"user\" WHERE email = ?", arguments: [email]),
               owner != user {
                throw QuotaError.emailInUse(email: email)
            }
            try db.run(sql: "UPDATE \"user\" SET email = ? WHERE name = ?", arguments: [email, user])
        }
    }

    /// The user's own e-mail address, if one was set.
    public func email(of user: String) throws(QuotaError) -> String? {
        try read { db in try db.value(String.self, sql: "SELECT email FROM \"user\" WHERE name = ?", arguments: [user]) }
    }

    /// Whether Tollgate has recorded this user.
    public func hasUser(_ name: String) throws(QuotaError) -> Bool {
        try read { db in try db.value(Bool.self, sql: "SELECT 1 FROM \"user\" WHERE name = ?", arguments: [name]) == true }
    }

    /// The recorded user an e-mail address names: the user whose address it is, else (with
    /// `domain`) the user named by the part before `@domain`. `nil` when neither is a recorded
    /// user: an address never creates a user.
    public func user(email: String, domain: String?) throws(QuotaError) -> String? {
        let email = email.trimmingCharacters(in: .whitespaces)
        return try read { db in
            if let user = try db.value(String.self, sql: "SELECT name FROM \"user\" WHERE email = ?", arguments: [email]) { return user }
            guard let domain, let at = email.lastIndex(of: "@"),
                  email[email.index(after: at)...].lowercased() == domain.lowercased() else { return nil }
            let local = String(email[..<at])
            guard !local.isEmpty,
                  let user = try db.value(String.self, sql: "SELECT name FROM \"user\" WHERE name = ?", arguments: [local]),
                  // A user with an address of their own is reached by that address only.
                  try db.value(String.self, sql: "SELECT email FROM \"user\" WHERE name = ?", arguments: [user]) == nil
            else { return nil }
            return user
        }
    }

    static func checkEmail(_ email: String) throws(QuotaError) {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              email.count <= 254, !email.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
        else { throw .invalidEmail(email) }
    }

    // MARK: - Idempotent money

    /// ``credit(user:to:amount:mode:reason:actor:)`` at most once per `claim`: the ledger row and
    /// the key's stored answer (`respond`'s, computed inside the same transaction) commit together.
    /// A retry (same key and fingerprint) returns the stored answer with `isReplay` and writes
    /// nothing; the same key with another fingerprint throws ``QuotaError/idempotencyConflict(key:)``.
    public func credit(user: String, to destination: Destination, amount: Money, mode: CreditMode, reason: String, actor: String,
                       once claim: IdempotencyClaim,
                       respond: @escaping @Sendable (LedgerEntry, AccountBalance?) throws -> StoredResponse) throws(QuotaError) -> StoredResponse {
        let value = try checkedCredit(user: user, amount: amount)
        let at = now
        return try idempotent(claim, at: at, respond: respond) { db in
            try credit(db, user: user, destination: destination, value: value, mode: mode, reason: reason, actor: actor, at: at)
        }
    }

    /// ``topUp(user:amount:reference:actor:)`` at most once per `claim` (as the idempotent
    /// credit); a `reference` seen before is still credited once, whatever the key.
    public func topUp(user: String, amount: Money, reference: String?, actor: String, once claim: IdempotencyClaim,
                      respond: @escaping @Sendable (LedgerEntry, AccountBalance?) throws -> StoredResponse) throws(QuotaError) -> StoredResponse {
        let value = try checkedTopUp(user: user, amount: amount)
        let at = now
        let reference = reference.flatMap { $0.isEmpty ? nil : $0 }
        return try idempotent(claim, at: at, respond: respond) { db in
            try topUp(db, user: user, value: value, reference: reference, actor: actor, at: at)
        }
    }

    /// ``adjust(user:on:by:reason:actor:)`` at most once per `claim` (as the idempotent credit).
    public func adjust(user: String, on destination: Destination, by delta: Money, reason: String, actor: String,
                       once claim: IdempotencyClaim,
                       respond: @escaping @Sendable (LedgerEntry, AccountBalance?) throws -> StoredResponse) throws(QuotaError) -> StoredResponse {
        let value = try checkedAdjustment(user: user, delta: delta, reason: reason)
        let at = now
        return try idempotent(claim, at: at, respond: respond) { db in
            try adjust(db, user: user, destination: destination, value: value, reason: reason, actor: actor, at: at)
        }
    }

    /// The stored answer of an earlier call with this key: `nil` for a new key; the answer (with
    /// `isReplay`) for the same request; ``QuotaError/idempotencyConflict(key:)`` for another one.
    public func storedResponse(_ claim: IdempotencyClaim) throws(QuotaError) -> StoredResponse? {
        try read { db in try storedResponse(db, claim) }
    }

    public func keepResponse(_ response: StoredResponse, for claim: IdempotencyClaim) throws(QuotaError) {
        let at = now
        try write { db in
            _ = try db.run(sql: """
                INSERT INTO idempotency_key(client_id, key, fingerprint, status, body, ledger_id, created_at) VALUES (?, ?, ?, ?, ?, NULL, ?)
                ON CONFLICT(client_id, key) DO NOTHING
                """, arguments: [claim.clientID, claim.key, claim.fingerprint, response.status, response.body, at.unixMilliseconds])
        }
    }

    private func storedResponse(_ db: any SQLSession, _ claim: IdempotencyClaim) throws -> StoredResponse? {
        guard let row = try db.row(sql: "SELECT fingerprint, status, body FROM idempotency_key WHERE client_id = ? AND key = ?",
                                         arguments: [claim.clientID, claim.key]) else { return nil }
        guard (row["fingerprint"] as String) == claim.fingerprint else { throw QuotaError.idempotencyConflict(key: claim.key) }
        return StoredResponse(status: row["status"], body: row["body"], isReplay: true)
    }

    private func idempotent(_ claim: IdempotencyClaim, at: Date,
                            respond: @escaping @Sendable (LedgerEntry, AccountBalance?) throws -> StoredResponse,
                            move: @escaping (any SQLSession) throws -> Int64) throws(QuotaError) -> StoredResponse {
        try write { db in
            // A retry that raced the first call past the caller's check is answered here, inside the write lock.
            if let first = try storedResponse(db, claim) { return first }
            let entry = try ledgerEntry(db, id: try move(db))
            var balance: AccountBalance?
            if let ref = entry.account { balance = try accountBalance(db, account: try loadAccount(db, id: ref.id), user: entry.user) }
            let response = try respond(entry, balance)
            try db.run(sql: """
                INSERT INTO idempotency_key(client_id, key, fingerprint, status, body, ledger_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [claim.clientID, claim.key, claim.fingerprint, response.status, response.body, entry.id, at.unixMilliseconds])
            return response
        }
    }

    // MARK: - Payment sites

    /// Records a payment site and the key its callbacks are signed with.
    public func addPaymentSite(_ name: String, secret: Data, createdBy: String) throws(QuotaError) {
        // Part of the callback's URL path: no `/`; shown in the console: no control characters.
        guard Self.isDisplayableName(name), !name.contains("/") else { throw .invalidName(of: "payment site", name: name, rule: "not blank, no control characters or /") }
        let at = now
        try write { db in
            if try db.value(Bool.self, sql: "SELECT 1 FROM payment_site WHERE name = ?", arguments: [name]) == true {
                throw QuotaError.paymentSiteExists(name: name)
            }
            try db.run(sql: "INSERT INTO payment_site(name, secret, created_at, created_by) VALUES (?, ?, ?, ?)",
                       arguments: [name, secret, at.unixMilliseconds, createdBy])
        }
    }

    /// Payment sites by name, without their keys.
    public func paymentSites() throws(QuotaError) -> [(name: String, createdAt: Date, createdBy: String)] {
        try read { db in
            try db.rows(sql: "SELECT name, created_at, created_by FROM payment_site ORDER BY name").map {
                ($0["name"], Date(unixMilliseconds: $0["created_at"]), $0["created_by"])
            }
        }
    }

    /// The site's callback key, or `nil` for an unknown site.
    public func paymentSiteSecret(_ name: String) throws(QuotaError) -> Data? {
        try read { db in try db.value(Data.self, sql: "SELECT secret FROM payment_site WHERE name = ?", arguments: [name]) }
    }

    public func removePaymentSite(_ name: String) throws(QuotaError) {
        try write { db in
            if try db.run(sql: "DELETE FROM payment_site WHERE name = ?", arguments: [name]) == 0 { throw QuotaError.paymentSiteNotFound(name) }
        }
    }

    /// The account with this database id, if any.
    public func account(id: AccountID) throws(QuotaError) -> Account? {
        try read { db in try db.row(sql: "SELECT * FROM account WHERE id = ?", arguments: [id]).map(accountFromRow) }
    }

    /// Users in name order after `after` (paging), at most `limit`, with their e-mail addresses.
    public func usersWithEmail(after: String?, limit: Int) throws(QuotaError) -> [(name: String, email: String?)] {
        try read { db in
            try db.rows(sql: "SELECT name, email FROM \"user\" WHERE name > ? ORDER BY name LIMIT ?",
                             arguments: [after ?? "", max(0, limit)]).map { ($0["name"], $0["email"]) }
        }
    }

    /// The user's usage on one account (name or code), as `tollgate user show` lists it.
    public func accountBalance(user: String, account nameOrCode: String) throws(QuotaError) -> AccountBalance {
        try Self.checkUserName(user)
        return try read { db in try accountBalance(db, account: try findAccount(db, nameOrCode), user: user) }
    }
}
