import Foundation
import Hummingbird
import Release

/// Settings of the station's HTTP side.
public struct StationSettings: Sendable {
    /// Seconds without a request after which a session ends (a kiosk signs out by itself).
    public var idleTimeout: TimeInterval
    /// Mark the session cookie `Secure` (and name it `__Host-tollgate`): set this when browsers
    /// reach the station over HTTPS (a TLS reverse proxy), never over plain HTTP.
    public var secureCookies: Bool
    /// Written in the job history as where a release happened.
    public var via: String

    public init(idleTimeout: TimeInterval = 120, secureCookies: Bool = false, via: String = "station") {
        self.idleTimeout = idleTimeout
        self.secureCookies = secureCookies
        self.via = via
    }

    /// The session cookie's name.
    public var cookieName: String { secureCookies ? "__Host-tollgate" : "tollgate_session" }
}

/// The release station and user portal: sign-in, sessions, pages and the JSON API, on top of
/// ``ReleaseService`` (every job operation names the session's user; nothing here reads or
/// changes another user's jobs).
public struct Station: Sendable {
    public let release: ReleaseService
    public let signIn: SignInService
    public let sessions: SessionStore
    /// Each user's held jobs for pages and the API (see ``HeldJobsCache``).
    public let heldJobs: HeldJobsCache
    /// The release queues for follow-me (see ``ReleaseQueueList``).
    public let releaseQueues: ReleaseQueueList
    public let settings: StationSettings
    public let pages: StationPages
    /// Where log lines go (tollgated: stderr, so journald keeps them).
    public let log: @Sendable (String) -> Void
    /// Other web front ends served by the same router (the admin console at /admin).
    public var mounted: [any StationMount] = []

    public init(release: ReleaseService, signIn: SignInService, sessions: SessionStore, settings: StationSettings,
                format: StationFormat = StationFormat(), log: @escaping @Sendable (String) -> Void) {
        self.release = release
        self.signIn = signIn
        self.sessions = sessions
        self.heldJobs = HeldJobsCache(release: release)
        self.releaseQueues = ReleaseQueueList(release: release)
        self.settings = settings
        self.pages = StationPages(idleTimeout: Int(settings.idleTimeout.rounded()), format: format)
        self.log = log
    }

    /// The router with every page, the API and the security headers.
    public func router() -> Router<StationContext> {
        let router = Router(context: StationContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        addPageRoutes(to: router)
        addPortalWalletRoutes(to: router)
        addAPIRoutes(to: router)
        for mount in mounted { mount.addRoutes(to: router) }
        return router
    }
}

/// A web front end that shares the station's server, request context and security headers
/// (tollgated mounts the admin console this way).
public protocol StationMount: Sendable {
    func addRoutes(to router: Router<StationContext>)
}
