import Foundation
import Testing
import TestSupport

/// Wallet top-ups: by an API client with an Idempotency-Key, and by a payment site's signed callback.
@Suite(.serialized) struct TopUpTests {
    static func hmac(_ body: String, key: String) throws -> String {
        // Python's hmac, not the server's code: the two must agree.
        let script = "import hmac, hashlib, sys; print(hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), hashlib.sha256).hexdigest())"
        let result = try ProcessRunner.run(["/usr/bin/python3", "-c", script, key, body])
        return "sha256=" + String(result.stdout.prefix(64))
    }

    @Test func aSignedCallbackCreditsTheWalletOncePerPaymentID() throws {
        let server = try APIServer(currency: "EUR", extra: ["--email-domain", "example.edu"])
        defer { server.stop() }
        try server.tollgate("user", "add", "alice")
        let added = try server.tollgate("payment-site", "add", "paybox")
        let key = try #require(added.split(separator: "\n").first { $0.hasPrefix("signing key:") }.map { $0.dropFirst("signing key:".count).trimmingCharacters(in: .whitespaces) })
        #expect(key.count == 64)
        let body = #"{"paymentId": "PX-1", "useremail": "alice@example.edu", "amount": "5.00"}"#

        let unsigned = try server.request("POST", "/api/v1/payment-sites/paybox/callback", body: body)
        #expect(unsigned.status == 401 && unsigned.headers["content-type"] == "application/problem+json")
        let forged = try server.request("POST", "/api/v1/payment-sites/paybox/callback", body: body,
                                        headers: ["X-Tollgate-Signature": try Self.hmac(body, key: "not the key")])
        #expect(forged.status == 401)
        let otherSite = try server.request("POST", "/api/v1/payment-sites/nosuch/callback", body: body,
                                           headers: ["X-Tollgate-Signature": try Self.hmac(body, key: key)])
        #expect(otherSite.status == 401)
        #expect(try server.tollgate("user", "show", "alice").contains("wallet:         0.00 EUR"))

        let signature = try Self.hmac(body, key: key)
        let first = try server.request("POST", "/api/v1/payment-sites/paybox/callback", body: body, headers: ["X-Tollgate-Signature": signature])
        #expect(first.status == 200, "\(first.body)")
        #expect(first.json["replayed"] as? Bool == false)
        #expect(minorUnits(first.json["amount"]) == 500)
        #expect((first.json["ledgerEntry"] as? [String: Any])?["actor"] as? String == "payment:paybox")
        let again = try server.request("POST", "/api/v1/payment-sites/paybox/callback", body: body, headers: ["X-Tollgate-Signature": signature])
        #expect(again.status == 200 && again.json["replayed"] as? Bool == true)
        #expect(try server.tollgate("user", "show", "alice").contains("wallet:         5.00 EUR"), "credited once")

        let changed = #"{"paymentId": "PX-1", "useremail": "alice@example.edu", "amount": "50.00"}"#
        let conflict = try server.request("POST", "/api/v1/payment-sites/paybox/callback", body: changed,
                                          headers: ["X-Tollgate-Signature": try Self.hmac(changed, key: key)])
        #expect(conflict.status == 409, "\(conflict.body)")
        #expect(try server.tollgate("user", "show", "alice").contains("wallet:         5.00 EUR"))
        _ = try server.tollgate("check")
    }

    @Test func aClientTopsUpWithAnIdempotencyKey() throws {
        let server = try APIServer(currency: "EUR", extra: ["--email-domain", "example.edu"])
        defer { server.stop() }
        try server.tollgate("user", "add", "bob")
        let token = try server.accessToken(try server.addClient("kiosk", scopes: ["billing-accounts"]))
        let body = #"{"useremail": "bob@example.edu", "amount": 2.5, "reference": "till-7"}"#
        let headers = ["Authorization": "Bearer \(token)", "Idempotency-Key": "t1"]
        let first = try server.request("POST", "/api/v1/tollgate/topups", body: body, headers: headers)
        #expect(first.status == 201, "\(first.body)")
        #expect(minorUnits((first.json["ledgerEntry"] as? [String: Any])?["balanceAfter"]) == 250)
        let again = try server.request("POST", "/api/v1/tollgate/topups", body: body, headers: headers)
        #expect(again.status == 201 && again.body == first.body && again.headers["idempotent-replayed"] == "true")
        // The same payment reference under a new key is still credited once.
        let newKey = try server.request("POST", "/api/v1/tollgate/topups", body: body,
                                        headers: ["Authorization": "Bearer \(token)", "Idempotency-Key": "t2"])
        #expect(newKey.status == 201)
        #expect(try server.tollgate("user", "show", "bob").contains("wallet:         2.50 EUR"))
        let zero = try server.request("POST", "/api/v1/tollgate/topups", body: #"{"useremail": "bob@example.edu", "amount": 0}"#,
                                      headers: ["Authorization": "Bearer \(token)", "Idempotency-Key": "t3"])
        #expect(zero.status == 422)
    }
}
