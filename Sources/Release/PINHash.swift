import CCrypt
import Crypto
import Foundation

/// A release-station PIN as the database stores it: the system's crypt(3) (libxcrypt's yescrypt,
/// as /etc/shadow uses: salted and deliberately slow), and over that an HMAC-SHA-256 with the
/// site's ``PINKey`` (a pepper kept outside the database).
///
/// A 4-digit PIN has 10,000 values: yescrypt alone lets whoever copies the database try them all
/// in minutes. With the pepper the database alone confirms nothing, not even the right PIN: it
/// holds only the HMAC of the crypt output, and the key is in another file. Longer PINs would
/// not be enough without it (6 digits take hours), and cards with 4-digit PINs are what users
/// keep; so PINs stay 4–12 digits and online guessing is the sign-in limits' job.
///
/// Stored form, `$tgp1$KEYID$MAC$y$PARAMS$SALT`: the key's ``PINKey/id``, then
/// MAC = hex(HMAC-SHA-256(key, crypt(PIN, setting))), then the crypt setting (method, cost, salt).
///
/// A hash from before the pepper is plain crypt output (`$y$PARAMS$SALT$HASH`). It still verifies,
/// and ``peppered(with:)`` turns it into the stored form without the PIN: the HMAC of that crypt
/// output is exactly what a new hash of the same PIN and salt holds. tollgated does that to every
/// such hash when it starts with a key, and so do `tollgate db init` and `tollgate pin set`.
public struct PINHash: Hashable, Sendable, CustomStringConvertible {
    /// The text in the database.
    public let stored: String

    public init(stored: String) {
        self.stored = stored
    }

    private static let prefix = "$tgp1$"

    /// A PIN is 4 to 12 digits.
    public static func validate(_ pin: String) -> Bool {
        (4...12).contains(pin.utf8.count) && pin.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// A new hash of `pin` with a fresh random salt and `key`.
    public static func make(_ pin: String, key: PINKey) throws(PINError) -> PINHash {
        guard validate(pin) else { throw .invalidPIN }
        guard let setting = crypt_gensalt_ra("$y$", 0, nil, 0) else { throw .hashingFailed(errno: errno) }
        defer { free(setting) }
        let crypted = try crypt(pin, setting: String(cString: setting))
        guard let wrapped = PINHash(stored: crypted).peppered(with: key) else { throw .hashingFailed(errno: 0) }
        return wrapped
    }

    /// The parts of the stored form, or `nil` for a hash from before the pepper.
    private var parts: (keyID: String, mac: [UInt8], setting: String)? {
        guard stored.hasPrefix(Self.prefix) else { return nil }
        let fields = stored.dropFirst(Self.prefix.count).split(separator: "$", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, let mac = [UInt8](hex: String(fields[1])), mac.count == 32 else { return nil }
        return (String(fields[0]), mac, "$" + fields[2])
    }

    /// The id of the key this hash was made with; `nil` for a hash from before the pepper.
    public var keyID: String? { parts?.keyID }

    /// Whether it is a hash from before the pepper (plain crypt output).
    public var isPlainCrypt: Bool { !stored.hasPrefix(Self.prefix) && stored.hasPrefix("$") }

    /// Whether `pin` is the PIN of this hash. A peppered hash needs its own key; with another key
    /// or none it matches no PIN. The work is the same either way (one crypt).
    public func matches(_ pin: String, key: PINKey?) -> Bool {
        if let parts {
            guard let computed = try? Self.crypt(pin, setting: parts.setting) else { return false }
            guard let key, key.id == parts.keyID else { return false }
            return key.isMAC(parts.mac, of: computed)
        }
        guard isPlainCrypt, let computed = try? Self.crypt(pin, setting: stored) else { return false }
        return Self.constantTimeEqual(Array(computed.utf8), Array(stored.utf8))
    }

    /// This hash with `key`'s pepper: a hash from before the pepper wrapped (no PIN needed), or
    /// `nil` if there is nothing to do (already peppered, or not a crypt hash).
    public func peppered(with key: PINKey) -> PINHash? {
        guard isPlainCrypt, let cut = stored.lastIndex(of: "$"), cut > stored.startIndex else { return nil }
        let setting = stored[..<cut]
        return PINHash(stored: Self.prefix + key.id + "$" + key.mac(stored).hex + setting)
    }

    /// Never the stored text (it is a secret's hash).
    public var description: String {
        keyID.map { "PIN hash (key \($0))" } ?? (isPlainCrypt ? "PIN hash (without the pepper)" : "not a PIN hash")
    }

    private static func crypt(_ phrase: String, setting: String) throws(PINError) -> String {
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer { data.deallocate() }
        memset(data, 0, MemoryLayout<crypt_data>.size)
        guard let result = crypt_r(phrase, setting, data), result.pointee != 0x2A /* "*": failure */ else {
            throw .hashingFailed(errno: errno)
        }
        return String(cString: result)
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

/// A PIN that cannot be set or checked.
public enum PINError: Error, Sendable, CustomStringConvertible {
    case invalidPIN
    case hashingFailed(errno: Int32)

    public var description: String {
        switch self {
        case .invalidPIN: "a PIN is 4 to 12 digits"
        case .hashingFailed(let code): "the system could not hash the PIN (errno \(code))"
        }
    }
}
