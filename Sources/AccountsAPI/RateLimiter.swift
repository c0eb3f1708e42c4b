import Foundation

/// Requests per client: a token bucket of `perMinute` requests, refilled evenly over the minute
/// (so a burst of `perMinute`, then one every 60/`perMinute` seconds). In memory: a restart
/// forgets it. A client over its limit gets a 429 problem with `Retry-After`; nothing runs.
actor ClientRateLimiter {
    let perMinute: Int
    private var buckets: [String: (tokens: Double, at: Date)] = [:]

    init(perMinute: Int) { self.perMinute = perMinute }

    /// `nil` when the call may run (and is counted), else the seconds to wait.
    func admit(_ client: String, now: Date = Date()) -> Int? {
        guard perMinute > 0 else { return nil }
        let capacity = Double(perMinute), rate = capacity / 60
        var bucket = buckets[client] ?? (capacity, now)
        bucket.tokens = min(capacity, bucket.tokens + now.timeIntervalSince(bucket.at) * rate)
        bucket.at = now
        defer { buckets[client] = bucket }
        guard bucket.tokens >= 1 else { return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up))) }
        bucket.tokens -= 1
        if buckets.count > 10_000 { buckets = buckets.filter { now.timeIntervalSince($0.value.at) < 60 } }
        return nil
    }
}
