import Foundation
import Testing
@testable import Station

@Suite struct SignInLimiterTests {
    let policy = SignInLimiter.Policy(maxFailures: 5, window: 300, blockFor: 300)

    @Test func fiveFailuresBlockTheUserForFiveMinutes() async {
        let clock = TestClock()
        let limiter = SignInLimiter(perAddress: .init(maxFailures: 100, window: 300, blockFor: 300), perUser: policy, clock: clock.function)
        for attempt in 1...4 {
            #expect(await limiter.recordFailure(address: "10.0.0.1", user: "alice") == nil, "attempt \(attempt)")
        }
        let until = await limiter.recordFailure(address: "10.0.0.2", user: "Alice")
        #expect(until == clock.now.addingTimeInterval(300), "user names count case-insensitively, from any address")
        #expect(await limiter.blockedUntil(address: "10.0.0.3", user: "alice") != nil)
        #expect(await limiter.blockedUntil(address: "10.0.0.3", user: "bob") == nil, "others may still sign in")
        clock.advance(299)
        #expect(await limiter.blockedUntil(address: "10.0.0.3", user: "alice") != nil)
        clock.advance(2)
        #expect(await limiter.blockedUntil(address: "10.0.0.3", user: "alice") == nil, "unblocked after five minutes")
        #expect(await limiter.recordFailure(address: "10.0.0.1", user: "alice") == nil, "the count starts again")
    }

    @Test func oneAddressGuessingManyNamesIsBlocked() async {
        let clock = TestClock()
        let limiter = SignInLimiter(perAddress: policy, perUser: .init(maxFailures: 100, window: 300, blockFor: 300), clock: clock.function)
        for index in 0..<5 { await limiter.recordFailure(address: "192.0.2.9", user: "user\(index)") }
        #expect(await limiter.blockedUntil(address: "192.0.2.9", user: "somebody") != nil)
        #expect(await limiter.blockedUntil(address: "192.0.2.10", user: "somebody") == nil)
    }

    @Test func failuresOutsideTheWindowAreForgotten() async {
        let clock = TestClock()
        let limiter = SignInLimiter(perAddress: policy, perUser: policy, clock: clock.function)
        for _ in 0..<4 { await limiter.recordFailure(address: "a", user: "alice") }
        clock.advance(301)
        #expect(await limiter.recordFailure(address: "a", user: "alice") == nil)
    }

    @Test func successClearsTheUserButNotTheAddress() async {
        let clock = TestClock()
        let limiter = SignInLimiter(perAddress: policy, perUser: policy, clock: clock.function)
        for _ in 0..<4 { await limiter.recordFailure(address: "kiosk", user: "alice") }
        await limiter.recordSuccess(user: "alice")
        #expect(await limiter.recordFailure(address: "elsewhere", user: "alice") == nil, "alice's count started again")
        #expect(await limiter.recordFailure(address: "kiosk", user: "carol") != nil, "the kiosk's fifth failure blocks it")
    }
}
