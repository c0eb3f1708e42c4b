import Foundation
import Hummingbird
import QuotaDB
import Release

/// The HTML side: sign-in, release station, portal, sign-out. Every POST is checked by
/// ``CSRFGuard`` (Origin and the session's CSRF token) before anything else happens.
extension Station {
    func addPageRoutes(to router: Router<StationContext>) {
        router.get("/station.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: StationStyle.css)))
        }
        router.get("/") { request, _ in
            if let session = await currentSession(request), session.isSignedIn { return redirect("/jobs") }
            return await signInPage(request, next: "jobs")
        }
        router.get("/portal") { request, _ in
            guard let session = await currentSession(request), let user = session.user else {
                return await signInPage(request, next: "portal")
            }
            return portalPage(session: session, user: user, notices: await sessions.takeNotices(token: session.token),
                              accountChoice: await accountChoice())
        }
        router.get("/jobs") { request, _ in
            guard let session = await currentSession(request), let user = session.user else { return redirect("/") }
            return await jobsPage(session: session, user: user, notices: await sessions.takeNotices(token: session.token))
        }
        router.post("/signin") { request, context in
            try await handleSignIn(request, context: context)
        }
        router.post("/signout") { request, context in
            switch try await checkedPost(request, context: context) {
            case .refused(let response): return response
            case .accepted(let session, _):
                await sessions.end(token: session.token)
                log("sign-out: \(session.user ?? "(anonymous)")")
                var response = redirect("/")
                response.setCookie(clearedCookie())
                return response
            }
        }
        router.post("/jobs/act") { request, context in
            switch try await checkedPost(request, context: context) {
            case .refused(let response): return response
            case .accepted(let session, let form):
                guard let user = session.user else { return redirect("/") }
                guard let jobID = form["job"].flatMap({ Int($0) }) else {
                    await sessions.addNotices([Notice(.error, "Choose a job first.")], token: session.token)
                    return redirect("/jobs")
                }
                let account = await accountChoice() ? Self.account(form["account"]) : nil
                let queue = form["queue"].flatMap { $0.isEmpty ? nil : $0 }
                // cupsd and the database block: never on the event loop.
                let notice = await BlockingWork.onThread {
                    form["do"] == "delete" ? delete(jobID, user: user) : releaseJob(jobID, user: user, account: account, on: queue)
                }
                await heldJobs.invalidate(user)
                await sessions.addNotices([notice], token: session.token)
                return redirect("/jobs")
            }
        }
        router.post("/jobs/all") { request, context in
            switch try await checkedPost(request, context: context) {
            case .refused(let response): return response
            case .accepted(let session, let form):
                guard let user = session.user else { return redirect("/") }
                let account = await accountChoice() ? Self.account(form["account"]) : nil
                let notices = await BlockingWork.onThread {
                    form["do"] == "delete" ? deleteAll(user: user) : releaseAll(user: user, account: account)
                }
                await heldJobs.invalidate(user)
                await sessions.addNotices(notices, token: session.token)
                return redirect("/jobs")
            }
        }
        router.post("/portal/active") { request, context in
            switch try await checkedPost(request, context: context) {
            case .refused(let response): return response
            case .accepted(let session, let form):
                guard let user = session.user else { return redirect("/") }
                guard await accountChoice() else {
                    await sessions.addNotices([Notice(.error, Self.noAccountChoice)], token: session.token)
                    return redirect("/portal")
                }
                let account = Self.account(form["account"])
                let notice: Notice
                do throws(ReleaseError) {
                    let active = try release.setActiveAccount(account, for: user)
                    notice = Notice(.success, active.account.map { "Your jobs are now charged to \($0.name) first." }
                                    ?? "Your jobs are now paid from your personal wallet.")
                    log("portal: \(user) set the active account to \(account ?? "(wallet only)")")
                } catch {
                    notice = Notice(.error, Self.sentence(error.description))
                }
                await sessions.addNotices([notice], token: session.token)
                return redirect("/portal")
            }
        }
    }

    func addPortalWalletRoutes(to router: Router<StationContext>) {
        router.post("/portal/notify") { request, context in
            switch try await checkedPost(request, context: context) {
            case .refused(let response): return response
            case .accepted(let session, let form):
                guard let user = session.user else { return redirect("/") }
                let on = form["notify"] == "on"
                let notice = await BlockingWork.onThread { () -> Notice in
                    do throws(ReleaseError) {
                        try release.setNotifications(on, for: user)
                        return Notice(.success, on ? "You will get mail about your jobs." : "You will get no more mail about your jobs.")
                    } catch {
                        return Notice(.error, Self.sentence(error.description))
                    }
                }
                await sessions.addNotices([notice], token: session.token)
                return redirect("/portal")
            }
        }
        router.post("/portal/redeem") { request, context in
            switch try await checkedPost(request, context: context) {
            case .refused(let response): return response
            case .accepted(let session, let form):
                guard let user = session.user else { return redirect("/") }
                let code = form["code"] ?? ""
                let notice = await BlockingWork.onThread { () -> Notice in
                    do throws(ReleaseError) {
                        let entry = try release.redeemVoucher(code, for: user, via: settings.via)
                        log("portal: \(user) redeemed a voucher (\(entry.amount))")
                        return Notice(.success, "\(entry.amount) added to your personal wallet, which now holds \(entry.balanceAfter).")
                    } catch {
                        return Notice(.error, Self.sentence(error.description))
                    }
                }
                await sessions.addNotices([notice], token: session.token)
                return redirect("/portal")
            }
        }
    }

