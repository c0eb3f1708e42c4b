import Foundation
import Hummingbird
import Pricing
import QuotaDB
import Station

/// `/admin/reports`: usage by user, account, user and account, queue, application or month, over a period, as a
/// table, a server-rendered SVG bar chart and a CSV download (`/admin/reports.csv`, the same
/// query); `/admin/check`: what `tollgate check` says.
///
/// Failure policy: a malformed filter is shown next to its field (422) and no report is run; a
/// store error is a notice and an empty report, never a partial CSV (that is a 503).
struct ReportsController {
    let console: AdminConsole

    func addRoutes(to group: RouterGroup<AdminRequestContext>) {
        group.get("reports", use: page)
        group.get("reports.csv", use: csv)
        group.get("check", use: check)
    }

    @Sendable func page(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        let filter = ReportFilter(request.uri.queryParameters)
        var notices = await console.notices(context)
        var rows: [ReportRow] = []
        if filter.errors.isEmpty {
            switch await run(filter) {
            case .success(let found): rows = found
            case .failure(let error): notices.append(Notice(.error, sentence(error)))
            }
        }
        let pages = console.pages
        func option(_ value: String, _ label: String) -> String {
            "<option value=\"\(value)\"\(filter.by == value ? " selected" : "")>\(label)</option>"
        }
        var body = """
        <h1>Usage reports</h1>
        <form class="card search" method="get" action="/admin/reports" id="report-form">
        <div><label for="by">Group by</label><select id="by" name="by">\(option("user", "User"))\(option("account", "Account"))\
        \(option("user-account", "User and account"))\(option("queue", "Queue"))\(option("application", "Application"))\(option("month", "Month"))</select></div>
        <div><label for="chart-metric">Chart</label><select id="chart-metric" name="chart">\(ReportFilter.metrics.map { "<option value=\"\($0.0)\"\(filter.chart == $0.0 ? " selected" : "")>\($0.1)</option>" }.joined())</select></div>
        <div>\(pages.field("from", label: "From (first day)", value: filter.fromText, error: filter.errors["from"], type: "date"))</div>
        <div>\(pages.field("until", label: "Until (last day)", value: filter.untilText, error: filter.errors["until"], type: "date"))</div>
        <div>\(pages.field("user", label: "User (optional)", value: filter.user, error: filter.errors["user"]))</div>
        <div>\(pages.field("account", label: "Account name or code (optional)", value: filter.account, error: nil))</div>
        <button class="primary" type="submit" id="run-report">Show</button>
        <a class="button" id="download-csv" href="/admin/reports.csv?\(HTML.escape(filter.queryString))">Download CSV</a>
        </form>
        <p class="hint">Charged is what printed jobs cost; credited is the net of credits and adjustments.
        By queue and by application only jobs count (jobs from before Tollgate recorded them show as “not recorded”).</p>

        """
        if rows.isEmpty {
            body += "<p class=\"empty\" id=\"no-usage\">No usage in this period.</p>\n"
        } else {
            body += "<div class=\"chart\" id=\"chart\">\(BarChart.svg(rows.map { ($0.label, $0.value(filter.chart)) }, title: "\(filter.chartTitle) per \(filter.byTitle)"))</div>\n"
            body += "<div class=\"table-wrap\"><table id=\"report\"><thead><tr>"
            body += ReportRow.headings(filter.by).map { "<th\($0.numeric ? " class=\"num\"" : "")>\($0.title)</th>" }.joined()
            body += "</tr></thead><tbody>\n"
            for row in rows {
                body += "<tr>" + row.cells(filter.by).map { "<td\($0.numeric ? " class=\"num\"" : "")>\(HTML.escape($0.text))</td>" }.joined() + "</tr>\n"
            }
            body += "</tbody></table></div>\n"
        }
        return html(pages.page(title: "Reports", tab: .reports, admin: admin, csrfToken: context.csrfToken, notices: notices, body: body),
                    status: filter.errors.isEmpty ? .ok : .unprocessableContent)
    }

