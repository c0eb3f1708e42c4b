/// What makes this print server itself, read the same way by every program on it (the backend,
/// tollgated's gate and release services, the CLI): where its cupsd is, and the name its jobs
/// carry in the shared database (the server part of a ``QuotaDB/JobKey``). Two servers on one
/// database must have different names; a release station finds only its own server's jobs.
public struct SiteSettings: Sendable, Equatable {
    /// cupsd's domain socket or host:port (nil: libcups's default).
    public var cupsServer: String?
    /// `TOLLGATE_SERVER_NAME`, else the host name.
    public var serverName: String

    public init(cupsServer: String?, serverName: String) {
        self.cupsServer = cupsServer.flatMap { $0.isEmpty ? nil : $0 }
        self.serverName = serverName
    }

    /// Explicit values (a command's options) first, else `CUPS_SERVER` and `TOLLGATE_SERVER_NAME`
    /// (else the host name) from `environment`, as cupsd gives them to the backend.
    public init(environment: [String: String], cupsServer: String? = nil, serverName: String? = nil) {
        self.init(cupsServer: cupsServer ?? environment["CUPS_SERVER"],
                  serverName: serverName ?? environment["TOLLGATE_SERVER_NAME"] ?? Gatekeeper.hostName())
    }
}
