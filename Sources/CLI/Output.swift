import ArgumentParser
import Foundation
import QuotaDB

/// Printing tables, JSON and CSV.
enum Output {
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        print(String(decoding: data, as: UTF8.self))
    }

    /// Columns padded to their widest cell.
    static func table(_ header: [String], _ rows: [[String]]) {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        print(line(header))
        for row in rows { print(line(row)) }
    }

    /// RFC 4180 CSV.
    static func csv(_ header: [String], _ rows: [[String]]) {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        print(header.map(field).joined(separator: ","))
        for row in rows { print(row.map(field).joined(separator: ",")) }
    }

    static func date(_ date: Date?) -> String {
        guard let date else { return "-" }
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = .current
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        return formatter.string(from: date)
    }

    /// Untrusted text (job titles come from users) made safe for a terminal: control characters,
    /// which could move the cursor or recolour the screen, are shown as `?`.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map {
            $0.properties.generalCategory == .control || $0.properties.generalCategory == .format ? "?" : $0
        }))
    }

    /// How long ago, in words (`3 min`, `2 h`, `4 d`).
    static func age(since date: Date, now: Date = Date()) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<60: return "\(seconds) s"
        case ..<3600: return "\(seconds / 60) min"
        case ..<86400: return "\(seconds / 3600) h"
        default: return "\(seconds / 86400) d"
        }
    }

    static func allocation(_ allocation: Allocation) -> String {
        switch allocation {
        case .unlimited: return "unlimited"
        case .limited(let soft, let hard): return "soft \(soft) / hard \(hard)"
        }
    }
}

/// Dates admins type: `2026-12-31` (local midnight) or a full ISO 8601 instant.
enum DateArgument {
    static func parse(_ text: String, what: String) throws -> Date {
        let iso = ISO8601DateFormatter()
        if let date = iso.date(from: text) { return date }
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = .current
        day.dateFormat = "yyyy-MM-dd"
        if let date = day.date(from: text) { return date }
        throw ValidationError("\(what): \"\(text)\" is not a date; write YYYY-MM-DD or 2026-12-31T18:00:00Z")
    }

    /// `--expires 2026-12-31` means usable through that whole day: the instant is the next midnight.
    static func endOfDay(_ text: String, what: String) throws -> Date {
        let date = try parse(text, what: what)
        if text.count == 10 { return Calendar.current.date(byAdding: .day, value: 1, to: date)! }
        return date
    }
}

