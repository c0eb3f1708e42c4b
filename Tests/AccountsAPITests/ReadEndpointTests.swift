import Foundation
import Pricing
import QuotaDB
import Testing
import TestSupport

/// Accounts, users and the ledger over the real tollgated; unknown paths and methods as problems.
@Suite(.serialized) struct ReadEndpointTests {
    @Test func accountsAreListedCreatedChangedAndArchivedWithTheirScopes() throws {
        let server = try APIServer()
        defer { server.stop() }
        try server.tollgate("account", "add", "Physics", "--code", "PHY-101", "--soft", "150", "--hard", "200")
        let reader = try server.accessToken(try server.addClient("reader", scopes: ["reports:read"]))
        let admin = try server.accessToken(try server.addClient("admin", scopes: ["accounts:admin"]))
        func call(_ method: String, _ path: String, _ token: String, body: String? = nil) throws -> APIServer.Reply {
            try server.request(method, path, body: body, headers: ["Authorization": "Bearer \(token)"])
        }

        let list = try call("GET", "/api/v1/accounts", reader)
        #expect(list.status == 200, "\(list.body)")
        let physics = try #require(list.array.first)
        #expect(physics["name"] as? String == "Physics" && physics["code"] as? String == "PHY-101")
        #expect(physics["allocation"] as? String == "limited")
        #expect(minorUnits(physics["softLimit"]) == 150 && minorUnits(physics["hardLimit"]) == 200)
        #expect(try call("GET", "/api/v1/accounts/1", reader).json["code"] as? String == "PHY-101")
        #expect(try call("GET", "/api/v1/accounts/PHY-101", admin).json["id"] as? Int == 1, "accounts:admin reads too")
        let missing = try call("GET", "/api/v1/accounts/NOPE", reader)
        #expect(missing.status == 404 && missing.headers["content-type"] == "application/problem+json")

        let body = #"{"name": "Chemistry", "code": "CHE-1", "access": "global", "softLimit": 80, "hardLimit": "100"}"#
        #expect(try call("POST", "/api/v1/accounts", reader, body: body).status == 403, "reports:read cannot create")
        let created = try call("POST", "/api/v1/accounts", admin, body: body)
        #expect(created.status == 201, "\(created.body)")
        #expect(created.headers["location"] == "/api/v1/accounts/2")
        #expect(created.json["access"] as? String == "global" && minorUnits(created.json["hardLimit"]) == 100)
        let again = try call("POST", "/api/v1/accounts", admin, body: body)
        #expect(again.status == 409 && again.headers["content-type"] == "application/problem+json", "\(again.body)")
        let inverted = try call("POST", "/api/v1/accounts", admin, body: #"{"name": "Bad", "code": "BAD", "softLimit": 10, "hardLimit": 5}"#)
        #expect(inverted.status == 422, "\(inverted.body)")

        let changed = try call("PATCH", "/api/v1/accounts/CHE-1", admin, body: #"{"enabled": false, "allocation": "unlimited"}"#)
        #expect(changed.status == 200, "\(changed.body)")
        #expect(changed.json["enabled"] as? Bool == false && changed.json["allocation"] as? String == "unlimited")
        #expect(try call("PATCH", "/api/v1/accounts/CHE-1", admin, body: #"{"archived": true}"#).json["archived"] as? Bool == true)
        #expect(try call("GET", "/api/v1/accounts", reader).array.count == 1, "archived accounts are hidden")
        #expect(try call("GET", "/api/v1/accounts?archived=true", reader).array.count == 2)
        #expect(try server.tollgate("account", "list", "--archived").contains("Chemistry"), "the CLI sees the same accounts")

        // Access by users and groups.
        #expect(try call("PUT", "/api/v1/accounts/PHY-101/grants/users/alice", reader).status == 403)
        let granted = try call("PUT", "/api/v1/accounts/PHY-101/grants/users/alice", admin)
        #expect(granted.status == 200 && granted.json["users"] as? [String] == ["alice"], "\(granted.body)")
        _ = try call("PUT", "/api/v1/accounts/PHY-101/grants/groups/students", admin)
        _ = try call("PUT", "/api/v1/accounts/PHY-101/grants/groups/students", admin)
        let grants = try call("GET", "/api/v1/accounts/1/grants", reader)
        #expect(grants.json["groups"] as? [String] == ["students"] && grants.json["access"] as? String == "restricted", "\(grants.body)")
        #expect(try server.tollgate("account", "list", "--user", "alice").contains("Physics"), "alice may use it now")
        let revoked = try call("DELETE", "/api/v1/accounts/PHY-101/grants/users/alice", admin)
        #expect(revoked.status == 200 && revoked.json["users"] as? [String] == [])
        #expect(try call("PUT", "/api/v1/accounts/PHY-101/grants/teams/x", admin).status == 404)
    }

    @Test func usersAndLedgerArePaged() throws {
        let server = try APIServer()
        defer { server.stop() }
        try server.tollgate("user", "add", "ann", "bea", "cid")
        try server.tollgate("user", "edit", "bea", "--email", "bea@example.org")
        for amount in ["5", "6", "7"] { try server.tollgate("topup", "ann", amount) }
        let token = try server.accessToken(try server.addClient("reports", scopes: ["reports:read"]))
        func get(_ path: String) throws -> APIServer.Reply { try server.request("GET", path, headers: ["Authorization": "Bearer \(token)"]) }

        let first = try get("/api/v1/users?limit=2")
        #expect((first.json["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["ann", "bea"])
        #expect((first.json["items"] as? [[String: Any]])?[1]["email"] as? String == "bea@example.org")
        let next = try #require(first.json["next"] as? String)
        let second = try get("/api/v1/users?limit=2&after=\(next)")
        #expect((second.json["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["cid"])
        #expect(second.json["next"] == nil)
        #expect(try get("/api/v1/users?limit=0").status == 400)

        // A student system keeps the addresses in step (accounts:admin).
        let admin = try server.accessToken(try server.addClient("sis", scopes: ["accounts:admin"]))
        func patch(_ path: String, _ body: String, _ bearer: String) throws -> APIServer.Reply {
            try server.request("PATCH", path, body: body, headers: ["Authorization": "Bearer \(bearer)"])
        }
        #expect(try patch("/api/v1/users/cid", #"{"email": "cid@example.org"}"#, token).status == 403)
        let set = try patch("/api/v1/users/cid", #"{"email": "cid@example.org"}"#, admin)
        #expect(set.status == 200 && set.json["email"] as? String == "cid@example.org", "\(set.body)")
        #expect(try patch("/api/v1/users/ann", #"{"email": "CID@example.org"}"#, admin).status == 409)
        #expect(try patch("/api/v1/users/ann", #"{"email": "nope"}"#, admin).status == 422)
        #expect(try patch("/api/v1/users/cid", #"{"email": null}"#, admin).json["email"] == nil)
        #expect(try server.tollgate("user", "show", "cid").contains("e-mail") == false)

        let ann = try get("/api/v1/users/ann")
        #expect(minorUnits(ann.json["wallet"]) == 18, "\(ann.body)")
        let nobody = try get("/api/v1/users/nobody")
        #expect(nobody.status == 404 && nobody.headers["content-type"] == "application/problem+json")

        let page1 = try get("/api/v1/ledger?user=ann&kind=top-up&limit=2")
        let items1 = try #require(page1.json["items"] as? [[String: Any]])
        #expect(items1.compactMap { minorUnits($0["amount"]) } == [5, 6], "\(page1.body)")
        let cursor = try #require(page1.json["next"] as? String)
        let page2 = try get("/api/v1/ledger?user=ann&kind=top-up&limit=2&after=\(cursor)")
        #expect((page2.json["items"] as? [[String: Any]])?.compactMap { minorUnits($0["amount"]) } == [7])
        #expect(try get("/api/v1/ledger?kind=bogus").status == 400)
        #expect(try get("/api/v1/ledger?from=yesterday").status == 400)
        #expect(try get("/api/v1/ledger?wallet=true&from=2000-01-01T00:00:00Z").status == 200)
    }

    @Test func unknownPathsAndMethodsAreProblems() throws {
        let server = try APIServer()
        defer { server.stop() }
        let token = try server.accessToken(try server.addClient("reports", scopes: ["reports:read"]))
        let nothing = try server.request("GET", "/api/v1/nothing/here", headers: ["Authorization": "Bearer \(token)"])
        #expect(nothing.status == 404 && nothing.headers["content-type"] == "application/problem+json")
        #expect(nothing.json["status"] as? Int == 404)
        let method = try server.request("DELETE", "/api/v1/accounts", headers: ["Authorization": "Bearer \(token)"])
        #expect(method.status == 405 && method.headers["content-type"] == "application/problem+json", "\(method.body)")
        #expect(method.headers["allow"] == "GET, POST")
        let token405 = try server.request("GET", "/oauth/token")
        #expect(token405.status == 405 && token405.headers["allow"] == "POST")
        let activities = try server.request("GET", "/api/v1/tollgate/activities")
        #expect(activities.status == 405 && activities.headers["allow"] == "POST")

        // The station's own pages are untouched by the API's fallback.
        #expect(try server.request("GET", "/no-such-page").headers["content-type"]?.hasPrefix("text/plain") == true)
        let served = try server.request("GET", "/api/v1/openapi.json")
        #expect(served.status == 200 && served.headers["content-type"] == "application/json")
        #expect(served.body.contains("\"openapi\": \"3.1.0\""))
    }
}

/// Usage reports and the per-client rate limit.
@Suite(.serialized) struct ReportAndLimitTests {
    @Test func theUsageReportSumsCreditsAndTopUpsPerUser() throws {
        let server = try APIServer(currency: "EUR")
        defer { server.stop() }
        try server.tollgate("account", "add", "Physics", "--code", "PHY", "--hard", "10.00")
        try server.tollgate("topup", "ann", "4.00")
        try server.tollgate("credit", "ann", "1.50", "--account", "Physics")
        let token = try server.accessToken(try server.addClient("reports", scopes: ["reports:read"]))
        let reply = try server.request("GET", "/api/v1/reports/usage?by=user", headers: ["Authorization": "Bearer \(token)"])
        #expect(reply.status == 200, "\(reply.body)")
        let rows = try #require(reply.json["rows"] as? [[String: Any]])
        let ann = try #require(rows.first { $0["user"] as? String == "ann" })
        #expect(minorUnits(ann["toppedUp"]) == 400 && minorUnits(ann["credited"]) == 150, "\(ann)")
        #expect(try server.request("GET", "/api/v1/reports/usage?by=printer", headers: ["Authorization": "Bearer \(token)"]).status == 400)
        let perQueue = try server.request("GET", "/api/v1/reports/usage?by=queue", headers: ["Authorization": "Bearer \(token)"])
        #expect(perQueue.status == 200 && perQueue.json["by"] as? String == "queue", "\(perQueue.body)")
    }

    @Test func aClientOverItsRateLimitGets429() throws {
        let server = try APIServer(extra: ["--api-rate-limit", "5"])
        defer { server.stop() }
        let busy = try server.addClient("busy", scopes: ["reports:read"])
        let token = try server.accessToken(busy)
        let statuses = try (1...7).map { _ in try server.request("GET", "/api/v1/accounts", headers: ["Authorization": "Bearer \(token)"]) }
        #expect(statuses.prefix(5).allSatisfy { $0.status == 200 }, "\(statuses.map(\.status))")
        let refused = try #require(statuses.last)
        #expect(refused.status == 429 && refused.headers["content-type"] == "application/problem+json")
        #expect(Int(refused.headers["retry-after"] ?? "") ?? 0 >= 1)
        // Another client has its own budget.
        let other = try server.accessToken(try server.addClient("calm", scopes: ["reports:read"]))
        #expect(try server.request("GET", "/api/v1/accounts", headers: ["Authorization": "Bearer \(other)"]).status == 200)
    }
}

/// Held jobs as the quota database records them.
@Suite(.serialized) struct HeldJobsEndpointTests {
    @Test func heldJobsAreListedByOwnerAndState() throws {
        let server = try APIServer(currency: "EUR")
        defer { server.stop() }
        let store = try SQLQuotaStore(location: DatabaseLocation(path: server.database))
        let now = Date()
        for (id, owner) in [(7, "ann"), (8, "bea")] {
            _ = try store.recordHeld(HeldJob(jobKey: "host/\(id)/1", jobID: id, queue: "secure", owner: owner, title: "thesis.pdf", pageSides: 3,
                                             sheets: 3, copies: 1, colourPages: 1, price: Money(minorUnits: 37, currency: .eur), ratesCard: "default",
                                             heldAt: now, expiresAt: now.addingTimeInterval(3600)), reason: nil, actor: "backend")
        }
        let token = try server.accessToken(try server.addClient("reports", scopes: ["reports:read"]))
        let all = try server.request("GET", "/api/v1/held-jobs", headers: ["Authorization": "Bearer \(token)"])
        #expect(all.status == 200 && all.array.count == 2, "\(all.body)")
        let ann = try server.request("GET", "/api/v1/held-jobs?user=ann", headers: ["Authorization": "Bearer \(token)"])
        #expect(ann.array.map { $0["jobID"] as? Int } == [7])
        #expect(minorUnits(ann.array.first?["price"]) == 37 && ann.array.first?["state"] as? String == "held")
        #expect(try server.request("GET", "/api/v1/held-jobs?state=printed", headers: ["Authorization": "Bearer \(token)"]).array.isEmpty)
        #expect(try server.request("GET", "/api/v1/held-jobs?state=lost", headers: ["Authorization": "Bearer \(token)"]).status == 400)
    }
}
