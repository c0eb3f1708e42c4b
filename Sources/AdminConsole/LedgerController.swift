import Foundation
import Hummingbird
import Pricing
import QuotaDB
import Station

/// `/admin/ledger`: the ledger browser (`tollgate ledger` with its filters): user, account or
/// personal wallet, kind, job key, period; newest first, ``shown`` rows a page, "Older entries"
/// going on from the last row shown (`before=ID`, so a page stays the same while rows are added).
///
/// Failure policy: a malformed filter is shown next to its field (422) and nothing is listed; an
/// unknown account is said as such. Without a first day the period is the last 31 days, so an
/// unfiltered look never reads the whole ledger.
struct LedgerController {
    let console: AdminConsole
    static let shown = 200
    static let defaultDays = 31

    func addRoutes(to group: RouterGroup<AdminRequestContext>) {
        group.get("ledger", use: page)
    }

    @Sendable func page(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        let query = request.uri.queryParameters
        func text(_ name: String) -> String { String(query[name[...]] ?? "").trimmingCharacters(in: .whitespaces) }
        let user = text("user"), account = text("account"), kindText = text("kind"), job = text("job")
        let fromText = text("from"), untilText = text("until"), beforeText = text("before")
        var errors: [String: String] = [:]
        var from: Date? = Calendar.current.date(byAdding: .day, value: -Self.defaultDays, to: Date())
        var until: Date?
        if !fromText.isEmpty {
            from = DayText.start(fromText)
            if from == nil { errors["ledger-from"] = "Write the first day as YYYY-MM-DD (empty: the last \(Self.defaultDays) days)." }
        }
        if !untilText.isEmpty {
            until = DayText.endOfDay(untilText)
            if until == nil { errors["ledger-until"] = "Write the last day as YYYY-MM-DD, or leave it empty for today." }
        }
        if !user.isEmpty, !AdminUserName.isValid(user) { errors["ledger-user"] = "That is not a user name." }
        let before = Int64(beforeText)
        if !beforeText.isEmpty, before == nil { throw HTTPError(.badRequest, message: "before is a ledger entry number.") }
        let kind = LedgerKind(rawValue: kindText)
        let pages = console.pages
        var notices = await console.notices(context)
        var entries: [LedgerEntry] = []
        var total = 0
        var older = false
        if errors.isEmpty {
            let ledgerQuery = LedgerQuery(user: user.isEmpty ? nil : user,
                                          account: account.isEmpty || account == "wallet" ? nil : account,
                                          walletOnly: account == "wallet", jobKey: job.isEmpty ? nil : job,
                                          kinds: kind.map { [$0] } ?? [], from: from, until: until)
            let store = console.store
            var latest = ledgerQuery
            latest.limit = Self.shown + 1
            latest.newestFirst = true
            latest.beforeID = before
            let newest = latest
            switch await console.db({ (try store.ledgerCount(ledgerQuery), try store.ledger(newest)) }) {
            case .success(let (count, shown)):
                total = count
                older = shown.count > Self.shown
                entries = Array(shown.prefix(Self.shown))
            case .failure(QuotaError.accountNotFound(let name)):
                errors["ledger-account"] = "No account is called or has the code “\(name)”."
            case .failure(let error):
                notices.append(Notice(.error, sentence(error)))
            }
        }
        let kinds = "<option value=\"\">All kinds</option>" + LedgerKind.allCases.map {
            "<option value=\"\($0.rawValue)\"\(kind == $0 ? " selected" : "")>\($0.rawValue)</option>"
        }.joined()
        var body = """
        <h1>Ledger</h1>
        <form class="card search" method="get" action="/admin/ledger" id="ledger-form">
        <div>\(pages.field("ledger-user", name: "user", label: "User", value: user, error: errors["ledger-user"]))</div>
        <div>\(pages.field("ledger-account", name: "account", label: "Account name or code, or “wallet”", value: account, error: errors["ledger-account"]))</div>
        <div><label for="ledger-kind">Kind</label><select id="ledger-kind" name="kind">\(kinds)</select></div>
        <div>\(pages.field("ledger-job", name: "job", label: "Job key", value: job, error: nil))</div>
        <div>\(pages.field("ledger-from", name: "from", label: "From (first day)", value: fromText, error: errors["ledger-from"], type: "date"))</div>
        <div>\(pages.field("ledger-until", name: "until", label: "Until (last day)", value: untilText, error: errors["ledger-until"], type: "date"))</div>
        <button class="primary" type="submit" id="ledger-search">Show</button>
        </form>
        <p class="hint">Newest first\(fromText.isEmpty ? ", the last \(Self.defaultDays) days" : ""); \(total) \(total == 1 ? "entry" : "entries")\
        \(before != nil || older ? ", \(entries.count) shown from entry \(entries.first.map { "#\($0.id)" } ?? "")" : "").</p>

        """
        // The same filters, for the page links.
        let filters = [("user", user), ("account", account), ("kind", kindText), ("job", job), ("from", fromText), ("until", untilText)]
            .filter { !$0.1.isEmpty }.map { "\($0.0)=\(queryValue($0.1))" }
        func link(before: Int64?) -> String {
            "/admin/ledger?" + (filters + (before.map { ["before=\($0)"] } ?? [])).joined(separator: "&amp;")
        }
        var paging: [String] = []
        if before != nil { paging.append("<a href=\"\(link(before: nil))\" id=\"ledger-newest\">Newest entries</a>") }
        if older, let last = entries.last { paging.append("<a href=\"\(link(before: last.id))\" id=\"ledger-older\">Older entries</a>") }
        let pagingLine = paging.isEmpty ? "" : "<p class=\"paging\">\(paging.joined(separator: " · "))</p>\n"
        if entries.isEmpty {
            body += "<p class=\"empty\" id=\"no-entries\">No ledger entries match.</p>\n"
        } else {
            let format = pages.format
            body += """
            <div class="table-wrap"><table id="ledger"><thead><tr><th>#</th><th>When</th><th>What</th><th>User</th><th>Where</th>\
            <th>Job</th><th class="num">Change</th><th class="num">Balance after</th><th>Reason</th><th>By</th></tr></thead><tbody>

            """
            for entry in entries {
                body += """
                <tr><td>\(entry.id)</td><td>\(format.dateTime(entry.at))</td><td>\(HTML.escape(entry.kind.rawValue))</td>\
                <td><a href="/admin/user?name=\(queryValue(entry.user))">\(HTML.escape(entry.user))</a></td>\
                <td>\(HTML.escape(entry.account?.name ?? "personal wallet"))</td><td>\(HTML.escape(entry.jobKey ?? ""))</td>\
                <td class="num">\(HTML.escape(entry.balanceEffect.description))</td><td class="num">\(HTML.escape(entry.balanceAfter.description))</td>\
                <td>\(HTML.escape(entry.reason))</td><td>\(HTML.escape(entry.actor))</td></tr>

                """
            }
            body += "</tbody></table></div>\n" + pagingLine
        }
        return html(pages.page(title: "Ledger", tab: .ledger, admin: admin, csrfToken: context.csrfToken, notices: notices, body: body),
                    status: errors.isEmpty ? .ok : .unprocessableContent)
    }
}