    @Sendable func csv(_ request: Request, context: AdminRequestContext) async throws -> Response {
        _ = try context.admin()
        let filter = ReportFilter(request.uri.queryParameters)
        guard filter.errors.isEmpty else {
            return Response(status: .unprocessableContent, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: filter.errors.values.sorted().joined(separator: "\n") + "\n")))
        }
        let rows: [ReportRow]
        switch await run(filter) {
        case .success(let found): rows = found
        case .failure(let error):
            return Response(status: .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: sentence(error) + "\n")))
        }
        var text = CSV.line(ReportRow.headings(filter.by).map(\.title) + ["Currency"])
        let currency = console.store.currency.code
        for row in rows { text += CSV.line(row.cells(filter.by).map(\.csv) + [currency]) }
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                               .contentDisposition: "attachment; filename=\"tollgate-usage-\(filter.by).csv\""],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The report's rows through ``QuotaStore/usageReport(_:)`` (per month: one call per month).
    private func run(_ filter: ReportFilter) async -> Result<[ReportRow], any Error> {
        let store = console.store
        return await console.db {
            let user = filter.user.isEmpty ? nil : filter.user
            let account = filter.account.isEmpty ? nil : filter.account
            guard filter.by == "month" else {
                let grouping = UsageGrouping(rawValue: filter.by) ?? .user
                return try store.usageReport(UsageReportQuery(grouping: grouping, from: filter.from, until: filter.until,
                                                              user: user, account: account)).map { usage in
                    var row = ReportRow(usage: usage)
                    row.byJob = grouping == .queue || grouping == .application
                    return row
                }
            }
            var rows: [ReportRow] = []
            for (label, start, end) in filter.months() {
                let parts = try store.usageReport(UsageReportQuery(grouping: .user, from: start, until: end, user: user, account: account))
                rows.append(ReportRow(month: label, parts: parts, currency: store.currency))
            }
            return rows
        }
    }

    // MARK: Check

    @Sendable func check(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        let store = console.store
        var notices = await console.notices(context)
        var body = "<h1>Check the ledger</h1>\n<p class=\"hint\">What <code>tollgate check</code> says: every balance re-derived from the ledger alone.</p>\n"
        switch await console.db({ try store.check() }) {
        case .failure(let error):
            notices.append(Notice(.error, sentence(error)))
        case .success(let report):
            body += """
            <dl class="facts card" id="check-counts"><div><dt>Ledger rows</dt><dd>\(report.ledgerRows)</dd></div>\
            <div><dt>Wallets</dt><dd>\(report.wallets)</dd></div><div><dt>Allocations</dt><dd>\(report.allocations)</dd></div>\
            <div><dt>Reservations</dt><dd>\(report.reservations)</dd></div></dl>

            """
            if report.isConsistent {
                body += "<div class=\"notice success\" id=\"check-result\">Consistent: every balance matches the ledger.</div>\n"
            } else {
                body += "<div class=\"notice error\" id=\"check-result\">\(report.problems.count) problem(s): the balances and the ledger disagree.</div>\n<ul id=\"check-problems\">"
                body += report.problems.map { "<li>\(HTML.escape($0))</li>" }.joined()
                body += "</ul>\n"
            }
        }
        return html(console.pages.page(title: "Check", tab: .check, admin: admin, csrfToken: context.csrfToken, notices: notices, body: body))
    }
}

/// The report form's values, checked.
struct ReportFilter: Sendable {
    var by: String
    var fromText: String
    var untilText: String
    var user: String
    var account: String
    var from: Date?
    /// Exclusive (the day after the last day).
    var until: Date?
    /// What the chart shows: `charged`, `net`, `credited`, `topped-up`.
    var chart: String
    var errors: [String: String] = [:]

    static let metrics = [("charged", "Charged"), ("net", "Net (charged − refunded)"), ("credited", "Credited"), ("topped-up", "Topped up")]

    var chartTitle: String { Self.metrics.first { $0.0 == chart }.map { String($0.1.prefix { $0 != " " }) } ?? "Charged" }

