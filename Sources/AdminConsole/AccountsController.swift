import Foundation
import Hummingbird
import Pricing
import QuotaDB
import Station

/// `/admin/accounts`: list (search, paging, archived view), add, edit, archive and unarchive —
/// through the same store calls as `tollgate account add|edit|enable|disable|archive|unarchive|access`.
///
/// Failure policy: a form with errors is shown again as typed, with each error next to its field
/// (422), and nothing is written; a store refusal (name or code taken…) is shown the same way.
/// An edit writes the properties in one transaction, then the grants one by one (as the CLI's
/// `account access` does): a failure there is shown and what was saved stays saved.
struct AccountsController {
    let console: AdminConsole
    static let pageSize = 20

    func addRoutes(to group: RouterGroup<AdminRequestContext>) {
        group.get("accounts", use: list)
        group.get("accounts/new", use: newForm)
        group.post("accounts", use: create)
        group.get("accounts/:id", use: editForm)
        group.post("accounts/:id", use: update)
        group.post("accounts/:id/archive", use: archive)
    }

    // MARK: List

    @Sendable func list(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        let query = request.uri.queryParameters
        let search = String(query["q"] ?? "").trimmingCharacters(in: .whitespaces)
        let archived = query["archived"] == "1"
        let page = max(1, Int(String(query["page"] ?? "1")) ?? 1)
        let store = console.store
        var notices = await console.notices(context)
        var accounts: [Account] = []
        switch await console.db({ try store.accounts(includeArchived: archived) }) {
        case .success(let all): accounts = all.filter { $0.isArchived == archived }
        case .failure(let error): notices.append(Notice(.error, sentence(error)))
        }
        if !search.isEmpty {
            let needle = search.lowercased()
            accounts = accounts.filter { $0.name.lowercased().contains(needle) || $0.code.lowercased().contains(needle) }
        }
        let pages = console.pages
        let total = accounts.count
        let shown = accounts.dropFirst((page - 1) * Self.pageSize).prefix(Self.pageSize)
        // Who may use each restricted account on this page (one small read per account).
        let restricted = shown.filter { $0.access == .usersAndGroups }.map(\.name)
        let grants = (try? await console.db({ try Dictionary(uniqueKeysWithValues: restricted.map { ($0, try store.grants(of: $0)) }) }).get()) ?? [:]
        var body = """
        <h1>\(archived ? "Archived accounts" : "Accounts")</h1>
        <form class="search" method="get" action="/admin/accounts">
        <div><label for="q">Search name or code</label><input type="search" id="q" name="q" value="\(HTML.escape(search))"></div>
        \(archived ? "<input type=\"hidden\" name=\"archived\" value=\"1\">" : "")<button type="submit" id="search-accounts">Search</button>
        <a class="button" id="toggle-archived" href="/admin/accounts\(archived ? "" : "?archived=1")">\(archived ? "View current accounts" : "View archived")</a>
        <a class="button primary" id="add-account" href="/admin/accounts/new">Add account</a>
        </form>

        """
        if shown.isEmpty {
            body += "<p class=\"empty\" id=\"no-accounts\">\(search.isEmpty ? (archived ? "No archived accounts." : "No accounts yet: add the first one.") : "No account matches “\(HTML.escape(search))”.")</p>\n"
        } else {
            body += """
            <div class="table-wrap"><table id="accounts"><thead><tr><th>Name</th><th>Code</th><th>Status</th><th>Access</th>\
            <th>Allocation per user</th><th>First day</th><th>Last day</th><th></th></tr></thead><tbody>

            """
            let now = Date()
            for account in shown {
                let status = account.unusableReason(at: now).map { "\($0)".replacingOccurrences(of: "the account ", with: "") }
                body += """
                <tr id="account-\(account.id)"><td><a href="/admin/accounts/\(account.id)">\(HTML.escape(account.name))</a></td>\
                <td class="code">\(HTML.escape(account.code))</td>\
                <td class="\(status == nil ? "status-usable" : "status-other")">\(HTML.escape(status ?? "usable"))</td>\
                <td>\(HTML.escape(Self.accessText(account, grants[account.name])))</td>\
                <td>\(HTML.escape(Self.allocationText(account.allocation)))</td>\
                <td>\(pages.day(account.startsAt))</td><td>\(pages.day(DayText.lastDay(account.expiresAt)))</td>\
                <td><form class="inline" method="post" action="/admin/accounts/\(account.id)/archive">\(pages.hidden("csrf", context.csrfToken))\
                <button type="submit" name="do" value="\(account.isArchived ? "unarchive" : "archive")" id="\(account.isArchived ? "unarchive" : "archive")-\(account.id)">\(account.isArchived ? "Unarchive" : "Archive")</button></form></td></tr>

                """
            }
            body += "</tbody></table></div>\n"
        }
        let lastPage = max(1, (total + Self.pageSize - 1) / Self.pageSize)
        if lastPage > 1 {
            let base = "/admin/accounts?q=\(queryValue(search))\(archived ? "&archived=1" : "")&page="
            body += "<nav class=\"pager\" id=\"pager\">"
            if page > 1 { body += "<a href=\"\(HTML.escape(base + String(page - 1)))\" id=\"previous-page\">Previous</a>" }
            body += "<span>Page \(page) of \(lastPage) (\(total) accounts)</span>"
            if page < lastPage { body += "<a href=\"\(HTML.escape(base + String(page + 1)))\" id=\"next-page\">Next</a>" }
            body += "</nav>\n"
        }
        return html(pages.page(title: "Accounts", tab: .accounts, admin: admin, csrfToken: context.csrfToken, notices: notices, body: body))
    }

