import APIAccess
import Foundation
import Hummingbird
import Pricing
import QuotaDB

/// `POST /api/v1/{site}/activities` (scope `billing-accounts`): Pharos's credit of used points.
///
/// Body `{useremail, accountId, activityType, quantity, amount}`: `activityType` `credit` with a
/// negative `amount` lowers the user's usage on the account by that much (210 of 200 used,
/// −120 → 90 of 200); `debit` with a positive `amount` adds usage. Money goes through the quota
/// store's own credit and adjustment (the CLI's `tollgate credit … --account` and `adjust`), with
/// `api:CLIENT` as actor.
///
/// Failure policy: an `Idempotency-Key` header is required (400 without); a retry with the same
/// key and the same body returns the first answer (`Idempotent-Replayed: true`) and moves nothing;
/// the same key with another body is a 422 problem and moves nothing. The ledger row and the key
/// commit in one transaction, so money moves once or not at all, never half. Unknown site, user
/// e-mail or account → 404 problem; a malformed body → 400; an amount of the wrong sign, too many
/// decimals or zero → 422; a busy database → 503 with nothing done (retry with the same key).
struct ActivitiesController<Parent: RequestContext> {
    typealias Context = APIRequestContext<Parent>
    let store: any PrintAccountingStore
    let settings: AccountsAPISettings

    enum ActivityType: String, Codable, Sendable { case credit, debit }

    struct ActivityRequest: Decodable, Sendable {
        var useremail: String
        var accountId: AccountKey
        var activityType: ActivityType
        var quantity: Int
        var amount: DecimalAmount
        /// Kept in the ledger (default: "api credit" / "api debit").
        var reason: String?
    }

    struct ActivityResponse: Encodable {
        /// The ledger entry's id.
        var id: Int64
        var site: String
        var useremail: String
        var user: String
        var accountId: Int64
        var account: AccountSummary
        var activityType: ActivityType
        var quantity: Int
        var amount: Decimal
        /// The user's usage on the account after this activity.
        var balance: BalanceJSON
        var ledgerEntry: LedgerEntryJSON
    }

    func addRoutes(to group: RouterGroup<Context>) {
        group.group(":site/activities").add(middleware: RequireScope(.billingAccounts))
            .post(use: create)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let identity = try context.requireIdentity()
        let claimKey = try IdempotencyHeader.key(request)
        let site = try context.parameters.require("site")
        let (body, raw) = try await APIJSON.decode(ActivityRequest.self, from: request, context: context)
        let claim = IdempotencyClaim(clientID: identity.clientID.rawValue, key: claimKey,
                                     fingerprint: IdempotencyHeader.fingerprint(request, body: raw))
        let store = self.store, settings = self.settings
        // What the body says, checked before the database is asked anything.
        let amount = try Self.checkedAmount(body, currency: store.currency)
        guard (0...1_000_000).contains(body.quantity) else { throw Problem.unprocessable("quantity is 0 to 1000000, not \(body.quantity).") }
        guard (body.reason ?? "").count <= 500 else { throw Problem.unprocessable("reason is at most 500 characters.") }
        let reason = body.reason?.isEmpty == false ? body.reason! : "api \(body.activityType.rawValue) (quantity \(body.quantity))"
        let actor = identity.actor

        // One thread for the whole database part: the retry's answer, the user, the account, the money.
        let stored = try await Blocking.run { () throws -> StoredResponse in
            if let first = try store.storedResponse(claim) { return first }
            guard site == settings.site else {
                throw Problem.notFound("No site \"\(site)\" here (this server's site is \"\(settings.site)\").", kind: "unknown-site")
            }
            guard let user = try store.user(email: body.useremail, domain: settings.emailDomain) else {
                throw Problem.notFound("No user has the e-mail address \(body.useremail)\(settings.emailDomain.map { " (nor is it USER@\($0) for a user Tollgate knows)" } ?? "").",
                                       kind: "unknown-user")
            }
            let account = try body.accountId.resolve(in: store)
            let respond: @Sendable (LedgerEntry, AccountBalance?) throws -> StoredResponse = { entry, balance in
                let response = ActivityResponse(id: entry.id, site: site, useremail: body.useremail, user: user, accountId: account.id,
                                                account: AccountSummary(account), activityType: body.activityType, quantity: body.quantity,
                                                amount: body.amount.value, balance: BalanceJSON(balance!), ledgerEntry: LedgerEntryJSON(entry))
                return StoredResponse(status: 201, body: try APIJSON.encoder.encode(response))
            }
            switch body.activityType {
            case .credit:
                // Pharos's −120 is Tollgate's credit of 120 on the account (usage goes down by 120).
                return try store.credit(user: user, to: .account(account.name), amount: try amount.negated(), mode: .add, reason: reason,
                                        actor: actor, once: claim, respond: respond)
            case .debit:
                return try store.adjust(user: user, on: .account(account.name), by: try amount.negated(), reason: reason, actor: actor,
                                        once: claim, respond: respond)
            }
        }
        if stored.isReplay { return IdempotencyHeader.replay(stored) }
        context.logger.info("api: \(actor) \(body.activityType.rawValue) \(amount) for \(body.useremail) on account \(body.accountId.text)")
        return IdempotencyHeader.response(stored)
    }
}