    // MARK: Pages

    private func signInPage(_ request: Request, next: String) async -> Response {
        var notices: [Notice] = []
        if request.uri.queryParameters["signed-out"] == "idle" {
            notices.append(Notice(.info, "You were signed out after \(pages.idleTimeout) seconds without activity."))
        }
        return await signInResponse(request, next: next, notices: notices, status: .ok)
    }

    /// The sign-in page on the browser's anonymous session (a new one when it has none).
    private func signInResponse(_ request: Request, next: String, notices: [Notice], status: HTTPResponse.Status,
                                user: String = "", forceNewSession: Bool = false) async -> Response {
        var session = forceNewSession ? nil : await currentSession(request)
        if session?.isSignedIn == true { session = nil }
        var setCookie = false
        if session == nil {
            session = await sessions.startAnonymous()
            setCookie = true
        }
        var response = html(pages.signIn(csrfToken: session!.csrfToken, notices: notices, next: next, user: user), status: status)
        if setCookie { response.setCookie(sessionCookie(session!.token)) }
        return response
    }

    private func jobsPage(session: Session, user: String, notices: [Notice]) async -> Response {
        var notices = notices
        let jobs: [HeldJob]
        switch await heldJobs.jobs(for: user) {
        case .success(let list):
            jobs = list
        case .failure(let error):
            log("jobs of \(user): \(error)")
            notices.append(Notice(.error, Self.sentence(error.description)))
            jobs = []
        }
        let release = self.release
        let summary = await BlockingWork.onThread { try? release.summary(for: user, recent: 0) }
        let printers = jobs.isEmpty ? [] : await releaseQueues.queues()
        let choice = await accountChoice()
        return html(pages.jobs(user: user, csrfToken: session.csrfToken, jobs: jobs, summary: summary, notices: notices, accountChoice: choice,
                               now: Date(), printers: printers))
    }

    private func portalPage(session: Session, user: String, notices: [Notice], accountChoice: Bool) -> Response {
        do {
            let summary = try release.summary(for: user)
            return html(pages.portal(user: user, csrfToken: session.csrfToken, summary: summary, notices: notices,
                                     accountChoice: accountChoice))
        } catch {
            log("portal of \(user): \(error)")
            let empty = "<main>\(pages.noticeList(notices + [Notice(.error, Self.sentence(error.description))]))</main>"
            return html(pages.page(title: "My print account", tab: .portal, user: user, csrfToken: session.csrfToken,
                                   body: empty, refreshTo: "/portal"), status: .serviceUnavailable)
        }
    }

    // MARK: Sign-in and sign-out

    private func handleSignIn(_ request: Request, context: StationContext) async throws -> Response {
        let form = FormData(try await bodyText(request, context: context))
        let next = form["next"] == "portal" ? "portal" : "jobs"
        guard originAllowed(request) else {
            log("sign-in refused: foreign origin \(request.headers[.origin] ?? "") from \(context.clientAddress)")
            return await signInResponse(request, next: next, notices: [Notice(.error, SignInError.foreignOrigin.message(pages.format))],
                                        status: .forbidden, forceNewSession: true)
        }
        guard let session = await currentSession(request), CSRFGuard.tokenMatches(form["csrf"], session: session) else {
            log("sign-in refused: missing or wrong CSRF token from \(context.clientAddress)")
            return await signInResponse(request, next: next, notices: [Notice(.error, SignInError.pageExpired.message(pages.format))],
                                        status: .forbidden, forceNewSession: true)
        }
        let attempt: SignInRequest
        let typedName: String
        if form["method"] == "pin" {
            typedName = form["identifier"] ?? ""
            attempt = .pin(identifier: typedName, pin: form["pin"] ?? "")
        } else {
            typedName = form["user"] ?? ""
            attempt = .password(user: typedName, password: form["password"] ?? "")
        }
        switch await signIn.signIn(attempt, address: context.clientAddress) {
        case .success(let signedIn):
            let fresh = await sessions.signIn(user: signedIn.user, method: signedIn.method, replacing: session.token)
            var response = redirect("/" + next)
            response.setCookie(sessionCookie(fresh.token))
            return response
        case .failure(let error):
            return await signInResponse(request, next: next, notices: [Notice(.error, error.message(pages.format))],
                                        status: .init(code: error.httpStatus),
                                        user: form["method"] == "pin" ? "" : typedName)
        }
    }

    // MARK: Actions

