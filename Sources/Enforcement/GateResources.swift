import Foundation
import JobAnalysisCore
import PostgreSQLStore
import Pricing
import PricingTOML
import QuotaDB

/// What a ``Gatekeeper`` reuses from one job to the next: nothing in a process that decides one
/// job (``perJob``: the database opened for the job, an analyser started for its document, its
/// rates card read); in the gate service, the open stores, spare analysers and parsed rates cards
/// it keeps for every job.
public struct GateResources: Sendable {
    /// How the quota database is opened.
    public var openStore: Gatekeeper.StoreOpener
    /// Analysers started before their job, else one is started per document.
    public var spares: SpareAnalysers?
    /// Rates cards kept parsed, else each is read and parsed for its job.
    public var cards: RatesCardCache?

    public init(openStore: @escaping Gatekeeper.StoreOpener, spares: SpareAnalysers? = nil, cards: RatesCardCache? = nil) {
        self.openStore = openStore
        self.spares = spares
        self.cards = cards
    }

    public static let perJob = GateResources(openStore: { location throws(QuotaError) in try SQLQuotaStore.open(location) })
}

/// Rates cards parsed once and kept while their file stays the same (same inode, size and
/// modification time, checked with one stat per job): an administrator's edit, by the console
/// or by hand, is read by the next job.
public final class RatesCardCache: @unchecked Sendable {
    private struct Kept {
        let identity: [Int]
        let card: RatesCard
    }

    private let lock = NSLock()
    private var kept: [String: Kept] = [:]

    public init() {}

    /// The card at `path`, parsed (throws what parsing the file throws; nil: it cannot be read).
    func card(at path: String) throws -> RatesCard? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let identity = [Int(info.st_ino), Int(info.st_size), info.st_mtim.tv_sec, info.st_mtim.tv_nsec, info.st_ctim.tv_sec, info.st_ctim.tv_nsec]
        if let hit = lock.withLock({ kept[path] }), hit.identity == identity { return hit.card }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let card = try RatesCard(toml: text)
        lock.withLock { kept[path] = Kept(identity: identity, card: card) }
        return card
    }
}
