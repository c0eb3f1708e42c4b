import APIAccess
import Foundation
import Hummingbird
import Pricing
import QuotaDB

/// `GET /api/v1/reports/usage` (scope `reports:read`): what was charged, refunded, credited and
/// topped up per user, per account or per (user, account) over a period: the quota store's
/// `usageReport` (the CLI's `tollgate report`).
///
/// Query: `by` (`user`, `account`, `user-account`; default `user`), `from`, `until` (ISO 8601),
/// `user`, `account`. Failure policy: a malformed parameter → 400 problem; unknown account → 404.
struct ReportsController<Parent: RequestContext> {
    typealias Context = APIRequestContext<Parent>
    let store: any PrintAccountingStore

    struct UsageRowJSON: Encodable {
        var user: String?
        var account: AccountSummary?
        var queue: String?
        var application: String?
        var jobs: Int
        var charged: Money
        var refunded: Money
        var net: Money
        var credited: Money
        var toppedUp: Money
    }

    struct UsageReportJSON: Encodable {
        var by: String
        var from: Date?
        var until: Date?
        var rows: [UsageRowJSON]
    }

    func addRoutes(to group: RouterGroup<Context>) {
        group.group("reports").add(middleware: RequireScope(.reportsRead))
            .get("usage", use: usage)
    }

    @Sendable func usage(_ request: Request, context: Context) async throws -> Response {
        let parameters = request.uri.queryParameters
        let byText = parameters.get("by") ?? "user"
        guard let grouping = UsageGrouping(rawValue: byText) else {
            throw Problem.badRequest("by is one of \(UsageGrouping.allCases.map(\.rawValue).joined(separator: ", ")), not \(byText).")
        }
        let query = UsageReportQuery(grouping: grouping, from: try QueryDate.parse(parameters.get("from"), "from"),
                                     until: try QueryDate.parse(parameters.get("until"), "until"),
                                     user: parameters.get("user"), account: parameters.get("account"))
        let store = self.store
        let rows = try await Blocking.run { try store.usageReport(query) }
        return try APIJSON.response(UsageReportJSON(by: grouping.rawValue, from: query.from, until: query.until, rows: rows.map {
            UsageRowJSON(user: $0.user, account: $0.account.map(AccountSummary.init), queue: $0.queue, application: $0.application,
                         jobs: $0.jobs, charged: $0.charged,
                         refunded: $0.refunded, net: $0.net, credited: $0.credited, toppedUp: $0.toppedUp)
        }))
    }
}

/// `true` or `false` in query strings (absent: `false`); anything else is a 400 problem.
enum QueryFlag {
    static func parse(_ text: String?, _ name: String) throws -> Bool {
        switch text {
        case nil, "false": return false
        case "true": return true
        case let other?: throw Problem.badRequest("\(name) is true or false, not \(other).")
        }
    }
}

/// ISO 8601 instants in query strings (RFC 3339, with or without fractional seconds).
enum QueryDate {
    static func parse(_ text: String?, _ name: String) throws -> Date? {
        guard let text else { return nil }
        let plain = ISO8601DateFormatter(), fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = plain.date(from: text) ?? fractional.date(from: text) else {
            throw Problem.badRequest("\(name) is an ISO 8601 instant like 2026-01-31T00:00:00Z, not \(text).")
        }
        return date
    }
}
