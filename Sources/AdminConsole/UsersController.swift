import Foundation
import Hummingbird
import Pricing
import QuotaDB
import Station

/// `/admin/users`: search, and one user's balances (used / soft / hard per account, as Pharos
/// shows them; unlimited said as such), personal wallet, held jobs, job history and ledger, with
/// top-up, credit and adjustment — the calls of `tollgate topup|credit|adjust`, actor `admin:NAME`.
///
/// Failure policy: a money form with an error is shown again as typed with the error next to the
/// field (422) and nothing is written; a store refusal (unknown account, reference used for
/// another payment…) is shown the same way, the ledger unchanged.
struct UsersController {
    let console: AdminConsole
    static let pageSize = 50

    func addRoutes(to group: RouterGroup<AdminRequestContext>) {
        group.get("users", use: search)
        group.get("user", use: show)
        group.post("user/topup", use: topUp)
        group.post("user/credit", use: credit)
        group.post("user/adjust", use: adjust)
        group.post("user/refund", use: refund)
        group.post("user/active", use: setActive)
    }

    // MARK: Search

    @Sendable func search(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        let query = request.uri.queryParameters
        let search = String(query["q"] ?? "").trimmingCharacters(in: .whitespaces)
        let page = max(1, Int(String(query["page"] ?? "1")) ?? 1)
        let store = console.store
        var notices = await console.notices(context)
        var users: [String] = []
        switch await console.db({ try store.users() }) {
        case .success(let all):
            // Plain case folding, not localized comparison: 50 000 names in a few milliseconds.
            let needle = search.lowercased()
            users = search.isEmpty ? all : all.filter { $0.lowercased().contains(needle) }
        case .failure(let error): notices.append(Notice(.error, sentence(error)))
        }
        let pages = console.pages
        var body = """
        <h1>Users</h1>
        <form class="search" method="get" action="/admin/users">
        <div><label for="q">Search user name</label><input type="search" id="q" name="q" value="\(HTML.escape(search))"></div>
        <button type="submit" id="search-users">Search</button>
        </form>

        """
        if !search.isEmpty, !users.contains(search), AdminUserName.isValid(search) {
            body += "<p id=\"open-new\">No activity recorded for <a href=\"/admin/user?name=\(queryValue(search))\">\(HTML.escape(search))</a> yet: open it to top up or credit.</p>\n"
        }
        let shown = users.dropFirst((page - 1) * Self.pageSize).prefix(Self.pageSize)
        if shown.isEmpty {
            body += "<p class=\"empty\">\(search.isEmpty ? "No user has printed or been credited yet." : "No user matches “\(HTML.escape(search))”.")</p>\n"
        } else {
            body += "<div class=\"table-wrap\"><table id=\"users\"><thead><tr><th>User</th></tr></thead><tbody>\n"
            for user in shown {
                body += "<tr><td><a href=\"/admin/user?name=\(queryValue(user))\">\(HTML.escape(user))</a></td></tr>\n"
            }
            body += "</tbody></table></div>\n"
            let lastPage = max(1, (users.count + Self.pageSize - 1) / Self.pageSize)
            if lastPage > 1 {
                let base = "/admin/users?q=\(queryValue(search))&page="
                body += "<nav class=\"pager\">"
                if page > 1 { body += "<a href=\"\(HTML.escape(base + String(page - 1)))\">Previous</a>" }
                body += "<span>Page \(page) of \(lastPage) (\(users.count) users)</span>"
                if page < lastPage { body += "<a href=\"\(HTML.escape(base + String(page + 1)))\">Next</a>" }
                body += "</nav>\n"
            }
        }
        return html(pages.page(title: "Users", tab: .users, admin: admin, csrfToken: context.csrfToken, notices: notices, body: body))
    }

    // MARK: One user

    @Sendable func show(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        let user = String(request.uri.queryParameters["name"] ?? "")
        guard AdminUserName.isValid(user) else { return redirect("/admin/users") }
        return await userPage(admin: admin, user: user, context: context, form: MoneyForm(), notices: await console.notices(context))
    }

