import CCrypt
import Foundation

/// Hashes and checks release-station PINs with the system's crypt(3) (libxcrypt's yescrypt, as
/// /etc/shadow uses): a PIN is never stored, only its salted, deliberately slow hash.
public enum PINHasher {
    /// A PIN is 4 to 12 digits.
    public static func validate(_ pin: String) -> Bool {
        (4...12).contains(pin.utf8.count) && pin.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// A new hash of `pin` with a fresh random salt.
    public static func hash(_ pin: String) throws(PINError) -> String {
        guard validate(pin) else { throw .invalidPIN }
        guard let setting = crypt_gensalt_ra("$y$", 0, nil, 0) else { throw .hashingFailed(errno: errno) }
        defer { free(setting) }
        return try crypt(pin, setting: setting)
    }

    /// Whether `pin` matches `hash` (compared in constant time).
    public static func verify(_ pin: String, hash: String) -> Bool {
        guard let computed = try? crypt(pin, setting: hash) else { return false }
        let a = Array(computed.utf8), b = Array(hash.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    private static func crypt(_ phrase: String, setting: UnsafePointer<CChar>) throws(PINError) -> String {
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer { data.deallocate() }
        memset(data, 0, MemoryLayout<crypt_data>.size)
        guard let result = crypt_r(phrase, setting, data), result.pointee != 0x2A /* "*": failure */ else {
            throw .hashingFailed(errno: errno)
        }
        return String(cString: result)
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
