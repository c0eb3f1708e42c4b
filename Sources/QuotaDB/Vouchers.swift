import Foundation
import Pricing

/// A batch of top-up vouchers made at once (`tollgate voucher create`), as the store keeps it.
public struct VoucherBatch: Encodable, Sendable, Equatable {
    public var id: Int64
    /// What each voucher puts in a personal wallet.
    public var value: Money
    public var count: Int
    public var redeemed: Int
    public var createdAt: Date
    public var createdBy: String
    /// Vouchers of the batch cannot be redeemed from this time on.
    public var expiresAt: Date?
    public var voidedAt: Date?
    public var voidedBy: String?

    public init(id: Int64, value: Money, count: Int, redeemed: Int, createdAt: Date, createdBy: String,
                expiresAt: Date?, voidedAt: Date?, voidedBy: String?) {
        self.id = id
        self.value = value
        self.count = count
        self.redeemed = redeemed
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.expiresAt = expiresAt
        self.voidedAt = voidedAt
        self.voidedBy = voidedBy
    }
}

/// The store's vouchers: batches of codes (kept only as SHA-256 hashes), redeemed once each into
/// the redeeming user's personal wallet as a top-up in the ledger.
///
/// Failure policies: a redemption is one transaction (the voucher marked used and the top-up
/// row, or neither); a used, voided or expired voucher moves nothing and says which; wrong codes
/// are counted per user (only the user who types them can be slowed down by them), and after
/// ``voucherAttemptLimit`` wrong codes in ``voucherAttemptWindow`` every try of that user is
/// refused until the oldest ages out, right or wrong, so codes cannot be guessed.
public protocol VoucherStore: Sendable {
    /// Records a batch of `codeHashes.count` vouchers worth `value` each.
    func addVoucherBatch(value: Money, codeHashes: [Data], expiresAt: Date?, actor: String) throws(QuotaError) -> VoucherBatch
    func voucherBatches() throws(QuotaError) -> [VoucherBatch]
    /// Voids the batch's unredeemed vouchers (redeemed ones stay in the ledger).
    @discardableResult
    func voidVoucherBatch(_ id: Int64, actor: String) throws(QuotaError) -> VoucherBatch
    /// Redeems the voucher whose code hashes to `codeHash` into `user`'s wallet.
    func redeemVoucher(codeHash: Data, user: String, actor: String) throws(QuotaError) -> LedgerEntry
}

/// Wrong codes a user may type in ``voucherAttemptWindow`` seconds before they must wait.
public let voucherAttemptLimit = 5
public let voucherAttemptWindow: TimeInterval = 15 * 60
