import Foundation
import Hummingbird
import Release

/// tollgated's service: the station's HTTP server on `host:port` and the expiry ticker, until
/// SIGTERM or SIGINT.
public struct StationServer: Sendable {
    public let station: Station
    public let ticker: ExpiryTicker
    public let host: String
    public let port: Int
    /// Other work that runs as long as the server (mail delivery).
    public let background: [@Sendable () async -> Void]

    public init(station: Station, ticker: ExpiryTicker, host: String, port: Int, background: [@Sendable () async -> Void] = []) {
        self.station = station
        self.ticker = ticker
        self.host = host
        self.port = port
        self.background = background
    }

    /// Serves until a shutdown signal, then stops the ticker.
    public func run() async throws {
        let log = station.log
        let (host, port) = (self.host, self.port)
        let app = Application(router: station.router(),
                              configuration: .init(address: .hostname(host, port: port), serverName: "tollgated"),
                              onServerRunning: { channel in
                                  log("tollgated listening on \(host):\(channel.localAddress?.port ?? port)")
                              })
        let ticker = self.ticker
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await ticker.run() }
            for work in background { group.addTask { await work() } }
            group.addTask { try await app.runService() }
            // runService returns after SIGTERM/SIGINT (graceful shutdown) or throws: stop the ticker.
            defer { group.cancelAll() }
            _ = try await group.next()
            group.cancelAll()
            while let _ = try await group.next() {}
        }
    }
}

/// Writes timestamped log lines to standard error (journald keeps them under systemd).
public struct StationLog: Sendable {
    public init() {}

    public func write(_ line: String) {
        // A format style, not an ISO8601DateFormatter made per line: making one cost ~0.3 ms, and
        // the gate service writes two lines a job.
        let stamp = Date().formatted(.iso8601)
        FileHandle.standardError.write(Data("\(stamp) \(line)\n".utf8))
    }
}
