/// Why an analysis could not be done at all. (A document that is merely odd is still analysed:
/// its format is `unknown` or its colour `unknown`, with reasons; these errors mean there is no
/// document to look at.)
public enum AnalysisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case cannotOpen(path: String, reason: String)
    /// The job options are out of range.
    case invalidOptions(String)
    /// The document is larger than the analyser accepts.
    case tooLarge(bytes: Int, limit: Int)
    /// `tollgate-analyse` failed (exit status, signal, timeout or unreadable output).
    case analyserFailed(String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "cannot read the document \(path): \(reason)"
        case let .invalidOptions(message): return "invalid job options: \(message)"
        case let .tooLarge(bytes, limit):
            return "the document is \(bytes) bytes, more than the \(limit) bytes the analyser accepts; raise the limit or print it through a queue without analysis"
        case let .analyserFailed(message): return "document analysis failed: \(message)"
        }
    }
}
