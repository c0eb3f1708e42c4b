import Foundation
import Pricing
@testable import PricingTOML
import Testing
import TestSupport

/// Every input the rates-card fuzz target (`Fuzz/RatesCard`) found a crash or hang with, kept in
/// `Tests/Fixtures/fuzz-regressions/FuzzRatesCard/`: read as the fuzzer reads it (bytes decoded
/// as UTF-8, invalid sequences replaced), each is a card or an error, never a trap.
@Suite struct RatesCardFuzzRegressionTests {
    static let directory = BuiltProducts.packageRoot.appendingPathComponent("Tests/Fixtures/fuzz-regressions/FuzzRatesCard")
    static var inputs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    }

    @Test func thereAreFindingsToReplay() {
        #expect(!Self.inputs.isEmpty, "the fixtures are in git: \(Self.directory.path)")
    }

    @Test(arguments: inputs) func aFindingIsACardOrAnError(_ name: String) throws {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent(name))
        let text = String(decoding: data, as: UTF8.self)
        do {
            _ = try RatesCard(toml: text)
        } catch {
            #expect(!"\(error)".isEmpty)
        }
    }
}

/// The scan that keeps nameless table headers away from TOMLKit (``TOMLHeaderGuard``): each such
/// header is refused with its line, and what only looks like one is left to the parser.
@Suite struct TOMLHeaderGuardTests {
    @Test(arguments: ["[  #x", "[#", "[ =", "[[ #", "[ \n", "[ .a]", "[ é]", "\u{FEFF}[ =", "name = \"x\"\n\n  [[ =]]"])
    func aNamelessHeaderIsASyntaxErrorAtItsLine(_ text: String) {
        #expect(throws: RatesCardTOMLError.self) { try RatesCard(toml: text) }
        let expectedLine = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("[") }! + 1
        #expect(TOMLHeaderGuard.unnamedHeader(in: text)?.line == expectedLine, "\(text)")
    }

    @Test func theColumnCountsCharacters() {
        #expect(TOMLHeaderGuard.unnamedHeader(in: "# é\n  [ é]")! == (2, 5))
    }

    @Test(arguments: [
        "[rule]", "[ rule ]", "[[rule]]", "[ \"quoted key\" ]", "['literal']", "[]",
        "x = [\n  [ {a = 1} ],\n  [ =\n]",                       // inside an array value
        "s = \"\"\"\n[ = not a header\n\"\"\"",                  // inside a multi-line basic string
        "s = '''\n[ #\n'''",                                      // inside a multi-line literal string
        "s = \"a\\\"[\"\n[ok]",                                    // an escaped quote
        "# [ =\n[ok]",                                            // a comment
    ])
    func whatIsNotANamelessHeaderPasses(_ text: String) {
        #expect(TOMLHeaderGuard.unnamedHeader(in: text) == nil, "\(text)")
    }

    @Test func theExampleCardPasses() throws {
        let text = try String(contentsOf: BuiltProducts.packageRoot.appendingPathComponent("rates/example.toml"), encoding: .utf8)
        #expect(TOMLHeaderGuard.unnamedHeader(in: text) == nil)
    }
}