    init(_ query: Parameters) {
        let chart = String(query["chart"] ?? "charged")
        self.chart = Self.metrics.contains { $0.0 == chart } ? chart : "charged"
        let by = String(query["by"] ?? "user")
        self.by = ["user", "account", "user-account", "queue", "application", "month"].contains(by) ? by : "user"
        fromText = String(query["from"] ?? "").trimmingCharacters(in: .whitespaces)
        untilText = String(query["until"] ?? "").trimmingCharacters(in: .whitespaces)
        user = String(query["user"] ?? "").trimmingCharacters(in: .whitespaces)
        account = String(query["account"] ?? "").trimmingCharacters(in: .whitespaces)
        if !fromText.isEmpty {
            from = DayText.start(fromText)
            if from == nil { errors["from"] = "Write the first day as YYYY-MM-DD, or leave it empty for the beginning." }
        }
        if !untilText.isEmpty {
            until = DayText.endOfDay(untilText)
            if until == nil { errors["until"] = "Write the last day as YYYY-MM-DD, or leave it empty for today." }
        }
        if let from, let until, from >= until { errors["until"] = "The last day must be on or after the first day." }
        if !user.isEmpty, !AdminUserName.isValid(user) { errors["user"] = "That is not a user name." }
        if self.by == "month", errors.isEmpty {
            let end = until ?? Date()
            let start = from ?? Calendar.current.date(byAdding: .month, value: -11, to: end)!
            if let count = Calendar.current.dateComponents([.month], from: start, to: end).month, count > 120 {
                errors["from"] = "A report by month covers at most ten years: choose a later first day."
            }
        }
    }

    var byTitle: String {
        switch by {
        case "account": "account"
        case "user-account": "user and account"
        case "queue": "queue"
        case "application": "application"
        case "month": "month"
        default: "user"
        }
    }

    var queryString: String {
        [("by", by), ("chart", chart), ("from", fromText), ("until", untilText), ("user", user), ("account", account)]
            .map { "\($0.0)=\(queryValue($0.1))" }.joined(separator: "&")
    }

    /// Each calendar month of the period (default: the last twelve), clipped to it.
    func months() -> [(String, Date, Date)] {
        let calendar = Calendar.current
        let end = until ?? Date()
        let start = from ?? calendar.date(byAdding: .month, value: -11, to: calendar.date(from: calendar.dateComponents([.year, .month], from: end))!)!
        var month = calendar.date(from: calendar.dateComponents([.year, .month], from: start))!
        let label = DateFormatter()
        label.locale = Locale(identifier: "en_US_POSIX")
        label.dateFormat = "yyyy-MM"
        var result: [(String, Date, Date)] = []
        while month < end {
            let next = calendar.date(byAdding: .month, value: 1, to: month)!
            result.append((label.string(from: month), max(month, start), min(next, end)))
            month = next
        }
        return result
    }
}

/// One line of a report.
struct ReportRow: Sendable {
    var user: String?
    var account: AccountRef?
    var queue: String?
    var application: String?
    /// Whether the row is one of a per-queue or per-application report.
    var byJob = false
    var month: String?
    var jobs: Int
    var charged: Money
    var refunded: Money
    var credited: Money
    var toppedUp: Money
    var net: Money { Money(minorUnits: charged.minorUnits - refunded.minorUnits, currency: charged.currency) }

    init(usage: UsageReportRow) {
        user = usage.user
        account = usage.account
        queue = usage.queue
        application = usage.application
        jobs = usage.jobs
        charged = usage.charged
        refunded = usage.refunded
        credited = usage.credited
        toppedUp = usage.toppedUp
    }

    /// A month's totals: the sum of its per-user rows.
    init(month: String, parts: [UsageReportRow], currency: Currency) {
        func sum(_ key: KeyPath<UsageReportRow, Money>) -> Money {
            Money(minorUnits: parts.reduce(0) { $0 + $1[keyPath: key].minorUnits }, currency: currency)
        }
        self.month = month
        jobs = parts.reduce(0) { $0 + $1.jobs }
        charged = sum(\.charged)
        refunded = sum(\.refunded)
        credited = sum(\.credited)
        toppedUp = sum(\.toppedUp)
    }

    func value(_ metric: String) -> Money {
        switch metric {
        case "net": net
        case "credited": credited
        case "topped-up": toppedUp
        default: charged
        }
    }