    func userPage(admin: AdminIdentity, user: String, context: AdminRequestContext, form: MoneyForm,
                  pinErrors: [String: String] = [:], pinCard: String? = nil, activeError: String? = nil,
                  notices: [Notice], status: HTTPResponse.Status = .ok) async -> Response {
        let store = console.store
        let pages = console.pages
        var notices = notices
        struct Facts: Sendable {
            var balances: UserBalances
            var accounts: [Account]
            var held: [HeldJob]
            var events: [JobEvent]
            var ledger: [LedgerEntry]
            var credential: PINCredential?
        }
        let facts: Facts?
        switch await console.db({
            Facts(balances: try store.balances(for: user), accounts: try store.accounts(includeArchived: false),
                  held: try store.heldJobs(owner: user, states: [.held, .released]),
                  events: try store.jobEvents(jobKey: nil, user: user, limit: 30),
                  ledger: try store.ledger(LedgerQuery(user: user, limit: 50, newestFirst: true)),
                  credential: try store.credential(identifier: user).flatMap { $0.user == user ? $0 : nil })
        }) {
        case .success(let found): facts = found
        case .failure(let error):
            facts = nil
            notices.append(Notice(.error, sentence(error)))
        }
        var body = "<h1>User \(HTML.escape(user))</h1>\n"
        if let facts {
            body += balancesTable(facts.balances)
            body += activeForm(user: user, balances: facts.balances, accounts: facts.accounts, error: activeError, csrf: context.csrfToken)
            body += moneyForms(user: user, accounts: facts.accounts, form: form, csrf: context.csrfToken)
            body += refundForm(user: user, ledger: facts.ledger, form: form, csrf: context.csrfToken)
            body += CardPINController.form(user: user, credential: facts.credential, errors: pinErrors,
                                           card: pinCard ?? facts.credential?.cardNumber ?? "", csrf: context.csrfToken, pages: pages)
            body += heldJobs(facts.held)
            body += history(facts.events)
            body += ledger(facts.ledger)
        }
        body += "<p><a href=\"/admin/users\">Back to the users</a></p>\n"
        return html(pages.page(title: "User \(user)", tab: .users, admin: admin, csrfToken: context.csrfToken, notices: notices, body: body),
                    status: status)
    }

    /// Used / soft / hard / left per account, as the Pharos console shows them; unlimited says so.
    private func balancesTable(_ balances: UserBalances) -> String {
        var rows = ""
        for balance in balances.accounts {
            let active = balances.active.account?.id == balance.account.id
            rows += """
            <tr><td>\(HTML.escape(balance.account.name))\(active ? " (active)" : "")</td>\
            <td class="num">\(HTML.escape(balance.used.description))</td>\
            <td class="num">\(HTML.escape(balance.softLimit?.description ?? "unlimited"))</td>\
            <td class="num">\(HTML.escape(balance.hardLimit?.description ?? "unlimited"))</td>\
            <td class="num">\(HTML.escape(balance.remaining?.description ?? "unlimited"))</td></tr>

            """
        }
        if balances.accounts.isEmpty { rows += "<tr><td colspan=\"5\" class=\"empty\">No account this user can use or has used.</td></tr>\n" }
        let reserved = balances.reserved.isZero ? "" : "<p class=\"hint\">\(HTML.escape(balances.reserved.description)) is held for jobs that have not finished printing.</p>\n"
        return """
        <section id="balances">
        <h2>Balances</h2>
        <div class="table-wrap"><table><thead><tr><th>Account</th><th class="num">Used</th><th class="num">Soft limit</th>\
        <th class="num">Hard limit</th><th class="num">Left</th></tr></thead><tbody>
        \(rows)<tr class="wallet" id="wallet"><td>Personal wallet</td><td class="num" colspan="4">\(HTML.escape(balances.wallet.description))</td></tr>
        </tbody></table></div>
        \(reserved)</section>

        """
    }

