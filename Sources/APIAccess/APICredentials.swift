import Crypto
import Foundation
import QuotaDB

/// Client secrets and bearer tokens: random, shown once, stored only as SHA-256.
///
/// They are 256-bit random values (not passwords a person chose), so one SHA-256 is enough to
/// make a stolen database useless for calling the API; a slow hash would only slow every call.
/// Secrets are compared in constant time.
public enum APICredentials {
    /// The prefix of client ids, secrets and tokens (so a leaked one is recognisable in logs and
    /// by secret scanners).
    public static let clientIDPrefix = "tgc_"
    public static let secretPrefix = "tgs_"
    public static let tokenPrefix = "tgt_"

    /// `bytes` random bytes from the system's CSPRNG, as lowercase hex.
    public static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }

    public static func newClientID() -> ClientID { ClientID(clientIDPrefix + randomHex(bytes: 12)) }
    public static func newSecret() -> String { secretPrefix + randomHex(bytes: 32) }
    public static func newToken() -> String { tokenPrefix + randomHex(bytes: 32) }

    /// SHA-256 of the text's UTF-8 bytes.
    public static func hash(_ text: String) -> Data { Data(SHA256.hash(data: Data(text.utf8))) }

    /// SHA-256 of `data`, as lowercase hex.
    public static func hexDigest(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `secret` hashes to `storedHash`, compared in constant time.
    public static func verify(secret: String, against storedHash: Data) -> Bool {
        constantTimeEqual(hash(secret), storedHash)
    }

    /// Byte-wise comparison whose time depends only on the lengths.
    public static func constantTimeEqual(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }

    /// HMAC-SHA-256 of `body` with `key`, as lowercase hex.
    public static func hmacHex(_ body: Data, key: Data) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: key))
        return Data(code).map { String(format: "%02x", $0) }.joined()
    }
}

/// A new client as `tollgate api-client add` makes it: the record to store and the secret to
/// show once.
public struct NewAPIClient: Sendable {
    public let record: APIClientRecord
    public let secret: String

    public init(name: String, scopes: Set<Scope>, createdBy: String, at date: Date = Date()) {
        let secret = APICredentials.newSecret()
        self.secret = secret
        record = APIClientRecord(id: APICredentials.newClientID().rawValue, name: name, secretHash: APICredentials.hash(secret),
                                 scopes: Scope.allCases.filter(scopes.contains).map(\.rawValue), createdAt: date, createdBy: createdBy)
    }
}

extension APIClientRecord {
    /// Its scopes that this build knows (an unknown stored one grants nothing).
    public var knownScopes: Set<Scope> { Set(scopes.compactMap(Scope.init(rawValue:))) }
}
