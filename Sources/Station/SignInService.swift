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

/// Checks sign-ins: limits attempts (``SignInLimiter``: per name and address, per address, and a
/// slower ceiling per name that never applies at the name's own stations), checks passwords with
/// PAM or PINs with the stored hash.
///
/// A refused attempt (too many failures) is not checked at all, so it neither counts nor can
/// succeed. A card number counts as its user's name, so switching between the two gains nothing,
/// and an unknown card or name costs as much time as a known one and is counted the same way.
///
/// Slow checks (PAM, crypt) run on threads of their own (``BlockingWork``).
public struct SignInService: Sendable {
    public let pam: PAMAuthenticator
    public let store: any PrintAccountingStore
    public let limiter: SignInLimiter
    public let work: BlockingWork
    /// The PIN pepper's key (while there is none, only hashes from before the pepper match).
    public let pinKey: PINKeyFile
    /// Called with a line for the service's log (never with a password or PIN).
    public var log: @Sendable (String) -> Void
    /// A hash of a random PIN nobody knows, checked for unknown identifiers (same cost as a real one).
    private let decoyHash: PINHash

    public init(pam: PAMAuthenticator, store: any PrintAccountingStore, pinKey: PINKeyFile, limiter: SignInLimiter = SignInLimiter(),
                work: BlockingWork = BlockingWork(), log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.pam = pam
        self.store = store
        self.pinKey = pinKey
        self.limiter = limiter
        self.work = work
        self.log = log
        // Peppered like the real hashes (with a throwaway key): the same work, crypt and HMAC.
        self.decoyHash = (try? PINHash.make(String(UInt64.random(in: 1_000_000_000...9_999_999_999)), key: .generate()))
            ?? PINHash(stored: "*")
    }

    /// Signs in from client `address`, or says why not.
    public func signIn(_ request: SignInRequest, address: ClientAddress) async -> Result<SignedInUser, SignInError> {
        switch request {
        case .password(let user, let password):
            return await signIn(user: user, password: password, address: address)
        case .pin(let identifier, let pin):
            return await signIn(identifier: identifier, pin: pin, address: address)
        }
    }

    private func signIn(user: String, password: String, address: ClientAddress) async -> Result<SignedInUser, SignInError> {
        let user = user.trimmingCharacters(in: .whitespaces)
        guard !user.isEmpty, !password.isEmpty else { return .failure(.missingFields) }
        guard UserNameRule.isAcceptable(user), password.utf8.count <= 1024 else { return .failure(.malformedName) }
        if let until = await limiter.refusedUntil(.password, name: user, address: address) {
            log("sign-in refused: too many failures for \(user) with password from \(address); refused until \(until)")
            return .failure(.tooManyAttempts(until: until))
        }
        let pam = self.pam
        guard let outcome = await work.run({ pam.authenticate(user: user, password: password, remoteHost: address.text) }) else {
            return .failure(.busy)
        }
        switch outcome {
        case .success(let name):
            await limiter.recordSuccess(.password, name: user, address: address)
            log("sign-in: \(name) with password from \(address)")
            return .success(SignedInUser(user: name, method: .password))
        case .failure(.wrongPassword):
            let until = await limiter.recordFailure(.password, name: user, address: address)
            log("sign-in refused: wrong password for \(user) from \(address)\(until.map { "; refused until \($0)" } ?? "")")
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

    private func signIn(identifier: String, pin: String, address: ClientAddress) async -> Result<SignedInUser, SignInError> {
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
        // A card number and its user are one name for the limits.
        let name = credential?.user ?? identifier
        if let until = await limiter.refusedUntil(.pin, name: name, address: address) {
            log("sign-in refused: too many failures for \(name) with PIN from \(address); refused until \(until)")
            return .failure(.tooManyAttempts(until: until))
        }

        // An unknown identifier costs as much time as a known one: it cannot be told apart.
        let key: PINKey?
        do {
            key = try pinKey.key()
        } catch {
            log("sign-in: the PIN key cannot be used: \(error)")
            key = nil
        }
        let hash = credential.map { PINHash(stored: $0.pinHash) } ?? decoyHash
        guard let matches = await work.run({ hash.matches(pin, key: key) }) else { return .failure(.busy) }
        guard let credential, matches else {
            let until = await limiter.recordFailure(.pin, name: name, address: address)
            let known = credential == nil ? "unknown card or user" : "wrong PIN for"
            log("sign-in refused: \(known) \(name) from \(address)\(until.map { "; refused until \($0)" } ?? "")")
            return .failure(.wrongPIN)
        }
        await limiter.recordSuccess(.pin, name: name, address: address)
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
