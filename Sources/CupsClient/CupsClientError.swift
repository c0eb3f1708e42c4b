/// Why a request to cupsd failed, in words an administrator can act on.
public enum CupsClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// cupsd could not be reached at `server` (its domain socket or host:port).
    case cannotConnect(server: String, reason: String)
    /// cupsd answered with an IPP error status.
    case requestFailed(operation: String, status: String, message: String)
    /// cupsd does not know this printer or job.
    case notFound(operation: String, message: String)

    public var description: String {
        switch self {
        case .cannotConnect(let server, let reason):
            "cannot reach cupsd at \(server): \(reason)"
        case .requestFailed(let operation, let status, let message):
            "cupsd refused \(operation): \(status) (\(message))"
        case .notFound(let operation, let message):
            "\(operation): not found (\(message))"
        }
    }
}
