import Foundation
import Hummingbird
import QuotaDB
import Release

/// `/api`: the same session cookie as the pages; every POST also carries the session's CSRF
/// token in `X-CSRF-Token` (a page or `GET /api/session` gives it).
///
/// - `GET /api/session` → `{"user", "csrfToken", "idleTimeout"}`
/// - `GET /api/jobs` → the user's held jobs
/// - `POST /api/jobs/{id}/release` with optional JSON `{"account": "Physics"}` → `{"message"}`
/// - `POST /api/jobs/{id}/delete` → `{"message"}`
///
/// Errors are `{"error": "…"}` with 401 (no session), 403 (CSRF/Origin), 404 (no such job of
/// yours), 409 (not held any more), 402 (cannot pay), 503 (cupsd or the database).
extension Station {
    struct SessionJSON: Encodable {
        var user: String
        var csrfToken: String
        var idleTimeout: Int
    }

    struct MessageJSON: Encodable {
        var message: String
    }

    struct ErrorJSON: Encodable {
        var error: String
    }

    struct ReleaseBody: Decodable {
        var account: String?
    }

    func addAPIRoutes(to router: Router<StationContext>) {
        let api = router.group("api")
        api.get("session") { request, _ in
            guard let session = await currentSession(request), let user = session.user else { return Self.unauthorised }
            return Self.json(SessionJSON(user: user, csrfToken: session.csrfToken, idleTimeout: pages.idleTimeout))
        }
        api.get("jobs") { request, _ in
            guard let session = await currentSession(request), let user = session.user else { return Self.unauthorised }
            switch await heldJobs.encodedJobs(for: user, encode: { Self.encode($0.map(HeldJobSummary.init)) }) {
            case .success(let body):
                return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(bytes: body)))
            case .failure(let error):
                return Self.json(ErrorJSON(error: Self.sentence(error.description)), status: Self.status(for: error))
            }
        }
        api.post("jobs/:id/release") { request, context in
            let (checked, user) = try await apiPost(request, context: context)
            guard let user else { return checked! }
            guard let id = context.parameters.get("id", as: Int.self) else { return Self.badJobID }
            let text = try await bodyText(request, context: context)
            var account: String? = nil
            if !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                guard let body = try? JSONDecoder().decode(ReleaseBody.self, from: Data(text.utf8)) else {
                    return Self.json(ErrorJSON(error: "The body must be JSON like {\"account\": \"Physics\"}, or empty."), status: .badRequest)
                }
                account = Self.account(body.account)
            }
            if account != nil, !(await accountChoice()) {
                return Self.json(ErrorJSON(error: Self.noAccountChoice), status: .forbidden)
            }
            let response: Response
            // cupsd and the database block: never on the event loop.
            let (via, chosen) = (settings.via, account)
            let outcome = await BlockingWork.onThread { release.releaseOutcome(jobID: id, by: user, account: chosen, via: via) }
            response = jsonResponse(outcome, user: user)
            await heldJobs.invalidate(user)
            return response
        }
        api.post("jobs/:id/delete") { request, context in
            let (checked, user) = try await apiPost(request, context: context)
            guard let user else { return checked! }
            guard let id = context.parameters.get("id", as: Int.self) else { return Self.badJobID }
            let response: Response
            let via = settings.via
            let outcome = await BlockingWork.onThread { release.deleteOutcome(jobID: id, by: user, via: via) }
            response = jsonResponse(outcome, user: user)
            await heldJobs.invalidate(user)
            return response
        }
    }

    /// The outcome's sentence as `{"message"}`, or `{"error"}` with the refusal's status.
    private func jsonResponse(_ outcome: JobOutcome, user: String) -> Response {
        _ = notice(outcome, user: user)   // logs it as the pages do
        if case .refused(_, let error) = outcome {
            return Self.json(ErrorJSON(error: outcome.sentence), status: Self.status(for: error))
        }
        return Self.json(MessageJSON(message: outcome.sentence))
    }

    /// The signed-in user of an API POST (same origin, right `X-CSRF-Token`), or the refusal.
    private func apiPost(_ request: Request, context: StationContext) async throws -> (Response?, String?) {
        guard originAllowed(request) else {
            log("API \(request.uri.path) refused: foreign origin from \(context.clientAddress)")
            return (Self.json(ErrorJSON(error: "This request did not come from the release station."), status: .forbidden), nil)
        }
        guard let session = await currentSession(request), let user = session.user else { return (Self.unauthorised, nil) }
        guard CSRFGuard.tokenMatches(request.headers[.init("X-CSRF-Token")!], session: session) else {
            log("API \(request.uri.path) refused: missing or wrong CSRF token for \(user) from \(context.clientAddress)")
            return (Self.json(ErrorJSON(error: "Missing or wrong X-CSRF-Token header."), status: .forbidden), nil)
        }
        return (nil, user)
    }

    static var unauthorised: Response {
        json(ErrorJSON(error: "Sign in first."), status: .unauthorized)
    }

    static var badJobID: Response {
        json(ErrorJSON(error: "A job id is a number."), status: .badRequest)
    }

    static func status(for error: ReleaseError) -> HTTPResponse.Status {
        switch error {
        case .noSuchJob: .notFound
        case .notHeld: .conflict
        case .cannotPay: .init(code: 402, reasonPhrase: "Payment Required")
        case .notAReleaseQueue: .badRequest
        case .accountChoiceOff: .forbidden
        case .queueMisconfigured, .cups, .quota: .serviceUnavailable
        }
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(bytes: encode(value))))
    }

    static func encode(_ value: some Encodable) -> [UInt8] {
        let data = (try? JSONEncoder().encode(value)) ?? Data("{\"error\":\"cannot encode the answer\"}".utf8)
        return Array(data)
    }
}
