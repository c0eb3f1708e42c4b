import Foundation
import Pricing
import QuotaDB
import Release

/// Which page of the station is shown (for the navigation bar).
public enum StationTab: Sendable {
    case signIn, jobs, portal
}

/// Server-rendered pages: plain HTML forms that work without JavaScript, with a viewport meta for
/// phones and large buttons for kiosks. Every text that is not the station's own goes through
/// ``HTML/escape(_:)``.
public struct StationPages: Sendable {
    /// Seconds without a request after which a session ends; pages reload themselves a little
    /// later, so an abandoned kiosk falls back to the sign-in page.
    public var idleTimeout: Int
    public var format: StationFormat

    public init(idleTimeout: Int, format: StationFormat = StationFormat()) {
        self.idleTimeout = idleTimeout
        self.format = format
    }

    // MARK: Sign-in

    /// The sign-in page: password (PAM) or card number/user name and PIN. `next` is where to go
    /// after sign-in (`jobs` or `portal`).
    public func signIn(csrfToken: String, notices: [Notice], next: String, user: String = "") -> String {
        let next = next == "portal" ? "portal" : "jobs"
        let hidden = hiddenField("csrf", csrfToken) + hiddenField("next", next)
        let body = """
        <main class="signin">
        <h1>\(next == "portal" ? "My print account" : "Release your print jobs")</h1>
        \(noticeList(notices))
        <form class="card" method="post" action="/signin" id="password-form">
        \(hidden)\(hiddenField("method", "password"))
        <label for="user">User name</label>
        <input type="text" id="user" name="user" value="\(HTML.escape(user))" autocomplete="username" autocapitalize="none" spellcheck="false" required>
        <label for="password">Password</label>
        <input type="password" id="password" name="password" autocomplete="current-password" required>
        <div class="buttons"><button class="primary" type="submit" id="password-submit">Sign in</button></div>
        </form>
        <p class="or">or with your card</p>
        <form class="card" method="post" action="/signin" id="pin-form">
        \(hidden)\(hiddenField("method", "pin"))
        <label for="identifier">Card number or user name</label>
        <input type="text" id="identifier" name="identifier" autocomplete="off" autocapitalize="none" spellcheck="false" required>
        <label for="pin">PIN</label>
        <input type="password" id="pin" name="pin" inputmode="numeric" autocomplete="off" required>
        <div class="buttons"><button class="primary" type="submit" id="pin-submit">Sign in with PIN</button></div>
        </form>
        </main>
        """
        return page(title: "Sign in", tab: .signIn, user: nil, csrfToken: nil, body: body, refreshTo: "/" + (next == "portal" ? "portal" : ""))
    }

    // MARK: Release station

    /// Jobs listed one by one on the station page.
    static let shownJobs = 50

    /// The release station: the user's held jobs, an account chooser and buttons per job,
    /// release/delete all, and the balances.
    /// `printers`: the server's release queues; with more than one, each job can be printed on
    /// another (follow-me).
    /// `accountChoice` false (the admin console's client setting): the chooser offers only "my usual".
    public func jobs(user: String, csrfToken: String, jobs: [HeldJob], summary: UserSummary?, notices: [Notice],
                     accountChoice: Bool = true, now: Date, printers: [String] = []) -> String {
        var body = "<main>\n\(noticeList(notices))<h1>Your print jobs</h1>\n"
        let chooser = accountOptions(summary, choice: accountChoice)
        if jobs.isEmpty {
            body += "<p class=\"empty\" id=\"no-jobs\">No jobs are waiting for you. Print from your computer or phone, then come back here.</p>\n"
        } else {
            body += "<p class=\"hint\">Choose who pays, then release a job to print it here.</p>\n<ul class=\"jobs\" id=\"jobs\">\n"
            // A page a phone can show and a kiosk can scroll: the oldest jobs first, at most
            // `shownJobs`; "Release all" below still acts on every job.
            for job in jobs.prefix(StationPages.shownJobs) {
                // The account the job asked for at submit is offered first, if the user may use it.
                let own = job.requestedAccount == nil ? chooser : accountOptions(summary, choice: accountChoice, preselect: job.requestedAccount)
                body += jobCard(job, csrfToken: csrfToken, chooser: own, printers: printers, now: now)
            }
            if jobs.count > StationPages.shownJobs {
                body += "<li class=\"hint\" id=\"more-jobs\">and \(jobs.count - StationPages.shownJobs) more: release or delete these first, or use the buttons below for all of them.</li>\n"
            }
            body += "</ul>\n"
            body += """
            <section class="card" id="all-jobs">
            <h2>\(jobs.count == 1 ? "Your one job" : "All \(jobs.count) jobs")</h2>
            <form method="post" action="/jobs/all">
            \(hiddenField("csrf", csrfToken))
            <label for="account-all">Charge to</label>
            <select name="account" id="account-all">\(chooser)</select>
            <div class="buttons">
            <button class="primary" type="submit" name="do" value="release" id="release-all">Release all</button>
            <button class="danger" type="submit" name="do" value="delete" id="delete-all">Delete all</button>
            </div>
            </form>
            </section>

            """
        }
        if let summary { body += balances(summary.balances, releasing: summary.releasing) }
        body += "</main>\n"
        return page(title: "Your print jobs", tab: .jobs, user: user, csrfToken: csrfToken, body: body, refreshTo: "/?signed-out=idle")
    }

