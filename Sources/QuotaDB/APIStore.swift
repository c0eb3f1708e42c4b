import Foundation
import Pricing

/// The store's half for other systems (the Accounts API, payment sites) and the user facts they
/// look up: API clients and their hashed bearer tokens, idempotency keys, e-mail addresses,
/// payment sites. With ``QuotaStore`` and ``ReleaseStore`` it is everything the programs keep.
///
/// Failure policies: secrets and tokens are stored only as hashes; a money-moving call with an
/// ``IdempotencyClaim`` commits its ledger row and its stored answer in one transaction, so a
/// retry returns the first answer and moves nothing, and the same key with another request is
/// ``QuotaError/idempotencyConflict(key:)``; a payment id is credited once, whatever the key.
public protocol APIStore: Sendable {
    func addAPIClient(_ client: APIClientRecord) throws(QuotaError)
    func apiClients() throws(QuotaError) -> [APIClientRecord]
    func apiClient(id: String) throws(QuotaError) -> APIClientRecord?
    /// Revokes the client (by id or name) and every token it holds.
    @discardableResult
    func revokeAPIClient(_ idOrName: String) throws(QuotaError) -> APIClientRecord
    func issueAPIToken(hash: Data, clientID: String, scopes: [String], expiresAt: Date) throws(QuotaError)
    /// The live grant of the token with this hash (nil: unknown, expired or revoked).
    func apiToken(hash: Data) throws(QuotaError) -> APITokenGrant?
    func touchAPIClient(_ clientID: String, lastUsedAt: Date?) throws(QuotaError)

    func setEmail(_ email: String?, for user: String) throws(QuotaError)
    func email(of user: String) throws(QuotaError) -> String?
    func hasUser(_ name: String) throws(QuotaError) -> Bool
    /// The user with this address, or `NAME@domain` for a user NAME when `domain` is given.
    func user(email: String, domain: String?) throws(QuotaError) -> String?
    /// Users in name order after `after`, at most `limit`, with their addresses.
    func usersWithEmail(after: String?, limit: Int) throws(QuotaError) -> [(name: String, email: String?)]
    func account(id: AccountID) throws(QuotaError) -> Account?
    func accountBalance(user: String, account nameOrCode: String) throws(QuotaError) -> AccountBalance

    /// The money calls, each applied at most once per `claim` (see the failure policies).
    func credit(user: String, to destination: Destination, amount: Money, mode: CreditMode, reason: String, actor: String,
                once claim: IdempotencyClaim,
                respond: @escaping @Sendable (LedgerEntry, AccountBalance?) throws -> StoredResponse) throws(QuotaError) -> StoredResponse
    func topUp(user: String, amount: Money, reference: String?, actor: String, once claim: IdempotencyClaim,
               respond: @escaping @Sendable (LedgerEntry, AccountBalance?) throws -> StoredResponse) throws(QuotaError) -> StoredResponse
    func adjust(user: String, on destination: Destination, by delta: Money, reason: String, actor: String,
                once claim: IdempotencyClaim,
                respond: @escaping @Sendable (LedgerEntry, AccountBalance?) throws -> StoredResponse) throws(QuotaError) -> StoredResponse
    /// The stored answer of an earlier call with this key (nil for a new key).
    func storedResponse(_ claim: IdempotencyClaim) throws(QuotaError) -> StoredResponse?
    /// Keeps the answer of a call that moved no money itself (a release: the backend charges
    /// when the job prints) for the retries with its key; a key already kept is left as it was.
    func keepResponse(_ response: StoredResponse, for claim: IdempotencyClaim) throws(QuotaError)
    /// The top-up recorded with this reference (a payment id), if any.
    func topUpEntry(reference: String) throws(QuotaError) -> LedgerEntry?

    func addPaymentSite(_ name: String, secret: Data, createdBy: String) throws(QuotaError)
    func paymentSites() throws(QuotaError) -> [(name: String, createdAt: Date, createdBy: String)]
    func paymentSiteSecret(_ name: String) throws(QuotaError) -> Data?
    func removePaymentSite(_ name: String) throws(QuotaError)
}

extension SQLQuotaStore: APIStore {}
