import APIAccess
import Foundation
import Hummingbird
import QuotaDB

/// `/api/v1/users` (scope `reports:read`): users (paged by name) and one user's balances:
/// personal wallet, reserved, and usage on every account they used or may use.
///
/// Failure policy: a user Tollgate has not recorded → 404 problem (nothing is created by reading).
struct UsersController<Parent: RequestContext> {
    typealias Context = APIRequestContext<Parent>
    let store: any PrintAccountingStore

    struct UserJSON: Encodable {
        var name: String
        var email: String?
    }

    /// `{"email": "…"}` sets the address, `{"email": null}` removes it.
    struct UserChanges: Decodable {
        var email: String??

        enum CodingKeys: String, CodingKey { case email }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            // Absent: unchanged; null: removed.
            email = c.contains(.email) ? .some(try c.decodeIfPresent(String.self, forKey: .email)) : nil
        }
    }

    func addRoutes(to group: RouterGroup<Context>) {
        group.group("users").add(middleware: RequireScope(.reportsRead))
            .get(use: list)
            .get(":name", use: get)
        group.group("users").add(middleware: RequireScope(.accountsAdmin))
            .patch(":name", use: update)
    }

    /// `PATCH /api/v1/users/{name}` (scope `accounts:admin`): a user's e-mail address (what
    /// `tollgate user edit --email` sets), so a student system can keep them in step. Records the
    /// user if new. Failure policy: an address another user has → 409; not an address → 422.
    @Sendable func update(_ request: Request, context: Context) async throws -> Response {
        let name = try context.parameters.require("name")
        let (body, _) = try await APIJSON.decode(UserChanges.self, from: request, context: context)
        let store = self.store
        let actor = try context.requireIdentity().actor
        let result = try await Blocking.run { () throws -> UserJSON in
            if let email = body.email { try store.setEmail(email, for: name) } else { try store.addUser(name) }
            return UserJSON(name: name, email: try store.email(of: name))
        }
        context.logger.info("api: \(actor) set the e-mail of \(name) to \(result.email ?? "none")")
        return try APIJSON.response(result)
    }

    /// `?limit=` (1–1000, default 100) and `?after=NAME` (the previous page's `next`).
    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let limit = try Paging.limit(request)
        let after = request.uri.queryParameters.get("after")
        let store = self.store
        let rows = try await Blocking.run { try store.usersWithEmail(after: after, limit: limit + 1) }
        let items = rows.prefix(limit).map { UserJSON(name: $0.name, email: $0.email) }
        return try APIJSON.response(Page(items: Array(items), next: rows.count > limit ? items.last?.name : nil))
    }

    @Sendable func get(_ request: Request, context: Context) async throws -> Response {
        let name = try context.parameters.require("name")
        let store = self.store
        let result = try await Blocking.run { () throws -> UserBalancesJSON in
            guard try store.hasUser(name) else { throw QuotaError.userNotFound(name) }
            let balances = try store.balances(for: name)
            return UserBalancesJSON(user: name, email: try store.email(of: name), wallet: balances.wallet, reserved: balances.reserved,
                                    activeAccount: balances.active.account.map(AccountSummary.init),
                                    accounts: balances.accounts.map(BalanceJSON.init))
        }
        return try APIJSON.response(result)
    }
}

/// `limit` of list calls.
enum Paging {
    static func limit(_ request: Request, default fallback: Int = 100) throws -> Int {
        guard let text = request.uri.queryParameters.get("limit") else { return fallback }
        guard let limit = Int(text), (1...1000).contains(limit) else { throw Problem.badRequest("limit is a number from 1 to 1000, not \(text).") }
        return limit
    }
}