    private func moneyForms(user: String, accounts: [Account], form: MoneyForm, csrf: String) -> String {
        let pages = console.pages
        let currency = console.store.currency.code
        func destinations(_ name: String, _ selected: String) -> String {
            var options = "<option value=\"\"\(selected.isEmpty ? " selected" : "")>Personal wallet</option>"
            for account in accounts {
                options += "<option value=\"\(HTML.escape(account.name))\"\(selected == account.name ? " selected" : "")>Account \(HTML.escape(account.name))</option>"
            }
            return "<label for=\"\(name)\">Where</label><select id=\"\(name)\" name=\"account\">\(options)</select>\n"
        }
        let common = pages.hidden("csrf", csrf) + pages.hidden("user", user)
        let isCredit = form.kind == "credit", isAdjust = form.kind == "adjust", isTopUp = form.kind == "topup"
        return """
        <h2>Money</h2>
        <div class="grid2">
        <form class="card" method="post" action="/admin/user/credit" id="credit-form">
        <h3>Credit</h3>
        <p class="hint">Adds to the wallet, or lowers usage on an account (Pharos's credit of used points).</p>
        \(common)\(destinations("credit-account", isCredit ? form.account : ""))\
        \(pages.field("credit-amount", name: "amount", label: "Amount (\(currency))", value: isCredit ? form.amount : "", error: isCredit ? form.errors["amount"] : nil))\
        <label class="inline"><input type="checkbox" name="reset" id="credit-reset"\(isCredit && form.reset ? " checked" : "")> Set the balance (or what is left on the account) to this amount instead</label>
        \(pages.field("credit-reason", name: "reason", label: "Reason (kept in the ledger)", value: isCredit ? form.reason : "", error: nil))\
        \(pages.fieldError("credit-form", isCredit ? form.errors["form"] : nil))\
        <div class="buttons"><button class="primary" type="submit" id="credit-submit">Credit</button></div>
        </form>
        <form class="card" method="post" action="/admin/user/topup" id="topup-form">
        <h3>Top-up</h3>
        <p class="hint">Money paid in: goes to the personal wallet. A payment reference is credited only once.</p>
        \(common)\
        \(pages.field("topup-amount", name: "amount", label: "Amount (\(currency))", value: isTopUp ? form.amount : "", error: isTopUp ? form.errors["amount"] : nil))\
        \(pages.field("topup-reference", name: "reference", label: "Payment reference (optional)", value: isTopUp ? form.reference : "", error: isTopUp ? form.errors["reference"] : nil))\
        \(pages.fieldError("topup-form", isTopUp ? form.errors["form"] : nil))\
        <div class="buttons"><button class="primary" type="submit" id="topup-submit">Top up</button></div>
        </form>
        <form class="card" method="post" action="/admin/user/adjust" id="adjust-form">
        <h3>Adjustment</h3>
        <p class="hint">A signed correction: −2.50 takes 2.50 away from the wallet; on an account a negative amount adds usage.</p>
        \(common)\(destinations("adjust-account", isAdjust ? form.account : ""))\
        \(pages.field("adjust-amount", name: "amount", label: "Signed amount (\(currency))", value: isAdjust ? form.amount : "", error: isAdjust ? form.errors["amount"] : nil))\
        \(pages.field("adjust-reason", name: "reason", label: "Reason (required, kept in the ledger)", value: isAdjust ? form.reason : "", error: isAdjust ? form.errors["reason"] : nil))\
        \(pages.fieldError("adjust-form", isAdjust ? form.errors["form"] : nil))\
        <div class="buttons"><button class="primary" type="submit" id="adjust-submit">Adjust</button></div>
        </form>
        </div>

        """
    }

    /// The user's active account, set by the help desk (what the station charges when users do not choose).
    private func activeForm(user: String, balances: UserBalances, accounts: [Account], error: String?, csrf: String) -> String {
        let current = balances.active.account
        var options = "<option value=\"\"\(current == nil ? " selected" : "")>Personal wallet only</option>"
        for account in accounts {
            options += "<option value=\"\(HTML.escape(account.name))\"\(current?.id == account.id ? " selected" : "")>\(HTML.escape(account.name))</option>"
        }
        let state = current.map { "Jobs are charged to \(HTML.escape($0.name)) first, then the personal wallet." } ?? "Jobs are paid from the personal wallet."
        return """
        <form class="card search" method="post" action="/admin/user/active" id="active-form">
        \(console.pages.hidden("csrf", csrf))\(console.pages.hidden("user", user))
        <div><label for="active-account">Active account</label><p class="hint" id="active-state">\(state)</p>\
        <select id="active-account" name="account"\(error == nil ? "" : " aria-invalid=\"true\" aria-describedby=\"active-account-error\"")>\(options)</select>\
        \(console.pages.fieldError("active-account", error))</div>
        <button type="submit" id="active-submit">Set active account</button>
        </form>

        """
    }

