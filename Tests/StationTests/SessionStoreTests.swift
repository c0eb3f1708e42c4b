import Foundation
import Testing
@testable import Station

@Suite struct SessionStoreTests {
    @Test func sessionExpiresAfterIdleTimeout() async {
        let clock = TestClock()
        let store = SessionStore(idleTimeout: 120, clock: clock.function)
        let session = await store.signIn(user: "alice", method: .password, replacing: nil)
        clock.advance(119)
        #expect(await store.session(token: session.token)?.user == "alice")
        // Each request restarts the idle time.
        clock.advance(119)
        #expect(await store.session(token: session.token) != nil)
        clock.advance(120)
        #expect(await store.session(token: session.token) == nil, "idle for 120 s: signed out")
        #expect(await store.count == 0, "an expired session is removed")
    }

    @Test func signInIssuesNewTokens() async {
        let store = SessionStore(idleTimeout: 120)
        let anonymous = await store.startAnonymous()
        #expect(anonymous.user == nil)
        let signedIn = await store.signIn(user: "alice", method: .pin, replacing: anonymous.token)
        #expect(signedIn.token != anonymous.token)
        #expect(signedIn.csrfToken != anonymous.csrfToken)
        #expect(await store.session(token: anonymous.token) == nil, "the pre-sign-in token is worthless afterwards")
        #expect(await store.session(token: signedIn.token)?.method == .pin)
    }

    @Test func signOutEndsTheSession() async {
        let store = SessionStore(idleTimeout: 120)
        let session = await store.signIn(user: "alice", method: .password, replacing: nil)
        await store.end(token: session.token)
        #expect(await store.session(token: session.token) == nil)
    }

    @Test func malformedTokensAreNotLookedUp() async {
        let store = SessionStore(idleTimeout: 120)
        #expect(await store.session(token: "") == nil)
        #expect(await store.session(token: "x' OR 1=1 --") == nil)
    }

    @Test func sweepRemovesIdleSessions() async {
        let clock = TestClock()
        let store = SessionStore(idleTimeout: 60, clock: clock.function)
        for _ in 0..<5 { _ = await store.startAnonymous() }
        clock.advance(30)
        let fresh = await store.signIn(user: "bob", method: .password, replacing: nil)
        clock.advance(40)
        #expect(await store.sweep() == 5)
        #expect(await store.session(token: fresh.token) != nil)
    }

    @Test func aFullStoreDropsAnonymousSessionsFirst() async {
        let clock = TestClock()
        let store = SessionStore(idleTimeout: 600, capacity: 3, clock: clock.function)
        let alice = await store.signIn(user: "alice", method: .password, replacing: nil)
        clock.advance(1)
        for _ in 0..<10 {
            _ = await store.startAnonymous()
            clock.advance(1)
        }
        #expect(await store.count == 3)
        #expect(await store.session(token: alice.token) != nil, "sign-in page floods do not sign anyone out")
    }

    @Test func noticesAreShownOnce() async {
        let store = SessionStore(idleTimeout: 120)
        let session = await store.signIn(user: "alice", method: .password, replacing: nil)
        await store.addNotices([Notice(.success, "Released")], token: session.token)
        #expect(await store.takeNotices(token: session.token) == [Notice(.success, "Released")])
        #expect(await store.takeNotices(token: session.token).isEmpty)
    }
}
