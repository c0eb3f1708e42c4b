import Foundation
import Hummingbird
import QuotaDB
import Station

/// The admin console at `/admin`: server-rendered pages (no JavaScript) for members of the admin
/// group, on the station's server, look and sign-in (PAM through ``SignInService``, whose limiter
/// the station shares).
///
/// Sections (one controller each, `addRoutes(to:)`): accounts, users (money, card and PIN,
/// active account), reports and the ledger check, the ledger, rates cards (and the quote box),
/// queues, client settings. ``AdminAccessMiddleware`` guards every one of them.
///
/// Every change goes through the same store calls (``PrintAccountingStore``) as `tollgate account …`,
/// `tollgate credit|topup|adjust|refund`, `tollgate pin set`, with the admin as actor
/// (`admin:NAME`).
public struct AdminConsole: StationMount {
    public let store: any PrintAccountingStore
    public let signIn: SignInService
    public let sessions: AdminSessionStore
    public let settings: AdminSettings
    /// System groups (NSS): who is in the admin group, read at sign-in.
    public let groups: any SystemGroupResolver
    /// cupsd's socket or host:port for the queues page (`nil`: libcups's default).
    public let cupsServer: String?
    public let log: @Sendable (String) -> Void
    let pages: AdminPages

    public init(store: any PrintAccountingStore, signIn: SignInService, settings: AdminSettings,
                cupsServer: String? = nil, groups: any SystemGroupResolver = NSSGroupResolver(),
                log: @escaping @Sendable (String) -> Void) {
        self.cupsServer = cupsServer
        self.store = store
        self.signIn = signIn
        self.settings = settings
        self.sessions = AdminSessionStore(idleTimeout: settings.idleTimeout)
        self.groups = groups
        self.log = log
        self.pages = AdminPages(idleTimeout: Int(settings.idleTimeout.rounded()))
    }

    public func addRoutes(to router: Router<StationContext>) {
        log("admin console at /admin for members of group \(settings.adminGroup), idle timeout \(Int(settings.idleTimeout)) s, rates cards in \(settings.ratesDirectory)")
        router.get("/admin/admin.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: StationStyle.css + AdminStyle.css)))
        }
        AdminSignInController(console: self).addRoutes(to: router.group("admin"))
        let admin = router.group("admin", context: AdminRequestContext.self)
            .add(middleware: AdminAccessMiddleware(console: self))
        admin.get("/") { _, _ in redirect("/admin/accounts") }
        AccountsController(console: self).addRoutes(to: admin)
        UsersController(console: self).addRoutes(to: admin)
        CardPINController(console: self).addRoutes(to: admin)
        ReportsController(console: self).addRoutes(to: admin)
        LedgerController(console: self).addRoutes(to: admin)
        RatesController(console: self).addRoutes(to: admin)
        QueuesController(console: self).addRoutes(to: admin)
        ClientsController(console: self).addRoutes(to: admin)
    }

    // MARK: Shared by the controllers

    func originAllowed(_ request: Request) -> Bool {
        CSRFGuard.originAllowed(origin: request.headers[.origin], host: request.head.authority,
                                fetchSite: request.headers[.init("Sec-Fetch-Site")!])
    }

    func cookie(_ token: String) -> Cookie {
        Cookie(name: settings.cookieName, value: token, path: "/", secure: settings.secureCookies, httpOnly: true, sameSite: .strict)
    }

    func clearedCookie() -> Cookie {
        Cookie(name: settings.cookieName, value: "", maxAge: 0, path: "/", secure: settings.secureCookies, httpOnly: true, sameSite: .strict)
    }

    /// Runs a database call on a thread of its own (SQLite may wait for its busy timeout).
    func db<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async -> Result<T, any Error> {
        await BlockingWork.onThread { Result { try body() } }
    }

    /// Queues `notice` for the next page and redirects there (POST-redirect-GET).
    func done(_ notice: Notice, context: AdminRequestContext, to location: String) async -> Response {
        if let token = context.session?.token { await sessions.addNotice(notice, token: token) }
        return redirect(location)
    }

    func notices(_ context: AdminRequestContext) async -> [Notice] {
        guard let token = context.session?.token else { return [] }
        return await sessions.takeNotices(token: token)
    }
}

func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
}

func redirect(_ location: String) -> Response {
    Response(status: .seeOther, headers: [.location: location])
}

/// A database error as a sentence for the admin (capital first letter, final full stop).
func sentence(_ error: any Error) -> String {
    let text = (error as? QuotaError)?.description ?? "\(error)"
    guard let first = text.first else { return text }
    let capitalised = first.uppercased() + text.dropFirst()
    return capitalised.hasSuffix(".") ? capitalised : capitalised + "."
}
