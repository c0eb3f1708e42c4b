import Foundation
import Hummingbird

/// `GET /api/v1/openapi.json`: the API's OpenAPI 3.1 document, the contract (kept in the
/// repository as `docs/openapi.json`, compiled in). No token needed.
struct OpenAPIController<Parent: RequestContext> {
    typealias Context = APIRequestContext<Parent>

    static var document: [UInt8] { PackageResources.openapi_json }

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(bytes: Self.document)))
        }
    }
}

/// The OpenAPI document, for tests and tools.
public enum AccountsAPIDocument {
    public static var json: Data { Data(PackageResources.openapi_json) }
}