    @Sendable func setActive(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        let user = context.form["user"] ?? ""
        guard AdminUserName.isValid(user) else { return redirect("/admin/users") }
        let account = (context.form["account"] ?? "").trimmingCharacters(in: .whitespaces)
        let store = console.store
        let page = "/admin/user?name=\(queryValue(user))"
        switch await console.db({ try store.setActiveAccount(account.isEmpty ? nil : account, for: user, by: .admin) }) {
        case .failure(let error):
            return await userPage(admin: admin, user: user, context: context, form: MoneyForm(), activeError: sentence(error),
                                  notices: [], status: .unprocessableContent)
        case .success(let active):
            console.log("admin: \(admin.actor) set the active account of \(user) to \(active.account?.name ?? "(wallet only)")")
            return await console.done(Notice(.success, active.account.map { "\(user)'s jobs are now charged to \($0.name) first." }
                                                ?? "\(user)'s jobs are now paid from the personal wallet."),
                                      context: context, to: page)
        }
    }

    /// Refund (part of) a printed job: `tollgate refund JOB AMOUNT`, the amount being the job's total refund.
    private func refundForm(user: String, ledger: [LedgerEntry], form: MoneyForm, csrf: String) -> String {
        var seen = Set<String>()
        let jobs = ledger.filter { $0.kind == .debit }.compactMap(\.jobKey).filter { seen.insert($0).inserted }
        guard !jobs.isEmpty || form.kind == "refund" else { return "" }
        let pages = console.pages
        let isRefund = form.kind == "refund"
        let options = jobs.map { "<option value=\"\(HTML.escape($0))\"\(isRefund && form.job == $0 ? " selected" : "")>\(HTML.escape($0))</option>" }.joined()
        return """
        <form class="card" method="post" action="/admin/user/refund" id="refund-form">
        <h3>Refund a printed job</h3>
        <p class="hint">The amount is the job's total refund, not an increment: refunding the same job again gives nothing more.</p>
        \(pages.hidden("csrf", csrf))\(pages.hidden("user", user))
        <label for="refund-job">Job</label><select id="refund-job" name="job">\(options)</select>
        \(pages.field("refund-amount", name: "amount", label: "Total refund (empty: all of it)", value: isRefund ? form.amount : "", error: isRefund ? form.errors["amount"] : nil))\
        \(pages.field("refund-reason", name: "reason", label: "Reason (kept in the ledger)", value: isRefund ? form.reason : "", error: isRefund ? form.errors["reason"] : nil))\
        \(pages.fieldError("refund-form", isRefund ? form.errors["form"] : nil))\
        <div class="buttons"><button class="primary" type="submit" id="refund-submit">Refund</button></div>
        </form>

        """
    }

    private func heldJobs(_ jobs: [HeldJob]) -> String {
        var text = "<h2>Held jobs</h2>\n"
        guard !jobs.isEmpty else { return text + "<p class=\"empty\" id=\"no-held\">No jobs waiting.</p>\n" }
        let format = console.pages.format
        text += "<div class=\"table-wrap\"><table id=\"held-jobs\"><thead><tr><th>Job</th><th>Title</th><th>Printer</th><th class=\"num\">Pages</th><th class=\"num\">Price</th><th>State</th><th>Held since</th></tr></thead><tbody>\n"
        for job in jobs {
            text += "<tr><td>\(job.jobID)</td><td>\(HTML.escape(job.title))</td><td>\(HTML.escape(job.queue))</td><td class=\"num\">\(job.pageSides)</td><td class=\"num\">\(HTML.escape(job.price.description))</td><td>\(HTML.escape(job.state.rawValue))</td><td>\(format.dateTime(job.heldAt))</td></tr>\n"
        }
        return text + "</tbody></table></div>\n"
    }

