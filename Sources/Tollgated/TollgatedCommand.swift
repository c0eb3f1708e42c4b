import AccountsAPI
import AdminConsole
import Enforcement
import ArgumentParser
import Foundation
import GateService
import GateWire
import Hummingbird
import Mail
import PostgreSQLStore
import QuotaDB
import Release
import Station

/// `tollgated`: the release station and user portal over HTTP.
///
/// Plain HTTP on loopback by default: in production put it behind a TLS reverse proxy (and pass
/// `--secure-cookies`), or keep it bound to loopback for a kiosk browser on the same machine.
@main
struct TollgatedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgated",
        abstract: "The Tollgate release station and user portal (HTTP).",
        discussion: """
        Users sign in with their system password (PAM service --pam-service; /etc/pam.d/other \
        when /etc/pam.d/SERVICE does not exist) or with a card number or user name and PIN, see \
        their held jobs with price, choose an account, and release or delete them. No TLS: bind \
        to loopback, or put a TLS reverse proxy in front and pass --secure-cookies.
        """)

    @Option(help: ArgumentHelp("Address and port to listen on.", valueName: "host:port"))
    var listen = "127.0.0.1:8631"

    @Option(name: .customLong("db"), help: ArgumentHelp("The quota database: a SQLite file or a postgresql:// URI (default: $TOLLGATE_DB, else \(DatabaseLocation.defaultPath)).", valueName: "path|uri"))
    var databasePath: String?

    @Option(name: .customLong("pin-key"), help: ArgumentHelp("The PIN key `tollgate pin set` made (default: $TOLLGATE_PIN_KEY, else \(PINKeyLocation.defaultPath)); tollgated only reads it.", valueName: "path"))
    var pinKeyPath: String?

    @Option(name: .customLong("cups-server"), help: ArgumentHelp("cupsd's socket or host:port (default: $CUPS_SERVER, else libcups's default).", valueName: "server"))
    var cupsServer: String?

    @Option(name: .customLong("server-name"), help: ArgumentHelp("This print server's name in job keys; must be what the backend uses (default: $TOLLGATE_SERVER_NAME, else the host name).", valueName: "name"))
    var serverName: String?

    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp("Seconds without activity after which a session signs out.", valueName: "seconds"))
    var idleTimeout: Int = 120

    @Option(name: .customLong("pam-service"), help: ArgumentHelp("PAM service for password sign-in.", valueName: "name"))
    var pamService = "tollgate"

    @Option(name: .customLong("tick-interval"), help: ArgumentHelp("Seconds between runs of held-job expiry.", valueName: "seconds"))
    var tickInterval: Int = 300

    @Option(name: .customLong("socket"), help: ArgumentHelp("Local socket for `tollgate jobs|release|delete|active` run by users at a terminal (who they are comes from the kernel).", valueName: "path"))
    var socketPath = LocalReleaseSocket.defaultPath

    @Flag(name: .customLong("no-socket"), help: "Do not serve the local socket.")
    var noSocket = false

    @Option(name: .customLong("gate-socket"), help: ArgumentHelp("Socket on which the `tollgate:` backends have their jobs decided and settled here, on the open database (cupsd's TOLLGATE_GATE_SOCKET, default \(ServedGate.defaultPath)).", valueName: "path"))
    var gateSocketPath = ServedGate.defaultPath

    @Flag(name: .customLong("no-gate"), help: "Do not serve the backends' gate socket (each backend then decides its job itself).")
    var noGate = false

    @Option(name: .customLong("admin-group"), help: ArgumentHelp("Members of this system group may use the admin console at /admin.", valueName: "group"))
    var adminGroup = "lpadmin"

    @Option(name: .customLong("admin-idle-timeout"), help: ArgumentHelp("Seconds without activity after which an admin session signs out.", valueName: "seconds"))
    var adminIdleTimeout: Int = 900

    @Flag(name: .customLong("secure-cookies"), help: "Mark the session cookie Secure (use behind an HTTPS reverse proxy).")
    var secureCookies = false

    @Option(name: .customLong("email-domain"), help: ArgumentHelp("Accounts API: USER@DOMAIN names user USER when no user has that address of their own (`tollgate user edit --email`).", valueName: "domain"))
    var emailDomain: String?

    @Option(name: .customLong("api-site"), help: ArgumentHelp("Accounts API: the {site} of /api/v1/{site}/activities (Pharos's customer id).", valueName: "name"))
    var apiSite = "tollgate"

    @Option(name: .customLong("api-token-lifetime"), help: ArgumentHelp("Accounts API: seconds a bearer token from /oauth/token lives.", valueName: "seconds"))
    var apiTokenLifetime: Int = 900

    @Option(name: .customLong("api-rate-limit"), help: ArgumentHelp("Accounts API: calls per minute per client (0: no limit).", valueName: "calls"))
    var apiRateLimit: Int = 600

    @Option(name: .customLong("mail"), help: ArgumentHelp("Where mail to users goes: a sendmail program (default /usr/sbin/sendmail, when it exists) or an SMTP relay HOST:PORT; `off` sends none.", valueName: "sendmail|host:port|off"))
    var mail: String?

    @Option(name: .customLong("mail-from"), help: ArgumentHelp("The From address of mail to users.", valueName: "address"))
    var mailFrom = "Tollgate <tollgate@localhost>"

    @Option(name: .customLong("mail-interval"), help: ArgumentHelp("Seconds between rounds of mail delivery.", valueName: "seconds"))
    var mailInterval: Int = 30

    func validate() throws {
        if let mail, mail != "off", MailTransport(mail) == nil {
            throw ValidationError("--mail must be a sendmail path (/usr/sbin/sendmail), HOST:PORT of an SMTP relay, or off")
        }
        guard mailInterval >= 1 else { throw ValidationError("--mail-interval must be at least 1 second") }
        guard (try? Self.hostAndPort(listen)) != nil else {
            throw ValidationError("--listen must be HOST:PORT (e.g. 127.0.0.1:8631 or [::1]:8631), not \(listen)")
        }
        guard idleTimeout >= 10 else { throw ValidationError("--idle-timeout must be at least 10 seconds") }
        guard adminIdleTimeout >= 10 else { throw ValidationError("--admin-idle-timeout must be at least 10 seconds") }
        guard !adminGroup.isEmpty else { throw ValidationError("--admin-group must name a group") }
        guard tickInterval >= 1 else { throw ValidationError("--tick-interval must be at least 1 second") }
        guard !pamService.isEmpty, !pamService.contains("/") else { throw ValidationError("--pam-service must be a PAM service name") }
        guard apiRateLimit >= 0 else { throw ValidationError("--api-rate-limit must be 0 or more calls a minute") }
        guard (1...86400).contains(apiTokenLifetime) else { throw ValidationError("--api-token-lifetime must be 1 to 86400 seconds") }
        guard !apiSite.isEmpty, !apiSite.contains("/") else { throw ValidationError("--api-site must be a name without /") }
        if let emailDomain, emailDomain.isEmpty || emailDomain.contains("@") || emailDomain.contains(" ") {
            throw ValidationError("--email-domain must be a domain like example.edu")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let logger = StationLog()
        let log: @Sendable (String) -> Void = { logger.write($0) }
        let (host, port) = try Self.hostAndPort(listen)
        let location = DatabaseLocation.resolve(explicit: databasePath, environment: environment)
        let store: SQLQuotaStore
        do {
            store = try SQLQuotaStore.open(location)
        } catch {
            throw ValidationError("cannot open the quota database: \(error)")
        }
        let pinKeyLocation = PINKeyLocation.resolve(explicit: pinKeyPath, environment: environment)
        let pinKeyFile: PINKeyFile
        do {
            pinKeyFile = try PINKeyFile(location: pinKeyLocation)
        } catch {
            throw ValidationError("\(error)")
        }
        let pinKey = try? pinKeyFile.key()
        Self.pepperPINHashes(store, key: pinKey, at: pinKeyLocation, log: log)
        let settings = SiteSettings(environment: environment, cupsServer: cupsServer, serverName: serverName)
        let (cups, name) = (settings.cupsServer, settings.serverName)
        let release = ReleaseService(store: store, settings: settings)
        let sessions = SessionStore(idleTimeout: TimeInterval(idleTimeout))
        let signIn = SignInService(pam: PAMAuthenticator(service: pamService), store: store, pinKey: pinKeyFile, log: log)
        var station = Station(release: release, signIn: signIn, sessions: sessions,
                              settings: StationSettings(idleTimeout: TimeInterval(idleTimeout), secureCookies: secureCookies),
                              log: log)
        let api = AccountsAPI(store: store, settings: AccountsAPISettings(site: apiSite, emailDomain: emailDomain,
                                                                          tokenLifetime: TimeInterval(apiTokenLifetime),
                                                                          rateLimitPerMinute: apiRateLimit),
                              release: release)
        station.mounted.append(APIMount(api: api))
        station.mounted.append(AdminConsole(store: store, signIn: signIn, settings: AdminSettings(
            adminGroup: adminGroup, idleTimeout: TimeInterval(adminIdleTimeout), secureCookies: secureCookies), cupsServer: cups, log: log))
        let ticker = ExpiryTicker(release: release, sessions: sessions, interval: TimeInterval(tickInterval), log: log)
        var localServer: LocalReleaseServer?
        if !noSocket {
            do {
                localServer = try LocalReleaseServer(path: socketPath, service: release)
            } catch {
                throw ValidationError("cannot serve the local socket \(socketPath): \(error) (or pass --no-socket)")
            }
            localServer?.start()
        }
        var gateServer: GateServer?
        if !noGate {
            do {
                gateServer = try GateServer(path: gateSocketPath, preopened: (location, store), log: log)
            } catch {
                throw ValidationError("cannot serve the gate socket \(gateSocketPath): \(error) (or pass --no-gate)")
            }
            let server = gateServer
            Thread.detachNewThread { server?.run() }
        }
        log("tollgated: gate socket for the backends \(gateServer?.path ?? "off")")
        defer { withExtendedLifetime(gateServer) {} }
        log("tollgated: database \(location.path), PIN key \(pinKeyLocation.path) \(pinKey.map { "(id \($0.id))" } ?? "(none yet: `tollgate pin set` makes it)"), cupsd \(cups ?? "(libcups default)"), server name \(name), PAM service \(pamService), idle timeout \(idleTimeout) s, local socket \(localServer?.path ?? "off")")
        defer { withExtendedLifetime(localServer) {} }
        // Mail to users (the outbox the backend and the release service write to).
        let transport: MailTransport? = switch mail {
        case "off": nil
        case .some(let text): MailTransport(text)
        case nil: FileManager.default.isExecutableFile(atPath: "/usr/sbin/sendmail") ? .sendmail(path: "/usr/sbin/sendmail") : nil
        }
        var background: [@Sendable () async -> Void] = []
        if let transport {
            let delivery = OutboxDelivery(store: store, transport: transport, from: mailFrom, emailDomain: emailDomain, log: log)
            let interval = mailInterval
            background.append { await delivery.run(interval: interval) }
            log("tollgated: mail to users through \(transport)")
        } else {
            log("tollgated: no mail to users (no /usr/sbin/sendmail; --mail HOST:PORT names an SMTP relay)")
        }
        try await StationServer(station: station, ticker: ticker, host: host, port: port, background: background).run()
    }

    /// Wraps PIN hashes from before the pepper with the key, and says what cannot sign in: PINs
    /// made with another key, or with a key when there is none. A busy database only delays this
    /// to the next start.
    static func pepperPINHashes(_ store: any ReleaseStore, key: PINKey?, at location: PINKeyLocation,
                                log: @Sendable (String) -> Void) {
        do {
            if let key, case let wrapped = try store.pepperPINHashes(with: key), wrapped > 0 {
                log("tollgated: \(wrapped) PIN hash(es) from before the pepper now use the PIN key \(location.path)")
            }
            let census = try store.pinHashCensus(key: key)
            if key == nil, census.withoutPepper > 0 {
                log("tollgated: \(census.withoutPepper) PIN hash(es) are stored without the pepper: `tollgate db init` makes the PIN key \(location.path) and wraps them")
            }
            if key == nil, census.current > 0 {
                log("tollgated: no PIN key at \(location.path): \(census.current) PIN(s) made with a key match nothing until it is there")
            }
            if census.otherKey > 0 {
                log("tollgated: \(census.otherKey) PIN(s) were made with another key than \(location.path): they match nothing until they are set again")
            }
        } catch {
            log("tollgated: cannot check the stored PIN hashes: \(error)")
        }
    }

    /// `HOST:PORT`, `[IPv6]:PORT`.
    static func hostAndPort(_ text: String) throws -> (String, Int) {
        struct Malformed: Error {}
        var host: Substring
        var portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { throw Malformed() }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw Malformed() }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else { throw Malformed() }
        return (String(host), port)
    }
}

/// The Accounts API served on the station's router, beside the station and the admin console.
struct APIMount: StationMount {
    let api: AccountsAPI
    func addRoutes(to router: Router<StationContext>) { api.addRoutes(to: router) }
}
