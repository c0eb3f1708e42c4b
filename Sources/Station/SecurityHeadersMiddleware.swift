import Hummingbird

/// Adds the station's security headers to every response, errors included, and turns errors
/// that escaped a handler into a plain response (never a stack trace or an internal message).
///
/// An error that names its HTTP status (Hummingbird's `HTTPResponseError`: `HTTPError`, and the
/// body limit's `NIOTooManyBytesError`, 413) is answered with that status; any other is a 500.
public struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Only the station's own style sheet; no scripts, frames, plugins or foreign form targets.
    public static var contentSecurityPolicy: String {
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    }

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = Response(status: error.status, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: "\(error.status.code) \(error.status.reasonPhrase)\n")))
        } catch {
            context.logger.error("request \(request.uri.path) failed: \(error)")
            response = Response(status: .internalServerError, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: "500 Internal Server Error\n")))
        }
        Self.apply(to: &response.headers)
        return response
    }

    /// Sets Cache-Control, X-Frame-Options, Content-Security-Policy, X-Content-Type-Options and
    /// Referrer-Policy (`same-origin`: with `no-referrer` browsers send `Origin: null` on form posts).
    public static func apply(to headers: inout HTTPFields) {
        headers[.cacheControl] = "no-store"
        headers[.init("X-Frame-Options")!] = "DENY"
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[.init("Referrer-Policy")!] = "same-origin"
    }
}
