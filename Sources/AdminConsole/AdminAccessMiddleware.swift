import Foundation
import Hummingbird
import Station

/// Guards every page of the console except sign-in: the admin session (own cookie, idle
/// timeout), the admin group, and for a POST the origin and the session's CSRF token.
///
/// Failure policy:
/// - no cookie, an unknown or idle session, or an anonymous one: a GET is sent to the sign-in page
///   (303), a POST too, with nothing done;
/// - signed in but not in the admin group: 403 on every page and every POST, nothing done;
/// - a POST from another origin or without the session's CSRF token: 403, nothing done;
/// - methods other than GET, HEAD and POST: 405;
/// - a body over 512 KiB (32 MiB for a `multipart/form-data` upload): 413; a malformed multipart body: 400.
/// Only then the handler runs, with ``AdminRequestContext/session`` set (and the form for a POST).
struct AdminAccessMiddleware: RouterMiddleware {
    typealias Context = AdminRequestContext
    let console: AdminConsole

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = request.cookies[console.settings.cookieName]?.value,
              let session = await console.sessions.session(token: token) else {
            return redirect("/admin/signin")
        }
        switch session.role {
        case .anonymous:
            return redirect("/admin/signin")
        case .refused(let user):
            console.log("admin: \(request.method) \(request.uri.path) refused: \(user) is not in group \(console.settings.adminGroup)")
            return console.pages.forbidden(user: user, group: console.settings.adminGroup, csrfToken: session.csrfToken)
        case .admin:
            break
        }
        var context = context
        context.session = session
        switch request.method {
        case .get, .head:
            return try await next(request, context)
        case .post:
            guard console.originAllowed(request) else {
                console.log("admin: POST \(request.uri.path) refused: foreign origin \(request.headers[.origin] ?? "") from \(context.clientAddress)")
                return console.pages.refusal("This request did not come from the admin console.", status: .forbidden)
            }
            var request = request
            let form: FormData
            if let boundary = MultipartForm.boundary(contentType: request.headers[.contentType]) {
                let buffer = try await request.collectBody(upTo: context.maxDocumentSize)
                guard let multipart = MultipartForm(Data(buffer.readableBytesView), boundary: boundary) else { throw HTTPError(.badRequest) }
                form = FormData(multipart.urlencoded)
                context.uploads = multipart.files
            } else {
                let buffer = try await request.collectBody(upTo: context.maxUploadSize)
                form = FormData(String(buffer: buffer))
            }
            guard let presented = form["csrf"], SecretToken.constantTimeEquals(presented, session.csrfToken) else {
                console.log("admin: POST \(request.uri.path) refused: missing or wrong CSRF token from \(context.clientAddress)")
                return console.pages.refusal("This page had expired or did not come from the admin console. Open it again and retry.",
                                             status: .forbidden)
            }
            context.form = form
            return try await next(request, context)
        default:
            throw HTTPError(.methodNotAllowed)
        }
    }
}
