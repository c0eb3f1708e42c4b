import Testing
@testable import Enforcement

/// cupsd's AUTH_USERNAME, as the backend reads it, proves a job's owner only when it names the
/// owner and the queue takes no credentials from clients.
@Suite struct OwnerAuthenticationTests {
    @Test func theAuthenticatedOwnerIsProven() {
        #expect(OwnerAuthentication(owner: "alice", authUsername: "alice", authInfoRequired: "none") == .authenticated)
    }

    @Test(arguments: [
        ("alice", nil, "none", "did not authenticate"),                         // a claimed name
        ("alice", "", "none", "did not authenticate"),
        ("bob", "alice", "none", "authenticated alice, not the owner bob"),       // never someone else's proof
        ("alice", "alice", "username,password", "auth-info-required"),           // a client's auth-info is no proof
    ] as [(String, String?, String?, String)])
    func whatProvesNothing(owner: String, authUsername: String?, authInfoRequired: String?, reason: String) {
        guard case .unproven(let why) = OwnerAuthentication(owner: owner, authUsername: authUsername, authInfoRequired: authInfoRequired) else {
            Issue.record("taken for proof"); return
        }
        #expect(why.contains(reason), "\(why)")
    }
}