    var label: String {
        if let month { return month }
        if byJob { return queue ?? application ?? "not recorded" }
        let account = self.account?.name ?? "personal wallet"
        switch (user, self.account) {
        case (let user?, _) where self.account != nil: return "\(user) · \(account)"
        case (let user?, nil): return user
        default: return account
        }
    }

    struct Heading { var title: String; var numeric: Bool }
    struct Cell {
        var text: String
        var csv: String
        var numeric: Bool
    }

    static func headings(_ by: String) -> [Heading] {
        var keys: [Heading] = []
        switch by {
        case "account": keys = [Heading(title: "Account", numeric: false)]
        case "user-account": keys = [Heading(title: "User", numeric: false), Heading(title: "Account", numeric: false)]
        case "queue": keys = [Heading(title: "Queue", numeric: false)]
        case "application": keys = [Heading(title: "Application", numeric: false)]
        case "month": keys = [Heading(title: "Month", numeric: false)]
        default: keys = [Heading(title: "User", numeric: false)]
        }
        return keys + ["Jobs", "Charged", "Refunded", "Net", "Credited", "Topped up"].map { Heading(title: $0, numeric: true) }
    }

    func cells(_ by: String) -> [Cell] {
        func text(_ value: String) -> Cell { Cell(text: value, csv: value, numeric: false) }
        func money(_ value: Money) -> Cell { Cell(text: value.description, csv: value.amountText, numeric: true) }
        var keys: [Cell] = []
        let account = self.account?.name ?? "personal wallet"
        switch by {
        case "account": keys = [text(account)]
        case "user-account": keys = [text(user ?? ""), text(account)]
        case "queue": keys = [text(queue ?? "not recorded")]
        case "application": keys = [text(application ?? "not known")]
        case "month": keys = [text(month ?? "")]
        default: keys = [text(user ?? "")]
        }
        return keys + [Cell(text: String(jobs), csv: String(jobs), numeric: true), money(charged),
                       money(refunded), money(net), money(credited), money(toppedUp)]
    }
}

/// RFC 4180 lines; a text field a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab,
/// CR at the start) is prefixed with `'`. Numbers are written as they are.
enum CSV {
    static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    static func field(_ text: String) -> String {
        var value = text
        let isNumber = Double(text) != nil
        if !isNumber, let first = value.first, "=+-@\t\r".contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// A horizontal bar chart as inline SVG (presentation attributes only: the CSP allows no inline styles).
enum BarChart {
    static let maxBars = 25

    static func svg(_ values: [(String, Money)], title: String) -> String {
        let bars = Array(values.sorted { $0.1.minorUnits > $1.1.minorUnits }.prefix(maxBars))
        let width = 800, labelWidth = 220, valueWidth = 110, barHeight = 24, gap = 8, top = 34
        let height = top + bars.count * (barHeight + gap) + 10
        let largest = max(1, bars.map { $0.1.minorUnits }.max() ?? 1)
        let span = width - labelWidth - valueWidth - 10
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(height)" role="img" aria-labelledby="chart-title">\
        <title id="chart-title">\(HTML.escape(title))</title>\
        <text x="0" y="20" font-size="16" font-weight="700" fill="#1b1f24">\(HTML.escape(title))\(values.count > maxBars ? " (the \(maxBars) largest)" : "")</text>
        """
        for (index, bar) in bars.enumerated() {
            let y = top + index * (barHeight + gap)
            let length = bar.1.minorUnits <= 0 ? 0 : max(2, Int(Double(span) * Double(bar.1.minorUnits) / Double(largest)))
            let label = bar.0.count > 28 ? String(bar.0.prefix(27)) + "…" : bar.0
            svg += """
            <text x="\(labelWidth - 8)" y="\(y + 17)" font-size="14" text-anchor="end" fill="#1b1f24">\(HTML.escape(label))</text>\
            <rect x="\(labelWidth)" y="\(y)" width="\(length)" height="\(barHeight)" rx="3" fill="#0b5cad"><title>\(HTML.escape(bar.0)): \(HTML.escape(bar.1.description))</title></rect>\
            <text x="\(labelWidth + length + 6)" y="\(y + 17)" font-size="14" fill="#5b6470">\(HTML.escape(bar.1.description))</text>
            """
        }
        return svg + "</svg>"
    }
}
