import APIAccess
import Foundation
import Hummingbird
import QuotaDB

/// `GET /api/v1/ledger` (scope `reports:read`): ledger entries in id order, paged and filtered:
/// `user`, `account` (id, code or name), `wallet=true`, `kind` (repeatable), `from` and `until`
/// (ISO 8601), `limit` (1–1000, default 100), `after` (the previous page's `next`).
///
/// Failure policy: a malformed filter → 400 problem; an unknown account → 404.
struct LedgerController<Parent: RequestContext> {
    typealias Context = APIRequestContext<Parent>
    let store: any PrintAccountingStore

    func addRoutes(to group: RouterGroup<Context>) {
        group.group("ledger").add(middleware: RequireScope(.reportsRead))
            .get(use: list)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let parameters = request.uri.queryParameters
        let limit = try Paging.limit(request)
        var query = LedgerQuery(user: parameters.get("user"), walletOnly: try QueryFlag.parse(parameters.get("wallet"), "wallet"), limit: limit + 1)
        for kind in parameters.getAll("kind") {
            guard let value = LedgerKind(rawValue: kind) else {
                throw Problem.badRequest("kind is one of \(LedgerKind.allCases.map(\.rawValue).joined(separator: ", ")), not \(kind).")
            }
            query.kinds.insert(value)
        }
        if let after = parameters.get("after") {
            guard let id = Int64(after) else { throw Problem.badRequest("after is the id of the last entry of the previous page, not \(after).") }
            query.afterID = id
        }
        query.from = try QueryDate.parse(parameters.get("from"), "from")
        query.until = try QueryDate.parse(parameters.get("until"), "until")
        let store = self.store
        let accountKey = parameters.get("account").map(AccountKey.init)
        let filter = query
        let entries = try await Blocking.run { () throws -> [LedgerEntry] in
            var query = filter
            if let accountKey { query.account = try accountKey.resolve(in: store).name }
            return try store.ledger(query)
        }
        let page = entries.prefix(limit).map(LedgerEntryJSON.init)
        return try APIJSON.response(Page(items: Array(page), next: entries.count > limit ? page.last.map { String($0.id) } : nil))
    }
}
