import Foundation
import Testing
@testable import Enforcement

/// The gate service keeps rates cards parsed; an administrator's edit is read by the next job.
@Suite struct RatesCardCacheTests {
    @Test func aCardIsParsedOnceAndReadAgainWhenItsFileChanges() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-cards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("default.toml").path
        let example = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../rates/example.toml").standardized.path, encoding: .utf8)
        try example.write(toFile: path, atomically: true, encoding: .utf8)
        let cache = RatesCardCache()
        let first = try #require(try cache.card(at: path))
        #expect(first.version == 1)
        #expect(try cache.card(at: path)?.version == 1)
        // Edited in place (as an editor or the console writes it): the next read sees it.
        try example.replacingOccurrences(of: "version = 1\n", with: "version = 22\n").write(toFile: path, atomically: false, encoding: .utf8)
        #expect(try cache.card(at: path)?.version == 22)
        try FileManager.default.removeItem(atPath: path)
        #expect(try cache.card(at: path) == nil, "a card that is gone is missing, not the one kept")
    }
}
