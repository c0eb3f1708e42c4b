import Foundation
import Hummingbird
import Station

/// `/admin/signin` and `/admin/signout`: PAM password sign-in through the station's
/// ``SignInService`` (same attempt limits), then the admin group read through NSS.
///
/// Failure policy: a wrong password, a locked-out name or a PAM failure shows the sign-in page
/// again with the reason (401/429/503), and no session; a right password of a user outside the
/// admin group gets 403 and a *refused* session, so every other page says 403 too; a POST without
/// the page's CSRF token or from another origin is 403 and nothing is checked.
struct AdminSignInController {
    let console: AdminConsole

    func addRoutes(to group: RouterGroup<StationContext>) {
        group.get("signin") { request, _ in
            await signInPage(request, notices: [], status: .ok)
        }
        group.post("signin") { request, context in
            try await handleSignIn(request, context: context)
        }
        group.post("signout") { request, context in
            var request = request
            let form = FormData(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
            guard console.originAllowed(request), let token = request.cookies[console.settings.cookieName]?.value,
                  let session = await console.sessions.session(token: token),
                  let presented = form["csrf"], SecretToken.constantTimeEquals(presented, session.csrfToken) else {
                return console.pages.refusal("This page had expired. Open it again and retry.", status: .forbidden)
            }
            await console.sessions.end(token: session.token)
            console.log("admin: sign-out \(session.identity?.user ?? "(not an admin)")")
            var response = redirect("/admin/signin")
            response.setCookie(console.clearedCookie())
            return response
        }
    }

    private func signInPage(_ request: Request, notices: [Notice], status: HTTPResponse.Status, user: String = "",
                            fresh: Bool = false) async -> Response {
        var session: AdminSession?
        if !fresh, let token = request.cookies[console.settings.cookieName]?.value {
            session = await console.sessions.session(token: token)
        }
        if let existing = session, existing.identity != nil, notices.isEmpty { return redirect("/admin/accounts") }
        var setCookie = false
        if session == nil || session?.role != .anonymous {
            session = await console.sessions.startAnonymous()
            setCookie = true
        }
        var response = html(console.pages.signIn(csrfToken: session!.csrfToken, notices: notices, user: user), status: status)
        if setCookie { response.setCookie(console.cookie(session!.token)) }
        return response
    }

    private func handleSignIn(_ request: Request, context: StationContext) async throws -> Response {
        var request = request
        let form = FormData(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
        guard console.originAllowed(request) else {
            console.log("admin sign-in refused: foreign origin \(request.headers[.origin] ?? "") from \(context.clientAddress)")
            return await signInPage(request, notices: [Notice(.error, "This request did not come from the admin console.")],
                                    status: .forbidden, fresh: true)
        }
        guard let token = request.cookies[console.settings.cookieName]?.value,
              let session = await console.sessions.session(token: token),
              let presented = form["csrf"], SecretToken.constantTimeEquals(presented, session.csrfToken) else {
            console.log("admin sign-in refused: missing or wrong CSRF token from \(context.clientAddress)")
            return await signInPage(request, notices: [Notice(.error, "This page had expired. Please sign in again.")],
                                    status: .forbidden, fresh: true)
        }
        let typed = form["user"] ?? ""
        switch await console.signIn.signIn(.password(user: typed, password: form["password"] ?? ""), address: context.clientAddress) {
        case .failure(let error):
            return await signInPage(request, notices: [Notice(.error, error.message(StationFormat()))],
                                    status: .init(code: error.httpStatus), user: typed)
        case .success(let signedIn):
            let group = console.settings.adminGroup
            let groups = console.groups
            let member = await BlockingWork.onThread { groups.groups(of: signedIn.user).contains(group) }
            guard member else {
                let refused = await console.sessions.signIn(.refused(user: signedIn.user), replacing: session.token)
                console.log("admin sign-in refused: \(signedIn.user) is not in group \(group) (from \(context.clientAddress))")
                var response = console.pages.forbidden(user: signedIn.user, group: group, csrfToken: refused.csrfToken)
                response.setCookie(console.cookie(refused.token))
                return response
            }
            let fresh = await console.sessions.signIn(.admin(AdminIdentity(user: signedIn.user)), replacing: session.token)
            console.log("admin sign-in: \(signedIn.user) (group \(group)) from \(context.clientAddress)")
            var response = redirect("/admin/accounts")
            response.setCookie(console.cookie(fresh.token))
            return response
        }
    }
}
