import Foundation
import Hummingbird
import QuotaDB

/// An RFC 9457 problem: every error of the API is answered as `application/problem+json` with
/// `type`, `title`, `status` and `detail`. Thrown from handlers and middleware like `HTTPError`.
public struct Problem: Error, HTTPResponseError, Codable, Sendable, Equatable {
    /// A URI naming the kind of problem (`urn:tollgate:problem:…`, or `about:blank` for a plain
    /// HTTP status).
    public var type: String
    public var title: String
    /// The HTTP status code (`status` in the body).
    public var statusCode: Int
    public var detail: String?
    /// Headers the answer carries (`WWW-Authenticate`, `Allow`); not part of the body.
    public var headers: [String: String]

    enum CodingKeys: String, CodingKey { case type, title, statusCode = "status", detail }

    public init(_ kind: String?, status: HTTPResponse.Status, title: String? = nil, detail: String?, headers: [String: String] = [:]) {
        self.type = kind.map { "urn:tollgate:problem:\($0)" } ?? "about:blank"
        self.title = title ?? status.reasonPhrase
        self.statusCode = status.code
        self.detail = detail
        self.headers = headers
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(String.self, forKey: .type)
        title = try c.decode(String.self, forKey: .title)
        statusCode = try c.decode(Int.self, forKey: .statusCode)
        detail = try c.decodeIfPresent(String.self, forKey: .detail)
        headers = [:]
    }

    /// HTTPResponseError's status.
    public var status: HTTPResponse.Status { HTTPResponse.Status(code: statusCode) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    /// The problem as a response: `application/problem+json`, never cached.
    public func response() -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(self)) ?? Data(#"{"status":500,"title":"Internal Server Error","type":"about:blank"}"#.utf8)
        var fields: HTTPFields = [.contentType: "application/problem+json", .cacheControl: "no-store"]
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            if let field = HTTPFields.Element.Name(name) { fields[field] = value }
        }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    // MARK: - The API's problems

    /// 401: no token, or one that is unknown, expired or whose client was revoked (RFC 6750 §3).
    static func unauthenticated(detail: String, invalidToken: Bool = false) -> Problem {
        Problem("unauthenticated", status: .unauthorized, detail: detail,
                headers: ["WWW-Authenticate": invalidToken ? #"Bearer realm="tollgate", error="invalid_token""# : #"Bearer realm="tollgate""#])
    }

    static func badRequest(_ detail: String, kind: String = "bad-request") -> Problem {
        Problem(kind, status: .badRequest, detail: detail)
    }

    static func notFound(_ detail: String, kind: String = "not-found") -> Problem {
        Problem(kind, status: .notFound, detail: detail)
    }

    static func unprocessable(_ detail: String, kind: String = "invalid-request") -> Problem {
        Problem(kind, status: .unprocessableContent, detail: detail)
    }

    /// What a ``QuotaError`` means for a caller: its sentence as the detail, the status it deserves.
    static func from(_ error: QuotaError) -> Problem {
        switch error {
        case .accountNotFound, .apiClientNotFound, .userNotFound, .groupNotFound, .unknownJob, .heldJobNotFound, .paymentSiteNotFound:
            return Problem("not-found", status: .notFound, detail: error.description)
        case .accountExists, .apiClientExists, .emailInUse, .cardInUse, .referenceConflict, .paymentSiteExists:
            return Problem("conflict", status: .conflict, detail: error.description)
        case .idempotencyConflict:
            return Problem("idempotency-key-reused", status: .unprocessableContent, detail: error.description)
        case .invalidAmount, .amountOverflow, .invalidAccount, .invalidUserName, .invalidName, .invalidEmail, .currencyMismatch,
             .accountNotUsable, .invalidSchedule, .exceedsJob:
            return Problem("invalid-request", status: .unprocessableContent, detail: error.description)
        case .databaseBusy:
            return Problem("busy", status: .serviceUnavailable, detail: "The database is busy; nothing was done. Retry with the same Idempotency-Key.",
                           headers: ["Retry-After": "1"])
        default:
            return Problem("unavailable", status: .serviceUnavailable, detail: "The database cannot be used right now; nothing was done.")
        }
    }
}
