import ArgumentParser
import Foundation
import Pricing
import Enforcement
import QuotaDB

/// `tollgate credit USER AMOUNT`: an admin credit to a wallet or an account allocation.
struct CreditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credit",
        abstract: "Credit a user's personal wallet or account allocation.",
        discussion: """
        On an account, a credit lowers the user's usage (Pharos's credit of used points, written there \
        as a negative amount): 210 used of 200, credit 120 → 90 used. With --reset-to the wallet balance \
        (or the remaining allocation) becomes AMOUNT.
        """
    )
    @OptionGroup var store: StoreOptions
    @Argument var user: String
    @Argument(help: "Amount, e.g. 5, 5.00 EUR or 120 points.") var amount: String
    @Option(help: "Credit this account's allocation instead of the wallet.") var account: String?
    @Flag(name: .customLong("reset-to"), help: "Set the balance to AMOUNT instead of adding it.") var resetTo = false
    @Option(help: "Why (kept in the ledger).") var reason = ""

    func run() throws {
        let db = try store.open()
        let value = try db.amount(amount, what: "AMOUNT")
        let entry = try db.credit(user: user, to: account.map { .account($0) } ?? .wallet, amount: value,
                                  mode: resetTo ? .resetTo : .add, reason: reason, actor: invokingActor())
        print(LedgerCommand.describe(entry))
    }
}

/// `tollgate topup USER AMOUNT`.
struct TopUpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topup",
        abstract: "Put money in a user's personal wallet (idempotent by --reference).")
    @OptionGroup var store: StoreOptions
    @Argument var user: String
    @Argument(help: "Amount above zero.") var amount: String
    @Option(help: "Payment reference: the same reference is never credited twice.") var reference: String?

    func run() throws {
        let db = try store.open()
        let entry = try db.topUp(user: user, amount: try db.amount(amount, what: "AMOUNT"), reference: reference, actor: invokingActor())
        print(LedgerCommand.describe(entry))
    }
}

/// `tollgate adjust USER AMOUNT --reason …`.
struct AdjustCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adjust",
        abstract: "A signed correction of a wallet or an account allocation (may go negative).")
    @OptionGroup var store: StoreOptions
    @Argument var user: String
    @Argument(help: "Signed amount: -2.50 takes 2.50 away.") var amount: String
    @Option(help: "Adjust this account's allocation instead of the wallet (a negative amount adds usage).") var account: String?
    @Option(help: "Why (required, kept in the ledger).") var reason: String

    func run() throws {
        let db = try store.open()
        let entry = try db.adjust(user: user, on: account.map { .account($0) } ?? .wallet,
                                  by: try db.amount(amount, what: "AMOUNT"), reason: reason, actor: invokingActor())
        print(LedgerCommand.describe(entry))
    }
}

/// `tollgate refund JOB AMOUNT`.
struct RefundCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refund",
        abstract: "Give back (part of) a printed job's charge.",
        discussion: "AMOUNT is the job's total refund, not an increment: repeating the command refunds nothing more.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "The job key.") var job: String
    @Argument(help: "Total to refund for the job (default: all of it).") var amount: String?
    @Option(help: "Why (kept in the ledger).") var reason = ""

    func run() throws {
        let db = try store.open()
        guard let reservation = try db.reservation(jobKey: job) else { throw QuotaError.unknownJob(jobKey: job) }
        let value = try amount.map { try db.amount($0, what: "AMOUNT") } ?? reservation.total
        let before = reservation.refunded
        let after = try db.refund(jobKey: job, amount: value, reason: reason, actor: invokingActor())
        if after.refunded.minorUnits > before.minorUnits {
            db.notify(after.user, .refund, UserNotices().refund(amount: Money(minorUnits: after.refunded.minorUnits - before.minorUnits,
                                                                              currency: after.refunded.currency),
                                                                reason: reason, jobKey: job))
        }
        print("job \(job): \(after.refunded) refunded of \(after.total)")
    }
}