    /// "Global shared", or who is granted: "groups physics-staff; users alice, bob" (at most a few names).
    static func accessText(_ account: Account, _ grants: [AccessGrant]?) -> String {
        guard account.access == .usersAndGroups else { return "Global shared" }
        guard let grants, !grants.isEmpty else { return "Nobody yet (no users or groups granted)" }
        func list(_ names: [String], _ what: String) -> String? {
            guard !names.isEmpty else { return nil }
            return "\(what) " + names.prefix(3).joined(separator: ", ") + (names.count > 3 ? " and \(names.count - 3) more" : "")
        }
        let groups = grants.compactMap { if case .group(let name) = $0 { name } else { nil } }
        let users = grants.compactMap { if case .user(let name) = $0 { name } else { nil } }
        return [list(groups, "groups"), list(users, "users")].compactMap { $0 }.joined(separator: "; ")
    }

    static func allocationText(_ allocation: Allocation) -> String {
        switch allocation {
        case .unlimited: "Unlimited"
        case .limited(let soft, let hard): "soft \(soft), hard \(hard)"
        }
    }

    // MARK: Add

    @Sendable func newForm(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        return formPage(admin: admin, context: context, form: AccountForm(), errors: FieldErrors(), account: nil,
                        notices: await console.notices(context))
    }

    @Sendable func create(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        let form = AccountForm(context.form)
        let store = console.store
        switch form.validate(currency: store.currency) {
        case .failure(let errors):
            return formPage(admin: admin, context: context, form: form, errors: errors, account: nil, status: .unprocessableContent)
        case .success(let valid):
            let result = await console.db {
                let account = try store.addAccount(NewAccount(name: valid.name, code: valid.code, isEnabled: valid.enabled,
                                                              startsAt: valid.startsAt, expiresAt: valid.expiresAt,
                                                              access: valid.access, allocation: valid.allocation))
                for grant in valid.grants { try store.grant(grant, on: account.name) }
                return account
            }
            switch result {
            case .failure(let error):
                return formPage(admin: admin, context: context, form: form, errors: .from(error), account: nil, status: .unprocessableContent)
            case .success(let account):
                console.log("admin: \(admin.actor) added account \(account.name) (code \(account.code), \(Self.allocationText(account.allocation)))")
                return await console.done(Notice(.success, "Added account \(account.name) (\(Self.allocationText(account.allocation)) per user)."),
                                          context: context, to: "/admin/accounts/\(account.id)")
            }
        }
    }

    // MARK: Edit

    private func find(_ context: AdminRequestContext) async throws -> (Account, [AccessGrant]) {
        guard let id = context.parameters.get("id", as: Int64.self) else { throw HTTPError(.notFound) }
        let store = console.store
        switch await console.db({ () throws -> (Account, [AccessGrant])? in
            guard let account = try store.accounts(includeArchived: true).first(where: { $0.id == id }) else { return nil }
            return (account, try store.grants(of: account.name))
        }) {
        case .success(let found?): return found
        case .success(nil): throw HTTPError(.notFound)
        case .failure(let error): throw error
        }
    }

    @Sendable func editForm(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        let (account, grants) = try await find(context)
        return formPage(admin: admin, context: context, form: AccountForm(account, grants: grants), errors: FieldErrors(),
                        account: account, notices: await console.notices(context))
    }

