import APIAccess
import Foundation
import Hummingbird
import Pricing
import QuotaDB

/// `/api/v1/accounts`: list and get (scope `reports:read` or `accounts:admin`); create, change
/// and archive (scope `accounts:admin`), through the quota store's `addAccount` and
/// `editAccount` (the CLI's `tollgate account add|edit`).
///
/// Failure policy: unknown account → 404 problem; a duplicate name or code → 409; limits or
/// dates that do not fit together → 422 with the store's sentence; nothing is half-changed.
struct AccountsController<Parent: RequestContext> {
    typealias Context = APIRequestContext<Parent>
    let store: any PrintAccountingStore

    struct NewAccountBody: Decodable {
        var name: String
        var code: String
        var enabled: Bool?
        var startsAt: Date?
        var expiresAt: Date?
        var access: String?
        var softLimit: DecimalAmount?
        var hardLimit: DecimalAmount?
    }

    struct AccountChangesBody: Decodable {
        var name: String?
        var code: String?
        var enabled: Bool?
        var archived: Bool?
        var startsAt: Date?
        var expiresAt: Date?
        var access: String?
        /// `unlimited` clears the limits; `limited` needs both limits.
        var allocation: String?
        var softLimit: DecimalAmount?
        var hardLimit: DecimalAmount?
    }

    func addRoutes(to group: RouterGroup<Context>) {
        group.group("accounts").add(middleware: RequireScope(.reportsRead, .accountsAdmin))
            .get(use: list)
            .get(":id", use: get)
            .get(":id/grants", use: grants)
        group.group("accounts").add(middleware: RequireScope(.accountsAdmin))
            .post(use: create)
            .patch(":id", use: update)
            .put(":id/grants/:kind/:name", use: grant)
            .delete(":id/grants/:kind/:name", use: revoke)
    }

    /// Who may use a restricted account (Pharos's "Access by Users and Groups").
    struct GrantsJSON: Encodable {
        var account: AccountSummary
        var access: String
        var users: [String]
        var groups: [String]
    }

    @Sendable func grants(_ request: Request, context: Context) async throws -> Response {
        let key = AccountKey(try context.parameters.require("id"))
        let store = self.store
        return try APIJSON.response(try await Blocking.run { () throws -> GrantsJSON in
            let account = try key.resolve(in: store)
            return Self.grantsJSON(account, try store.grants(of: account.name))
        })
    }

    /// `PUT …/grants/users/NAME` or `…/groups/NAME`: grants access (again: nothing changes).
    @Sendable func grant(_ request: Request, context: Context) async throws -> Response {
        try await changeGrant(request, context: context, add: true)
    }

    /// `DELETE …/grants/users/NAME` or `…/groups/NAME`: takes access away (absent: nothing changes).
    @Sendable func revoke(_ request: Request, context: Context) async throws -> Response {
        try await changeGrant(request, context: context, add: false)
    }

    private func changeGrant(_ request: Request, context: Context, add: Bool) async throws -> Response {
        let key = AccountKey(try context.parameters.require("id"))
        let kind = try context.parameters.require("kind"), name = try context.parameters.require("name")
        let grant: AccessGrant
        switch kind {
        case "users": grant = .user(name)
        case "groups": grant = .group(name)
        default: throw Problem.notFound("Grants are under grants/users/NAME or grants/groups/NAME, not grants/\(kind).")
        }
        let store = self.store
        let result = try await Blocking.run { () throws -> GrantsJSON in
            let account = try key.resolve(in: store)
            if add { try store.grant(grant, on: account.name) } else { try store.revoke(grant, on: account.name) }
            return Self.grantsJSON(account, try store.grants(of: account.name))
        }
        let actor = try context.requireIdentity().actor
        context.logger.info("api: \(actor) \(add ? "granted" : "revoked") \(kind) \(name) on \(result.account.name)")
        return try APIJSON.response(result)
    }

