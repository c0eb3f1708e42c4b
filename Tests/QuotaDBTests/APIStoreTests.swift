import Foundation
import Pricing
import Testing
@testable import QuotaDB

/// The Accounts API's storage: clients, tokens, e-mail addresses and idempotent money.
struct APIStoreTests {
    static func client(_ id: String = "tgc_1", name: String = "bursar") -> APIClientRecord {
        APIClientRecord(id: id, name: name, secretHash: Data(repeating: 7, count: 32), scopes: ["billing-accounts"],
                        createdAt: Date(), createdBy: "admin")
    }

    @Test func anIdempotentCreditMovesMoneyOnceAndRefusesTheKeyForAnotherRequest() throws {
        let t = try TestStore()
        _ = try t.store.addAccount(NewAccount(name: "Physics", code: "PHY", allocation: .limited(soft: eur("2.00"), hard: eur("2.00"))))
        try t.store.adjust(user: "alice", on: .account("Physics"), by: eur("-2.10"), reason: "seed", actor: "admin")
        let claim = IdempotencyClaim(clientID: "tgc_1", key: "k", fingerprint: "f1")
        let respond: @Sendable (LedgerEntry, AccountBalance?) throws -> StoredResponse = { entry, balance in
            StoredResponse(status: 201, body: Data("\(entry.id) \(balance!.used.minorUnits)".utf8))
        }
        let first = try t.store.credit(user: "alice", to: .account("Physics"), amount: eur("1.20"), mode: .add, reason: "api",
                                       actor: "api:bursar", once: claim, respond: respond)
        #expect(!first.isReplay && String(decoding: first.body, as: UTF8.self).hasSuffix(" 90"))
        let again = try t.store.credit(user: "alice", to: .account("Physics"), amount: eur("1.20"), mode: .add, reason: "api",
                                       actor: "api:bursar", once: claim, respond: respond)
        #expect(again.isReplay && again.body == first.body)
        #expect(try t.store.accountBalance(user: "alice", account: "PHY").used == eur("0.90"))
        #expect(throws: QuotaError.idempotencyConflict(key: "k")) {
            try t.store.credit(user: "alice", to: .account("Physics"), amount: eur("0.50"), mode: .add, reason: "api",
                               actor: "api:bursar", once: IdempotencyClaim(clientID: "tgc_1", key: "k", fingerprint: "f2"), respond: respond)
        }
        // Another client's same key is its own.
        _ = try t.store.credit(user: "alice", to: .account("Physics"), amount: eur("0.10"), mode: .add, reason: "api",
                               actor: "api:other", once: IdempotencyClaim(clientID: "tgc_2", key: "k", fingerprint: "f1"), respond: respond)
        #expect(try t.store.accountBalance(user: "alice", account: "PHY").used == eur("0.80"))
        #expect(try t.store.ledger(LedgerQuery(user: "alice", kinds: [.credit])).map(\.actor) == ["api:bursar", "api:other"])
        _ = try t.store.check()
    }

    @Test func aFailedIdempotentCallLeavesNoKeyBehind() throws {
        let t = try TestStore()
        let claim = IdempotencyClaim(clientID: "tgc_1", key: "k", fingerprint: "f")
        #expect(throws: QuotaError.accountNotFound("Nope")) {
            try t.store.credit(user: "alice", to: .account("Nope"), amount: eur("1"), mode: .add, reason: "", actor: "api:x", once: claim) { _, _ in
                StoredResponse(status: 201, body: Data())
            }
        }
        #expect(try t.store.storedResponse(claim) == nil)
        #expect(try t.store.ledger(LedgerQuery()).isEmpty)
    }

    /// The names an administrator gives clients and payment sites are shown in the console, the
    /// CLI's tables and the ledger's actor: a control character (a terminal escape) is refused.
    @Test func aClientOrSiteNameWithAControlCharacterIsRefused() throws {
        let t = try TestStore()
        for name in ["", "  ", "bursar\u{1B}[2J", "line\nbreak"] {
            #expect(throws: QuotaError.invalidName(of: "API client", name: name, rule: "not blank, no control characters")) {
                try t.store.addAPIClient(Self.client(name: name))
            }
        }
        for name in ["", "shop\u{7}", "a/b"] {
            #expect(throws: QuotaError.invalidName(of: "payment site", name: name, rule: "not blank, no control characters or /")) {
                try t.store.addPaymentSite(name, secret: Data(repeating: 1, count: 32), createdBy: "admin")
            }
        }
        try t.store.addAPIClient(Self.client(name: "Bursar's office"))
        try t.store.addPaymentSite("campus-shop", secret: Data(repeating: 1, count: 32), createdBy: "admin")
        #expect(try t.store.apiClients().map(\.name) == ["Bursar's office"])
    }

    @Test func revokingAClientDeletesItsTokens() throws {
        let t = try TestStore()
        try t.store.addAPIClient(Self.client())
        #expect(throws: QuotaError.apiClientExists(name: "BURSAR")) { try t.store.addAPIClient(Self.client("tgc_2", name: "BURSAR")) }
        let hash = Data(repeating: 1, count: 32)
        try t.store.issueAPIToken(hash: hash, clientID: "tgc_1", scopes: ["billing-accounts"], expiresAt: t.clock.now.addingTimeInterval(60))
        #expect(try t.store.apiToken(hash: hash)?.client.name == "bursar")
        t.clock.advance(61)
        #expect(try t.store.apiToken(hash: hash) == nil, "expired")
        try t.store.issueAPIToken(hash: hash.dropLast() + Data([2]), clientID: "tgc_1", scopes: [], expiresAt: t.clock.now.addingTimeInterval(60))
        let revoked = try t.store.revokeAPIClient("bursar")
        #expect(revoked.revokedAt != nil)
        #expect(try t.store.apiToken(hash: hash.dropLast() + Data([2])) == nil)
        #expect(throws: QuotaError.apiClientNotFound("tgc_1")) {
            try t.store.issueAPIToken(hash: hash, clientID: "tgc_1", scopes: [], expiresAt: t.clock.now.addingTimeInterval(60))
        }
    }

    @Test func anEmailNamesItsUserOrByTheDomainRuleAUserWithoutOne() throws {
        let t = try TestStore()
        try t.store.setEmail("Alice@Uni.Example", for: "alice")
        try t.store.addUser("bob")
        #expect(try t.store.user(email: "alice@uni.example", domain: nil) == "alice", "case-insensitive")
        #expect(try t.store.user(email: "bob@example.edu", domain: "example.edu") == "bob")
        #expect(try t.store.user(email: "alice@example.edu", domain: "example.edu") == nil, "alice has her own address")
        #expect(try t.store.user(email: "carol@example.edu", domain: "example.edu") == nil, "an address never creates a user")
        #expect(throws: QuotaError.emailInUse(email: "alice@uni.example")) { try t.store.setEmail("alice@uni.example", for: "bob") }
        #expect(throws: QuotaError.invalidEmail("not-an-address")) { try t.store.setEmail("not-an-address", for: "bob") }
        try t.store.setEmail(nil, for: "alice")
        #expect(try t.store.user(email: "alice@uni.example", domain: nil) == nil)
    }
}