extension ActivitiesController {
    /// The body's amount in the site currency, with the sign its activity needs: a credit is
    /// negative (used points go down), a debit positive; zero, too many decimals → 422.
    static func checkedAmount(_ body: ActivityRequest, currency: Currency) throws -> Money {
        let amount: Money
        do {
            amount = try Money(parsing: body.amount.text, currency: currency, unit: .optional)
        } catch {
            throw Problem.unprocessable("amount \(body.amount.text) is not an amount in \(currency): \(error).", kind: "invalid-amount")
        }
        switch body.activityType {
        case .credit where !amount.isNegative:
            throw Problem.unprocessable("A credit's amount is negative (points taken off the used points: -120 turns 210 used into 90), not \(body.amount.text).",
                                        kind: "invalid-amount")
        case .debit where amount.isNegative || amount.isZero:
            throw Problem.unprocessable("A debit's amount is positive (points added to the used points), not \(body.amount.text).", kind: "invalid-amount")
        default:
            return amount
        }
    }
}

/// The `Idempotency-Key` of money-moving calls.
enum IdempotencyHeader {
    static let name = HTTPFields.Element.Name("Idempotency-Key")!

    /// The header's value: 1 to 255 visible ASCII characters; missing → 400 problem.
    static func key(_ request: Request) throws -> String {
        guard let value = request.headers[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            throw Problem.badRequest("This call moves money: send an Idempotency-Key header (e.g. a UUID), and the same one when you retry it.",
                                     kind: "idempotency-key-missing")
        }
        guard value.count <= 255, value.unicodeScalars.allSatisfy({ (0x21...0x7e).contains($0.value) }) else {
            throw Problem.badRequest("The Idempotency-Key is 1 to 255 visible ASCII characters.", kind: "idempotency-key-invalid")
        }
        return value
    }

    /// What identifies the request a key was first used for: method, path and body.
    static func fingerprint(_ request: Request, body: Data) -> String {
        APICredentials.hexDigest(Data("\(request.method.rawValue) \(request.uri.path)\n".utf8) + body)
    }

    static func response(_ stored: StoredResponse) -> Response {
        Response(status: .init(code: stored.status), headers: [.contentType: "application/json", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(bytes: stored.body)))
    }

    static func replay(_ stored: StoredResponse) -> Response {
        var response = response(stored)
        response.headers[HTTPFields.Element.Name("Idempotent-Replayed")!] = "true"
        return response
    }
}

/// An account named by its id (a number, or digits in a string) or its code or name.
struct AccountKey: Decodable, Sendable {
    let text: String

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let number = try? c.decode(Int64.self) { text = String(number); return }
        text = try c.decode(String.self)
    }

    init(_ text: String) { self.text = text }

    /// The account; unknown → 404 problem.
    func resolve(in store: any PrintAccountingStore) throws(QuotaError) -> Account {
        if let id = Int64(text), let account = try store.account(id: id) { return account }
        return try store.account(text)
    }
}

/// A decimal amount as JSON gives it (`-120`, `-1.20`, or the same as a string), kept exact.
struct DecimalAmount: Decodable, Sendable {
    let text: String
    let value: Decimal

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let string = try? c.decode(String.self) {
            guard let value = Decimal(string: string, locale: Locale(identifier: "en_US_POSIX")) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "\(string) is not a number")
            }
            (self.text, self.value) = (string, value)
            return
        }
        let value = try c.decode(Decimal.self)
        self.value = value
        self.text = NSDecimalNumber(decimal: value).stringValue
    }
}
