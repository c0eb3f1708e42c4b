#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing

/// Guards the module's promises: Pricing imports nothing (no Foundation, CUPS or database) and
/// never uses floating point.
@Suite("Pricing stays pure")
struct PurityTests {
    static func pricingSources() throws -> [(name: String, text: String)] {
        let root = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
        let directory = root + "/Sources/Pricing"
        let handle = try #require(opendir(directory), "cannot list \(directory)")
        defer { closedir(handle) }
        var files: [(String, String)] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasSuffix(".swift") else { continue }
            files.append((name, try #require(readFile(directory + "/" + name))))
        }
        return files
    }

    @Test func importsNothingAndUsesNoFloatingPoint() throws {
        let sources = try Self.pricingSources()
        #expect(sources.count > 10)
        for (name, text) in sources {
            for line in text.split(separator: "\n") {
                let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                #expect(!code.contains("import "), "\(name): \(line)")
                #expect(!code.contains("Double") && !code.contains("Float"), "\(name): \(line)")
            }
        }
    }
}
