/// The price of a job and its explanation: line items whose amounts (rounding line included)
/// add up exactly to ``total``.
public struct Quote: Hashable, Sendable {
    /// Name of the card that priced the job.
    public let cardName: String
    /// Version of that card.
    public let cardVersion: Int
    /// The card's currency.
    public let currency: Currency
    /// Page sides printed, all copies.
    public let pageSides: Int64
    /// Sheets of paper used, all copies.
    public let sheets: Int64
    /// Copies.
    public let copies: Int64
    /// The charges, in a fixed order: page sides (in order of first appearance), sheets, job,
    /// unknown format, and last the rounding line (always present, possibly zero).
    public let items: [QuoteLineItem]
    /// The total: the exact sum of all items, rounded once, half-up, to minor units.
    public let total: Money

    public init(
        cardName: String, cardVersion: Int, currency: Currency, pageSides: Int64, sheets: Int64, copies: Int64,
        items: [QuoteLineItem], total: Money
    ) {
        self.cardName = cardName
        self.cardVersion = cardVersion
        self.currency = currency
        self.pageSides = pageSides
        self.sheets = sheets
        self.copies = copies
        self.items = items
        self.total = total
    }

    /// The rounding line's amount.
    public var rounding: ExactAmount {
        items.last { $0.kind == .rounding }?.amount ?? .zero(currency)
    }
}