    private func jobCard(_ job: HeldJob, csrfToken: String, chooser: String, printers: [String], now: Date) -> String {
        let title = job.title.trimmingCharacters(in: .whitespacesAndNewlines)
        let reason = job.message.isEmpty ? "" : "<p class=\"waiting-reason\">\(HTML.escape(job.message))</p>\n"
        return """
        <li class="card job" id="job-\(job.jobID)" data-job="\(job.jobID)">
        <div class="job-title">\(title.isEmpty ? "(untitled)" : HTML.escape(title))</div>
        <dl class="facts">
        <div><dt>Printer</dt><dd>\(HTML.escape(job.queue))</dd></div>
        <div><dt>Pages</dt><dd>\(job.pageSides)</dd></div>
        <div><dt>Colour</dt><dd>\(job.colourPages)</dd></div>
        \(job.copies > 1 ? "<div><dt>Copies</dt><dd>\(job.copies)</dd></div>\n" : "")<div><dt>Price</dt><dd class="price">\(HTML.escape(job.price.description))</dd></div>
        <div><dt>Waiting</dt><dd>\(format.age(since: job.heldAt, now: now))</dd></div>
        </dl>
        \(reason)<form method="post" action="/jobs/act">
        \(hiddenField("csrf", csrfToken))\(hiddenField("job", String(job.jobID)))
        <label for="account-\(job.jobID)">Charge to</label>
        <select name="account" id="account-\(job.jobID)">\(chooser)</select>
        \(printerChooser(job, printers))<div class="buttons">
        <button class="primary" type="submit" name="do" value="release" id="release-\(job.jobID)">Release</button>
        <button class="danger" type="submit" name="do" value="delete" id="delete-\(job.jobID)">Delete</button>
        </div>
        </form>
        </li>

        """
    }

    /// Follow-me: print on another release printer of this server (priced with its rates).
    private func printerChooser(_ job: HeldJob, _ printers: [String]) -> String {
        guard printers.count > 1 else { return "" }
        let options = printers.map { name in
            "<option value=\"\(HTML.escape(name))\"\(name == job.queue ? " selected" : "")>\(HTML.escape(name))</option>"
        }.joined()
        return "<label for=\"queue-\(job.jobID)\">Print on</label>\n<select name=\"queue\" id=\"queue-\(job.jobID)\">\(options)</select>\n"
    }

