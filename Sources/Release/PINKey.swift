import Crypto
import Foundation
import Synchronization

/// Where the PIN key lives: `--pin-key PATH`, else `$TOLLGATE_PIN_KEY`, else ``defaultPath``.
///
/// It is kept apart from the database on purpose (/etc, not /var/lib): a copy of the database or
/// of its backups without this file cannot confirm a single guessed PIN.
public struct PINKeyLocation: Hashable, Sendable, CustomStringConvertible {
    /// `/etc/tollgate/pin.key`.
    public static let defaultPath = "/etc/tollgate/pin.key"
    /// The environment variable that overrides the default path.
    public static let environmentVariable = "TOLLGATE_PIN_KEY"

    public let path: String

    public init(path: String) {
        self.path = path
    }

    public static func resolve(explicit: String? = nil,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> PINKeyLocation {
        if let explicit, !explicit.isEmpty { return PINKeyLocation(path: explicit) }
        if let fromEnv = environment[environmentVariable], !fromEnv.isEmpty { return PINKeyLocation(path: fromEnv) }
        return PINKeyLocation(path: defaultPath)
    }

    public var description: String { path }
}

/// The site's secret key for PIN hashes (the pepper): 256 random bits in a file of its own,
/// root's, mode 0600, as 64 hex digits.
///
/// Made by the first command that needs it (`tollgate pin set`, or `tollgate db init` when the
/// database holds PIN hashes made before the pepper); tollgated only reads it (its unit makes /etc
/// read-only, and a key it made up would not match the hashes). Lose it and every PIN must be set
/// again; back it up apart from the database.
public struct PINKey: Sendable {
    let key: SymmetricKey
    /// Names the key in each hash it made (the first 64 bits of an HMAC of a fixed text: it
    /// tells keys apart and gives nothing of the key away).
    public let id: String

    /// A key of exactly 32 bytes.
    public init(bytes: [UInt8]) {
        precondition(bytes.count == 32, "a PIN key is 32 bytes")
        key = SymmetricKey(data: bytes)
        id = HMAC<SHA256>.authenticationCode(for: Array("tollgate PIN key id".utf8), using: key).prefix(8).hex
    }

    /// A new random key.
    public static func generate() -> PINKey { PINKey(bytes: randomBytes()) }

    private static func randomBytes() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// HMAC-SHA-256 of `text` with this key.
    func mac(_ text: String) -> HashedAuthenticationCode<SHA256> {
        HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key)
    }

    /// Whether `mac` is this key's HMAC of `text` (in constant time).
    func isMAC(_ mac: [UInt8], of text: String) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Array(text.utf8), using: key)
    }

    /// The key at `location`, or `nil` if there is no file. Refuses a key others may read (it may
    /// have been copied: make a new one and set the PINs again) and a file that is not one.
    public static func load(at location: PINKeyLocation) throws(PINKeyError) -> PINKey? {
        let fd = open(location.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw .unreadable(path: location.path, detail: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { throw .malformed(path: location.path) }
        guard info.st_mode & 0o077 == 0 else { throw .notPrivate(path: location.path, mode: info.st_mode & 0o777) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { throw .malformed(path: location.path) }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = [UInt8](hex: text), bytes.count == 32 else { throw .malformed(path: location.path) }
        return PINKey(bytes: bytes)
    }

    /// The key at `location`, made (0600, its directory 0755 if missing) when there is none.
    /// Returns whether it was made now.
    public static func loadOrCreate(at location: PINKeyLocation) throws(PINKeyError) -> (key: PINKey, created: Bool) {
        if let key = try load(at: location) { return (key, false) }
        let directory = (location.path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o755])
        }
        let raw = randomBytes()
        let fd = open(location.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST, let key = try load(at: location) { return (key, false) }   // made meanwhile
            throw .cannotCreate(path: location.path, detail: String(cString: strerror(errno)))
        }
        let line = Array((raw.hex + "\n").utf8)
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == line.count, synced else {
            unlink(location.path)
            throw .cannotCreate(path: location.path, detail: "cannot write it")
        }
        return (PINKey(bytes: raw), true)
    }
}

/// A PIN key that cannot be used.
public enum PINKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadable(path: String, detail: String)
    case malformed(path: String)
    case notPrivate(path: String, mode: mode_t)
    case cannotCreate(path: String, detail: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let detail): "cannot read the PIN key \(path): \(detail)"
        case .malformed(let path): "the PIN key \(path) is not 64 hex digits (a key tollgate made)"
        case .notPrivate(let path, let mode):
            "the PIN key \(path) may be read by others (mode \(String(mode, radix: 8))): chmod 600 it; if it could have been copied, remove it and set every PIN again"
        case .cannotCreate(let path, let detail): "cannot create the PIN key \(path): \(detail)"
        }
    }
}

extension Sequence where Element == UInt8 {
    var hex: String { map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }
}

extension [UInt8] {
    /// Bytes from an even number of hex digits, or `nil`.
    init?(hex text: String) {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self = bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// The PIN key as tollgated holds it: read at start, and read again at a PIN sign-in while there
/// is none (`tollgate pin set` makes it on first use, perhaps after tollgated started). Once read
/// it is kept; a key changed on disk counts after a restart.
public final class PINKeyFile: Sendable {
    public let location: PINKeyLocation
    private let loaded: Mutex<PINKey?>

    /// Reads the key at `location` (`nil` if there is none yet); throws for a key that cannot be used.
    public init(location: PINKeyLocation) throws(PINKeyError) {
        self.location = location
        loaded = Mutex(try PINKey.load(at: location))
    }

    /// The key, read now if it was not there before; `nil` while there is none.
    public func key() throws(PINKeyError) -> PINKey? {
        if let key = loaded.withLock({ $0 }) { return key }
        guard let key = try PINKey.load(at: location) else { return nil }
        loaded.withLock { $0 = key }
        return key
    }
}
