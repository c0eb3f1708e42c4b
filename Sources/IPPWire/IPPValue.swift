/// One value of an IPP attribute, as far as Tollgate reads them.
public enum IPPValue: Equatable, Sendable, CustomStringConvertible {
    /// keyword, name, text, uri, mimeMediaType, charset, naturalLanguage, uriScheme …
    case string(String)
    /// integer or enum.
    case integer(Int)
    case boolean(Bool)
    /// rangeOfInteger.
    case range(ClosedRange<Int>)
    /// A collection (e.g. media-col), kept as its member attributes.
    case collection(IPPAttributes)
    /// Any other value tag (dateTime, resolution, octetString …), with its tag name.
    case unsupported(String)

    public var description: String {
        switch self {
        case .string(let s): s
        case .integer(let i): String(i)
        case .boolean(let b): b ? "true" : "false"
        case .range(let r): "\(r.lowerBound)-\(r.upperBound)"
        case .collection(let c): "{\(c.names.sorted().map { "\($0)=\(c.values($0).map(\.description).joined(separator: ","))" }.joined(separator: " "))}"
        case .unsupported(let tag): "<\(tag)>"
        }
    }
}

/// The attributes of one IPP group (a printer, a job), by name.
public struct IPPAttributes: Equatable, Sendable {
    private var storage: [String: [IPPValue]]

    public init(_ storage: [String: [IPPValue]] = [:]) {
        self.storage = storage
    }

    /// The attribute names present.
    public var names: [String] { Array(storage.keys) }

    /// All values of `name` (empty when absent).
    public func values(_ name: String) -> [IPPValue] { storage[name] ?? [] }

    /// The first value of `name` as a string, if it is one.
    public func string(_ name: String) -> String? {
        if case .string(let s)? = storage[name]?.first { return s }
        return nil
    }

    /// The first value of `name` as an integer, if it is one.
    public func integer(_ name: String) -> Int? {
        if case .integer(let i)? = storage[name]?.first { return i }
        return nil
    }

    /// A job's `job-state`, if present and one RFC 8011 defines.
    public var jobState: IPPJobState? { integer("job-state").flatMap(IPPJobState.init(rawValue:)) }

    /// Every string value of `name`.
    public func strings(_ name: String) -> [String] {
        values(name).compactMap { if case .string(let s) = $0 { s } else { nil } }
    }

    package mutating func append(_ value: IPPValue, to name: String) {
        storage[name, default: []].append(value)
    }
}

/// IPP `job-state` (RFC 8011 §5.3.7), as cupsd reports a job.
public enum IPPJobState: Int, Sendable, Hashable {
    case pending = 3
    case pendingHeld = 4
    case processing = 5
    case processingStopped = 6
    case canceled = 7
    case aborted = 8
    case completed = 9

    /// Finished one way or another (cupsd runs it no more, unless restarted).
    public var hasEnded: Bool { rawValue >= IPPJobState.canceled.rawValue }
}
