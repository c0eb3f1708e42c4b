import Foundation
import Testing
@testable import Station

/// The sign-in limits (SignInLimiter's policy): a name waits at one address, an address guessing
/// many names waits, a name guessed from many addresses is slowed there, and nobody's failures
/// lock anybody out of their own stations.
@Suite struct SignInLimiterTests {
    let x = ClientAddress("10.0.0.1"), y = ClientAddress("10.0.0.2")

    func limiter(_ clock: TestClock, maxEntries: Int = 100_000) -> SignInLimiter {
        SignInLimiter(maxEntries: maxEntries, clock: clock.function)
    }

    @Test func fiveFailuresAtOneAddressMakeTheNameWaitThereAndOnlyThere() async {
        let clock = TestClock()
        let limiter = limiter(clock)
        for attempt in 1...4 {
            #expect(await limiter.recordFailure(.pin, name: "alice", address: x) == nil, "attempt \(attempt)")
        }
        let until = await limiter.recordFailure(.pin, name: "Alice", address: x)
        #expect(until == clock.now.addingTimeInterval(300), "names count case-insensitively; five minutes")
        #expect(await limiter.refusedUntil(.pin, name: "alice", address: x) == until)
        #expect(await limiter.refusedUntil(.pin, name: "alice", address: y) == nil, "alice signs in at another station")
        #expect(await limiter.refusedUntil(.password, name: "alice", address: x) == nil, "and with her password here")
        #expect(await limiter.refusedUntil(.pin, name: "bob", address: x) == nil, "others sign in here")
        clock.advance(301)
        #expect(await limiter.refusedUntil(.pin, name: "alice", address: x) == nil, "after five minutes")
        let second = await limiter.recordFailure(.pin, name: "alice", address: x)
        #expect(second == clock.now.addingTimeInterval(600), "each further failure doubles the wait")
        clock.advance(601)
        await limiter.recordSuccess(.pin, name: "alice", address: x)
        #expect(await limiter.recordFailure(.pin, name: "alice", address: x) == nil, "a success there starts again")
    }

    @Test func theWaitAtOneAddressGrowsToADayAndNoLonger() async {
        let clock = TestClock()
        let limiter = limiter(clock)
        var waits: [TimeInterval] = []
        for _ in 0..<20 {
            if let until = await limiter.recordFailure(.pin, name: "alice", address: x) {
                waits.append(until.timeIntervalSince(clock.now))
                clock.advance(until.timeIntervalSince(clock.now) + 1)
            }
        }
        #expect(Array(waits.prefix(4)) == [300, 600, 1200, 2400])
        #expect(waits.max() == 86_400)
    }

    @Test func oneAddressGuessingManyNamesWaitsForEveryone() async {
        let clock = TestClock()
        let limiter = limiter(clock)
        for index in 0..<20 { await limiter.recordFailure(.pin, name: "user\(index)", address: x) }
        #expect(await limiter.refusedUntil(.pin, name: "somebody", address: x) != nil, "this kiosk waits")
        #expect(await limiter.refusedUntil(.password, name: "somebody", address: x) != nil)
        #expect(await limiter.refusedUntil(.pin, name: "somebody", address: y) == nil, "no other")
        clock.advance(301)
        #expect(await limiter.refusedUntil(.pin, name: "somebody", address: x) == nil)
    }

    @Test func anotherNamesFailuresNeverAffectAName() async {
        let clock = TestClock()
        let limiter = limiter(clock)
        await limiter.recordSuccess(.pin, name: "alice", address: x)
        // Bob fails from alice's station and from many others, until every wait he can earn holds him.
        for round in 0..<30 {
            for address in [x, y, ClientAddress("192.0.2.\(round)")] {
                await limiter.recordFailure(.pin, name: "bob", address: address)
            }
            clock.advance(30)
        }
        #expect(await limiter.refusedUntil(.pin, name: "bob", address: y) != nil)
        #expect(await limiter.refusedUntil(.pin, name: "alice", address: ClientAddress("198.51.100.1")) == nil, "alice, anywhere")
        clock.advance(301)                                     // the address window of x has passed
        #expect(await limiter.refusedUntil(.pin, name: "alice", address: x) == nil, "alice at her station")
        #expect(await limiter.recordFailure(.pin, name: "alice", address: y) == nil, "alice's own count starts at one")
    }

