import Foundation
import QuotaDB

/// A held job as the JSON API (tollgated) and the local socket (`tollgate jobs`) send it.
public struct HeldJobSummary: Codable, Sendable, Hashable {
    public var id: Int
    public var queue: String
    /// The document's name as the user sent it (untrusted text).
    public var title: String
    public var pageSides: Int
    public var colourPages: Int
    public var sheets: Int
    public var copies: Int
    /// `0.37 EUR`.
    public var price: String
    public var priceMinorUnits: Int64
    public var currency: String
    /// ISO 8601, UTC (`2026-11-23T21:52:22Z`).
    public var heldAt: String
    /// ISO 8601, UTC.
    public var expiresAt: String
    /// Why it waits again after a refused release; empty otherwise.
    public var message: String

    public init(_ job: HeldJob) {
        id = job.jobID
        queue = job.queue
        title = job.title
        pageSides = job.pageSides
        colourPages = job.colourPages
        sheets = job.sheets
        copies = job.copies
        price = job.price.description
        priceMinorUnits = job.price.minorUnits
        currency = job.price.currency.code
        heldAt = HeldJobSummary.iso8601(job.heldAt)
        expiresAt = HeldJobSummary.iso8601(job.expiresAt)
        message = job.message
    }

    /// `2026-11-23T21:52:22Z` (UTC, whole seconds), without Foundation's formatters: the JSON
    /// list writes two per job.
    public static func iso8601(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))Z"
    }
}
