import Foundation
import Testing
import TestSupport

/// `tollgate analyse` on generated documents.
@Suite struct AnalyseCommandTests {
    let tollgate = BuiltProducts.executable("tollgate")

    @Test func summarisesEachFile() throws {
        let docs = try TemporaryDirectory()
        let mixed = try TestDocuments.pdf(pages: 5, colorPages: [2, 4], in: docs.path, name: "mixed.pdf")
        let mono = try TestDocuments.pdf(pages: 2, in: docs.path, name: "mono.pdf")
        let result = try ProcessRunner.run([tollgate, "analyse", mixed, mono])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("mixed.pdf: pdf, 5 pages, 2 colour"))
        #expect(result.stdout.contains("mono.pdf: pdf, 2 pages, 0 colour"))
    }

    @Test func jsonForScriptsAndAClearFailure() throws {
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 3, colorPages: [1], in: docs.path)
        let result = try ProcessRunner.run([tollgate, "analyse", "--json", "--copies", "2", pdf, docs.path + "/missing.pdf"])
        #expect(result.status == 3, "one file could not be read")
        #expect(result.stderr.contains("missing.pdf"))
        let array = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        #expect(array?.count == 1)
        #expect(array?.first?["pageCount"] as? Int == 3)
        let output = array?.first?["output"] as? [String: Any]
        #expect(output?["totalImpressions"] as? Int == 6)
    }
}
