import APIAccess
import Foundation
import Hummingbird
import QuotaDB

/// `POST /oauth/token`: OAuth 2.0 client credentials (RFC 6749 §4.4).
///
/// The client authenticates with HTTP Basic (`client_id:client_secret`, form-encoded, §2.3.1) or
/// with `client_id` and `client_secret` in the form body (not both). `grant_type` must be
/// `client_credentials`; `scope` (space-separated) narrows the token to some of the client's
/// scopes. Answer: `{access_token, token_type: "Bearer", expires_in, scope}`, never cached.
///
/// Failure policy (RFC 6749 §5.2 bodies `{error, error_description}`): unknown client, wrong
/// secret or revoked client → 401 `invalid_client` (the same answer for all three, after the same
/// work); a missing or repeated parameter or a body that is not a form → 400 `invalid_request`;
/// another grant type → 400 `unsupported_grant_type`; a scope the client does not have or that
/// does not exist → 400 `invalid_scope`. No token is stored for any of them.
struct TokenController<Parent: RequestContext> {
    typealias Context = APIRequestContext<Parent>
    let store: any PrintAccountingStore
    let settings: AccountsAPISettings

    struct TokenForm: Decodable {
        var grant_type: String?
        var scope: String?
        var client_id: String?
        var client_secret: String?
    }

    struct TokenResponse: Encodable {
        var access_token: String
        var token_type: String
        var expires_in: Int
        var scope: String
    }

    /// RFC 6749 §5.2's error body, with RFC 9457's members beside it.
    struct OAuthError: Error, HTTPResponseError, Encodable {
        var error: String
        var error_description: String
        var httpStatus: HTTPResponse.Status
        var basicChallenge = false

        enum CodingKeys: String, CodingKey { case error, error_description, type, title, status, detail }

        var status: HTTPResponse.Status { httpStatus }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(error, forKey: .error)
            try c.encode(error_description, forKey: .error_description)
            try c.encode("urn:ietf:params:oauth:error:\(error)", forKey: .type)
            try c.encode(httpStatus.reasonPhrase, forKey: .title)
            try c.encode(httpStatus.code, forKey: .status)
            try c.encode(error_description, forKey: .detail)
        }

        func response(from request: Request, context: some RequestContext) throws -> Response {
            var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store", .init("Pragma")!: "no-cache"]
            if basicChallenge { headers[.wwwAuthenticate] = #"Basic realm="tollgate""# }
            return Response(status: httpStatus, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try APIJSON.encoder.encode(self))))
        }

        static func invalidRequest(_ text: String) -> OAuthError { .init(error: "invalid_request", error_description: text, httpStatus: .badRequest) }
    }

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("token", use: token)
    }

    @Sendable func token(_ request: Request, context: Context) async throws -> Response {
        do {
            return try await issue(request, context: context)
        } catch let error as OAuthError {
            if error.error == "invalid_client" { context.logger.notice("oauth: \(error.error_description)") }
            return try error.response(from: request, context: context)
        }
    }

    private func issue(_ request: Request, context: Context) async throws -> Response {
        let contentType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard contentType == "application/x-www-form-urlencoded" else {
            throw OAuthError.invalidRequest("The body must be application/x-www-form-urlencoded (RFC 6749 §4.4.2).")
        }
        var body = request
        let text = String(buffer: try await body.collectBody(upTo: context.maxUploadSize))
        let names = text.split(separator: "&").map { $0.split(separator: "=", maxSplits: 1).first.map(String.init) ?? "" }
        guard Set(names).count == names.count else { throw OAuthError.invalidRequest("A parameter is repeated (RFC 6749 §3.2).") }
        let form: TokenForm
        do {
            form = try URLEncodedFormDecoder().decode(TokenForm.self, from: text)
        } catch {
            throw OAuthError.invalidRequest("The body is not a form.")
        }
        guard let grantType = form.grant_type, !grantType.isEmpty else { throw OAuthError.invalidRequest("grant_type is missing.") }
        guard grantType == "client_credentials" else {
            throw OAuthError(error: "unsupported_grant_type", error_description: "Only grant_type=client_credentials is supported.", httpStatus: .badRequest)
        }

        var clientID = form.client_id, secret = form.client_secret
        if let header = request.headers[.authorization] {
            guard form.client_id == nil, form.client_secret == nil else {
                throw OAuthError.invalidRequest("Authenticate with HTTP Basic or with client_id and client_secret in the body, not both.")
            }
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "basic", let decoded = Data(base64Encoded: String(parts[1])),
                  let pair = String(data: decoded, encoding: .utf8), let colon = pair.firstIndex(of: ":") else {
                throw OAuthError(error: "invalid_client", error_description: "The Authorization header must be Basic client_id:client_secret.",
                                 httpStatus: .unauthorized, basicChallenge: true)
            }
            clientID = String(pair[..<colon]).removingPercentEncoding
            secret = String(pair[pair.index(after: colon)...]).removingPercentEncoding
        }
        guard let clientID, let secret else {
            throw OAuthError(error: "invalid_client", error_description: "Client authentication is missing (HTTP Basic, or client_id and client_secret).",
                             httpStatus: .unauthorized, basicChallenge: true)
        }

        let store = self.store
        let client = try await Blocking.run { try store.apiClient(id: clientID) }
        // The same work whether or not the client exists: a comparison with a hash either way.
        let matches = APICredentials.verify(secret: secret, against: client?.secretHash ?? Data(count: 32))
        guard let client, matches, client.revokedAt == nil else {
            throw OAuthError(error: "invalid_client",
                             error_description: "Unknown client, wrong secret, or a revoked client.",
                             httpStatus: .unauthorized, basicChallenge: true)
        }

        var scopes = client.knownScopes
        if let asked = form.scope, !asked.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let wanted = Scope.parseList(asked) else {
                throw OAuthError(error: "invalid_scope", error_description: "Unknown scope in \"\(asked)\"; scopes are \(Scope.allCases.map(\.rawValue).joined(separator: ", ")).",
                                 httpStatus: .badRequest)
            }
            guard wanted.isSubset(of: scopes) else {
                throw OAuthError(error: "invalid_scope", error_description: "Client \(client.name) may not ask for \(Scope.list(wanted.subtracting(scopes))).",
                                 httpStatus: .badRequest)
            }
            scopes = wanted
        }
        let token = APICredentials.newToken()
        let lifetime = settings.tokenLifetime
        let expiresAt = Date().addingTimeInterval(lifetime)
        let granted = Scope.allCases.filter(scopes.contains).map(\.rawValue)
        do {
            try await Blocking.run { try store.issueAPIToken(hash: APICredentials.hash(token), clientID: client.id, scopes: granted, expiresAt: expiresAt) }
        } catch QuotaError.apiClientNotFound {
            throw OAuthError(error: "invalid_client", error_description: "Unknown client, wrong secret, or a revoked client.",
                             httpStatus: .unauthorized, basicChallenge: true)
        }
        context.logger.info("oauth: token for \(client.name) (\(client.id)), scope \(granted.joined(separator: " "))")
        return try APIJSON.response(TokenResponse(access_token: token, token_type: "Bearer", expires_in: Int(lifetime.rounded()),
                                                  scope: granted.joined(separator: " ")),
                                    headers: [.init("Pragma")!: "no-cache"])
    }
}
