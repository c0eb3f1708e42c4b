import ArgumentParser
import Foundation
import QuotaDB
import Release

/// `tollgate voucher …`: top-up vouchers sold at a help desk (administrators).
struct VoucherCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "voucher",
        abstract: "Top-up vouchers: make a batch (codes and a printable PDF sheet), list, void.",
        subcommands: [Create.self, List.self, VoidBatch.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a batch of vouchers; their codes are shown once (and on the PDF sheet), then kept only hashed.")
        @OptionGroup var store: StoreOptions
        @Option(help: "How many vouchers.") var count: Int
        @Option(help: ArgumentHelp("What each puts in a personal wallet (e.g. 5.00).", valueName: "amount")) var value: String
        @Option(help: ArgumentHelp("Last day they can be redeemed (YYYY-MM-DD).", valueName: "date")) var expires: String?
        @Option(help: ArgumentHelp("Write the cards to this PDF (mode 0600), to print and cut.", valueName: "file")) var pdf: String?

        func validate() throws {
            guard (1...10_000).contains(count) else { throw ValidationError("--count must be from 1 to 10000") }
        }

        func run() throws {
            let quota = try store.open()
            let amount = try quota.amount(value, what: "--value")
            let expiry = try expires.map { try DateArgument.endOfDay($0, what: "--expires") }
            let codes = (0..<count).map { _ in VoucherCode.random() }
            let batch = try quota.addVoucherBatch(value: amount, codeHashes: codes.map(\.hash), expiresAt: expiry, actor: invokingActor())
            if let pdf {
                try VoucherSheet(batch: batch, codes: codes).pdf().write(to: URL(fileURLWithPath: pdf))
                chmod(pdf, 0o600)
            }
            print("batch \(batch.id): \(count) voucher(s) of \(batch.value)\(expiry.map { ", valid until \(VoucherSheet.day($0))" } ?? "")\(pdf.map { ", cards in \($0)" } ?? "")")
            for code in codes { print(code) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List batches: value, how many redeemed, expiry, voided.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let batches = try store.open().voucherBatches()
            if output.json { return try Output.json(batches) }
            Output.table(["BATCH", "VALUE", "REDEEMED", "CREATED", "BY", "EXPIRES", "VOIDED"], batches.map { b in
                ["\(b.id)", "\(b.value)", "\(b.redeemed)/\(b.count)", "\(b.createdAt)", b.createdBy,
                 b.expiresAt.map { "\($0)" } ?? "-", b.voidedAt.map { "\($0) by \(b.voidedBy ?? "?")" } ?? "-"]
            })
        }
    }

    struct VoidBatch: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "void", abstract: "Void a batch (lost or stolen cards): its unredeemed vouchers stop working.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The batch number (tollgate voucher list).") var batch: Int64

        func run() throws {
            let voided = try store.open().voidVoucherBatch(batch, actor: invokingActor())
            print("batch \(voided.id) voided: \(voided.count - voided.redeemed) unredeemed voucher(s) stop working; \(voided.redeemed) were redeemed")
        }
    }
}

/// `tollgate redeem CODE`: a voucher into your own personal wallet (through tollgated's local
/// socket, which knows you by your Unix user id), or an administrator's for `--user`.
struct RedeemCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redeem",
        abstract: "Redeem a top-up voucher into your personal wallet.")
    @OptionGroup var options: ReleaseOptions
    @Argument(help: "The code on the card (XXXX-XXXX-XXXX-XXXX).") var code: String

    func run() throws {
        if options.actsDirectly {
            do {
                let entry = try options.service().redeemVoucher(code, for: options.subject, via: "cli")
                print("voucher redeemed: \(entry.amount) added to \(options.subject)'s personal wallet, which now holds \(entry.balanceAfter)")
            } catch {
                throw ValidationError("\(error)")
            }
        } else {
            let outcome = try options.client().redeem(code: code)
            guard outcome.ok else { throw ValidationError(outcome.message) }
            print(outcome.message)
        }
    }
}
