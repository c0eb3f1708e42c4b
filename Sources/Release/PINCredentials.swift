import QuotaDB

/// How the stored PIN hashes stand with a key: what `tollgate db init`, `tollgate pin set` and
/// tollgated's start look at, and say.
public struct PINHashCensus: Sendable, Hashable {
    /// Made with the key (or, with none, with any key).
    public var current = 0
    /// From before the pepper (plain crypt output): they verify, but a copy of the database
    /// gives them away; ``ReleaseStore/pepperPINHashes(with:)`` wraps them.
    public var withoutPepper = 0
    /// Made with another key: they match no PIN until the PIN is set again.
    public var otherKey = 0
}

extension ReleaseStore {
    /// Counts the stored PIN hashes by how they stand with `key` (`nil`: there is no key).
    public func pinHashCensus(key: PINKey?) throws(QuotaError) -> PINHashCensus {
        var census = PINHashCensus()
        for stored in try pinHashes() {
            let hash = PINHash(stored: stored)
            if hash.isPlainCrypt {
                census.withoutPepper += 1
            } else if let id = hash.keyID, let key, id != key.id {
                census.otherKey += 1
            } else {
                census.current += 1
            }
        }
        return census
    }

    /// Wraps every PIN hash from before the pepper with `key`, in one transaction; users keep
    /// their PINs. Returns how many it wrapped.
    @discardableResult
    public func pepperPINHashes(with key: PINKey) throws(QuotaError) -> Int {
        try rewritePINHashes { stored in PINHash(stored: stored).peppered(with: key)?.stored }
    }
}
