import APIAccess
import Foundation
import Hummingbird
import QuotaDB

/// Authenticates `Authorization: Bearer TOKEN` and puts the client's identity in the context
/// (hummingbird-auth's idiom: an authenticator middleware filling the request context).
///
/// Failure policy: no token, a malformed header, an unknown or expired token, or a token of a
/// revoked client → 401 problem with `WWW-Authenticate: Bearer` (RFC 6750), and the route never
/// runs; which of these it was is not said (it is logged). A client over its rate limit → 429
/// with `Retry-After`. A busy database → 503.
struct BearerAuthenticator<Parent: RequestContext>: RouterMiddleware {
    typealias Context = APIRequestContext<Parent>
    let store: any PrintAccountingStore
    let limiter: ClientRateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw Problem.unauthenticated(detail: "This call needs `Authorization: Bearer TOKEN`; get a token from POST /oauth/token.")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            throw Problem.unauthenticated(detail: "The Authorization header must be `Bearer TOKEN`.", invalidToken: true)
        }
        let hash = APICredentials.hash(String(parts[1]).trimmingCharacters(in: .whitespaces))
        let store = self.store
        let grant = try await Blocking.run { try store.apiToken(hash: hash) }
        guard let grant else {
            context.logger.notice("api: refused a bearer token that is unknown, expired or of a revoked client")
            throw Problem.unauthenticated(detail: "The token is not valid: it expired, or its client was revoked. Get a new one from POST /oauth/token.",
                                          invalidToken: true)
        }
        if let wait = await limiter.admit(grant.client.id) {
            throw Problem("rate-limited", status: .tooManyRequests,
                          detail: "Client \(grant.client.name) made more than \(limiter.perMinute) calls in a minute; retry in \(wait) s.",
                          headers: ["Retry-After": String(wait)])
        }
        var context = context
        context.identity = APIIdentity(clientID: ClientID(grant.client.id), clientName: grant.client.name,
                                       scopes: Set(grant.scopes.compactMap(Scope.init(rawValue:))).intersection(grant.client.knownScopes))
        let (id, lastUsed) = (grant.client.id, grant.client.lastUsedAt)
        _ = try? await Blocking.run { try store.touchAPIClient(id, lastUsedAt: lastUsed) }
        return try await next(request, context)
    }
}

/// A route group's scope: the token must carry one of `scopes`, else 403 problem
/// (`insufficient_scope`, RFC 6750 §3.1).
struct RequireScope<Parent: RequestContext>: RouterMiddleware {
    typealias Context = APIRequestContext<Parent>
    let scopes: [Scope]

    init(_ scopes: Scope...) { self.scopes = scopes }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let identity = try context.requireIdentity()
        guard scopes.contains(where: identity.scopes.contains) else {
            let needed = scopes.map(\.rawValue).joined(separator: " or ")
            throw Problem("insufficient-scope", status: .forbidden,
                          detail: "This call needs the scope \(needed); client \(identity.clientName) has \(Scope.list(identity.scopes).isEmpty ? "none" : Scope.list(identity.scopes)).",
                          headers: ["WWW-Authenticate": #"Bearer realm="tollgate", error="insufficient_scope", scope="\#(scopes.map(\.rawValue).joined(separator: " "))""#])
        }
        return try await next(request, context)
    }
}

/// Runs the database's blocking calls on a thread of their own, off NIO's event loops and
/// Swift's cooperative pool (SQLite may wait for its busy timeout).
enum Blocking {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let result: Result<T, any Error> = await withCheckedContinuation { continuation in
            let thread = Thread {
                do { continuation.resume(returning: .success(try body())) } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            thread.name = "tollgated-api"
            thread.start()
        }
        return try result.get()
    }
}
