import ArgumentParser
import Foundation
import JobAnalysis

/// `tollgate analyse FILE…`: what the backend would see in each document.
struct AnalyseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyse",
        abstract: "Show pages, paper sizes, colour pages and application of documents.",
        aliases: ["analyze"])

    @Argument(help: "Documents: PDF, PostScript, PWG or Apple raster, PCL, plain text.")
    var files: [String]

    @OptionGroup var jobOptions: JobOptionArguments

    @Flag(help: "Print JSON (an array, one analysis per file) for scripts.")
    var json = false

    func run() throws {
        var results: [JobAnalysis] = []
        var failed = false
        for file in files {
            do {
                let analysis = try analyseDocument(file, options: jobOptions.jobOptions(jobName: (file as NSString).lastPathComponent))
                if json { results.append(analysis) } else { print(summary(file, analysis)) }
            } catch {
                failed = true
                FileHandle.standardError.write(Data("tollgate analyse: \(file): \(error)\n".utf8))
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
        }
        if failed { throw ExitCode(3) }
    }

    private func summary(_ file: String, _ analysis: JobAnalysis) -> String {
        var lines = ["\(file): \(analysis.format.rawValue), \(analysis.pageCount.map { "\($0) pages" } ?? "page count unknown")"
                     + ", \(analysis.colourPageCount) colour"
                     + (analysis.application.map { ", from \($0.name) (\($0.raw))" } ?? "")]
        if let reason = analysis.formatReason { lines.append("  note: \(reason)") }
        if let failure = analysis.failure { lines.append("  not counted: \(failure)") }
        for run in analysis.pages {
            let pages = run.firstPage == run.lastPage ? "page \(run.firstPage)" : "pages \(run.firstPage)-\(run.lastPage)"
            lines.append("  \(pages): \(run.media.pwgName), \(run.colour.rawValue) (\(run.colourMethod.rawValue))")
        }
        let output = analysis.output
        lines.append("  prints \(output.totalImpressions) page sides on \(output.totalSheets) sheets (\(output.copies) × \(output.impressionsPerCopy) sides, \(output.sides.rawValue))")
        lines += analysis.warnings.map { "  warning: \($0)" }
        return lines.joined(separator: "\n")
    }
}
