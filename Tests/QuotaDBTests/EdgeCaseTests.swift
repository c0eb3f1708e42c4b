import Foundation
import Pricing
import Testing
@testable import QuotaDB

@Suite("Edge cases")
struct EdgeCaseTests {
    @Test func aJobNamingAnUnknownAccountIsRefusedByName() throws {
        let t = try TestStore()
        let refusal = try #require(try t.store.authorize("j", "alice", "1", account: "Nope").refusal)
        #expect(refusal.reason == .accountNotFound("Nope"))
        #expect(refusal.shortfall == nil)
        #expect(try t.store.reservation(jobKey: "j") == nil)
    }

    @Test func anEmptyFileIsNotInitialisedUnlessAsked() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("t.db").path
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        #expect(throws: QuotaError.databaseMissing(path: path)) { _ = try SQLQuotaStore(location: DatabaseLocation(path: path)) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).isEmpty)
        let created = try SQLQuotaStore(location: DatabaseLocation(path: path), options: .init(create: true, currency: .points))
        #expect(created.currency == .points)
    }

    @Test func everyErrorMessageNamesWhatIsWrong() {
        #expect(QuotaError.accountNotFound("Maths").description.contains("\"Maths\""))
        #expect(QuotaError.databaseBusy(path: "/x.db", timeoutSeconds: 5).description.contains("/x.db"))
        #expect(QuotaError.newerSchema(path: "/x.db", found: 3, supported: 1).description.contains("upgrade Tollgate"))
        #expect(QuotaError.alreadySettled(jobKey: "job-9").description.contains("refund"))
    }

    @Test func refusalsCarryEnoughForAMessage() throws {
        let t = try TestStore()
        try t.store.limitedAccount("Math", soft: "1", hard: "1")
        let refusal = try #require(try t.store.authorize("j", "alice", "2.50").refusal)
        #expect(refusal.description == "job j for alice refused: not enough funds (price 2.50 EUR, 1.00 EUR left on account Math, wallet 0.00 EUR); top up at least 1.50 EUR")
    }
}
