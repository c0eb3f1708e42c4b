import Foundation
import QuotaDB
import Release

/// Each user's held-job list for the station's pages and API, read through
/// ``ReleaseService/heldJobs(for:)`` on a thread of its own, shared by concurrent requests and
/// kept for a moment.
///
/// Why: the list is cross-checked with cupsd (Get-Jobs), and cupsd answers one request at a time
/// and slowly for long queues (measured ~126 ms for 1000 held jobs, in cupsd itself). A list
/// younger than `freshFor` is served as is; one younger than `staleFor` is served at once while a
/// new one is fetched; older, the request waits for a fetch (one per user at a time, however
/// many requests ask). Every action of the user (release, delete) drops their list, so their
/// next page is fresh. Lists are per user: nothing here can show one user another's jobs, and
/// every action still checks the job with cupsd and the database itself.
public actor HeldJobsCache {
    public nonisolated let freshFor: TimeInterval
    public nonisolated let staleFor: TimeInterval
    private let load: @Sendable (String) -> Result<[HeldJob], ReleaseError>
    private let clock: @Sendable () -> Date
    private var entries: [String: (jobs: [HeldJob], fetchedAt: Date)] = [:]
    /// The JSON API's body for each cached list, encoded once per fetch.
    private var encoded: [String: (fetchedAt: Date, body: [UInt8])] = [:]
    private var fetches: [String: (generation: Int, task: Task<Result<[HeldJob], ReleaseError>, Never>)] = [:]
    private var generations: [String: Int] = [:]

    public init(freshFor: TimeInterval = 1, staleFor: TimeInterval = 10, clock: @escaping @Sendable () -> Date = { Date() },
                load: @escaping @Sendable (String) -> Result<[HeldJob], ReleaseError>) {
        self.freshFor = freshFor
        self.staleFor = max(freshFor, staleFor)
        self.clock = clock
        self.load = load
    }

    /// Lists through `release`.
    public init(release: ReleaseService, freshFor: TimeInterval = 1, staleFor: TimeInterval = 10) {
        self.init(freshFor: freshFor, staleFor: staleFor) { user in
            do throws(ReleaseError) { return .success(try release.heldJobs(for: user)) } catch { return .failure(error) }
        }
    }

    /// `user`'s held jobs, oldest first.
    public func jobs(for user: String) async -> Result<[HeldJob], ReleaseError> {
        if let entry = entries[user] {
            let age = clock().timeIntervalSince(entry.fetchedAt)
            if age >= 0, age < freshFor { return .success(entry.jobs) }
            if age >= 0, age < staleFor {
                _ = fetch(user)
                return .success(entry.jobs)
            }
        }
        return await fetch(user).value
    }

    /// `user`'s held jobs through `encode`, computed once per fetched list (the JSON API sends
    /// the same bytes until the list changes).
    public func encodedJobs(for user: String, encode: @Sendable ([HeldJob]) -> [UInt8]) async -> Result<[UInt8], ReleaseError> {
        let result = await jobs(for: user)
        guard case .success(let jobs) = result, let entry = entries[user] else { return result.map(encode) }
        if let memo = encoded[user], memo.fetchedAt == entry.fetchedAt { return .success(memo.body) }
        let body = encode(jobs)
        encoded[user] = (entry.fetchedAt, body)
        return .success(body)
    }

    /// Forgets `user`'s list (after they released or deleted a job).
    public func invalidate(_ user: String) {
        entries[user] = nil
        encoded[user] = nil
        fetches[user] = nil
        generations[user, default: 0] += 1
    }

    private func fetch(_ user: String) -> Task<Result<[HeldJob], ReleaseError>, Never> {
        if let running = fetches[user] { return running.task }
        let generation = generations[user, default: 0]
        let load = self.load
        let task = Task { () -> Result<[HeldJob], ReleaseError> in
            let result = await BlockingWork.onThread { load(user) }
            await self.store(result, for: user, generation: generation)
            return result
        }
        fetches[user] = (generation, task)
        return task
    }

    private func store(_ result: Result<[HeldJob], ReleaseError>, for user: String, generation: Int) {
        guard generations[user, default: 0] == generation else { return }  // invalidated meanwhile
        fetches[user] = nil
        if case .success(let jobs) = result {
            if entries.count > 10_000 {
                let now = clock()
                entries = entries.filter { now.timeIntervalSince($0.value.fetchedAt) < staleFor }
                encoded = encoded.filter { entries[$0.key] != nil }
            }
            entries[user] = (jobs, clock())
        } else {
            entries[user] = nil
            encoded[user] = nil
        }
    }
}
