import Foundation
import Testing
import TestSupport

/// `tollgate voucher create|list|void` and `tollgate redeem`, as an administrator runs them, on a
/// real database file; the card sheet is a PDF qpdf accepts and pdftotext reads the codes from.
@Suite struct VoucherCommandTests {
    func tollgate(_ arguments: [String], _ database: String) throws -> ProcessResult {
        try ProcessRunner.run([BuiltProducts.executable("tollgate")] + arguments,
                              environment: ["PATH": "/usr/bin:/bin", "TOLLGATE_DB": database, "LANG": "C",
                                            "TOLLGATE_PIN_KEY": (database as NSString).deletingLastPathComponent + "/pin.key"])
    }

    @Test func aBatchIsPrintedRedeemedOnceAndVoided() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path + "/tollgate.db", pdf = dir.path + "/cards.pdf"
        #expect(try tollgate(["db", "init", "--currency", "EUR"], db).status == 0)
        let made = try tollgate(["voucher", "create", "--count", "12", "--value", "5.00", "--expires", "2099-12-31", "--pdf", pdf], db)
        try #require(made.status == 0, "\(made.stderr)")
        let codes = made.stdout.split(separator: "\n").dropFirst().map(String.init)
        #expect(codes.count == 12 && made.stdout.hasPrefix("batch 1: 12 voucher(s) of 5.00 EUR"), "\(made.stdout)")
        var info = stat()
        #expect(stat(pdf, &info) == 0 && info.st_mode & 0o777 == 0o600, "the sheet holds live codes: private")
        #expect(try ProcessRunner.run(["qpdf", "--check", pdf]).status == 0, "a valid PDF")
        #expect(try ProcessRunner.run(["qpdf", "--show-npages", pdf]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2",
                "10 cards a page")
        let text = try ProcessRunner.run(["pdftotext", pdf, "-"]).stdout
        #expect(codes.allSatisfy { text.contains($0) }, "every code is on the sheet")
        #expect(!(try String(contentsOfFile: db, encoding: .isoLatin1)).contains(codes[0]), "the database keeps no code")

        let redeemed = try tollgate(["redeem", codes[0], "--user", "alice"], db)
        #expect(redeemed.status == 0 && redeemed.stdout.contains("5.00 EUR added to alice's personal wallet"), "\(redeemed.stdout) \(redeemed.stderr)")
        let again = try tollgate(["redeem", codes[0], "--user", "bob"], db)
        #expect(again.status != 0 && again.stderr.contains("already redeemed"), "\(again.stderr)")
        #expect(try tollgate(["void", codes[1]], db).status != 0, "not a command")
        let voided = try tollgate(["voucher", "void", "1"], db)
        #expect(voided.stdout.contains("11 unredeemed voucher(s) stop working; 1 were redeemed"), "\(voided.stdout)")
        let late = try tollgate(["redeem", codes[1], "--user", "bob"], db)
        #expect(late.status != 0 && late.stderr.contains("voided"), "\(late.stderr)")
        let list = try tollgate(["voucher", "list", "--json"], db)
        #expect(list.stdout.contains("\"redeemed\" : 1") || list.stdout.contains("\"redeemed\":1"), "\(list.stdout)")
        #expect(try tollgate(["check"], db).status == 0, "the ledger still adds up")
    }
}
