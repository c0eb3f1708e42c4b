import Foundation
import Pricing
import PricingTOML

/// The rates cards in the directory the backend reads (`NAME.toml`), read and replaced as files.
///
/// Failure policy: a card is saved only when ``RatesCard/init(toml:)`` — the backend's own parser
/// and rule checks — accepts the new text; otherwise the file is not touched. A save keeps the
/// previous text as `NAME.toml.previous`, writes the new one to a temporary file in the same
/// directory (same owner and mode, fsynced) and renames it over the card, so the backend reads
/// either the old card or the new one, never half of one.
struct RatesCardFiles: Sendable {
    let directory: String

    /// A card's name as a file name: letters, digits, `-`, `_` and `.` (not first), at most 100.
    static func isValidName(_ name: String) -> Bool {
        guard (1...100).contains(name.utf8.count), name.first != "." else { return false }
        return name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.".unicodeScalars.contains($0) }
    }

    func path(_ name: String) -> String { directory + "/" + name + ".toml" }

    /// The card names (files ending in `.toml`), sorted.
    func names() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.filter { $0.hasSuffix(".toml") }.map { String($0.dropLast(5)) }.filter(Self.isValidName).sorted()
    }

    func text(_ name: String) throws -> String {
        try String(contentsOfFile: path(name), encoding: .utf8)
    }

    enum SaveError: Error, CustomStringConvertible {
        case rejected(RatesCardTOMLError)
        case io(String)

        var description: String {
            switch self {
            case .rejected(let error): "The card was not saved: \(error)."
            case .io(let detail): "The card could not be written (\(detail)); the file is unchanged."
            }
        }
    }

    /// Checks `text` with the backend's parser and replaces the card with it.
    @discardableResult
    func save(_ name: String, text: String) throws(SaveError) -> RatesCard {
        let card: RatesCard
        do {
            card = try RatesCard(toml: text)
        } catch {
            throw .rejected(error)
        }
        let target = path(name)
        let manager = FileManager.default
        let attributes = try? manager.attributesOfItem(atPath: target)
        let temporary = directory + "/." + name + ".toml.tmp-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let data = Data(text.utf8)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == data.count, synced else {
            unlink(temporary)
            throw .io("cannot write \(temporary)")
        }
        if let attributes {
            if let mode = attributes[.posixPermissions] as? NSNumber { chmod(temporary, mode_t(mode.uint16Value)) }
            if let owner = attributes[.ownerAccountID] as? NSNumber, let group = attributes[.groupOwnerAccountID] as? NSNumber {
                _ = chown(temporary, uid_t(owner.uint32Value), gid_t(group.uint32Value))
            }
            // The previous version, kept next to the card (a hard link: the old inode survives the rename).
            let previous = target + ".previous"
            unlink(previous)
            if link(target, previous) != 0 {
                unlink(temporary)
                throw .io("cannot keep the previous version as \(previous): \(String(cString: strerror(errno)))")
            }
        }
        guard rename(temporary, target) == 0 else {
            let detail = String(cString: strerror(errno))
            unlink(temporary)
            throw .io("cannot replace \(target): \(detail)")
        }
        let dir = open(directory, O_RDONLY | O_DIRECTORY)
        if dir >= 0 { fsync(dir); close(dir) }
        return card
    }
}
