import Testing
@testable import JobAnalysis

@Suite("Content stream scanner")
struct ContentScannerTests {
    func ops(_ text: String) -> [(String, [Operand])] {
        var result: [(String, [Operand])] = []
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { b in
            ContentStreamScanner(operatorLimit: 1000).scan(b) { op, operands in result.append((op, operands)); return true }
        }
        return result
    }

    @Test func operatorsAndOperands() {
        let r = ops("q 1 0 0 rg BT /F1 12 Tf (Hi \\) there)Tj ET Q")
        #expect(r.map(\.0) == ["q", "rg", "BT", "Tf", "Tj", "ET", "Q"])
        #expect(r[1].1 == [.number(1), .number(0), .number(0)])
        #expect(r[3].1 == [.name("F1"), .number(12)])
    }

    @Test func inlineImageIsSkipped() {
        let r = ops("BI /W 2 /H 1 /CS /RGB /BPC 8 ID \u{01}EI\u{02}\u{03}\u{04}\u{05}\u{06} EI 0 g")
        #expect(r.map(\.0) == ["BI", "g"])
        #expect(r[0].1.contains(.name("RGB")))
    }

    @Test func arraysAndDictionaries() {
        let r = ops("[(a) 120 (b)] TJ /P0 << /MCID 3 >> BDC .5 -.25 +3. 0 k")
        #expect(r.map(\.0) == ["TJ", "BDC", "k"])
        #expect(r[2].1 == [.number(0.5), .number(-0.25), .number(3), .number(0)])
    }
}
