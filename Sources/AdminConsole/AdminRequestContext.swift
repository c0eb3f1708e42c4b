import Hummingbird
import Station

/// The request context of every page behind the admin sign-in: the station's context plus what
/// ``AdminAccessMiddleware`` established (the admin, the session, a POST's checked form).
public struct AdminRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's address (as the station sees it).
    public let clientAddress: ClientAddress
    /// Set by ``AdminAccessMiddleware`` before any handler runs.
    public internal(set) var session: AdminSession?
    /// A POST's form, read once and already checked against the session's CSRF token.
    public internal(set) var form = FormData("")
    /// A `multipart/form-data` POST's files (the quote box's document), by field name.
    var uploads: [String: MultipartForm.File] = [:]

    public init(context: StationContext) throws {
        coreContext = context.coreContext
        clientAddress = context.clientAddress
    }

    /// Rates cards are edited in a text area: allow more than the station's 64 KiB.
    public var maxUploadSize: Int { 512 * 1024 }
    /// A document for the quote box (`multipart/form-data` only).
    public var maxDocumentSize: Int { 32 * 1024 * 1024 }

    /// The signed-in admin. Failure policy: behind the middleware it is always there; a route
    /// mounted without it answers 403 rather than act for nobody.
    public func admin() throws -> AdminIdentity {
        guard let identity = session?.identity else { throw HTTPError(.forbidden) }
        return identity
    }

    /// The session's CSRF token, for the forms of the page.
    public var csrfToken: String { session?.csrfToken ?? "" }
}
