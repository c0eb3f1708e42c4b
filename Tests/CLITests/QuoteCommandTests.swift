import Foundation
import Testing
import TestSupport

/// `tollgate quote` on generated documents with the example rates card.
@Suite struct QuoteCommandTests {
    let tollgate = BuiltProducts.executable("tollgate")
    let card = BuiltProducts.packageRoot.appendingPathComponent("rates/example.toml").path

    @Test func mixedColourDocumentGetsAReceipt() throws {
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 4, colorPages: [3], in: docs.path)
        let result = try ProcessRunner.run([tollgate, "quote", pdf, "--card", card])
        #expect(result.status == 0, "\(result.stderr)")
        // 3 A4 mono sides at 0.05, 1 A4 colour side at 0.25, 4 sheets at 0.005: 0.42 EUR.
        #expect(result.stdout.contains("4 pages, 1 colour"))
        #expect(result.stdout.range(of: #"Total\s+0\.42 EUR"#, options: .regularExpression) != nil, "\(result.stdout)")
    }

    @Test func optionsChangeThePrice() throws {
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 4, colorPages: [3], in: docs.path)
        let result = try ProcessRunner.run([tollgate, "quote", pdf, "--card", card, "--copies", "2",
                                            "--color-mode", "monochrome", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        // 2 copies × (4 A4 mono sides at 0.05 + 4 sheets at 0.005) = 0.44 EUR.
        #expect(json?["totalMinorUnits"] as? Int == 44, "\(result.stdout)")
        #expect(json?["copies"] as? Int == 2)
    }

    @Test func unreadableCardIsAClearError() throws {
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        let result = try ProcessRunner.run([tollgate, "quote", pdf, "--card", "/nonexistent/card.toml"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot read rates card /nonexistent/card.toml"))
    }
}
