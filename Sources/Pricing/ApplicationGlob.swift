/// A case-insensitive glob on the originating application's short name: `*` matches any run of
/// characters (also none), `?` exactly one character, everything else itself.
/// `Microsoft*` matches `Microsoft Word` and `microsoft excel`.
public struct ApplicationGlob: Hashable, Sendable, CustomStringConvertible {
    /// The pattern as the admin wrote it.
    public let pattern: String
    private let folded: [Character]

    /// Wraps a glob pattern.
    public init(_ pattern: String) {
        self.pattern = pattern
        self.folded = Array(pattern.lowercased())
    }

    /// `true` when the pattern is one or more stars only: it matches every application (and
    /// none given). The empty pattern is not a wildcard (it matches only the empty name).
    public var isWildcard: Bool { !folded.isEmpty && folded.allSatisfy { $0 == "*" } }

    /// Whether the application name matches.
    public func matches(_ application: String) -> Bool {
        ApplicationGlob.matches(folded[...], Array(application.lowercased())[...])
    }

    /// Whether some application name matches both globs (so two rules could claim one page).
    public func overlaps(_ other: ApplicationGlob) -> Bool {
        var visited = Set<Pair>()
        return ApplicationGlob.overlap(folded, other.folded, Pair(i: 0, j: 0), &visited)
    }

    public var description: String { pattern }

    // MARK: - Matching

    private static func matches(_ pattern: ArraySlice<Character>, _ text: ArraySlice<Character>) -> Bool {
        // Iterative wildcard matching with single-star backtracking: linear-ish, no recursion.
        var p = pattern.startIndex, t = text.startIndex
        var starP: Int? = nil, starT = text.startIndex
        while t < text.endIndex {
            if p < pattern.endIndex, pattern[p] == "*" {
                starP = p; starT = t; p += 1
            } else if p < pattern.endIndex, pattern[p] == "?" || pattern[p] == text[t] {
                p += 1; t += 1
            } else if let star = starP {
                p = star + 1; starT += 1; t = starT
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == "*" { p += 1 }
        return p == pattern.endIndex
    }

    // MARK: - Overlap (is the intersection of the two languages non-empty?)

    private struct Pair: Hashable { var i: Int; var j: Int }

    /// Explores pairs of positions in both patterns; a star may match nothing (skip it) or one
    /// more character (stay on it). Both at their end means a common name exists.
    private static func overlap(_ a: [Character], _ b: [Character], _ state: Pair, _ visited: inout Set<Pair>) -> Bool {
        guard visited.insert(state).inserted else { return false }
        let (i, j) = (state.i, state.j)
        if i == a.count && j == b.count { return true }
        // A star matching the empty string.
        if i < a.count, a[i] == "*", overlap(a, b, Pair(i: i + 1, j: j), &visited) { return true }
        if j < b.count, b[j] == "*", overlap(a, b, Pair(i: i, j: j + 1), &visited) { return true }
        // Both consume one common character.
        guard i < a.count, j < b.count else { return false }
        let x = a[i], y = b[j]
        let compatible = x == "*" || x == "?" || y == "*" || y == "?" || x == y
        guard compatible else { return false }
        let nextI = x == "*" ? i : i + 1
        let nextJ = y == "*" ? j : j + 1
        return overlap(a, b, Pair(i: nextI, j: nextJ), &visited)
    }
}
