import AccountsAPI
import Foundation
import Hummingbird
import Pricing
import QuotaDB
import Testing
import TestSupport

/// The OpenAPI document is the contract: every route the API registers is in it, and every
/// operation in it is a route.
struct OpenAPIDocumentTests {
    static func document() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: AccountsAPIDocument.json) as? [String: Any])
    }

    @Test func everyRegisteredRouteIsInTheDocumentAndViceVersa() throws {
        let directory = try TemporaryDirectory(mode: 0o700)
        let store = try SQLQuotaStore(location: DatabaseLocation(path: directory.path + "/tollgate.db"),
                                         options: .init(create: true, currency: .points))
        let router = Router()
        AccountsAPI(store: store).addRoutes(to: router)
        let registered = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" }
            .filter { route in AccountsAPI.prefixes.contains { route.split(separator: " ")[1].hasPrefix($0) } })
        #expect(registered.count >= 9, "\(registered)")

        let document = try Self.document()
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var described: Set<String> = []
        for (path, item) in paths {
            for method in ["get", "put", "post", "patch", "delete", "head", "options"] where item[method] != nil {
                described.insert("\(method.uppercased()) \(path)")
            }
        }
        #expect(registered.subtracting(described).isEmpty, "registered but not in docs/openapi.json: \(registered.subtracting(described).sorted())")
        #expect(described.subtracting(registered).isEmpty, "in docs/openapi.json but not registered: \(described.subtracting(registered).sorted())")
    }

    @Test func theDocumentInDocsIsTheOneServed() throws {
        let docs = BuiltProducts.packageRoot.appendingPathComponent("docs/openapi.json")
        #expect(try Data(contentsOf: docs) == AccountsAPIDocument.json)
    }

    /// Every operation says what its errors look like, and every reference resolves.
    @Test func everyOperationHasProblemResponsesAndEveryReferenceResolves() throws {
        let document = try Self.document()
        let text = String(decoding: AccountsAPIDocument.json, as: UTF8.self)
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let references = text.matches(of: /"\$ref": "#\/components\/schemas\/([A-Za-z]+)"/).map { String($0.1) }
        for name in Set(references) { #expect(schemas[name] != nil, "dangling $ref \(name)") }
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        for (path, item) in paths {
            for (method, operation) in item where method != "parameters" {
                let responses = try #require((operation as? [String: Any])?["responses"] as? [String: Any], "\(method) \(path)")
                #expect(responses.keys.contains { $0.hasPrefix("4") }, "\(method) \(path) documents no error")
            }
        }
    }
}
