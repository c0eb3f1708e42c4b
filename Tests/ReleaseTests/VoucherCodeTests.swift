import Foundation
import Testing
@testable import Release

/// Voucher codes: random, checksummed against typos, read as people type them.
struct VoucherCodeTests {
    @Test func aRandomCodeReadsBackAndCodesDiffer() {
        let codes = (0..<500).map { _ in VoucherCode.random() }
        #expect(Set(codes).count == 500)
        for code in codes.prefix(50) {
            #expect(code.description.count == 19 && code.description.split(separator: "-").count == 4)
            #expect(VoucherCode(typed: code.description) == code)
            #expect(VoucherCode(typed: code.description.lowercased().replacingOccurrences(of: "-", with: " ")) == code)
        }
    }

    @Test func everySingleMistypedSymbolIsCaught() {
        let code = VoucherCode.random()
        let symbols = Array(code.symbols)
        for index in symbols.indices {
            for replacement in VoucherCode.alphabet where replacement != symbols[index] {
                var typo = symbols
                typo[index] = replacement
                #expect(VoucherCode(typed: String(typo)) == nil, "\(String(typo)) passed for \(code)")
            }
        }
    }

    @Test func lookalikesAreReadAsTheirDigits() {
        let code = VoucherCode.random()
        let typed = code.symbols.replacingOccurrences(of: "0", with: "O").replacingOccurrences(of: "1", with: "l")
        #expect(VoucherCode(typed: typed) == code)
        #expect(VoucherCode(typed: "not a code") == nil)
        #expect(VoucherCode(typed: code.symbols + "0") == nil, "one symbol too many")
    }
}