    private func history(_ events: [JobEvent]) -> String {
        var text = "<h2>Job history</h2>\n"
        guard !events.isEmpty else { return text + "<p class=\"empty\">No jobs yet.</p>\n" }
        let format = console.pages.format
        text += "<div class=\"table-wrap\"><table id=\"job-history\"><thead><tr><th>When</th><th>What</th><th>Details</th><th>By</th></tr></thead><tbody>\n"
        for event in events {
            text += "<tr><td>\(format.dateTime(event.at))</td><td>\(HTML.escape(event.kind.rawValue))</td><td>\(HTML.escape(event.detail))</td><td>\(HTML.escape(event.actor))</td></tr>\n"
        }
        return text + "</tbody></table></div>\n"
    }

    private func ledger(_ entries: [LedgerEntry]) -> String {
        var text = "<h2>Ledger</h2>\n"
        guard !entries.isEmpty else { return text + "<p class=\"empty\">No charges or credits yet.</p>\n" }
        let format = console.pages.format
        text += """
        <div class="table-wrap"><table id="ledger"><thead><tr><th>When</th><th>What</th><th>Where</th><th class="num">Change</th>\
        <th class="num">Balance after</th><th>Reason</th><th>By</th></tr></thead><tbody>

        """
        for entry in entries {
            text += """
            <tr><td>\(format.dateTime(entry.at))</td><td>\(HTML.escape(entry.kind.rawValue))</td>\
            <td>\(HTML.escape(entry.account?.name ?? "personal wallet"))</td><td class="num">\(HTML.escape(entry.balanceEffect.description))</td>\
            <td class="num">\(HTML.escape(entry.balanceAfter.description))</td><td>\(HTML.escape(entry.reason))</td><td>\(HTML.escape(entry.actor))</td></tr>

            """
        }
        return text + "</tbody></table></div>\n"
    }

    // MARK: Money

    @Sendable func topUp(_ request: Request, context: AdminRequestContext) async throws -> Response {
        try await move(context, kind: "topup") { store, user, form, amount, actor in
            try store.topUp(user: user, amount: amount, reference: form.reference.isEmpty ? nil : form.reference, actor: actor)
        }
    }

    @Sendable func credit(_ request: Request, context: AdminRequestContext) async throws -> Response {
        try await move(context, kind: "credit") { store, user, form, amount, actor in
            try store.credit(user: user, to: form.destination, amount: amount, mode: form.reset ? .resetTo : .add,
                             reason: form.reason, actor: actor)
        }
    }

    @Sendable func adjust(_ request: Request, context: AdminRequestContext) async throws -> Response {
        try await move(context, kind: "adjust") { store, user, form, amount, actor in
            try store.adjust(user: user, on: form.destination, by: amount, reason: form.reason, actor: actor)
        }
    }

    @Sendable func refund(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        let user = context.form["user"] ?? ""
        guard AdminUserName.isValid(user) else { return redirect("/admin/users") }
        var form = MoneyForm(context.form, kind: "refund")
        let store = console.store
        var amount: Money?
        if !form.amount.isEmpty {
            amount = form.validate(currency: store.currency)
            if amount == nil { return await userPage(admin: admin, user: user, context: context, form: form, notices: [], status: .unprocessableContent) }
        }
        let job = form.job, reason = form.reason, requested = amount
        let result = await console.db { () throws -> Reservation in
            guard let reservation = try store.reservation(jobKey: job), reservation.user == user else {
                throw QuotaError.unknownJob(jobKey: job)
            }
            return try store.refund(jobKey: job, amount: requested ?? reservation.total, reason: reason, actor: admin.actor)
        }
        switch result {
        case .failure(let error):
            form.errors["form"] = sentence(error)
            return await userPage(admin: admin, user: user, context: context, form: form, notices: [], status: .unprocessableContent)
        case .success(let after):
            console.log("admin: \(admin.actor) refunded job \(job) of \(user): \(after.refunded) of \(after.total)")
            return await console.done(Notice(.success, "Job \(job): \(after.refunded) refunded of \(after.total)."),
                                      context: context, to: "/admin/user?name=\(queryValue(user))")
        }
    }

