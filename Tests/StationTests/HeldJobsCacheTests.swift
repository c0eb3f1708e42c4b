import Foundation
import QuotaDB
import Release
import Synchronization
import Testing
@testable import Station

@Suite struct HeldJobsCacheTests {
    final class Loads: Sendable {
        let count = Mutex<[String: Int]>([:])
        func record(_ user: String) { count.withLock { $0[user, default: 0] += 1 } }
        func of(_ user: String) -> Int { count.withLock { $0[user] ?? 0 } }
    }

    static func job(_ id: Int, owner: String) -> HeldJob {
        HeldJob(jobKey: "server/\(id)/1", jobID: id, queue: "secure", owner: owner, title: "t\(id)", pageSides: 1, sheets: 1,
                copies: 1, colourPages: 0, price: .init(minorUnits: 6, currency: .eur), ratesCard: "default",
                heldAt: Date(), expiresAt: Date().addingTimeInterval(3600))
    }

    func cache(_ loads: Loads, clock: TestClock, delay: UInt32 = 0) -> HeldJobsCache {
        HeldJobsCache(freshFor: 1, staleFor: 10, clock: clock.function) { user in
            loads.record(user)
            if delay > 0 { usleep(delay) }
            return .success([Self.job(user == "alice" ? 1 : 2, owner: user)])
        }
    }

    @Test func eachUserGetsOnlyTheirOwnList() async throws {
        let loads = Loads(), clock = TestClock()
        let cache = cache(loads, clock: clock)
        let alice = try await cache.jobs(for: "alice").get()
        let bob = try await cache.jobs(for: "bob").get()
        #expect(alice.map(\.owner) == ["alice"])
        #expect(bob.map(\.owner) == ["bob"])
    }

    @Test func concurrentRequestsShareOneFetch() async throws {
        let loads = Loads(), clock = TestClock()
        let cache = cache(loads, clock: clock, delay: 100_000)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 { group.addTask { try await cache.jobs(for: "alice").get().count } }
            for try await count in group { #expect(count == 1) }
        }
        #expect(loads.of("alice") == 1)
    }

    @Test func aFreshListIsReusedAStaleOneRefreshedAnOldOneWaitedFor() async throws {
        let loads = Loads(), clock = TestClock()
        let cache = cache(loads, clock: clock)
        _ = await cache.jobs(for: "alice")
        clock.advance(0.5)
        _ = await cache.jobs(for: "alice")
        #expect(loads.of("alice") == 1, "fresh: served from memory")
        clock.advance(2)
        _ = await cache.jobs(for: "alice")
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(loads.of("alice") == 2, "stale: served, and fetched again in the background")
        clock.advance(60)
        _ = await cache.jobs(for: "alice")
        #expect(loads.of("alice") == 3, "old: fetched before answering")
    }

    @Test func anActionDropsTheList() async {
        let loads = Loads(), clock = TestClock()
        let cache = cache(loads, clock: clock)
        _ = await cache.jobs(for: "alice")
        await cache.invalidate("alice")
        _ = await cache.jobs(for: "alice")
        #expect(loads.of("alice") == 2)
    }
}
