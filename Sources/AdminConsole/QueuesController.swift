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
/// Failure policy: read-only. cupsd unreachable is a notice and status 503; a queue whose
/// options the backend refuses shows the backend's reason (its jobs are held until fixed).
struct QueuesController {
    let console: AdminConsole

    func addRoutes(to group: RouterGroup<AdminRequestContext>) {
        group.get("queues", use: list)
    }

    /// One `tollgate:` queue as cupsd describes it.
    struct Queue: Sendable {
        var name: String
        var deviceURI: String
        var info: String
        var policy: Result<QueuePolicy, QueuePolicyError>
    }

    @Sendable func list(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        var notices = await console.notices(context)
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
        var status = HTTPResponse.Status.ok
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
                    <tr><td colspan="8"><code>\(HTML.escape(Self.lpadmin(queue.name, policy)))</code></td></tr>

                    """
                case .failure(let error):
                    body += """
                    <tr id="queue-\(HTML.escape(queue.name))"><td>\(HTML.escape(queue.name))</td>\
                    <td colspan="6" class="status-other">\(HTML.escape("\(error)")): its jobs are held until this is fixed</td>\
                    <td>\(HTML.escape(String(queue.deviceURI.dropFirst("tollgate:".count))))</td></tr>

                    """
                }
            }
            body += "</tbody></table></div>\n"
        }
        return html(console.pages.page(title: "Queues", tab: .queues, admin: admin, csrfToken: context.csrfToken, notices: notices, body: body),
                    status: status)
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