    /// Someone guessing alice's PIN from ever new addresses: each address stays under its limit,
    /// the ceiling for alice's name slows them; alice at her own stations is not slowed at all.
    @Test func rotatingAddressesAreSlowedButNotAtTheOwnersStations() async {
        let clock = TestClock()
        let limiter = limiter(clock)
        let kiosk = ClientAddress("10.1.1.1")
        await limiter.recordSuccess(.pin, name: "alice", address: kiosk)
        var guesses = 0
        var address = 0
        let start = clock.now
        // Two days of guessing, as fast as the limits allow, four guesses per new address.
        while true {
            address += 1
            let from = ClientAddress("203.0.\(address / 256).\(address % 256)")
            var refused: Date?
            for _ in 0..<4 {
                refused = await limiter.refusedUntil(.pin, name: "alice", address: from)
                if refused != nil { break }
                guesses += 1
                await limiter.recordFailure(.pin, name: "alice", address: from)
            }
            guard let refused else { continue }
            if refused.timeIntervalSince(start) >= 2 * 86_400 { break }
            clock.advance(max(1, refused.timeIntervalSince(clock.now)))
        }
        #expect(guesses < 30, "\(guesses) guesses in two days from \(address) addresses")
        #expect(guesses > 20, "ten free, then waits from one minute doubling to a day: \(guesses)")
        #expect(await limiter.refusedUntil(.pin, name: "alice", address: ClientAddress("203.9.9.9")) != nil, "a new address waits")
        #expect(await limiter.refusedUntil(.pin, name: "alice", address: kiosk) == nil, "alice's own station does not")
        #expect(await limiter.refusedUntil(.password, name: "alice", address: ClientAddress("203.9.9.9")) == nil,
                "her password is not slowed by guessed PINs")
        await limiter.recordSuccess(.pin, name: "alice", address: kiosk)
        #expect(await limiter.refusedUntil(.pin, name: "alice", address: ClientAddress("203.9.9.9")) != nil,
                "her success does not give the guesser a fresh start")
    }

    @Test func anIPv6ClientCountsByItsNetwork() async {
        let clock = TestClock()
        let limiter = limiter(clock)
        for host in 1...5 { await limiter.recordFailure(.pin, name: "alice", address: ClientAddress("2001:db8:1:2::\(host)")) }
        #expect(await limiter.refusedUntil(.pin, name: "alice", address: ClientAddress("2001:db8:1:2:ffff::9")) != nil)
        #expect(await limiter.refusedUntil(.pin, name: "alice", address: ClientAddress("2001:db8:1:3::1")) == nil)
        #expect(ClientAddress("::ffff:192.0.2.7").limitKey == "192.0.2.7")
        #expect(ClientAddress("2001:db8:1:2::1").limitKey == "2001:db8:1:2::/64")
        #expect(ClientAddress("192.0.2.7").limitKey == "192.0.2.7")
    }

    @Test func aFloodOfOneOffFailuresDoesNotPushOutANameUnderAttack() async {
        let clock = TestClock()
        let limiter = limiter(clock, maxEntries: 100)
        for _ in 0..<5 { await limiter.recordFailure(.pin, name: "alice", address: x) }
        for index in 0..<500 { await limiter.recordFailure(.pin, name: "junk\(index)", address: ClientAddress("198.18.\(index / 250).\(index % 250)")) }
        #expect(await limiter.refusedUntil(.pin, name: "alice", address: x) != nil)
    }
}