    private func move(_ context: AdminRequestContext, kind: String,
                      _ body: @escaping @Sendable (any PrintAccountingStore, String, MoneyForm, Money, String) throws -> LedgerEntry) async throws -> Response {
        let admin = try context.admin()
        let user = context.form["user"] ?? ""
        guard AdminUserName.isValid(user) else { return redirect("/admin/users") }
        var form = MoneyForm(context.form, kind: kind)
        let store = console.store
        guard let amount = form.validate(currency: store.currency) else {
            return await userPage(admin: admin, user: user, context: context, form: form, notices: [], status: .unprocessableContent)
        }
        let validated = form
        switch await console.db({ try body(store, user, validated, amount, admin.actor) }) {
        case .failure(let error):
            form.errors["form"] = sentence(error)
            return await userPage(admin: admin, user: user, context: context, form: form, notices: [], status: .unprocessableContent)
        case .success(let entry):
            let place = entry.account.map { "account \($0.name)" } ?? "personal wallet"
            console.log("admin: \(admin.actor) \(entry.kind.rawValue) \(entry.balanceEffect) for \(user) on \(place) (ledger row \(entry.id))")
            let what = kind == "topup" ? "Topped up" : kind == "credit" ? "Credited" : "Adjusted"
            // An account row's balance is minus the usage: say the usage.
            let after = entry.account == nil ? "the wallet holds \(entry.balanceAfter) now"
                : "used on it now: \(Money(minorUnits: -entry.balanceAfter.minorUnits, currency: entry.balanceAfter.currency))"
            return await console.done(Notice(.success, "\(what) \(user): \(entry.balanceEffect) on the \(place); \(after)."),
                                      context: context, to: "/admin/user?name=\(queryValue(user))")
        }
    }
}

/// A top-up, credit or adjustment form as typed, with its errors (`amount`, `reason`, `reference`, `form`).
struct MoneyForm: Sendable {
    var kind = ""
    var account = ""
    var amount = ""
    var reason = ""
    var reference = ""
    var reset = false
    /// A refund's job key.
    var job = ""
    var errors: [String: String] = [:]

    init() {}

    init(_ form: FormData, kind: String) {
        self.kind = kind
        account = (form["account"] ?? "").trimmingCharacters(in: .whitespaces)
        amount = (form["amount"] ?? "").trimmingCharacters(in: .whitespaces)
        reason = (form["reason"] ?? "").trimmingCharacters(in: .whitespaces)
        reference = (form["reference"] ?? "").trimmingCharacters(in: .whitespaces)
        reset = form["reset"] == "on"
        job = form["job"] ?? ""
    }

    var destination: Destination { account.isEmpty ? .wallet : .account(account) }

    /// The amount, or `nil` with the errors set.
    mutating func validate(currency: Currency) -> Money? {
        var money: Money?
        if amount.isEmpty {
            errors["amount"] = "Enter an amount, e.g. 5 or 5.00 \(currency.code)."
        } else {
            do {
                money = try Money(parsing: amount, currency: currency, unit: .optional)
            } catch {
                errors["amount"] = "Write an amount such as 5 or 5.00 \(currency.code) (\(error))."
            }
        }
        if let value = money {
            switch kind {
            case "topup" where value.minorUnits <= 0: errors["amount"] = "A top-up must be above zero."
            case "refund" where value.minorUnits < 0: errors["amount"] = "A refund cannot be negative."
            case "credit" where value.minorUnits < 0: errors["amount"] = "A credit cannot be negative: use an adjustment to take money away."
            case "adjust" where value.isZero: errors["amount"] = "An adjustment of zero changes nothing: enter a signed amount such as -2.50."
            default: break
            }
        }
        if kind == "adjust", reason.isEmpty { errors["reason"] = "Say why: the reason is kept in the ledger with your name." }
        if reason.count > 500 { errors["reason"] = "Keep the reason to 500 characters or fewer." }
        if reference.count > 200 { errors["reference"] = "Keep the reference to 200 characters or fewer." }
        return errors.isEmpty ? money : nil
    }
}
