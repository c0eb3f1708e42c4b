import APIAccess
import Foundation
import Hummingbird
import QuotaDB
import Release

/// Settings of the Accounts API (tollgated's `--api-*` and `--email-domain` options).
public struct AccountsAPISettings: Sendable {
    /// The `{site}` of `/api/v1/{site}/activities` (Pharos's customer id); another site is 404.
    public var site: String
    /// `user@domain` names user `user` when no user has that address of their own.
    public var emailDomain: String?
    /// How long a bearer token lives.
    public var tokenLifetime: TimeInterval
    /// Calls per minute and client (0: no limit).
    public var rateLimitPerMinute: Int
    /// The largest request body read (JSON and forms are small): longer is a 413 problem.
    public static let maxBodySize = 16 * 1024

    public init(site: String = "tollgate", emailDomain: String? = nil, tokenLifetime: TimeInterval = 15 * 60,
                rateLimitPerMinute: Int = 600) {
        self.site = site
        self.emailDomain = emailDomain
        self.tokenLifetime = tokenLifetime
        self.rateLimitPerMinute = rateLimitPerMinute
    }
}

/// The Accounts API: OAuth 2.0 client credentials at `/oauth/token`, JSON under `/api/v1`,
/// RFC 9457 problems for every error, described by `/api/v1/openapi.json`.
///
/// Every call that moves money goes through the quota store's own credit and adjustment (the
/// CLI's), once per `Idempotency-Key`, with `api:CLIENT` as the ledger's actor; releasing a held
/// job goes through the station's ``ReleaseService``.
public struct AccountsAPI: Sendable {
    public let store: any PrintAccountingStore
    public let settings: AccountsAPISettings
    /// The release core of the station and `tollgate release`, for releasing and deleting held jobs.
    public let release: ReleaseService
    let limiter: ClientRateLimiter
    let releaseReplies = ReleaseReplies()
    /// The path prefixes the API owns.
    public static let prefixes = ["/api/v1", "/oauth"]

    /// `release` defaults to one on `store` with cupsd and the server name from the environment
    /// (as the backend sees them).
    public init(store: any PrintAccountingStore, settings: AccountsAPISettings = AccountsAPISettings(), release: ReleaseService? = nil) {
        self.store = store
        self.settings = settings
        self.release = release ?? ReleaseService(store: store, settings: .init(environment: ProcessInfo.processInfo.environment))
        limiter = ClientRateLimiter(perMinute: settings.rateLimitPerMinute)
    }

    /// Adds every route of the API to `router` (any parent context: the station's, or a test's),
    /// and the global fallback that answers unknown API paths (404) and methods (405) as problems.
    public func addRoutes<Parent: RequestContext>(to router: Router<Parent>) {
        let before = Set(router.routes.map(\.description))
        let oauth = router.group("oauth", context: APIRequestContext<Parent>.self)
            .add(middleware: ProblemMiddleware())
        TokenController<Parent>(store: store, settings: settings).addRoutes(to: oauth)

        let api = router.group("api/v1", context: APIRequestContext<Parent>.self)
            .add(middleware: ProblemMiddleware())
        OpenAPIController<Parent>().addRoutes(to: api)
        let topUps = TopUpsController<Parent>(store: store, settings: settings)
        topUps.addCallbackRoutes(to: api)
        let authenticated = api.group().add(middleware: BearerAuthenticator(store: store, limiter: limiter))
        ActivitiesController<Parent>(store: store, settings: settings).addRoutes(to: authenticated)
        topUps.addRoutes(to: authenticated)
        AccountsController<Parent>(store: store).addRoutes(to: authenticated)
        UsersController<Parent>(store: store).addRoutes(to: authenticated)
        LedgerController<Parent>(store: store).addRoutes(to: authenticated)
        ReportsController<Parent>(store: store).addRoutes(to: authenticated)
        HeldJobsController<Parent>(store: store, release: release, replies: releaseReplies).addRoutes(to: authenticated)

        let added = router.routes.filter { !before.contains($0.description) }
        router.add(middleware: APIFallbackMiddleware<Parent>(prefixes: Self.prefixes,
                                                            routes: added.map { ($0.path.description, $0.method.rawValue) }))
    }
}

/// JSON as the API writes it: ISO 8601 dates, sorted keys (stable answers, stable replays).
enum APIJSON {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Dates are RFC 3339 instants, with or without fractional seconds.
    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            let text = try c.decode(String.self)
            let plain = ISO8601DateFormatter(), fractional = ISO8601DateFormatter()
            fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            guard let date = plain.date(from: text) ?? fractional.date(from: text) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "\(text) is not an RFC 3339 instant like 2026-01-31T00:00:00Z")
            }
            return date
        }
        return decoder
    }

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var fields: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
        fields.append(contentsOf: headers)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    /// The body, at most the context's limit (longer: 413), decoded as `T`; malformed JSON or a
    /// missing or mistyped field is a 400 problem that names the field.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> (T, Data) {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let data = Data(buffer: buffer)
        do {
            return (try decoder.decode(T.self, from: data), data)
        } catch let error as DecodingError {
            throw Problem.badRequest("The body is not the JSON this call takes: \(describe(error)).", kind: "malformed-body")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "the body" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])) is missing"
        case .typeMismatch(_, let context): return "\(path(context.codingPath)) has the wrong type (\(context.debugDescription))"
        case .valueNotFound(_, let context): return "\(path(context.codingPath)) is null"
        case .dataCorrupted(let context): return context.codingPath.isEmpty ? "it is not valid JSON" : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
