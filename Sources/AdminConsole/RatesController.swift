import Enforcement
import Foundation
import Hummingbird
import JobAnalysisCore
import Pricing
import PricingTOML
import Station

/// `/admin/rates`: every rates card as a table (paper size × colour × sides × application, per
/// sheet and per job charges, fallback), and its TOML edited in the browser, saved through
/// ``RatesCardFiles`` (the backend's parser first; atomic; previous version kept).
///
/// Failure policy: a card that does not parse shows its error (with the line) next to the text,
/// as typed, with status 422, and the file is unchanged; an unknown card name is 404.
struct RatesController {
    let console: AdminConsole
    var files: RatesCardFiles { RatesCardFiles(directory: console.settings.ratesDirectory) }

    func addRoutes(to group: RouterGroup<AdminRequestContext>) {
        group.get("rates", use: list)
        group.get("rates/card", use: show)
        group.post("rates/card", use: save)
        group.post("rates/quote", use: quote)
    }

    @Sendable func list(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        let files = self.files
        var body = "<h1>Rates cards</h1>\n<p class=\"hint\">The cards in \(HTML.escape(files.directory)); a queue names one with <code>lpadmin -p QUEUE -o tollgate-rates-default=NAME</code>.</p>\n"
        let names = files.names()
        if names.isEmpty {
            body += "<p class=\"empty\">No rates cards in this directory.</p>\n"
        } else {
            body += "<div class=\"table-wrap\"><table id=\"cards\"><thead><tr><th>Card</th><th>Version</th><th>Currency</th><th class=\"num\">Rules</th><th>State</th></tr></thead><tbody>\n"
            for name in names {
                let link = "<a href=\"/admin/rates/card?name=\(queryValue(name))\">\(HTML.escape(name))</a>"
                do {
                    let card = try RatesCard(toml: try files.text(name))
                    body += "<tr><td>\(link)</td><td>\(card.version)</td><td>\(HTML.escape(card.currency.code))</td><td class=\"num\">\(card.rules.count)</td><td class=\"status-usable\">valid</td></tr>\n"
                } catch {
                    body += "<tr><td>\(link)</td><td></td><td></td><td></td><td class=\"status-other\">\(HTML.escape("\(error)"))</td></tr>\n"
                }
            }
            body += "</tbody></table></div>\n"
        }
        return html(console.pages.page(title: "Rates cards", tab: .rates, admin: admin, csrfToken: context.csrfToken,
                                       notices: await console.notices(context), body: body))
    }

    @Sendable func show(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        let name = String(request.uri.queryParameters["name"] ?? "")
        guard RatesCardFiles.isValidName(name), let text = try? files.text(name) else { throw HTTPError(.notFound) }
        return cardPage(admin: admin, context: context, name: name, text: text, error: nil, notices: await console.notices(context))
    }

