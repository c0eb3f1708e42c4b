import Foundation

/// Calendar arithmetic for scheduled credits: period starts and their stable keys
/// (`2026-11-23`, `2026-W48`, `2026-11`, `once`), which sort in time order.
struct SchedulePeriods {
    let calendar: Calendar

    init(timeZone: TimeZone) {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// The start of the period containing `date`.
    func start(of date: Date, _ period: SchedulePeriod) -> Date {
        switch period {
        case .daily: return calendar.startOfDay(for: date)
        case .weekly: return calendar.dateInterval(of: .weekOfYear, for: date)!.start
        case .monthly: return calendar.dateInterval(of: .month, for: date)!.start
        case .once(let at): return at
        }
    }

    /// The start of the period after the one starting at `start`.
    func next(after start: Date, _ period: SchedulePeriod) -> Date {
        switch period {
        case .daily: return calendar.date(byAdding: .day, value: 1, to: start)!
        case .weekly: return calendar.date(byAdding: .weekOfYear, value: 1, to: start)!
        case .monthly: return calendar.date(byAdding: .month, value: 1, to: start)!
        case .once: return .distantFuture
        }
    }

    func key(of start: Date, _ period: SchedulePeriod) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .weekOfYear, .yearForWeekOfYear], from: start)
        switch period {
        case .daily: return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
        case .weekly: return String(format: "%04d-W%02d", c.yearForWeekOfYear!, c.weekOfYear!)
        case .monthly: return String(format: "%04d-%02d", c.year!, c.month!)
        case .once: return "once"
        }
    }
}