    @Sendable func update(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        let (account, grants) = try await find(context)
        let form = AccountForm(context.form)
        let store = console.store
        switch form.validate(currency: store.currency) {
        case .failure(let errors):
            return formPage(admin: admin, context: context, form: form, errors: errors, account: account, status: .unprocessableContent)
        case .success(let valid):
            let current = Set(grants)
            let result = await console.db {
                let edited = try store.editAccount(account.name, AccountChanges(
                    name: valid.name, code: valid.code, isEnabled: valid.enabled, startsAt: .some(valid.startsAt),
                    expiresAt: .some(valid.expiresAt), access: valid.access, allocation: valid.allocation))
                for grant in valid.grants.subtracting(current) { try store.grant(grant, on: edited.name) }
                for grant in current.subtracting(valid.grants) { try store.revoke(grant, on: edited.name) }
                return edited
            }
            switch result {
            case .failure(let error):
                return formPage(admin: admin, context: context, form: form, errors: .from(error), account: account, status: .unprocessableContent)
            case .success(let edited):
                console.log("admin: \(admin.actor) edited account \(account.name) → \(edited.name) (code \(edited.code), \(Self.allocationText(edited.allocation)), \(edited.isEnabled ? "enabled" : "disabled"))")
                return await console.done(Notice(.success, "Saved account \(edited.name)."), context: context, to: "/admin/accounts/\(edited.id)")
            }
        }
    }

    @Sendable func archive(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        let (account, _) = try await find(context)
        let archive = context.form["do"] != "unarchive"
        let store = console.store
        switch await console.db({ try store.editAccount(account.name, AccountChanges(isArchived: archive)) }) {
        case .failure(let error):
            return await console.done(Notice(.error, sentence(error)), context: context, to: "/admin/accounts")
        case .success(let edited):
            console.log("admin: \(admin.actor) \(archive ? "archived" : "unarchived") account \(edited.name)")
            return await console.done(Notice(.success, archive ? "Archived \(edited.name): users no longer see it; it stays in reports."
                                                                : "Unarchived \(edited.name): users with access can charge it again."),
                                      context: context, to: archive ? "/admin/accounts" : "/admin/accounts?archived=1")
        }
    }

    // MARK: The form

    private func formPage(admin: AdminIdentity, context: AdminRequestContext, form: AccountForm, errors: FieldErrors,
                          account: Account?, notices: [Notice] = [], status: HTTPResponse.Status = .ok) -> Response {
        let pages = console.pages
        var notices = notices
        if let general = errors.general { notices.append(Notice(.error, general)) }
        if !errors.messages.isEmpty { notices.append(Notice(.error, "Nothing was saved: correct the fields marked below.")) }
        let title = account.map { "Account \($0.name)" } ?? "Add an account"
        let currency = console.store.currency.code
        let view = AccountFormView(
            title: title, archived: account?.isArchived ?? false, action: account.map { "/admin/accounts/\($0.id)" } ?? "/admin/accounts",
            csrf: context.csrfToken, submit: account == nil ? "Add account" : "Save", enabled: form.enabled,
            limited: form.allocation == "limited", global: form.access == "global",
            name: Field("name", label: "Name", value: form.name, error: errors[.name], hint: "What users see when they choose who pays."),
            code: Field("code", label: "Code", value: form.code, error: errors[.code], hint: "For reports and the command line."),
            starts: Field("starts", label: "First day (optional)", value: form.starts, error: errors[.starts], type: "date", attributes: [("placeholder", "YYYY-MM-DD")]),
            expires: Field("expires", label: "Last day (optional)", value: form.expires, error: errors[.expires], type: "date", attributes: [("placeholder", "YYYY-MM-DD")]),
            soft: Field("soft", label: "Soft limit (\(currency))", value: form.soft, error: errors[.soft],
                        hint: "Above it the user is warned; empty means the hard limit."),
            hard: Field("hard", label: "Hard limit (\(currency))", value: form.hard, error: errors[.hard], hint: "Printing stops there."),
            users: Field("users", label: "Users", value: form.users, error: errors[.users], hint: "User names, separated by commas."),
            groups: Field("groups", label: "Groups", value: form.groups, error: errors[.groups],
                          hint: "System groups or Tollgate groups, separated by commas."))
        let body = AdminTemplates.render(view, "account-form")
        return html(pages.page(title: title, tab: .accounts, admin: admin, csrfToken: context.csrfToken, notices: notices, body: body),
                    status: status)
    }
}
