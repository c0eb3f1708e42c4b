import CupsClient
import Enforcement
import Foundation
import Hummingbird
import IPPWire
import Station

/// `/admin/queues`: the queues of this server whose device URI is `tollgate:…`, with the policy
/// the backend reads from cupsd (mode, rule, owner, rates card, hold hours, unanalysable
/// documents) and the `lpadmin` line that sets it.
///
/// A queue's policy is changed from the page through CUPS-Add-Modify-Printer, as `lpadmin -o`
/// would (``CupsClient/setPrinterOptions(_:_:)``).
///
/// Failure policy: cupsd unreachable is a notice and status 503; a queue whose options the
/// backend refuses shows the backend's reason (its jobs are held until fixed). A change is
/// checked with the backend's own ``QueuePolicy`` rules before cupsd is asked; a value it refuses
/// is shown next to its field (422) and nothing is sent; cupsd refusing the change (not an
/// administrator there, queue gone) is a notice and nothing changed.
struct QueuesController {
    let console: AdminConsole

    func addRoutes(to group: RouterGroup<AdminRequestContext>) {
        group.get("queues", use: list)
        group.post("queues/policy", use: change)
    }

    /// One `tollgate:` queue as cupsd describes it.
    struct Queue: Sendable {
        var name: String
        var deviceURI: String
        var info: String
        var policy: Result<QueuePolicy, QueuePolicyError>
    }

    @Sendable func list(_ request: Request, context: AdminRequestContext) async throws -> Response {
        try await page(context, notices: await console.notices(context))
    }

    private func page(_ context: AdminRequestContext, notices: [Notice], edited: PolicyForm? = nil,
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let admin = try context.admin()
        var notices = notices
        let server = console.cupsServer
        let result = await BlockingWork.onThread { () -> Result<[Queue], CupsClientError> in
            do throws(CupsClientError) {
                let printers = try CupsClient(server: server)
                    .printers(names: ["printer-name", "device-uri", "printer-info"] + QueuePolicy.attributeNames)
                return .success(printers.compactMap { printer in
                    guard let uri = printer.string("device-uri"), uri.hasPrefix("tollgate:"), let name = printer.string("printer-name") else { return nil }
                    let policy = Result { () throws(QueuePolicyError) in try QueuePolicy(printerAttributes: printer) }
                    return Queue(name: name, deviceURI: uri, info: printer.string("printer-info") ?? "", policy: policy)
                }.sorted { $0.name < $1.name })
            } catch {
                return .failure(error)
            }
        }
        var body = """
        <h1>Queues</h1>
        <p class="hint">The queues of this server that print through Tollgate (device URI <code>tollgate:…</code>), with the policy \
        the backend reads from cupsd. Change it with the <code>lpadmin</code> line shown (as root or a member of lpadmin).</p>

        """
        var status = status
        let cards = RatesCardFiles(directory: console.settings.ratesDirectory).names()
        switch result {
        case .failure(let error):
            status = .serviceUnavailable
            notices.append(Notice(.error, "cupsd cannot be asked about its queues (\(error)): is it running?"))
        case .success(let queues) where queues.isEmpty:
            body += "<p class=\"empty\" id=\"no-queues\">No queue of this server uses the tollgate: backend yet.</p>\n"
        case .success(let queues):
            body += """
            <div class="table-wrap"><table id="queues"><thead><tr><th>Queue</th><th>Mode</th><th>Rule</th><th>Rates card</th>\
            <th class="num">Hold hours</th><th>Owner</th><th>Unanalysable</th><th>Printer</th></tr></thead><tbody>

            """
            for queue in queues {
                switch queue.policy {
                case .success(let policy):
                    body += """
                    <tr id="queue-\(HTML.escape(queue.name))"><td>\(HTML.escape(queue.name))</td><td>\(policy.mode.rawValue)</td>\
                    <td>\(policy.rule.rawValue)</td><td>\(HTML.escape(policy.ratesCard ?? "(site default)"))</td>\
                    <td class="num">\(policy.holdHours)</td><td>\(policy.owner.rawValue)</td><td>\(policy.unanalysable.rawValue)</td>\
                    <td>\(HTML.escape(String(queue.deviceURI.dropFirst("tollgate:".count))))</td></tr>
                    <tr><td colspan="8"><code>\(HTML.escape(Self.lpadmin(queue.name, policy)))</code>
                    \(policyForm(queue.name, edited?.queue == queue.name ? edited! : PolicyForm(queue.name, policy), cards: cards, csrf: context.csrfToken))</td></tr>

                    """
                case .failure(let error):
                    body += """
                    <tr id="queue-\(HTML.escape(queue.name))"><td>\(HTML.escape(queue.name))</td>\
                    <td colspan="6" class="status-other">\(HTML.escape("\(error)")): its jobs are held until this is fixed</td>\
                    <td>\(HTML.escape(String(queue.deviceURI.dropFirst("tollgate:".count))))</td></tr>
                    <tr><td colspan="8">\(policyForm(queue.name, edited?.queue == queue.name ? edited! : PolicyForm(queue.name, .defaults), cards: cards, csrf: context.csrfToken))</td></tr>

                    """
                }
            }
            body += "</tbody></table></div>\n"
        }
        return html(console.pages.page(title: "Queues", tab: .queues, admin: admin, csrfToken: context.csrfToken, notices: notices, body: body),
                    status: status)
    }

