import Hummingbird

/// The request context of the station: Hummingbird's basics plus the client's address (for the
/// sign-in limiter and PAM's `PAM_RHOST`).
public struct StationContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address (`unknown` if the socket has none). Behind a reverse proxy this is
    /// the proxy's address.
    public let clientAddress: ClientAddress

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = ClientAddress(source.channel.remoteAddress?.ipAddress ?? "unknown")
    }

    /// Forms and API bodies are small.
    public var maxUploadSize: Int { 64 * 1024 }
}