    static func grantsJSON(_ account: Account, _ grants: [AccessGrant]) -> GrantsJSON {
        var users: [String] = [], groups: [String] = []
        for grant in grants {
            switch grant {
            case .user(let name): users.append(name)
            case .group(let name): groups.append(name)
            }
        }
        return GrantsJSON(account: AccountSummary(account), access: account.access.rawValue, users: users, groups: groups)
    }

    /// `?archived=true` includes archived accounts.
    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let archived = try QueryFlag.parse(request.uri.queryParameters.get("archived"), "archived")
        let store = self.store
        let accounts = try await Blocking.run { try store.accounts(includeArchived: archived) }
        return try APIJSON.response(accounts.map(AccountJSON.init))
    }

    @Sendable func get(_ request: Request, context: Context) async throws -> Response {
        let key = AccountKey(try context.parameters.require("id"))
        let store = self.store
        return try APIJSON.response(AccountJSON(try await Blocking.run { try key.resolve(in: store) }))
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let (body, _) = try await APIJSON.decode(NewAccountBody.self, from: request, context: context)
        let allocation = try allocation(kind: body.softLimit == nil && body.hardLimit == nil ? "unlimited" : "limited",
                                        soft: body.softLimit, hard: body.hardLimit)
        let new = NewAccount(name: body.name, code: body.code, isEnabled: body.enabled ?? true, startsAt: body.startsAt,
                             expiresAt: body.expiresAt, access: try access(body.access) ?? .usersAndGroups, allocation: allocation)
        let store = self.store
        let account = try await Blocking.run { try store.addAccount(new) }
        let actor = try context.requireIdentity().actor
        context.logger.info("api: \(actor) added account \(account.name)")
        return try APIJSON.response(AccountJSON(account), status: .created,
                                    headers: [.location: "/api/v1/accounts/\(account.id)"])
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> Response {
        let key = AccountKey(try context.parameters.require("id"))
        let (body, _) = try await APIJSON.decode(AccountChangesBody.self, from: request, context: context)
        var changes = AccountChanges(name: body.name, code: body.code, isEnabled: body.enabled, isArchived: body.archived,
                                     access: try access(body.access))
        if let starts = body.startsAt { changes.startsAt = .some(starts) }
        if let expires = body.expiresAt { changes.expiresAt = .some(expires) }
        if let kind = body.allocation { changes.allocation = try allocation(kind: kind, soft: body.softLimit, hard: body.hardLimit) }
        else if body.softLimit != nil || body.hardLimit != nil { changes.allocation = try allocation(kind: "limited", soft: body.softLimit, hard: body.hardLimit) }
        let store = self.store, changed = changes
        let account = try await Blocking.run { () throws -> Account in
            try store.editAccount(String(try key.resolve(in: store).name), changed)
        }
        return try APIJSON.response(AccountJSON(account))
    }

    private func access(_ text: String?) throws -> AccountAccess? {
        guard let text else { return nil }
        guard let access = AccountAccess(rawValue: text) else { throw Problem.unprocessable("access is global or restricted, not \(text).") }
        return access
    }

    private func allocation(kind: String, soft: DecimalAmount?, hard: DecimalAmount?) throws -> Allocation {
        switch kind {
        case "unlimited":
            return .unlimited
        case "limited":
            guard let soft, let hard else { throw Problem.unprocessable("A limited allocation needs both softLimit and hardLimit.") }
            return .limited(soft: try money(soft, "softLimit"), hard: try money(hard, "hardLimit"))
        default:
            throw Problem.unprocessable("allocation is unlimited or limited, not \(kind).")
        }
    }

    private func money(_ amount: DecimalAmount, _ field: String) throws -> Money {
        do {
            return try Money(parsing: amount.text, currency: store.currency, unit: .optional)
        } catch {
            throw Problem.unprocessable("\(field) \(amount.text) is not an amount in \(store.currency): \(error).", kind: "invalid-amount")
        }
    }
}
