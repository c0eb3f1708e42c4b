import Foundation
import Testing
import TestSupport

/// Pharos-compatible credit through `POST /api/v1/{site}/activities`, on the real tollgated.
@Suite(.serialized) struct ActivityTests {
    /// A server with account Physics (200 points a user, hard), alice (e-mail of her own) at 210
    /// used, bob (reached by the e-mail domain), and a billing client's token.
    struct Seeded {
        let server: APIServer
        let token: String
        let client: (id: String, secret: String)

        init() throws {
            server = try APIServer(extra: ["--email-domain", "example.edu"])
            try server.tollgate("account", "add", "Physics", "--code", "PHY-101", "--soft", "200", "--hard", "200", "--global")
            try server.tollgate("user", "edit", "alice", "--email", "Alice.Liddell@uni.example")
            try server.tollgate("user", "add", "bob")
            // The seed's user: 210 of 200 points used (an adjustment adds usage beyond the hard limit).
            try server.tollgate("adjust", "alice", "--account", "Physics", "--reason", "seed: over by 10", "--", "-210")
            client = try server.addClient("bursar", scopes: ["billing-accounts", "reports:read"])
            token = try server.accessToken(client)
        }

        func credit(_ body: String, key: String?, site: String = "tollgate") throws -> APIServer.Reply {
            var headers = ["Authorization": "Bearer \(token)"]
            if let key { headers["Idempotency-Key"] = key }
            return try server.request("POST", "/api/v1/\(site)/activities", body: body, headers: headers)
        }

        func used(_ user: String) throws -> Int? {
            let reply = try server.request("GET", "/api/v1/users/\(user)", headers: ["Authorization": "Bearer \(token)"])
            let accounts = reply.json["accounts"] as? [[String: Any]] ?? []
            return minorUnits(accounts.first { ($0["account"] as? [String: Any])?["code"] as? String == "PHY-101" }?["used"])
        }
    }

    static let seedCredit = #"{"useremail": "alice.liddell@uni.example", "accountId": 1, "activityType": "credit", "quantity": 1, "amount": -120}"#

    /// The seed's worked example: 210 of 200 points used, credit −120 → 90 of 200.
    @Test func theSeedsExampleCreditTakes210Of200To90Of200() throws {
        let t = try Seeded()
        defer { t.server.stop() }
        #expect(try t.used("alice") == 210)
        let reply = try t.credit(Self.seedCredit, key: "seed-1")
        #expect(reply.status == 201, "\(reply.body)")
        let balance = try #require(reply.json["balance"] as? [String: Any])
        #expect(minorUnits(balance["used"]) == 90)
        #expect(minorUnits(balance["hardLimit"]) == 200)
        #expect(minorUnits(balance["remaining"]) == 110)
        #expect(reply.json["user"] as? String == "alice")
        #expect(reply.json["activityType"] as? String == "credit")
        #expect(try t.used("alice") == 90)

        // The same QuotaDB credit as the CLI: a credit row with the client as actor; the ledger proves it.
        let entry = try #require(reply.json["ledgerEntry"] as? [String: Any])
        #expect(entry["kind"] as? String == "credit" && entry["actor"] as? String == "api:bursar")
        #expect(minorUnits(entry["balanceAfter"]) == -90)
        let show = try t.server.tollgate("user", "show", "alice")
        #expect(show.contains("90 points"), "\(show)")
        let ledger = try t.server.tollgate("ledger", "--user", "alice")
        #expect(ledger.contains("api:bursar"), "\(ledger)")
        _ = try t.server.tollgate("check")    // re-derives every balance from the ledger; fails on drift
    }

    @Test func aRetriedCreditIsAppliedOnceAndAReusedKeyWithAnotherBodyIs422() throws {
        let t = try Seeded()
        defer { t.server.stop() }
        let first = try t.credit(Self.seedCredit, key: "retry-me")
        #expect(first.status == 201)
        #expect(first.headers["idempotent-replayed"] == nil)
        let again = try t.credit(Self.seedCredit, key: "retry-me")
        #expect(again.status == 201)
        #expect(again.body == first.body, "the first answer, byte for byte")
        #expect(again.headers["idempotent-replayed"] == "true")
        #expect(try t.used("alice") == 90, "moved once")

        let other = try t.credit(Self.seedCredit.replacingOccurrences(of: "-120", with: "-50"), key: "retry-me")
        #expect(other.status == 422, "\(other.body)")
        #expect(other.headers["content-type"] == "application/problem+json")
        #expect(other.json["type"] as? String == "urn:tollgate:problem:idempotency-key-reused")
        #expect(try t.used("alice") == 90, "nothing moved")

        let noKey = try t.credit(Self.seedCredit, key: nil)
        #expect(noKey.status == 400 && noKey.json["type"] as? String == "urn:tollgate:problem:idempotency-key-missing")
        #expect(try t.used("alice") == 90)

        // Another key is another credit.
        #expect(try t.credit(Self.seedCredit, key: "second").status == 201)
        #expect(try t.used("alice") == -30)
        let credits = try t.server.request("GET", "/api/v1/ledger?user=alice&kind=credit", headers: ["Authorization": "Bearer \(t.token)"])
        #expect((credits.json["items"] as? [Any])?.count == 2)
    }

