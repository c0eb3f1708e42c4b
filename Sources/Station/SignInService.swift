import Foundation
import QuotaDB
import Release

/// What the person typed on the sign-in page.
public enum SignInRequest: Sendable {
    /// System user name and password, checked through PAM.
    case password(user: String, password: String)
    /// Card number or user name, and PIN, checked against the PIN hash in the quota database.
    case pin(identifier: String, pin: String)
}

/// Who signed in, and how.
public struct SignedInUser: Sendable, Hashable {
    public var user: String
    public var method: Session.Method
}

/// Checks sign-ins: limits attempts, checks passwords with PAM or PINs with the stored hash,
/// and keeps the PIN lock (5 wrong PINs lock it for 5 minutes).
///
/// Slow checks (PAM, crypt) run on threads of their own (``BlockingWork``).
public struct SignInService: Sendable {
    public let pam: PAMAuthenticator
    public let store: SQLiteQuotaStore
    public let limiter: SignInLimiter
    public let work: BlockingWork
    /// Consecutive wrong PINs that lock the PIN.
    public var pinLockAfter = 5
    /// Seconds a locked PIN stays locked.
    public var pinLockFor: TimeInterval = 300
    /// Called with a line for the service's log (never with a password or PIN).
    public var log: @Sendable (String) -> Void
    /// A hash of a random PIN nobody knows, checked for unknown identifiers (same cost as a real one).
    private let decoyHash: String

    public init(pam: PAMAuthenticator, store: SQLiteQuotaStore, limiter: SignInLimiter = SignInLimiter(),
                work: BlockingWork = BlockingWork(), log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.pam = pam
        self.store = store
        self.limiter = limiter
        self.work = work
        self.log = log
        self.decoyHash = (try? PINHasher.hash(String(UInt64.random(in: 1_000_000_000...9_999_999_999)))) ?? "*"
    }

    /// Signs in from client `address`, or says why not.
    public func signIn(_ request: SignInRequest, address: String) async -> Result<SignedInUser, SignInError> {
        switch request {
        case .password(let user, let password):
            return await signIn(user: user, password: password, address: address)
        case .pin(let identifier, let pin):
            return await signIn(identifier: identifier, pin: pin, address: address)
        }
    }

    private func signIn(user: String, password: String, address: String) async -> Result<SignedInUser, SignInError> {
        let user = user.trimmingCharacters(in: .whitespaces)
        guard !user.isEmpty, !password.isEmpty else { return .failure(.missingFields) }
        guard UserNameRule.isAcceptable(user), password.utf8.count <= 1024 else { return .failure(.malformedName) }
        if let until = await limiter.blockedUntil(address: address, user: user) { return .failure(.tooManyAttempts(until: until)) }
        let pam = self.pam
        guard let outcome = await work.run({ pam.authenticate(user: user, password: password, remoteHost: address) }) else {
            return .failure(.busy)
        }
        switch outcome {
        case .success(let name):
            await limiter.recordSuccess(user: user)
            log("sign-in: \(name) with password from \(address)")
            return .success(SignedInUser(user: name, method: .password))
        case .failure(.wrongPassword):
            let until = await limiter.recordFailure(address: address, user: user)
            log("sign-in refused: wrong password for \(user) from \(address)\(until.map { "; blocked until \($0)" } ?? "")")
            return .failure(.wrongPassword)
        case .failure(.passwordExpired):
            log("sign-in refused: password of \(user) has expired")
            return .failure(.passwordExpired)
        case .failure(.accountRefused(let detail)):
            log("sign-in refused: account \(user): \(detail)")
            return .failure(.accountRefused)
        case .failure(.unavailable(let detail)):
            log("sign-in failed: \(detail)")
            return .failure(.unavailable(detail: detail))
        }
    }

    private func signIn(identifier: String, pin: String, address: String) async -> Result<SignedInUser, SignInError> {
        let identifier = identifier.trimmingCharacters(in: .whitespaces)
        guard !identifier.isEmpty, !pin.isEmpty else { return .failure(.missingFields) }
        guard UserNameRule.isAcceptable(identifier), pin.utf8.count <= 64 else { return .failure(.malformedName) }
        let credential: PINCredential?
        do {
            credential = try store.credential(identifier: identifier)
        } catch {
            log("sign-in failed: cannot read PIN credentials: \(error)")
            return .failure(.unavailable(detail: "\(error)"))
        }
        // The lock is the database's: it holds across restarts and is said even for the right PIN.
        if let until = credential?.lockedUntil, until > Date() { return .failure(.pinLocked(until: until)) }
        if let until = await limiter.blockedUntil(address: address, user: identifier) { return .failure(.tooManyAttempts(until: until)) }

        // An unknown identifier costs as much time as a known one: it cannot be told apart.
        let hash = credential?.pinHash ?? decoyHash
        guard let matches = await work.run({ PINHasher.verify(pin, hash: hash) }) else { return .failure(.busy) }
        guard let credential, matches else {
            await limiter.recordFailure(address: address, user: identifier)
            guard let credential else {
                log("sign-in refused: unknown card or user \(identifier) from \(address)")
                return .failure(.wrongPIN)
            }
            do {
                if let until = try store.recordPINFailure(user: credential.user, lockAfter: pinLockAfter, lockFor: pinLockFor) {
                    log("sign-in refused: wrong PIN for \(credential.user) from \(address); PIN locked until \(until)")
                    return .failure(.pinLocked(until: until))
                }
            } catch {
                log("sign-in: cannot count a wrong PIN for \(credential.user): \(error)")
            }
            log("sign-in refused: wrong PIN for \(credential.user) from \(address)")
            return .failure(.wrongPIN)
        }
        do {
            try store.clearPINFailures(user: credential.user)
        } catch {
            log("sign-in: cannot clear PIN failures of \(credential.user): \(error)")
        }
        await limiter.recordSuccess(user: identifier)
        log("sign-in: \(credential.user) with PIN from \(address)")
        return .success(SignedInUser(user: credential.user, method: .pin))
    }

}

/// What the station accepts as a user name or card number: 1–64 printable ASCII characters
/// without spaces, quotes, `:` or `/` (no system account has them).
public enum UserNameRule {
    public static func isAcceptable(_ name: String) -> Bool {
        let bytes = name.utf8
        guard (1...64).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: ":") && byte != UInt8(ascii: "/")
                && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "'")
        }
    }
}
