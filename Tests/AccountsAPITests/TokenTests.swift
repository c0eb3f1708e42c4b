import Foundation
import Testing
import TestSupport

/// OAuth 2.0 client credentials against the real tollgated: tokens, scopes, expiry, revocation.
@Suite(.serialized) struct TokenTests {
    @Test func aClientGetsAShortLivedBearerTokenWithItsScopes() throws {
        let server = try APIServer()
        defer { server.stop() }
        let client = try server.addClient("billing", scopes: ["billing-accounts", "reports:read"])
        #expect(client.id.hasPrefix("tgc_") && client.secret.hasPrefix("tgs_"))

        let reply = try server.token(client)
        #expect(reply.status == 200, "\(reply.body)")
        #expect(reply.json["token_type"] as? String == "Bearer")
        #expect(reply.json["expires_in"] as? Int == 900)
        #expect(reply.json["scope"] as? String == "billing-accounts reports:read")
        #expect(reply.headers["cache-control"] == "no-store")
        let token = try #require(reply.json["access_token"] as? String)
        #expect(try server.request("GET", "/api/v1/accounts", headers: ["Authorization": "Bearer \(token)"]).status == 200)

        // Credentials in the form body work too; narrowing the scope narrows the token.
        let form = try server.request("POST", "/oauth/token",
                                      body: "grant_type=client_credentials&scope=reports%3Aread&client_id=\(client.id)&client_secret=\(client.secret)",
                                      contentType: "application/x-www-form-urlencoded")
        #expect(form.status == 200, "\(form.body)")
        #expect(form.json["scope"] as? String == "reports:read")

        // Only a hash is stored: the secret is nowhere in the database.
        let raw = try Data(contentsOf: URL(fileURLWithPath: server.database)) + ((try? Data(contentsOf: URL(fileURLWithPath: server.database + "-wal"))) ?? Data())
        #expect(raw.range(of: Data(client.secret.utf8)) == nil && raw.range(of: Data(token.utf8)) == nil)
        var info = stat()
        #expect(stat(server.database, &info) == 0 && info.st_mode & 0o077 == 0, "the database stays 0600")

        let list = try server.tollgate("api-client", "list")
        #expect(list.contains("billing") && list.contains(client.id) && list.contains("billing-accounts reports:read"), "\(list)")
        #expect(!list.contains(client.secret))
    }

    @Test func apiClientAddRefusesUnknownScopesAndDuplicateNames() throws {
        let server = try APIServer()
        defer { server.stop() }
        let tollgate = BuiltProducts.executable("tollgate")
        let unknown = try ProcessRunner.run([tollgate, "api-client", "add", "x", "--scope", "everything", "--db", server.database])
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown scope everything"), "\(unknown.stderr)")
        let none = try ProcessRunner.run([tollgate, "api-client", "add", "x", "--db", server.database])
        #expect(none.status != 0 && none.stderr.contains("at least one --scope"))
        _ = try server.addClient("bursar", scopes: ["billing-accounts"])
        let twice = try ProcessRunner.run([tollgate, "api-client", "add", "Bursar", "--scope", "reports:read", "--db", server.database])
        #expect(twice.status != 0 && twice.stderr.contains("already exists"), "\(twice.stderr)")
        let email = try ProcessRunner.run([tollgate, "user", "edit", "alice", "--email", "not-an-address", "--db", server.database])
        #expect(email.status != 0 && email.stderr.contains("is not an e-mail address"), "\(email.stderr)")
    }

    @Test func tokenErrorsAreRFC6749Bodies() throws {
        let server = try APIServer()
        defer { server.stop() }
        let client = try server.addClient("reports", scopes: ["reports:read"])

        let wrong = try server.token((client.id, "tgs_wrong"))
        #expect(wrong.status == 401)
        #expect(wrong.json["error"] as? String == "invalid_client")
        #expect(wrong.headers["www-authenticate"]?.hasPrefix("Basic") == true)
        let unknown = try server.token(("tgc_000000000000000000000000", client.secret))
        #expect(unknown.status == 401 && unknown.json["error"] as? String == "invalid_client")

        let grant = try server.request("POST", "/oauth/token", body: "grant_type=password&client_id=\(client.id)&client_secret=\(client.secret)",
                                       contentType: "application/x-www-form-urlencoded")
        #expect(grant.status == 400 && grant.json["error"] as? String == "unsupported_grant_type", "\(grant.body)")
        let missing = try server.request("POST", "/oauth/token", body: "client_id=\(client.id)&client_secret=\(client.secret)",
                                         contentType: "application/x-www-form-urlencoded")
        #expect(missing.status == 400 && missing.json["error"] as? String == "invalid_request")
        let notForm = try server.request("POST", "/oauth/token", body: "{}", contentType: "application/json")
        #expect(notForm.status == 400 && notForm.json["error"] as? String == "invalid_request")

        let broader = try server.token(client, scope: "billing-accounts")
        #expect(broader.status == 400 && broader.json["error"] as? String == "invalid_scope", "\(broader.body)")
        let bogus = try server.token(client, scope: "everything")
        #expect(bogus.status == 400 && bogus.json["error"] as? String == "invalid_scope")
    }

