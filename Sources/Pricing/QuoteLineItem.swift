/// One line of a quote: what is charged, how many, at what unit price, for what amount.
/// `amount == unitPrice × quantity` exactly, except the rounding line (quantity 1).
public struct QuoteLineItem: Hashable, Sendable {
    /// What a line charges for.
    public enum Kind: Hashable, Sendable {
        /// Page sides priced by the named rule.
        case pageSides(rule: String, media: MediaName, colour: ColourMode)
        /// Sheets of paper (the card's per-sheet charge).
        case sheets
        /// The card's per-job charge.
        case job
        /// Copies of a document whose format was not understood.
        case unknownFormat
        /// The difference between the exact sum and the total rounded to minor units.
        case rounding
    }

    public let kind: Kind
    /// For people: `A4 colour page sides, two-sided (rule "a4-colour-duplex")`.
    public let description: String
    public let quantity: Int64
    public let unitPrice: ExactAmount
    public let amount: ExactAmount

    public init(kind: Kind, description: String, quantity: Int64, unitPrice: ExactAmount, amount: ExactAmount) {
        self.kind = kind
        self.description = description
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.amount = amount
    }
}
