import Foundation
import Testing
import TestSupport

/// The systemd units `make install` puts in place: valid for systemd, pointing at the built
/// programs, with options the programs accept.
@Suite struct SystemdUnitTests {
    static let units = ["tollgated.service", "tollgate-maintenance.service", "tollgate-maintenance.timer"]

    /// The units as `make install` writes them, with the build's programs for @SBINDIR@ and @BINDIR@.
    func installedUnits(in dir: String) throws -> [String] {
        let programs = URL(fileURLWithPath: BuiltProducts.executable("tollgated")).deletingLastPathComponent().path
        return try Self.units.map { name in
            let text = try String(contentsOf: BuiltProducts.packageRoot.appendingPathComponent("packaging/systemd/" + name), encoding: .utf8)
            let path = dir + "/" + name
            try text.replacingOccurrences(of: "@SBINDIR@", with: programs).replacingOccurrences(of: "@BINDIR@", with: programs)
                .write(toFile: path, atomically: false, encoding: .utf8)
            return path
        }
    }

    @Test func systemdAcceptsTheUnits() throws {
        let dir = try TemporaryDirectory()
        let paths = try installedUnits(in: dir.path)
        let verify = try ProcessRunner.run(["/usr/bin/systemd-analyze", "verify"] + paths, environment: ["PATH": "/usr/bin:/bin", "LANG": "C"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(!verify.stderr.contains("tollgate"), "no warnings about our units: \(verify.stderr)")
    }

    @Test func theDefaultOptionsAreTollgatedsOwn() throws {
        let defaults = try String(contentsOf: BuiltProducts.packageRoot.appendingPathComponent("packaging/systemd/tollgated.default"), encoding: .utf8)
        let unit = try String(contentsOf: BuiltProducts.packageRoot.appendingPathComponent("packaging/systemd/tollgated.service"), encoding: .utf8)
        let help = try ProcessRunner.run([BuiltProducts.executable("tollgated"), "--help"]).stdout
        // The option lines only: TOLLGATED_OPTIONS="…" in the defaults file and in the unit's Environment=.
        let optionLines = (defaults + "\n" + unit).split(separator: "\n").filter { $0.contains("TOLLGATED_OPTIONS=") }
        let options = optionLines.flatMap { $0.split(whereSeparator: { $0 == " " || $0 == "\"" }) }
            .compactMap { word -> String? in
                guard let start = word.range(of: "--") else { return nil }
                return String(word[start.lowerBound...].split(separator: "=")[0])
            }
        #expect(options.count >= 4, "\(options)")
        // Listed under OPTIONS: the usage line shortens to `tollgated <options>` once there are many.
        for option in options { #expect(help.contains("\n  " + option + " "), "tollgated --help does not list \(option)") }
    }
}
