import Foundation
import Pricing
@testable import QuotaDB

/// A clock tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date = Date(timeIntervalSince1970: 1_790_000_000)) { current = start }   // 2026-09-21

    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
    func set(_ date: Date) { lock.withLock { current = date } }
}

/// A store on a fresh SQLite file in its own temporary directory.
struct TestStore {
    let directory: URL
    let path: String
    let clock: TestClock
    let store: SQLiteQuotaStore

    init(currency: Currency = .eur, groups: [String: Set<String>] = [:], busyTimeout: TimeInterval = 5) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("quotadb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("tollgate.db").path
        clock = TestClock()
        let clock = self.clock
        store = try SQLiteQuotaStore(location: DatabaseLocation(path: path),
                                     options: .init(create: true, currency: currency, busyTimeout: busyTimeout,
                                                    systemGroups: StaticGroupResolver(groups), clock: { clock.now },
                                                    timeZone: TimeZone(identifier: "UTC")!))
    }

    /// Another connection to the same file (as another process would have).
    func reopen(busyTimeout: TimeInterval = 5, groups: [String: Set<String>] = [:]) throws -> SQLiteQuotaStore {
        let clock = self.clock
        return try SQLiteQuotaStore(location: DatabaseLocation(path: path),
                                    options: .init(busyTimeout: busyTimeout, systemGroups: StaticGroupResolver(groups),
                                                   clock: { clock.now }, timeZone: TimeZone(identifier: "UTC")!))
    }
}

func eur(_ text: String) -> Money { try! Money(parsing: text, currency: .eur, unit: .optional) }

extension SQLiteQuotaStore {
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