    @Sendable func save(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        let name = context.form["name"] ?? ""
        guard RatesCardFiles.isValidName(name), (try? files.text(name)) != nil else { throw HTTPError(.notFound) }
        let text = (context.form["toml"] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
        let files = self.files
        let result = await BlockingWork.onThread { () -> Result<RatesCard, RatesCardFiles.SaveError> in
            do throws(RatesCardFiles.SaveError) { return .success(try files.save(name, text: text)) } catch { return .failure(error) }
        }
        switch result {
        case .failure(let error):
            console.log("admin: \(admin.actor) tried to save rates card \(name): refused: \(error)")
            return cardPage(admin: admin, context: context, name: name, text: text, error: error.description, status: .unprocessableContent)
        case .success(let card):
            console.log("admin: \(admin.actor) saved rates card \(name) (version \(card.version), \(card.rules.count) rules); previous kept as \(files.path(name)).previous")
            return await console.done(Notice(.success, "Saved rates card \(name) (version \(card.version)); the previous text is kept as \(name).toml.previous."),
                                      context: context, to: "/admin/rates/card?name=\(queryValue(name))")
        }
    }

    // MARK: What would this cost

    /// The quote box: the uploaded document analysed by `tollgate-analyse` (its own process,
    /// rlimited, as for a job) and priced with the card on disk, with the job's options.
    /// Failure policy: no document, a bad option, an unreadable card or an analysis that fails
    /// is shown next to the box (422); the document is written to a private temporary file,
    /// removed afterwards, and never kept.
    @Sendable func quote(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        let name = context.form["name"] ?? ""
        guard RatesCardFiles.isValidName(name), let text = try? files.text(name) else { throw HTTPError(.notFound) }
        var form = QuoteForm(context.form)
        guard let upload = context.uploads["document"], !upload.data.isEmpty else {
            form.error = "Choose a document to price (PDF, PostScript, PCL, raster or text)."
            return cardPage(admin: admin, context: context, name: name, text: text, error: nil, quote: form, status: .unprocessableContent)
        }
        guard let options = form.options(jobName: upload.filename) else {
            return cardPage(admin: admin, context: context, name: name, text: text, error: nil, quote: form, status: .unprocessableContent)
        }
        let analyser = AnalyserProcess(executable: console.settings.analyser)
        let data = upload.data
        let outcome = await BlockingWork.onThread { () -> Result<(JobAnalysis, Quote), any Error> in
            Result {
                let card = try RatesCard(toml: text)
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-quote-" + UUID().uuidString)
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
                defer { try? FileManager.default.removeItem(at: directory) }
                let file = directory.appendingPathComponent("document")
                guard FileManager.default.createFile(atPath: file.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
                    throw QuoteFailure(text: "the document could not be stored for analysis")
                }
                let analysis = try analyser.analyse(path: file.path, options: options)
                return (analysis, try card.quote(for: JobPricing.description(of: analysis)))
            }
        }
        switch outcome {
        case .failure(let error):
            form.error = "This document cannot be priced: \(error)."
        case .success(let (analysis, quote)):
            var facts = "\(upload.filename.isEmpty ? "The document" : upload.filename): \(analysis.pageCount.map { "\($0) page(s)" } ?? "pages unknown"), \(analysis.colourPageCount) in colour, \(analysis.format.rawValue)"
            if let application = analysis.application { facts += ", from \(application.name)" }
            if let failure = analysis.failure { facts += ". Not analysable: \(failure); a job would be held (or charged the fallback where the queue says so)" }
            form.result = (facts + ".", quote.receipt(), quote.total.description)
            console.log("admin: \(admin.actor) priced \(upload.data.count) bytes with card \(name): \(quote.total)")
        }
        return cardPage(admin: admin, context: context, name: name, text: text, error: nil, quote: form,
                        status: form.error == nil ? .ok : .unprocessableContent)
    }

    private func cardPage(admin: AdminIdentity, context: AdminRequestContext, name: String, text: String, error: String?,
                          quote: QuoteForm = QuoteForm(), notices: [Notice] = [], status: HTTPResponse.Status = .ok) -> Response {
        var body = "<h1>Rates card \(HTML.escape(name))</h1>\n"
        if let card = try? RatesCard(toml: (try? files.text(name)) ?? "") {
            body += Self.table(card)
            body += quoteBox(name: name, form: quote, csrf: context.csrfToken)
        } else {
            body += "<p class=\"status-other\">The card on disk does not parse: the backend holds jobs on its queues until it is fixed.</p>\n"
        }
        body += """
        <h2>Edit</h2>
        <form class="card" method="post" action="/admin/rates/card" id="card-form">
        \(console.pages.hidden("csrf", context.csrfToken))\(console.pages.hidden("name", name))
        <label for="toml">\(HTML.escape(name)).toml</label>
        \(error.map { "<pre class=\"error\" id=\"toml-error\">\(HTML.escape($0))</pre>\n" } ?? "")\
        <textarea id="toml" name="toml" spellcheck="false"\(error == nil ? "" : " aria-invalid=\"true\" aria-describedby=\"toml-error\"")>\(HTML.escape(text))</textarea>
        <p class="hint">Saved only if the backend's parser accepts it (rules, overlaps, amounts); the previous text is kept as \(HTML.escape(name)).toml.previous.</p>
        <div class="buttons"><button class="primary" type="submit" id="save-card">Save card</button></div>
        </form>
        <p><a href="/admin/rates">Back to the rates cards</a></p>

        """
        return html(console.pages.page(title: "Rates card \(name)", tab: .rates, admin: admin, csrfToken: context.csrfToken,
                                       notices: notices, body: body), status: status)
    }

    private func quoteBox(name: String, form: QuoteForm, csrf: String) -> String {
        func option(_ field: String, _ value: String, _ current: String, _ label: String) -> String {
            "<option value=\"\(value)\"\(current == value ? " selected" : "")>\(label)</option>"
        }
        var text = """
        <section class="card" id="quote">
        <h2>What would this cost?</h2>
        <form method="post" action="/admin/rates/quote" enctype="multipart/form-data" id="quote-form">
        \(console.pages.hidden("csrf", csrf))\(console.pages.hidden("name", name))
        <label for="document">Document</label>
        <input type="file" id="document" name="document"\(form.error != nil && form.result == nil ? " aria-describedby=\"quote-error\"" : "")>
        <div class="grid2"><div>
        \(console.pages.field("copies", label: "Copies", value: form.copies, error: form.copiesError, type: "number", attributes: [("min", "1"), ("max", "9999")]))\
        </div><div>
        <label for="sides">Sides</label><select id="sides" name="sides">\(option("sides", "one-sided", form.sides, "One-sided"))\
        \(option("sides", "two-sided-long-edge", form.sides, "Two-sided"))</select>
        </div><div>
        <label for="colour">Colour</label><select id="colour" name="colour">\(option("colour", "auto", form.colour, "As the document is"))\
        \(option("colour", "monochrome", form.colour, "Monochrome"))</select>
        </div></div>
        \(console.pages.fieldError("quote", form.error))\
        <div class="buttons"><button class="primary" type="submit" id="quote-submit">Price it</button></div>
        </form>

        """
        if let (facts, receipt, total) = form.result {
            text += "<p id=\"quote-facts\">\(HTML.escape(facts))</p>\n<p><strong id=\"quote-total\">Total: \(HTML.escape(total))</strong></p>\n"
            text += "<pre id=\"quote-receipt\">\(HTML.escape(receipt))</pre>\n"
        }
        return text + "</section>\n"
    }

    /// The card as a table: one row per rule, then the per-sheet, per-job and fallback charges.
    static func table(_ card: RatesCard) -> String {
        var text = """
        <p>Version \(card.version), \(HTML.escape(card.currency.code)). The most specific matching rule prices each page side.</p>
        <div class="table-wrap"><table id="card-rules"><thead><tr><th>Rule</th><th>Paper size</th><th>Colour</th><th>Sides</th>\
        <th>Application</th><th class="num">Per page side</th></tr></thead><tbody>

        """
        for rule in card.rules {
            text += """
            <tr><td>\(HTML.escape(rule.name))</td><td>\(HTML.escape(rule.media.value?.pwgName ?? "any"))</td>\
            <td>\(HTML.escape(rule.colour.value?.rawValue ?? "any"))</td><td>\(HTML.escape(rule.sides.value?.rawValue ?? "any"))</td>\
            <td>\(HTML.escape(rule.application.value?.pattern ?? "any"))</td><td class="num">\(HTML.escape(rule.pricePerSide.description))</td></tr>

            """
        }
        text += "</tbody></table></div>\n<dl class=\"facts\" id=\"card-charges\">"
        text += "<div><dt>Per sheet</dt><dd>\(HTML.escape(card.perSheet?.description ?? "none"))</dd></div>"
        text += "<div><dt>Per job</dt><dd>\(HTML.escape(card.perJob?.description ?? "none"))</dd></div>"
        text += "<div><dt>Fallback per copy (format not understood)</dt><dd>\(HTML.escape(card.unknownFormatPerCopy.description))</dd></div></dl>\n"
        return text
    }
}

/// The quote box's options as typed, and its outcome.
struct QuoteForm: Sendable {
    var copies = "1"
    var sides = "one-sided"
    var colour = "auto"
    var copiesError: String?
    var error: String?
    /// The document's facts, the receipt and the total.
    var result: (String, String, String)?

    init() {}

    init(_ form: FormData) {
        copies = (form["copies"] ?? "1").trimmingCharacters(in: .whitespaces)
        sides = form["sides"] == "two-sided-long-edge" ? "two-sided-long-edge" : "one-sided"
        colour = form["colour"] == "monochrome" ? "monochrome" : "auto"
    }

    /// The job options, or `nil` with the error set.
    mutating func options(jobName: String) -> JobOptions? {
        guard let count = Int(copies), (1...9999).contains(count) else {
            copiesError = "Copies must be a whole number from 1 to 9999."
            return nil
        }
        return JobOptions(copies: count, sides: sides == "one-sided" ? .oneSided : .twoSidedLongEdge,
                          colourMode: colour == "monochrome" ? .monochrome : .auto, jobName: jobName)
    }
}

struct QuoteFailure: Error, CustomStringConvertible {
    var text: String
    var description: String { text }
}