    /// "My usual" (the active account, then the wallet), then every account the user may charge.
    /// `preselect`: an account (name or code) to select instead of "my usual", when offered.
    private func accountOptions(_ summary: UserSummary?, choice: Bool, preselect: String? = nil) -> String {
        var usual = "My usual: personal wallet"
        if let active = summary?.balances.active, let account = active.account, active.unusable == nil {
            usual = "My usual: \(account.name), then my wallet"
        }
        let offered = choice ? summary?.usableAccounts ?? [] : []
        let chosen = preselect.flatMap { wanted in
            offered.first { $0.name.caseInsensitiveCompare(wanted) == .orderedSame || $0.code.caseInsensitiveCompare(wanted) == .orderedSame }
        }
        var options = "<option value=\"\"\(chosen == nil ? " selected" : "")>\(HTML.escape(usual))</option>"
        for account in offered {
            let selected = account.id == chosen?.id ? " selected" : ""
            options += "<option value=\"\(HTML.escape(account.name))\"\(selected)>\(HTML.escape(account.name))</option>"
        }
        return options
    }

    // MARK: Portal

    /// The user portal: balances, the active account, recent jobs and ledger entries.
    /// `accountChoice` false (the admin console's client setting): the active account is shown, not changed here.
    public func portal(user: String, csrfToken: String, summary: UserSummary, notices: [Notice], accountChoice: Bool = true) -> String {
        var body = "<main>\n\(noticeList(notices))<h1>My print account</h1>\n"
        body += balances(summary.balances, releasing: summary.releasing)
        let active = summary.balances.active
        var options = "<option value=\"\"\(active.account == nil ? " selected" : "")>Personal wallet only</option>"
        for account in summary.usableAccounts {
            let selected = active.account?.id == account.id ? " selected" : ""
            options += "<option value=\"\(HTML.escape(account.name))\"\(selected)>\(HTML.escape(account.name))</option>"
        }
        var activeText = "Your jobs are paid from your personal wallet."
        if let account = active.account {
            activeText = "Your jobs are charged to \(HTML.escape(account.name)) first, then your personal wallet."
            if let unusable = active.unusable {
                activeText = "Your active account \(HTML.escape(account.name)) cannot be used (\(HTML.escape("\(unusable)"))): choose another."
            }
        }
        let form = accountChoice ? """
        <form method="post" action="/portal/active">
        \(hiddenField("csrf", csrfToken))
        <label for="active">Charge my jobs to</label>
        <select name="account" id="active">\(options)</select>
        <div class="buttons"><button class="primary" type="submit" id="set-active">Save</button></div>
        </form>
        """ : "<p class=\"hint\" id=\"no-account-choice\">The help desk chooses which account your jobs are charged to.</p>"
        body += """
        <section class="card" id="active-account">
        <h2>Active account</h2>
        <p>\(activeText)</p>
        \(form)
        </section>

        <section class="card" id="mail">
        <h2>Mail</h2>
        <p>\(summary.notify ? "You get mail when a job is held, waits for release, or is refunded or cancelled." : "You get no mail about your jobs.")</p>
        <form method="post" action="/portal/notify">
        \(hiddenField("csrf", csrfToken))
        \(hiddenField("notify", summary.notify ? "off" : "on"))
        <div class="buttons"><button type="submit" id="toggle-mail">\(summary.notify ? "Stop mail about my jobs" : "Mail me about my jobs")</button></div>
        </form>
        </section>

        <section class="card" id="voucher">
        <h2>Top-up voucher</h2>
        <form method="post" action="/portal/redeem">
        \(hiddenField("csrf", csrfToken))
        <label for="voucher-code">Code on the card</label>
        <input name="code" id="voucher-code" autocomplete="off" spellcheck="false" maxlength="40" placeholder="XXXX-XXXX-XXXX-XXXX">
        <div class="buttons"><button class="primary" type="submit" id="redeem">Add to my wallet</button></div>
        </form>
        </section>

        """
        body += "<h2>Recent jobs</h2>\n"
        if summary.recentJobs.isEmpty {
            body += "<p class=\"empty\">No jobs yet.</p>\n"
        } else {
            body += "<div class=\"table-wrap\"><table id=\"recent-jobs\"><thead><tr><th>When</th><th>What</th><th>Details</th></tr></thead><tbody>\n"
            for event in summary.recentJobs {
                body += "<tr><td>\(format.dateTime(event.at))</td><td>\(HTML.escape(event.kind.rawValue))</td><td>\(HTML.escape(event.detail))</td></tr>\n"
            }
            body += "</tbody></table></div>\n"
        }
        body += "<h2>Ledger</h2>\n"
        if summary.recentLedger.isEmpty {
            body += "<p class=\"empty\">No charges or credits yet.</p>\n"
        } else {
            body += """
            <div class="table-wrap"><table id="ledger"><thead><tr><th>When</th><th>What</th><th>Where</th>\
            <th class="num">Change</th><th class="num">Balance after</th><th>Reason</th></tr></thead><tbody>

            """
            for entry in summary.recentLedger {
                body += """
                <tr><td>\(format.dateTime(entry.at))</td><td>\(HTML.escape(entry.kind.rawValue))</td>\
                <td>\(HTML.escape(entry.account?.name ?? "personal wallet"))</td>\
                <td class="num">\(HTML.escape(entry.balanceEffect.description))</td>\
                <td class="num">\(HTML.escape(entry.balanceAfter.description))</td><td>\(HTML.escape(entry.reason))</td></tr>

                """
            }
            body += "</tbody></table></div>\n"
        }
        body += "</main>\n"
        return page(title: "My print account", tab: .portal, user: user, csrfToken: csrfToken, body: body, refreshTo: "/portal?signed-out=idle")
    }

