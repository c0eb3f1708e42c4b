/// Why a request to cupsd failed, in words an administrator can act on.
public enum CupsClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// cupsd could not be reached at `server` (its domain socket or host:port), or the connection
    /// broke before a whole answer arrived.
    case cannotConnect(server: String, reason: String)
    /// cupsd answered with an IPP error status.
    case requestFailed(operation: String, status: String, message: String)
    /// cupsd does not know this printer or job.
    case notFound(operation: String, message: String)
    /// cupsd wants credentials this client cannot give (it offers only `PeerCred` on a domain
    /// socket; Basic, Negotiate and TLS are libcups's business).
    case authenticationRequired(server: String, operation: String, offered: String)
    /// cupsd insists on TLS (HTTP 426), which this client does not speak.
    case encryptionRequired(server: String, operation: String)
    /// The answer is not HTTP/IPP as RFC 8010 describes it, or is larger than the client accepts.
    case malformedResponse(operation: String, reason: String)

    public var description: String {
        switch self {
        case .cannotConnect(let server, let reason):
            "cannot reach cupsd at \(server): \(reason)"
        case .requestFailed(let operation, let status, let message):
            "cupsd refused \(operation): \(status) (\(message))"
        case .notFound(let operation, let message):
            "\(operation): not found (\(message))"
        case .authenticationRequired(let server, let operation, let offered):
            "cupsd at \(server) asks for authentication (\(offered.isEmpty ? "no scheme offered" : offered)) to answer \(operation); "
                + "let local clients read printer and job attributes without it, or give backends cupsd's domain socket"
        case .encryptionRequired(let server, let operation):
            "cupsd at \(server) requires encryption for \(operation); give backends cupsd's domain socket (Listen /run/cups/cups.sock)"
        case .malformedResponse(let operation, let reason):
            "cupsd's answer to \(operation) cannot be read: \(reason)"
        }
    }
}
