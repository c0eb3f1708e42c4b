import JobAnalysis

/// The parsed command line.
struct ToolArguments {
    var json = false
    var options = JobOptions()
    /// A path, or `-` for stdin.
    var document = ""
    var render = true
    /// Render every page (benchmark reference), see AnalysisLimits.renderAllPages.
    var renderAll = false
    /// Ghostscript's time limit; `nil`: scaled by the document's size (AnalysisLimits).
    var timeoutSeconds: Int?

    static let usage = """
    usage: tollgate-analyse [--json] [--copies N] [--number-up N] [--sides one-sided|two-sided-long-edge|two-sided-short-edge]
                            [--color-mode auto|color|monochrome] [--page-ranges 1-3,5] [--job-name NAME] [--app NAME]
                            [--no-render] [--render-all-pages] [--timeout SECONDS] FILE|-
    """

    /// Why the command line is unusable (printed with the usage).
    struct Problem: Error { var message: String }

    static func parse(_ args: [String]) throws(Problem) -> ToolArguments {
        var result = ToolArguments()
        var i = 0
        var positional: [String] = []
        func value(_ flag: String) throws(Problem) -> String {
            i += 1
            guard i < args.count else { throw Problem(message: "\(flag) needs a value") }
            return args[i]
        }
        func integer(_ flag: String) throws(Problem) -> Int {
            let text = try value(flag)
            guard let n = Int(text) else { throw Problem(message: "\(flag) needs a whole number (got '\(text)')") }
            return n
        }
        while i < args.count {
            let arg = args[i]
            switch arg {
            case "--json": result.json = true
            case "--no-render": result.render = false
            case "--render-all-pages": result.renderAll = true
            case "--copies": result.options.copies = try integer(arg)
            case "--number-up": result.options.numberUp = try integer(arg)
            case "--timeout": result.timeoutSeconds = try integer(arg)
            case "--sides":
                let text = try value(arg)
                guard let s = JobOptions.Sides(rawValue: text) else {
                    throw Problem(message: "--sides must be one-sided, two-sided-long-edge or two-sided-short-edge (got '\(text)')")
                }
                result.options.sides = s
            case "--color-mode", "--colour-mode":
                let text = try value(arg)
                switch text {
                case "auto", "color", "colour": result.options.colourMode = text == "auto" ? .auto : .colour
                case "monochrome", "bi-level", "process-monochrome", "auto-monochrome", "process-bi-level":
                    result.options.colourMode = .monochrome
                default: throw Problem(message: "--color-mode must be auto, color or monochrome (got '\(text)')")
                }
            case "--page-ranges":
                let text = try value(arg)
                guard let r = JobOptions.parsePageRanges(text) else {
                    throw Problem(message: "--page-ranges must look like 1-3,5,8- (got '\(text)')")
                }
                result.options.pageRanges = r
            case "--job-name": result.options.jobName = try value(arg)
            case "--app": result.options.applicationName = try value(arg)
            case "-h", "--help": throw Problem(message: "")
            case "-": positional.append(arg)
            default:
                if arg.hasPrefix("-") { throw Problem(message: "unknown option \(arg)") }
                positional.append(arg)
            }
            i += 1
        }
        guard positional.count == 1 else {
            throw Problem(message: positional.isEmpty ? "name the document (a path, or - for stdin)" : "only one document at a time")
        }
        result.document = positional[0]
        if let problem = result.options.validationError() { throw Problem(message: problem) }
        if let seconds = result.timeoutSeconds, seconds <= 0 || seconds > 3600 {
            throw Problem(message: "--timeout must be between 1 and 3600 seconds")
        }
        return result
    }
}