    // MARK: Pieces

    /// Each account's usage with its limits (as Pharos shows them), and the personal wallet.
    func balances(_ balances: UserBalances, releasing: [HeldJob] = []) -> String {
        var rows = ""
        for balance in balances.accounts {
            let isActive = balances.active.account?.id == balance.account.id
            rows += """
            <tr><td>\(HTML.escape(balance.account.name))\(isActive ? " (active)" : "")</td>\
            <td class="num">\(HTML.escape(balance.used.description))</td>\
            <td class="num">\(HTML.escape(balance.softLimit?.description ?? "no limit"))</td>\
            <td class="num">\(HTML.escape(balance.hardLimit?.description ?? "no limit"))</td>\
            <td class="num">\(HTML.escape(balance.remaining?.description ?? "no limit"))</td></tr>

            """
        }
        var reserved = balances.reserved.isZero ? "" : "<p class=\"hint\">\(HTML.escape(balances.reserved.description)) is held for jobs that have not finished printing.</p>\n"
        for job in releasing {
            reserved += "<p class=\"hint releasing\">Job \(job.jobID) (\(HTML.escape(job.price.description))) is on its way to the printer and is charged when it prints.</p>\n"
        }
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

    func noticeList(_ notices: [Notice]) -> String {
        notices.map { "<div class=\"notice \($0.kind.rawValue)\" role=\"status\">\(HTML.escape($0.text))</div>\n" }.joined()
    }

    func hiddenField(_ name: String, _ value: String) -> String {
        "<input type=\"hidden\" name=\"\(name)\" value=\"\(HTML.escape(value))\">"
    }

    /// A whole page. Signed-in pages carry the sign-out button; every page reloads itself to
    /// `refreshTo` shortly after the idle timeout (no JavaScript needed).
    func page(title: String, tab: StationTab, user: String?, csrfToken: String?, body: String, refreshTo: String) -> String {
        var bar = "<header class=\"bar\"><span class=\"brand\">Tollgate</span>"
        if let user, let csrfToken {
            bar += """
            <a href="/jobs"\(tab == .jobs ? " aria-current=\"page\"" : "") id="nav-jobs">Print jobs</a>\
            <a href="/portal"\(tab == .portal ? " aria-current=\"page\"" : "") id="nav-portal">My account</a>\
            <span class="who">\(HTML.escape(user))</span>\
            <form method="post" action="/signout">\(hiddenField("csrf", csrfToken))<button type="submit" id="sign-out">Sign out</button></form>
            """
        }
        bar += "</header>\n"
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="same-origin">
        <meta http-equiv="refresh" content="\(idleTimeout + 2);url=\(HTML.escape(refreshTo))">
        <title>\(HTML.escape(title)) · Tollgate</title>
        <link rel="stylesheet" href="/station.css">
        </head>
        <body>
        \(bar)\(body)<footer>Signed-in pages sign out after \(idleTimeout >= 120 ? "\(idleTimeout / 60) minutes" : "\(idleTimeout) seconds") without activity.</footer>
        </body>
        </html>

        """
    }
}