    @Test func withoutAValidTokenEveryCallIs401AndAMissingScopeIs403() throws {
        let server = try APIServer(extra: ["--email-domain", "example.edu"])
        defer { server.stop() }
        try server.tollgate("account", "add", "Physics", "--code", "PHY", "--soft", "200", "--hard", "200")
        try server.tollgate("user", "add", "alice")
        let body = #"{"useremail": "alice@example.edu", "accountId": 1, "activityType": "credit", "quantity": 1, "amount": -10}"#

        let none = try server.request("POST", "/api/v1/tollgate/activities", body: body, headers: ["Idempotency-Key": "k1"])
        #expect(none.status == 401)
        #expect(none.headers["www-authenticate"] == #"Bearer realm="tollgate""#)
        #expect(none.headers["content-type"] == "application/problem+json")
        #expect(none.json["status"] as? Int == 401 && none.json["title"] != nil && none.json["type"] != nil && none.json["detail"] != nil)
        let bogus = try server.request("GET", "/api/v1/accounts", headers: ["Authorization": "Bearer tgt_nonsense"])
        #expect(bogus.status == 401 && bogus.headers["www-authenticate"]?.contains(#"error="invalid_token""#) == true)

        let reader = try server.addClient("reader", scopes: ["reports:read"])
        let token = try server.accessToken(reader)
        let refused = try server.request("POST", "/api/v1/tollgate/activities", body: body,
                                         headers: ["Authorization": "Bearer \(token)", "Idempotency-Key": "k2"])
        #expect(refused.status == 403, "\(refused.body)")
        #expect(refused.headers["content-type"] == "application/problem+json")
        #expect(refused.json["type"] as? String == "urn:tollgate:problem:insufficient-scope")
        #expect(refused.headers["www-authenticate"]?.contains("insufficient_scope") == true)
        let usage = try server.tollgate("user", "show", "alice")
        #expect(!usage.contains("-10"), "nothing was credited: \(usage)")
        #expect(try server.request("GET", "/api/v1/ledger", headers: ["Authorization": "Bearer \(token)"]).status == 200)
    }

    @Test func anExpiredTokenIs401() throws {
        let server = try APIServer(extra: ["--api-token-lifetime", "1"])
        defer { server.stop() }
        let client = try server.addClient("short", scopes: ["reports:read"])
        let token = try server.accessToken(client)
        #expect(try server.request("GET", "/api/v1/accounts", headers: ["Authorization": "Bearer \(token)"]).status == 200)
        sleep(2)
        let expired = try server.request("GET", "/api/v1/accounts", headers: ["Authorization": "Bearer \(token)"])
        #expect(expired.status == 401, "\(expired.body)")
        #expect(expired.headers["www-authenticate"]?.contains("invalid_token") == true)
    }

    @Test func revokingAClientStopsItsTokensAtOnce() throws {
        let server = try APIServer()
        defer { server.stop() }
        let client = try server.addClient("revokee", scopes: ["reports:read"])
        let token = try server.accessToken(client)
        #expect(try server.request("GET", "/api/v1/accounts", headers: ["Authorization": "Bearer \(token)"]).status == 200)
        let revoked = try server.tollgate("api-client", "revoke", client.id)
        #expect(revoked.contains("revoked revokee"))
        let after = try server.request("GET", "/api/v1/accounts", headers: ["Authorization": "Bearer \(token)"])
        #expect(after.status == 401, "\(after.body)")
        #expect(try server.token(client).json["error"] as? String == "invalid_client", "no new token either")
        let list = try server.tollgate("api-client", "list", "--json")
        #expect(list.contains("\"revokedAt\""), "\(list)")
        #expect(list.contains("\"lastUsedAt\""), "\(list)")
    }
}
