import APIAccess
import Foundation
import Hummingbird
import Pricing
import QuotaDB

/// Top-ups of personal wallets: by an API client (`POST /api/v1/{site}/topups`, scope
/// `billing-accounts`, `Idempotency-Key`), and by a payment site's signed callback
/// (`POST /api/v1/payment-sites/{name}/callback`, Watchdoc's PayBox case). Both go through the
/// quota store's `topUp` (the CLI's `tollgate topup`).
///
/// Failure policy of the callback: the signature (`X-Tollgate-Signature: sha256=HEX`, HMAC-SHA-256
/// of the raw body with the site's key, compared in constant time) is checked before the body is
/// parsed; a missing or wrong signature and an unknown site get the same 401 problem and nothing
/// is done. A payment id is credited once: the same callback again answers 200 with the first
/// ledger entry (`replayed: true`); the same id for another user or amount is a 409 problem.
/// Unknown e-mail → 404; malformed body → 400; a busy database → 503 (the site retries).
struct TopUpsController<Parent: RequestContext> {
    typealias Context = APIRequestContext<Parent>
    let store: any PrintAccountingStore
    let settings: AccountsAPISettings

    struct TopUpRequest: Decodable {
        var useremail: String
        var amount: DecimalAmount
        /// A payment reference: the same one is never credited twice (even under another key).
        var reference: String?
    }

    struct CallbackRequest: Decodable {
        var paymentId: String
        var useremail: String
        var amount: DecimalAmount
    }

    struct TopUpResponse: Encodable {
        var user: String
        var useremail: String
        var amount: Money
        var reference: String?
        /// True when this payment had already been credited: nothing was done this time.
        var replayed: Bool
        var ledgerEntry: LedgerEntryJSON
    }

    static var signatureHeader: HTTPFields.Element.Name { .init("X-Tollgate-Signature")! }

    /// The authenticated top-up (inside the bearer-token group).
    func addRoutes(to group: RouterGroup<Context>) {
        group.group(":site/topups").add(middleware: RequireScope(.billingAccounts))
            .post(use: topUp)
    }

    /// The payment sites' callback (outside the bearer-token group: the signature authenticates).
    func addCallbackRoutes(to group: RouterGroup<Context>) {
        group.post("payment-sites/:name/callback", use: callback)
    }

    @Sendable func topUp(_ request: Request, context: Context) async throws -> Response {
        let identity = try context.requireIdentity()
        let claimKey = try IdempotencyHeader.key(request)
        let site = try context.parameters.require("site")
        let (body, raw) = try await APIJSON.decode(TopUpRequest.self, from: request, context: context)
        let claim = IdempotencyClaim(clientID: identity.clientID.rawValue, key: claimKey,
                                     fingerprint: IdempotencyHeader.fingerprint(request, body: raw))
        let store = self.store
        if let first = try await Blocking.run({ try store.storedResponse(claim) }) { return IdempotencyHeader.replay(first) }
        guard site == settings.site else { throw Problem.notFound("No site \"\(site)\" here (this server's site is \"\(settings.site)\").", kind: "unknown-site") }
        let user = try await resolve(body.useremail)
        let amount = try money(body.amount)
        let (email, reference, actor) = (body.useremail, body.reference, identity.actor)
        let stored = try await Blocking.run {
            try store.topUp(user: user, amount: amount, reference: reference, actor: actor, once: claim) { entry, _ in
                let response = TopUpResponse(user: user, useremail: email, amount: entry.amount, reference: entry.reference, replayed: false,
                                             ledgerEntry: LedgerEntryJSON(entry))
                return StoredResponse(status: 201, body: try APIJSON.encoder.encode(response))
            }
        }
        if stored.isReplay { return IdempotencyHeader.replay(stored) }
        context.logger.info("api: \(actor) topped up \(amount) for \(user)")
        return IdempotencyHeader.response(stored)
    }

    @Sendable func callback(_ request: Request, context: Context) async throws -> Response {
        let name = try context.parameters.require("name")
        var body = request
        let raw = Data(buffer: try await body.collectBody(upTo: context.maxUploadSize))
        let store = self.store
        let key = try await Blocking.run { try store.paymentSiteSecret(name) }
        let given = request.headers[Self.signatureHeader]?.trimmingCharacters(in: .whitespaces) ?? ""
        // The same work for an unknown site as for a wrong signature.
        let expected = "sha256=" + APICredentials.hmacHex(raw, key: key ?? Data(count: 32))
        guard key != nil, APICredentials.constantTimeEqual(Data(given.lowercased().utf8), Data(expected.utf8)) else {
            context.logger.notice("api: refused a payment callback for site \(name): unknown site or bad signature")
            throw Problem("bad-signature", status: .unauthorized,
                          detail: "The callback is not signed by a payment site known here: X-Tollgate-Signature must be sha256=HEX(HMAC-SHA-256(key, body)).")
        }
        let callback: CallbackRequest
        do {
            callback = try APIJSON.decoder.decode(CallbackRequest.self, from: raw)
        } catch let error as DecodingError {
            throw Problem.badRequest("The body is not the JSON this call takes: \(APIJSON.describe(error)).", kind: "malformed-body")
        }
        guard !callback.paymentId.isEmpty, callback.paymentId.count <= 200 else { throw Problem.badRequest("paymentId is 1 to 200 characters.") }
        let user = try await resolve(callback.useremail)
        let amount = try money(callback.amount)
        let reference = "\(name):\(callback.paymentId)"
        let actor = "payment:\(name)"
        let (entry, replayed) = try await Blocking.run { () throws -> (LedgerEntry, Bool) in
            let before = try store.topUpEntry(reference: reference)
            let entry = try store.topUp(user: user, amount: amount, reference: reference, actor: actor)
            return (entry, before != nil)
        }
        if !replayed { context.logger.info("api: payment site \(name) topped up \(amount) for \(user) (payment \(callback.paymentId))") }
        return try APIJSON.response(TopUpResponse(user: user, useremail: callback.useremail, amount: entry.amount, reference: entry.reference,
                                                  replayed: replayed, ledgerEntry: LedgerEntryJSON(entry)))
    }

    private func resolve(_ email: String) async throws -> String {
        let (store, domain) = (self.store, settings.emailDomain)
        guard let user = try await Blocking.run({ try store.user(email: email, domain: domain) }) else {
            throw Problem.notFound("No user has the e-mail address \(email).", kind: "unknown-user")
        }
        return user
    }

    private func money(_ amount: DecimalAmount) throws -> Money {
        let money: Money
        do {
            money = try Money(parsing: amount.text, currency: store.currency, unit: .optional)
        } catch {
            throw Problem.unprocessable("amount \(amount.text) is not an amount in \(store.currency): \(error).", kind: "invalid-amount")
        }
        guard !money.isNegative, !money.isZero else { throw Problem.unprocessable("A top-up's amount is above zero, not \(amount.text).", kind: "invalid-amount") }
        return money
    }
}
