import APIAccess
import Hummingbird

/// Who made an API call: the client a valid bearer token belongs to, and the token's scopes.
public struct APIIdentity: Sendable, Hashable {
    public var clientID: ClientID
    public var clientName: String
    public var scopes: Set<Scope>
    /// The ledger's actor for what this client does: `api:NAME`.
    public var actor: String { "api:\(clientName)" }
}

/// The request context of `/api/v1` and `/oauth`: the parent's (the station's) core context plus
/// the caller's identity, filled by ``BearerAuthenticator``.
///
/// Bodies are small JSON or form documents: at most ``AccountsAPISettings/maxBodySize`` bytes
/// (16 KiB); a longer one is a 413 problem, read no further.
public struct APIRequestContext<Parent: RequestContext>: ChildRequestContext {
    public typealias ParentContext = Parent
    public var coreContext: CoreRequestContextStorage
    /// `nil` until ``BearerAuthenticator`` accepted the bearer token.
    public var identity: APIIdentity?

    public init(context: Parent) {
        coreContext = context.coreContext
        identity = nil
    }

    public var maxUploadSize: Int { AccountsAPISettings.maxBodySize }

    /// The identity of an authenticated route (the authenticator ran before it).
    public func requireIdentity() throws -> APIIdentity {
        guard let identity else { throw Problem.unauthenticated(detail: "This call needs a bearer token from POST /oauth/token.") }
        return identity
    }
}
