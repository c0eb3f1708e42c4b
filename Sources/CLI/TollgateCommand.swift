import ArgumentParser

/// `tollgate`: the administrator's and the user's command line.
@main
struct TollgateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate",
        abstract: "Print accounting, quotas and walk-up release for CUPS.",
        subcommands: [
            // Each issue adds its commands here.
        ]
    )
}
