/// Why a document could not be analysed at all, for reasons that are not the document's: the
/// caller's file or options, or an analyser that cannot run. (A document that defeats the
/// analysis — too large, too slow, damaged, crashing it — still yields a ``JobAnalysis``, whose
/// ``JobAnalysis/failure`` says why and what bounds it.)
public enum AnalysisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case cannotOpen(path: String, reason: String)
    /// The job options are out of range.
    case invalidOptions(String)
    /// `tollgate-analyse` could not run (not installed, cannot confine itself, refused its
    /// command line): an installation problem, whatever the document.
    case analyserFailed(String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "cannot read the document \(path): \(reason)"
        case let .invalidOptions(message): return "invalid job options: \(message)"
        case let .analyserFailed(message): return "document analysis could not run: \(message)"
        }
    }
}
