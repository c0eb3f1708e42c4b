/// One field of a price rule: any value (`*`), or only one value.
public enum FieldPattern<Value: Hashable & Sendable>: Hashable, Sendable {
    /// Matches every value (written `*`).
    case any
    /// Matches only this value.
    case only(Value)

    /// `false` for `.any`.
    public var isSpecific: Bool {
        if case .only = self { return true }
        return false
    }

    /// The value of `.only`, `nil` for `.any`.
    public var value: Value? {
        if case .only(let value) = self { return value }
        return nil
    }
}

extension FieldPattern {
    /// Whether `candidate` matches (equality for `.only`).
    func matches(_ candidate: Value) -> Bool {
        switch self {
        case .any: return true
        case .only(let value): return value == candidate
        }
    }

    /// Whether some value matches both patterns.
    func overlaps(_ other: FieldPattern<Value>) -> Bool {
        switch (self, other) {
        case (.only(let a), .only(let b)): return a == b
        default: return true
        }
    }
}
