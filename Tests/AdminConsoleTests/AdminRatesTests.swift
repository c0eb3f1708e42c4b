import Foundation
import Testing
import TestSupport

/// Rates cards in the console: shown as a table, edited, saved only when the backend's parser accepts them.
@Suite(.serialized) struct AdminRatesTests {
    @Test func aBrokenCardShowsItsErrorAndLeavesTheFileAValidOneIsSavedWithThePreviousKept() throws {
        let fixture = try AdminFixture()
        defer { fixture.stop() }
        let original = try String(contentsOfFile: BuiltProducts.packageRoot.path + "/rates/example.toml", encoding: .utf8)
        let card = fixture.ratesDirectory + "/campus.toml"
        try original.write(toFile: card, atomically: true, encoding: .utf8)
        let client = try AdminClient(base: fixture.baseURL)
        #expect(try client.signIn(user: fixture.admin.name, password: fixture.admin.password).status == 303)

        let list = try client.get("/admin/rates")
        #expect(list.body.contains("campus") && list.body.contains("valid"))
        let page = try client.get("/admin/rates/card?name=campus")
        #expect(page.status == 200)
        #expect(page.body.contains("id=\"card-rules\""))
        #expect(page.body.contains("Fallback per copy"))

        let broken = original + "\n[[rule]]\nname = \"oops\"\nper_side = \"lots\"\n"
        let refused = try client.submit(from: "/admin/rates/card?name=campus", to: "/admin/rates/card", [("name", "campus"), ("toml", broken)])
        #expect(refused.status == 422)
        #expect(refused.body.contains("id=\"toml-error\">The card was not saved: line"), "\(refused.body)")
        #expect(try String(contentsOfFile: card, encoding: .utf8) == original, "the file is unchanged")
        #expect(!FileManager.default.fileExists(atPath: card + ".previous"))

        let bumped = original.replacingOccurrences(of: "version = 1", with: "version = 2")
        try #require(bumped != original, "example.toml has version = 1")
        let saved = try client.submit(from: "/admin/rates/card?name=campus", to: "/admin/rates/card", [("name", "campus"), ("toml", bumped)])
        #expect(saved.status == 303)
        #expect(try String(contentsOfFile: card, encoding: .utf8) == bumped)
        #expect(try String(contentsOfFile: card + ".previous", encoding: .utf8) == original)
        #expect(try client.get("/admin/rates/card?name=campus").body.contains("Saved rates card campus (version 2)"))
        #expect(try client.get("/admin/rates/card?name=../etc/passwd").status == 404)
        #expect(try client.submit(from: "/admin/rates", to: "/admin/rates/card", [("name", "nosuch"), ("toml", bumped)]).status == 404)
    }

    @Test func theQuoteBoxPricesAnUploadedDocumentWithTheCard() throws {
        let fixture = try AdminFixture()
        defer { fixture.stop() }
        let original = try String(contentsOfFile: BuiltProducts.packageRoot.path + "/rates/example.toml", encoding: .utf8)
        try original.write(toFile: fixture.ratesDirectory + "/campus.toml", atomically: true, encoding: .utf8)
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 2, in: docs.path)
        let client = try AdminClient(base: fixture.baseURL)
        #expect(try client.signIn(user: fixture.admin.name, password: fixture.admin.password).status == 303)
        let page = try client.get("/admin/rates/card?name=campus")
        let csrf = try #require(page.csrf)
        #expect(page.body.contains("enctype=\"multipart/form-data\""))
        let quoted = try client.upload("/admin/rates/quote", fields: [("csrf", csrf), ("name", "campus"), ("copies", "1")],
                                       files: [("document", pdf)])
        #expect(quoted.status == 200, "\(quoted.body)\n\(fixture.logText)")
        #expect(quoted.body.contains("id=\"quote-total\">Total: 0.11 EUR"), "\(quoted.body)")
        #expect(quoted.body.contains("2 page(s), 0 in colour, pdf"))
        let three = try client.upload("/admin/rates/quote", fields: [("csrf", csrf), ("name", "campus"), ("copies", "3")],
                                      files: [("document", pdf)])
        #expect(three.body.contains("id=\"quote-total\">Total: 0.33 EUR"), "\(three.body)")
        let none = try client.upload("/admin/rates/quote", fields: [("csrf", csrf), ("name", "campus"), ("copies", "0")], files: [])
        #expect(none.status == 422 && none.body.contains("Choose a document to price"))
        let noToken = try client.upload("/admin/rates/quote", fields: [("name", "campus")], files: [("document", pdf)])
        #expect(noToken.status == 403, "the CSRF token is checked in multipart bodies too")
        let huge = docs.path + "/huge.pdf"
        try #require(FileManager.default.createFile(atPath: huge, contents: Data(count: 33 * 1024 * 1024)))
        #expect(try client.upload("/admin/rates/quote", fields: [("csrf", csrf), ("name", "campus")], files: [("document", huge)]).status == 413)
        let longBody = try docs.write("long.form", "csrf=\(csrf)&name=campus&toml=" + String(repeating: "%23", count: 200 * 1024))
        let longForm = try client.post("/admin/rates/card", bodyFile: longBody)
        #expect(longForm.status == 413, "a form over 512 KiB")
        #expect(try String(contentsOfFile: fixture.ratesDirectory + "/campus.toml", encoding: .utf8) == original, "nothing written")
    }
}
