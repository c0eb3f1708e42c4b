import Crypto
import Foundation
import QuotaDB

/// A top-up voucher's code, as printed on a card: 15 random symbols and a check symbol in
/// Crockford's base-32 alphabet (no I, L, O or U), written `XXXX-XXXX-XXXX-XXXX`.
///
/// 75 random bits: with ``voucherAttemptLimit`` wrong tries per user per quarter hour nobody
/// finds a valid code by guessing. The check symbol (Luhn mod 32) catches every single mistyped
/// symbol and most swapped neighbours before the store is asked (and before a wrong try counts).
/// Reading forgives what people do: lower case, blanks and dashes anywhere, O for 0, I and L for 1.
public struct VoucherCode: Hashable, Sendable, CustomStringConvertible {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    static let randomSymbols = 15

    /// The 16 symbols, without dashes.
    public let symbols: String

    /// A new random code (from the system's cryptographic generator).
    public static func random() -> VoucherCode {
        var generator = SystemRandomNumberGenerator()
        let body = (0..<randomSymbols).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] }
        return VoucherCode(unchecked: String(body) + String(checkSymbol(for: body)))
    }

    /// Reads a code as a person typed it; nil when it is not one (wrong length, a symbol outside
    /// the alphabet, or a check symbol that does not match: a typo).
    public init?(typed text: String) {
        var symbols: [Character] = []
        for character in text.uppercased() {
            switch character {
            case " ", "-", "\t": continue
            case "O": symbols.append("0")
            case "I", "L": symbols.append("1")
            default:
                guard Self.alphabet.contains(character) else { return nil }
                symbols.append(character)
            }
        }
        guard symbols.count == Self.randomSymbols + 1,
              Self.checkSymbol(for: symbols.dropLast()) == symbols.last else { return nil }
        self.symbols = String(symbols)
    }

    private init(unchecked symbols: String) { self.symbols = symbols }

    /// `XXXX-XXXX-XXXX-XXXX`.
    public var description: String {
        stride(from: 0, to: symbols.count, by: 4).map { start in
            let from = symbols.index(symbols.startIndex, offsetBy: start)
            return String(symbols[from..<symbols.index(from, offsetBy: 4)])
        }.joined(separator: "-")
    }

    /// What the store keeps instead of the code.
    public var hash: Data { Data(SHA256.hash(data: Data(symbols.utf8))) }

    /// Luhn mod N (N = 32) over the symbols' values.
    static func checkSymbol<S: Collection>(for body: S) -> Character where S.Element == Character {
        let n = alphabet.count
        var sum = 0
        for (offset, character) in body.reversed().enumerated() {
            var value = alphabet.firstIndex(of: character)!
            if offset % 2 == 0 { value *= 2; value = value / n + value % n }
            sum += value
        }
        return alphabet[(n - sum % n) % n]
    }
}
