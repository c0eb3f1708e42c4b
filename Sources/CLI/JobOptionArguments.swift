import ArgumentParser
import Foundation
import JobAnalysis

/// The job options a person can give `tollgate quote` and `tollgate analyse`, as on `lp -o`.
struct JobOptionArguments: ParsableArguments {
    @Option(help: "Number of copies.")
    var copies: Int = 1

    @Option(help: "one-sided, two-sided-long-edge or two-sided-short-edge.")
    var sides: String = "one-sided"

    @Option(name: .customLong("color-mode"), help: "auto, color or monochrome.")
    var colorMode: String = "auto"

    @Option(name: .customLong("number-up"), help: "Document pages per side.")
    var numberUp: Int = 1

    @Option(name: .customLong("page-ranges"), help: "Pages to print, e.g. 1-3,7.")
    var pageRanges: String?

    /// The options as the analysis takes them, for a document named `jobName`.
    func jobOptions(jobName: String) throws -> JobOptions {
        guard let sides = JobOptions.Sides(rawValue: sides) else {
            throw ValidationError("--sides must be one of: \(JobOptions.Sides.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let colour = JobOptions.ColourMode(rawValue: colorMode) else {
            throw ValidationError("--color-mode must be one of: \(JobOptions.ColourMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var ranges: [ClosedRange<Int>] = []
        if let pageRanges {
            guard let parsed = JobOptions.parsePageRanges(pageRanges) else {
                throw ValidationError("--page-ranges \"\(pageRanges)\" is not a list like 1-3,7")
            }
            ranges = parsed
        }
        let options = JobOptions(copies: copies, numberUp: numberUp, sides: sides, colourMode: colour,
                                 pageRanges: ranges, jobName: jobName)
        if let problem = options.validationError() { throw ValidationError(problem) }
        return options
    }
}

/// Analyses `file` as the backend analyses a job: in the sandboxed `tollgate-analyse` child
/// when it is installed (next to this program, as in a build, or in /usr/lib/tollgate), else in
/// this process (a person's own file).
func analyseDocument(_ file: String, options: JobOptions) throws -> JobAnalysis {
    let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    let candidates = [me.deletingLastPathComponent().appendingPathComponent("tollgate-analyse").path,
                      AnalyserProcess().executable]
    let helper = candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    if let helper {
        return try AnalyserProcess(executable: helper).analyse(path: file, options: options)
    }
    return try DocumentAnalyser().analyse(path: file, options: options)
}
