/// How strictly a job's price must be covered by the wallet chain.
public enum ChargePolicy: String, Hashable, Sendable, Codable, CaseIterable {
    /// The chain (account allocation + personal wallet) must cover the whole price; nothing goes negative.
    case cover
    /// Watchdoc: approved while the chain's balance is above zero; the personal wallet may go below zero.
    case positive
    /// Accounting only: always approved; the personal wallet may go negative.
    case track
}
