import Foundation
import Hummingbird
import Station

/// Which part of the console a page belongs to (for the navigation bar).
enum AdminTab: String, CaseIterable, Sendable {
    case accounts, users, reports, ledger, check, rates, queues, clients

    var title: String {
        switch self {
        case .accounts: "Accounts"
        case .users: "Users"
        case .reports: "Reports"
        case .ledger: "Ledger"
        case .check: "Check"
        case .rates: "Rates cards"
        case .queues: "Queues"
        case .clients: "Clients"
        }
    }

    var path: String { "/admin/\(rawValue)" }
}

/// The console's page shell and form pieces. Every text that is not the console's own goes
/// through ``HTML/escape(_:)`` (account names, user names, reasons and errors may be hostile).
struct AdminPages: Sendable {
    var idleTimeout: Int
    var format = StationFormat()

    /// A whole page: the bar with the sections and sign-out, the notices, then `body`.
    func page(title: String, tab: AdminTab?, admin: AdminIdentity?, csrfToken: String, notices: [Notice] = [], body: String) -> String {
        var bar = "<header class=\"bar\"><span class=\"brand\">Tollgate admin</span>"
        if let admin {
            bar += "<nav>"
            for item in AdminTab.allCases {
                bar += "<a href=\"\(item.path)\"\(item == tab ? " aria-current=\"page\"" : "") id=\"nav-\(item.rawValue)\">\(item.title)</a>"
            }
            bar += "</nav><span class=\"who\">\(HTML.escape(admin.user))</span>"
            bar += "<form method=\"post\" action=\"/admin/signout\">\(hidden("csrf", csrfToken))<button type=\"submit\" id=\"sign-out\">Sign out</button></form>"
        }
        bar += "</header>\n"
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="same-origin">
        <title>\(HTML.escape(title)) · Tollgate admin</title>
        <link rel="stylesheet" href="/admin/admin.css">
        </head>
        <body>
        \(bar)<main class="admin">
        \(noticeList(notices))\(body)</main>
        <footer>Admin sessions end after \(idleTimeout >= 120 ? "\(idleTimeout / 60) minutes" : "\(idleTimeout) seconds") without activity.</footer>
        </body>
        </html>

        """
    }

    func signIn(csrfToken: String, notices: [Notice], user: String) -> String {
        let body = """
        <div class="signin">
        <h1>Administer Tollgate</h1>
        <p class="hint">Sign in with your system account; it must be in the admin group.</p>
        <form class="card" method="post" action="/admin/signin" id="admin-signin">
        \(hidden("csrf", csrfToken))
        <label for="user">User name</label>
        <input type="text" id="user" name="user" value="\(HTML.escape(user))" autocomplete="username" autocapitalize="none" spellcheck="false" required>
        <label for="password">Password</label>
        <input type="password" id="password" name="password" autocomplete="current-password" required>
        <div class="buttons"><button class="primary" type="submit" id="signin-submit">Sign in</button></div>
        </form>
        </div>
        """
        return page(title: "Sign in", tab: nil, admin: nil, csrfToken: csrfToken, notices: notices, body: body)
    }

    /// 403 for a signed-in user outside the admin group, with a way to sign out.
    func forbidden(user: String, group: String, csrfToken: String) -> Response {
        let body = """
        <h1 id="forbidden">Not an administrator</h1>
        <p>You are signed in as <strong>\(HTML.escape(user))</strong>, who is not a member of the admin group \
        <strong>\(HTML.escape(group))</strong>. Ask an administrator to add you to it, then sign in again.</p>
        <form method="post" action="/admin/signout">\(hidden("csrf", csrfToken))<div class="buttons"><button type="submit" id="sign-out">Sign out</button></div></form>
        """
        return html(page(title: "Forbidden", tab: nil, admin: nil, csrfToken: csrfToken,
                         notices: [Notice(.error, "Only members of \(group) may use the admin console.")], body: body),
                    status: .forbidden)
    }

    func refusal(_ text: String, status: HTTPResponse.Status) -> Response {
        html(page(title: "Refused", tab: nil, admin: nil, csrfToken: "", notices: [Notice(.error, text)],
                  body: "<p><a href=\"/admin\">Back to the admin console</a></p>"), status: status)
    }

    func noticeList(_ notices: [Notice]) -> String {
        notices.map { "<div class=\"notice \($0.kind.rawValue)\" role=\"status\">\(HTML.escape($0.text))</div>\n" }.joined()
    }

    func hidden(_ name: String, _ value: String) -> String {
        "<input type=\"hidden\" name=\"\(name)\" value=\"\(HTML.escape(value))\">"
    }

    /// A labelled input with its error (if any) right under it (the `field` template). `id` is
    /// the element's id, and its name unless `name` is given.
    func field(_ id: String, name: String? = nil, label: String, value: String, error: String?, type: String = "text",
               hint: String? = nil, attributes: [(String, String)] = []) -> String {
        AdminTemplates.render(Field(id, name: name, label: label, value: value, error: error, type: type, hint: hint,
                                    attributes: attributes), "field")
    }

    func fieldError(_ name: String, _ error: String?) -> String {
        guard let error else { return "" }
        return "<p class=\"field-error\" id=\"\(name)-error\">\(HTML.escape(error))</p>\n"
    }

    /// A day as an `<input type=date>` value (`YYYY-MM-DD`, local time).
    func day(_ date: Date?) -> String {
        guard let date else { return "" }
        return DayText.formatter.string(from: date)
    }
}

/// Days typed by admins (`YYYY-MM-DD`, the server's time zone), as the CLI reads them.
enum DayText {
    static var formatter: DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .current
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter
    }

    /// The start of the day, or `nil` when `text` is not `YYYY-MM-DD`.
    static func start(_ text: String) -> Date? {
        guard text.count == 10, let date = formatter.date(from: text) else { return nil }
        return date
    }

    /// The next midnight: "through that day" (`tollgate account add --expires`).
    static func endOfDay(_ text: String) -> Date? {
        start(text).flatMap { Calendar.current.date(byAdding: .day, value: 1, to: $0) }
    }

    /// The last usable day of an expiry instant (the day before a midnight expiry).
    static func lastDay(_ expiresAt: Date?) -> Date? {
        expiresAt.map { $0.addingTimeInterval(-1) }
    }
}

/// A query-string value, percent-encoded for a link.
func queryValue(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
}
