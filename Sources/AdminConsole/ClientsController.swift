import Foundation
import Hummingbird
import QuotaDB
import Station

/// `/admin/clients`: what users may do at the release station and in the portal (Pharos's
/// "Enable Account Management on clients"): whether they choose the account a job is charged to
/// and change their active account, or the help desk sets it (on the user page).
///
/// Failure policy: the setting is one row of the `setting` table, written in one transaction;
/// a failure is a notice and the setting stays as it was. The station reads it on every page and
/// action; one it cannot read counts as the default (users choose).
struct ClientsController {
    let console: AdminConsole

    func addRoutes(to group: RouterGroup<AdminRequestContext>) {
        group.get("clients", use: show)
        group.post("clients", use: save)
    }

    @Sendable func show(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        let store = console.store
        var notices = await console.notices(context)
        var settings = ClientSettings.defaults
        switch await console.db({ try store.clientSettings() }) {
        case .success(let found): settings = found
        case .failure(let error): notices.append(Notice(.error, sentence(error)))
        }
        let body = """
        <h1>Client settings</h1>
        <form class="card" method="post" action="/admin/clients" id="clients-form">
        \(console.pages.hidden("csrf", context.csrfToken))
        <label class="inline"><input type="checkbox" name="account-choice" id="account-choice"\(settings.accountChoice ? " checked" : "")> \
        Users choose accounts: at the release station, per job, and in the portal, their active account</label>
        <p class="hint">Off: every job is charged to the user's active account, then their personal wallet; the station offers no \
        other account and the portal only shows it. Set a user's active account on their user page.</p>
        <div class="buttons"><button class="primary" type="submit" id="save-clients">Save</button></div>
        </form>

        """
        return html(console.pages.page(title: "Client settings", tab: .clients, admin: admin, csrfToken: context.csrfToken,
                                       notices: notices, body: body))
    }

    @Sendable func save(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        let settings = ClientSettings(accountChoice: context.form["account-choice"] == "on")
        let store = console.store
        switch await console.db({ try store.setClientSettings(settings) }) {
        case .failure(let error):
            return await console.done(Notice(.error, sentence(error)), context: context, to: "/admin/clients")
        case .success:
            console.log("admin: \(admin.actor) set account choice at the station and portal \(settings.accountChoice ? "on" : "off")")
            return await console.done(Notice(.success, settings.accountChoice
                                                ? "Users choose their accounts at the station and in the portal."
                                                : "Users no longer choose accounts: jobs are charged to their active account."),
                                      context: context, to: "/admin/clients")
        }
    }
}
