import Foundation
import Release

/// The server's release queues, for the station's follow-me chooser, read from cupsd at most
/// once a minute on a thread of its own. Queues change rarely, and cupsd answers one request at a
/// time: asking on every page would make pages wait behind a long Get-Jobs.
public actor ReleaseQueueList {
    private let release: ReleaseService
    private let maximumAge: TimeInterval
    private var cached: (queues: [String], at: Date)?

    public init(release: ReleaseService, maximumAge: TimeInterval = 60) {
        self.release = release
        self.maximumAge = maximumAge
    }

    /// The release queues' names; empty when cupsd cannot say (the chooser is then not shown).
    public func queues() async -> [String] {
        if let cached, Date().timeIntervalSince(cached.at) < maximumAge { return cached.queues }
        let release = self.release
        let queues = await BlockingWork.onThread { (try? release.releaseQueues()) ?? [] }
        cached = (queues, Date())
        return queues
    }
}
