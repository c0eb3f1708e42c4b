import ArgumentParser

/// `tollgate`: the administrator's and the user's command line.
@main
struct TollgateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate",
        abstract: "Print accounting, quotas and walk-up release for CUPS.",
        subcommands: [
            // Each issue adds its commands here.
            // Quota database (Sources/QuotaDB):
            DatabaseCommand.self, AccountCommand.self, UserCommand.self, GroupCommand.self, ActiveCommand.self,
            CreditCommand.self, TopUpCommand.self, AdjustCommand.self, RefundCommand.self, ScheduleCommand.self,
            LedgerCommand.self, ReportCommand.self, CheckCommand.self, DebugCommand.self,
            // Pricing (Sources/Pricing, with JobAnalysis):
            QuoteCommand.self, AnalyseCommand.self,
            // Enforcement:
            ReconcileCommand.self,
            SyncCommand.self,
            // Walk-up release (Sources/Release):
            JobsCommand.self, ReleaseCommand.self, DeleteJobCommand.self, TickCommand.self, PINCommand.self, ClientSettingsCommand.self,
            // Accounts API (Sources/APIAccess, served by tollgated):
            APIClientCommand.self, PaymentSiteCommand.self,
            // Top-up vouchers:
            VoucherCommand.self, RedeemCommand.self,
        ]
    )
}