    /// Releases the job, on printer `queue` when given (follow-me: moved there first).
    func releaseJob(_ jobID: Int, user: String, account: String?, on queue: String? = nil) -> Notice {
        notice(release.releaseOutcome(jobID: jobID, by: user, account: account, on: queue, via: settings.via), user: user)
    }

    func delete(_ jobID: Int, user: String) -> Notice {
        notice(release.deleteOutcome(jobID: jobID, by: user, via: settings.via), user: user)
    }

    /// The outcome's sentence as a notice, logged.
    func notice(_ outcome: JobOutcome, user: String) -> Notice {
        switch outcome {
        case .released(let released):
            log("release: \(user) released job \(released.job.jobID) (\(released.job.jobKey)) on \(released.account ?? "the wallet")")
        case .deleted(let id):
            log("delete: \(user) deleted job \(id)")
        case .refused(let id, let error):
            log("job \(id) of \(user) refused: \(error)")
        }
        return Notice(outcome.succeeded ? .success : .error, outcome.sentence)
    }

    private func releaseAll(user: String, account: String?) -> [Notice] {
        do {
            let outcomes = try release.releaseAll(by: user, account: account, via: settings.via)
            if outcomes.isEmpty { return [Notice(.info, "No jobs were waiting.")] }
            return outcomes.map { job, outcome in
                switch outcome {
                case .success(let released): notice(.released(released), user: user)
                case .failure(let error): notice(.refused(jobID: job.jobID, error), user: user)
                }
            }
        } catch {
            return [Notice(.error, Self.sentence(error.description))]
        }
    }

    private func deleteAll(user: String) -> [Notice] {
        do {
            let jobs = try release.heldJobs(for: user)
            if jobs.isEmpty { return [Notice(.info, "No jobs were waiting.")] }
            return jobs.map { delete($0.jobID, user: user) }
        } catch {
            return [Notice(.error, Self.sentence(error.description))]
        }
    }

    /// Whether users may choose accounts here (``ReleaseService/usersMayChooseAccounts()``).
    func accountChoice() async -> Bool {
        let release = self.release
        return await BlockingWork.onThread { release.usersMayChooseAccounts() }
    }

    static let noAccountChoice = ReleaseError.accountChoiceOff.sentence

    /// The text with its first letter capitalised and a final full stop.
    static func sentence(_ text: String) -> String { ReleaseError.sentence(text) }

    /// An account field: empty means "my usual" (nil).
    static func account(_ value: String?) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    // MARK: Sessions, CSRF, responses

    enum PostCheck {
        case accepted(Session, FormData)
        case refused(Response)
    }

    /// A form POST of a live session with the right CSRF token from a same-origin page, or the
    /// response that refuses it (403, nothing done).
    func checkedPost(_ request: Request, context: StationContext) async throws -> PostCheck {
        let form = FormData(try await bodyText(request, context: context))
        guard originAllowed(request) else {
            log("POST \(request.uri.path) refused: foreign origin \(request.headers[.origin] ?? "") from \(context.clientAddress)")
            return .refused(html(refusalPage("This request did not come from the release station."), status: .forbidden))
        }
        guard let session = await currentSession(request) else {
            return .refused(redirect("/?signed-out=idle"))
        }
        guard CSRFGuard.tokenMatches(form["csrf"], session: session) else {
            log("POST \(request.uri.path) refused: missing or wrong CSRF token for \(session.user ?? "(anonymous)") from \(context.clientAddress)")
            return .refused(html(refusalPage("This page had expired or did not come from the release station."), status: .forbidden))
        }
        return .accepted(session, form)
    }

    private func refusalPage(_ text: String) -> String {
        pages.page(title: "Refused", tab: .signIn, user: nil, csrfToken: nil,
                   body: "<main>\(pages.noticeList([Notice(.error, text)]))<p><a href=\"/\">Back to the start</a></p></main>",
                   refreshTo: "/")
    }

    func originAllowed(_ request: Request) -> Bool {
        CSRFGuard.originAllowed(origin: request.headers[.origin], host: request.head.authority,
                                fetchSite: request.headers[.init("Sec-Fetch-Site")!])
    }

    func currentSession(_ request: Request) async -> Session? {
        guard let token = request.cookies[settings.cookieName]?.value else { return nil }
        return await sessions.session(token: token)
    }

    /// The request's body, at most the context's `maxUploadSize`: a longer one throws
    /// `NIOTooManyBytesError`, which ``SecurityHeadersMiddleware`` answers with 413.
    func bodyText(_ request: Request, context: StationContext) async throws -> String {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        return String(buffer: buffer)
    }

    func sessionCookie(_ token: String) -> Cookie {
        Cookie(name: settings.cookieName, value: token, path: "/", secure: settings.secureCookies, httpOnly: true, sameSite: .strict)
    }

    func clearedCookie() -> Cookie {
        Cookie(name: settings.cookieName, value: "", maxAge: 0, path: "/", secure: settings.secureCookies, httpOnly: true, sameSite: .strict)
    }
}

func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
}

func redirect(_ location: String) -> Response {
    Response(status: .seeOther, headers: [.location: location])
}