    /// The form that changes a queue's policy.
    private func policyForm(_ queue: String, _ form: PolicyForm, cards: [String], csrf: String) -> String {
        let pages = console.pages
        let id = "q-" + String(queue.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII ? Character($0) : "_" })
        func select(_ name: String, _ label: String, _ values: [String], _ current: String) -> String {
            let options = values.map { "<option value=\"\(HTML.escape($0))\"\($0 == current ? " selected" : "")>\(HTML.escape($0.isEmpty ? "(site default)" : $0))</option>" }.joined()
            return "<div><label for=\"\(id)-\(name)\">\(label)</label><select id=\"\(id)-\(name)\" name=\"\(name)\">\(options)</select>\(pages.fieldError("\(id)-\(name)", form.errors[name]))</div>"
        }
        let cardChoices = [""] + (cards.contains(form.card) || form.card.isEmpty ? cards : cards + [form.card])
        return """
        <form class="search" method="post" action="/admin/queues/policy" id="policy-\(HTML.escape(queue))">
        \(pages.hidden("csrf", csrf))\(pages.hidden("queue", queue))
        \(select("mode", "Mode", QueuePolicy.Mode.allCases.map(\.rawValue), form.mode))\
        \(select("rule", "Rule", QueuePolicy.Rule.allCases.map(\.rawValue), form.rule))\
        \(select("card", "Rates card", cardChoices, form.card))\
        <div>\(pages.field("\(id)-hours", name: "hours", label: "Hold hours", value: form.hours, error: form.errors["hours"], type: "number", attributes: [("min", "1"), ("max", "8784")]))</div>\
        \(select("unanalysable", "Unanalysable", QueuePolicy.Unanalysable.allCases.map(\.rawValue), form.unanalysable))\
        <button type="submit" id="save-policy-\(HTML.escape(queue))">Change</button>
        </form>
        """
    }

    @Sendable func change(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        var form = PolicyForm(context.form)
        guard let options = form.validate() else {
            return try await page(context, notices: [Notice(.error, "Nothing was changed on \(form.queue): correct the fields marked below.")],
                                  edited: form, status: .unprocessableContent)
        }
        let server = console.cupsServer, queue = form.queue
        let result = await BlockingWork.onThread { () -> Result<Void, CupsClientError> in
            do throws(CupsClientError) {
                let cups = try CupsClient(server: server)
                let printer = try cups.printerAttributes(queue, names: ["device-uri"])
                guard printer.string("device-uri")?.hasPrefix("tollgate:") == true else {
                    throw CupsClientError.notFound(operation: "Get-Printer-Attributes", message: "\(queue) is not a tollgate: queue")
                }
                try cups.setPrinterOptions(queue, options)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .failure(let error):
            console.log("admin: \(admin.actor) could not change the policy of \(queue): \(error)")
            return try await page(context, notices: [Notice(.error, "cupsd did not change \(queue): \(error).")], edited: form,
                                  status: .serviceUnavailable)
        case .success:
            let line = "lpadmin -p \(Self.shellQuoted(queue)) " + options.map { option in
                option.value.map { "-o \(option.name)=\($0)" } ?? "-R \(option.name)"
            }.joined(separator: " ")
            console.log("admin: \(admin.actor) changed the policy of \(queue): \(line)")
            return await console.done(Notice(.success, "Changed \(queue), as \(line) does."), context: context, to: "/admin/queues")
        }
    }

    /// The `lpadmin` line that sets this policy.
    static func lpadmin(_ queue: String, _ policy: QueuePolicy) -> String {
        var line = "lpadmin -p \(shellQuoted(queue)) -o tollgate-mode-default=\(policy.mode.rawValue) -o tollgate-rule-default=\(policy.rule.rawValue)"
        if let card = policy.ratesCard { line += " -o tollgate-rates-default=\(card)" }
        line += " -o tollgate-hold-hours-default=\(policy.holdHours)"
        if policy.unanalysable != .hold { line += " -o tollgate-unanalysable-default=\(policy.unanalysable.rawValue)" }
        return line
    }

    static func shellQuoted(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.@".unicodeScalars.contains($0) }
        return plain ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// The policy form of one queue, as typed.
struct PolicyForm: Sendable {
    var queue: String
    var mode: String
    var rule: String
    var card: String
    var hours: String
    var unanalysable: String
    var errors: [String: String] = [:]

    init(_ queue: String, _ policy: QueuePolicy) {
        self.queue = queue
        mode = policy.mode.rawValue
        rule = policy.rule.rawValue
        card = policy.ratesCard ?? ""
        hours = String(policy.holdHours)
        unanalysable = policy.unanalysable.rawValue
    }

    init(_ form: FormData) {
        queue = form["queue"] ?? ""
        mode = form["mode"] ?? ""
        rule = form["rule"] ?? ""
        card = (form["card"] ?? "").trimmingCharacters(in: .whitespaces)
        hours = (form["hours"] ?? "").trimmingCharacters(in: .whitespaces)
        unanalysable = form["unanalysable"] ?? ""
    }

    /// The printer options to set, checked with the backend's rules (``QueuePolicy``), or `nil` with the errors.
    /// An empty card removes `tollgate-rates-default` (the site's default card).
    mutating func validate() -> [(name: String, value: String?)]? {
        if QueuePolicy.Mode(rawValue: mode) == nil { errors["mode"] = "Choose track, quota or release." }
        if QueuePolicy.Rule(rawValue: rule) == nil { errors["rule"] = "Choose cover or positive." }
        if QueuePolicy.Unanalysable(rawValue: unanalysable) == nil { errors["unanalysable"] = "Choose hold or fallback." }
        if Int(hours).map({ (1...8784).contains($0) }) != true { errors["hours"] = "Hold hours are a whole number from 1 to 8784 (a year)." }
        let allowed = card.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F || c == 0x2E
        }
        if card.utf8.count > 64 || !allowed { errors["card"] = "A card name has letters, digits, - _ and . only." }
        guard errors.isEmpty else { return nil }
        return [("tollgate-mode-default", mode), ("tollgate-rule-default", rule), ("tollgate-hold-hours-default", hours),
                ("tollgate-unanalysable-default", unanalysable), ("tollgate-rates-default", card.isEmpty ? nil : card)]
    }
}
