import IPPWire
import Testing
@testable import Enforcement

@Suite struct QueuePolicyTests {
    func attributes(_ values: [String: [String]]) -> IPPAttributes {
        IPPAttributes(values.mapValues { $0.map(IPPValue.string) })
    }

    @Test func absentOptionsTakeTheDefaults() throws {
        #expect(try QueuePolicy(printerAttributes: attributes([:])) == .defaults)
        #expect(QueuePolicy.defaults.mode == .quota)
        #expect(QueuePolicy.defaults.rule == .cover)
    }

    @Test func readsEveryOption() throws {
        let policy = try QueuePolicy(printerAttributes: attributes([
            "tollgate-mode-default": ["Track"], "tollgate-rule-default": ["positive"],
            "tollgate-rates-default": ["campus-2026"], "tollgate-hold-hours-default": ["12"],
        ]))
        #expect(policy == QueuePolicy(mode: .track, rule: .positive, ratesCard: "campus-2026", holdHours: 12))
    }

    @Test(arguments: [
        ("tollgate-mode-default", "free"), ("tollgate-mode-default", ""), ("tollgate-rule-default", "always"),
        ("tollgate-rates-default", "../etc/passwd"), ("tollgate-rates-default", "a b"),
        ("tollgate-hold-hours-default", "0"), ("tollgate-hold-hours-default", "-3"), ("tollgate-hold-hours-default", "soon"),
        ("tollgate-owner-default", "anyone"), ("tollgate-unanalysable-default", "free"),
        ("tollgate-max-pages-default", "0"), ("tollgate-max-pages-default", "ten"), ("tollgate-max-cost-default", "-1"),
        ("tollgate-max-cost-default", "lots"), ("tollgate-colour-default", "grey-ish"), ("tollgate-over-limit-default", "ignore"),
    ])
    func malformedOptionsAreErrorsNotDefaults(option: String, value: String) {
        #expect(throws: QueuePolicyError.self) { try QueuePolicy(printerAttributes: attributes([option: [value]])) }
    }

    @Test func readsTheJobRules() throws {
        let policy = try QueuePolicy(printerAttributes: attributes([
            "tollgate-max-pages-default": ["50"], "tollgate-max-cost-default": ["2.50"],
            "tollgate-colour-default": ["Deny"], "tollgate-over-limit-default": ["cancel"],
        ]))
        #expect(policy.rules == JobRules(maxPageSides: 50, maxCost: "2.50", colour: .deny, overLimit: .cancel))
        #expect(QueuePolicy.defaults.rules == JobRules(), "no limits unless the administrator sets them")
        let forcing = try QueuePolicy(printerAttributes: attributes(["tollgate-colour-default": ["Grey"], "tollgate-duplex-default": ["force"]]))
        #expect(forcing.rules == JobRules(colour: .grey, duplex: .force))
        #expect(throws: QueuePolicyError.self) { try QueuePolicy(printerAttributes: attributes(["tollgate-duplex-default": ["always"]])) }
    }

    @Test func twoValuesAreAnError() {
        #expect(throws: QueuePolicyError.self) {
            try QueuePolicy(printerAttributes: attributes(["tollgate-mode-default": ["track", "quota"]]))
        }
    }

    @Test func errorSaysHowToFixIt() {
        let error = QueuePolicyError.invalidValue(option: "tollgate-mode-default", value: "free", expected: ["track", "quota", "release"])
        #expect(error.description.contains("lpadmin -p QUEUE -o tollgate-mode-default=VALUE"))
        #expect(error.description.contains("track | quota | release"))
    }
}