    @Test func concurrentRetriesOfOneCreditMoveMoneyOnce() throws {
        let t = try Seeded()
        defer { t.server.stop() }
        let body = t.server.state.path + "/credit.json"
        try Data(Self.seedCredit.utf8).write(to: URL(fileURLWithPath: body))
        var command = "for i in 1 2 3 4 5 6 7 8; do curl -s -o /dev/null -w '%{http_code}\\n' -X POST -H 'Content-Type: application/json' "
        command += "-H 'Authorization: Bearer \(t.token)' -H 'Idempotency-Key: race' --data-binary @\(body) \(t.server.base)/api/v1/tollgate/activities & done; wait"
        let result = try ProcessRunner.shell(command)
        #expect(result.stdout.split(separator: "\n").allSatisfy { $0 == "201" }, "\(result.stdout)")
        #expect(try t.used("alice") == 90)
    }

    /// Another process holds the write lock past the busy timeout: 503, nothing moved; the retry
    /// with the same key afterwards moves the money, once.
    @Test func aBusyDatabaseIs503AndTheRetryMovesMoneyOnce() throws {
        let t = try Seeded()
        defer { t.server.stop() }
        let hold = "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN IMMEDIATE'); time.sleep(7); c.execute('COMMIT')"
        let locker = try RunningProcess(["/usr/bin/python3", "-c", hold, t.server.database], captureOutput: false)
        usleep(500_000)
        let busy = try t.credit(Self.seedCredit, key: "busy-1")
        #expect(busy.status == 503, "\(busy.body)")
        #expect(busy.headers["content-type"] == "application/problem+json" && busy.headers["retry-after"] != nil)
        _ = try locker.wait(timeout: 20)
        #expect(try t.used("alice") == 210, "nothing moved")
        let retry = try t.credit(Self.seedCredit, key: "busy-1")
        #expect(retry.status == 201 && retry.headers["idempotent-replayed"] == nil, "\(retry.body)")
        #expect(try t.credit(Self.seedCredit, key: "busy-1").headers["idempotent-replayed"] == "true")
        #expect(try t.used("alice") == 90)
    }

    @Test func unknownUsersAccountsAndSitesAre404Problems() throws {
        let t = try Seeded()
        defer { t.server.stop() }
        let nobody = try t.credit(Self.seedCredit.replacingOccurrences(of: "alice.liddell@uni.example", with: "nobody@example.edu"), key: "a")
        #expect(nobody.status == 404, "\(nobody.body)")
        #expect(nobody.headers["content-type"] == "application/problem+json")
        #expect(nobody.json["type"] as? String == "urn:tollgate:problem:unknown-user")
        #expect(nobody.json["status"] as? Int == 404)
        // alice has an address of her own: the domain rule does not reach her.
        #expect(try t.credit(Self.seedCredit.replacingOccurrences(of: "alice.liddell@uni.example", with: "alice@example.edu"), key: "b").status == 404)

        // bob has no address: bob@example.edu (the --email-domain rule) is him.
        let bob = try t.credit(Self.seedCredit.replacingOccurrences(of: "alice.liddell@uni.example", with: "bob@example.edu"), key: "c")
        #expect(bob.status == 201, "\(bob.body)")
        #expect(bob.json["user"] as? String == "bob")

        let account = try t.credit(Self.seedCredit.replacingOccurrences(of: "\"accountId\": 1", with: "\"accountId\": 99"), key: "d")
        #expect(account.status == 404 && account.headers["content-type"] == "application/problem+json")
        let byCode = try t.credit(Self.seedCredit.replacingOccurrences(of: "\"accountId\": 1", with: "\"accountId\": \"PHY-101\""), key: "e")
        #expect(byCode.status == 201, "\(byCode.body)")
        let site = try t.credit(Self.seedCredit, key: "f", site: "elsewhere")
        #expect(site.status == 404 && site.json["type"] as? String == "urn:tollgate:problem:unknown-site")
    }

    @Test func badBodiesAreProblems() throws {
        let t = try Seeded()
        defer { t.server.stop() }
        let malformed = try t.credit("{not json", key: "m1")
        #expect(malformed.status == 400 && malformed.headers["content-type"] == "application/problem+json")
        let missing = try t.credit(#"{"useremail": "bob@example.edu"}"#, key: "m2")
        #expect(missing.status == 400)
        #expect((missing.json["detail"] as? String)?.contains("accountId") == true, "\(missing.body)")
        let positive = try t.credit(Self.seedCredit.replacingOccurrences(of: "-120", with: "120"), key: "m3")
        #expect(positive.status == 422, "a credit is negative: \(positive.body)")
        let fraction = try t.credit(Self.seedCredit.replacingOccurrences(of: "-120", with: "-1.5"), key: "m4")
        #expect(fraction.status == 422, "points have no decimals: \(fraction.body)")

        let huge = try t.credit(#"{"useremail": ""# + String(repeating: "a", count: 17 * 1024) + #""}"#, key: "m5")
        #expect(huge.status == 413, "\(huge.status) \(huge.body)")
        #expect(huge.headers["content-type"] == "application/problem+json")
        #expect(huge.json["status"] as? Int == 413)

        // A debit adds usage.
        let debit = try t.credit(Self.seedCredit.replacingOccurrences(of: "\"credit\"", with: "\"debit\"").replacingOccurrences(of: "-120", with: "5"), key: "m6")
        #expect(debit.status == 201, "\(debit.body)")
        #expect(try t.used("alice") == 215)
    }
}
