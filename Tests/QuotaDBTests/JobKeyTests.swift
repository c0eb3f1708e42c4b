import Testing
@testable import QuotaDB

@Suite struct JobKeyTests {
    @Test func aKeyIsWrittenAndReadBack() {
        let key = JobKey(server: "north", jobID: 42, createdAt: 1_764_000_000)
        #expect(key.rawValue == "north/42/1764000000")
        #expect(JobKey(rawValue: key.rawValue) == key)
        #expect(JobKey.isJob(key.rawValue, of: "north") && !JobKey.isJob(key.rawValue, of: "nort"))
    }

    @Test(arguments: ["", "north", "north/42", "north/x/1", "north/42/1/2", "/42/1", "north/42/", "srv/7/1700000000x"])
    func whatIsNotAJobKeyIsNil(_ text: String) {
        #expect(JobKey(rawValue: text) == nil)
    }
}
