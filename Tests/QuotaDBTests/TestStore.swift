import Foundation
import GRDB
import Pricing
import PostgreSQLStore
@testable import QuotaDB
import TestSupport

/// A clock tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date = Date(timeIntervalSince1970: 1_790_000_000)) { current = start }   // 2026-09-21

    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
    func set(_ date: Date) { lock.withLock { current = date } }
}

/// Which engine the store tests run on: SQLite (default), or PostgreSQL when
/// `TOLLGATE_TEST_STORE=postgresql` (`make test` runs the suites both ways). The PostgreSQL server
/// is private to the test process (``PostgresServer``), each store in a schema of its own.
enum TestEngine {
    case sqlite, postgresql

    static let current: TestEngine = ProcessInfo.processInfo.environment["TOLLGATE_TEST_STORE"] == "postgresql" ? .postgresql : .sqlite
    static var isSQLite: Bool { current == .sqlite }

    /// The process's PostgreSQL server, started on first use.
    static let server: Result<PostgresServer, any Error> = Result { try PostgresServer() }
}

/// A store on a fresh database: a SQLite file in its own temporary directory, or a fresh schema
/// on the test process's PostgreSQL server.
struct TestStore {
    let directory: URL
    /// The SQLite file, or the PostgreSQL URI.
    let path: String
    let clock: TestClock
    let store: SQLQuotaStore

    init(currency: Currency = .eur, groups: [String: Set<String>] = [:], busyTimeout: TimeInterval = 5) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("quotadb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        clock = TestClock()
        let clock = self.clock
        let options = SQLQuotaStore.Options(create: true, currency: currency, busyTimeout: busyTimeout,
                                            systemGroups: StaticGroupResolver(groups), clock: { clock.now },
                                            timeZone: TimeZone(identifier: "UTC")!)
        switch TestEngine.current {
        case .sqlite:
            path = directory.appendingPathComponent("tollgate.db").path
            store = try SQLQuotaStore(location: DatabaseLocation(path: path), options: options)
        case .postgresql:
            let server = try TestEngine.server.get()
            let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            try PostgresConnection(server.conninfo()).execute("CREATE SCHEMA \(schema)")
            path = server.uri(options: "-c search_path=\(schema)")
            store = try SQLQuotaStore(engine: PostgreSQLEngine(conninfo: path, create: true, busyTimeout: busyTimeout), options: options)
        }
    }

    /// Another connection to the same database (as another process would have).
    func reopen(busyTimeout: TimeInterval = 5, groups: [String: Set<String>] = [:]) throws -> SQLQuotaStore {
        let clock = self.clock
        let options = SQLQuotaStore.Options(busyTimeout: busyTimeout, systemGroups: StaticGroupResolver(groups),
                                            clock: { clock.now }, timeZone: TimeZone(identifier: "UTC")!)
        switch TestEngine.current {
        case .sqlite: return try SQLQuotaStore(location: DatabaseLocation(path: path), options: options)
        case .postgresql: return try SQLQuotaStore(engine: PostgreSQLEngine(conninfo: path, create: false, busyTimeout: busyTimeout), options: options)
        }
    }

    /// Runs one statement in its own transaction, on either engine (tests that poke at rows).
    func execute(_ sql: String) throws {
        try store.engine.write(rollback: false, durable: false) { db in try db.run(sql: sql) }
    }

    /// The SQLite file's connection, for the tests of SQLite itself (files, migrations, locks).
    var sqliteQueue: DatabaseQueue { (store.engine as! SQLiteEngine).queue }
}

func eur(_ text: String) -> Money { try! Money(parsing: text, currency: .eur, unit: .optional) }

extension SQLQuotaStore {
    /// Shorthand used throughout the tests.
    func authorize(_ job: String, _ user: String, _ amount: String, _ policy: ChargePolicy = .cover,
                   account: String? = nil) throws -> AuthorizationDecision {
        try authorize(AuthorizationRequest(jobKey: job, user: user, amount: Money(parsing: amount, currency: currency, unit: .optional),
                                           policy: policy, account: account))
    }

    func wallet(_ user: String) throws -> Money { try balances(for: user).wallet }

    func used(_ user: String, on account: String) throws -> Money? {
        try balances(for: user).accounts.first { $0.account.name == account }?.used
    }

    @discardableResult
    func limitedAccount(_ name: String, soft: String, hard: String, access: AccountAccess = .globalShared) throws -> Account {
        try addAccount(NewAccount(name: name, code: name.uppercased(), access: access, allocation: .limited(soft: eur(soft), hard: eur(hard))))
    }
}

/// The ``QuotaError`` `body` throws, or `nil`. (A helper: `catch QuotaError.case(let x)` patterns
/// crash the 6.3.1 compiler's SIL ownership verifier in this test target.)
func quotaError(_ body: () throws -> Void) -> QuotaError? {
    do {
        try body()
        return nil
    } catch let error as QuotaError {
        return error
    } catch {
        return .databaseUnavailable(path: "?", detail: "not a QuotaError: \(error)")
    }
}
