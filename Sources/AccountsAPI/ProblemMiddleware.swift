import Foundation
import Hummingbird
import NIOCore
import Pricing
import QuotaDB

/// Turns every error of an API route into an RFC 9457 problem: a ``Problem`` as it is,
/// Hummingbird's `HTTPError` and the body limit (413) with their status, a ``QuotaError`` by
/// ``Problem/from(_:)``, anything else a 500 whose detail says nothing internal (it is logged).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Self.problem(for: error, request: request, context: context).response()
        }
    }

    static func problem(for error: any Error, request: Request, context: some RequestContext) -> Problem {
        let logger = context.logger
        switch error {
        case let problem as Problem:
            return problem
        case let error as QuotaError:
            let problem = Problem.from(error)
            if problem.statusCode >= 500 { logger.error("api \(request.method) \(request.uri.path): \(error)") }
            return problem
        case let error as MoneyError:
            return Problem("invalid-amount", status: .unprocessableContent, detail: "\(error)")
        case is NIOTooManyBytesError:
            return Problem("body-too-large", status: .contentTooLarge,
                           detail: "The request body is larger than \(AccountsAPISettings.maxBodySize) bytes.")
        case let error as HTTPError:
            return Problem(nil, status: error.status, detail: error.body ?? error.status.reasonPhrase)
        case let error as any HTTPResponseError:
            return Problem(nil, status: error.status, detail: error.status.reasonPhrase)
        default:
            logger.error("api \(request.method) \(request.uri.path) failed: \(error)")
            return Problem(nil, status: .internalServerError, detail: "The request failed inside tollgated; nothing is known to have changed. See its log.")
        }
    }
}

/// The API's answer for paths nobody routes (404) and methods a path does not have (405, with
/// `Allow`), as problems; paths outside the API's prefixes pass through untouched. Global on the
/// router (Hummingbird's not-found responder runs only global middleware).
struct APIFallbackMiddleware<Context: RequestContext>: RouterMiddleware {
    let prefixes: [String]
    /// Path patterns (`/api/v1/accounts/{id}`) with their methods.
    let routes: [(pattern: [Substring], methods: [String])]

    init(prefixes: [String], routes: [(path: String, method: String)]) {
        self.prefixes = prefixes
        var table: [String: [String]] = [:]
        for route in routes { table[route.path, default: []].append(route.method) }
        self.routes = table.keys.sorted().map { ($0.split(separator: "/"), table[$0]!.sorted()) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard prefixes.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let segments = path.split(separator: "/")
            let allowed = routes.filter { Self.matches($0.pattern, segments) }.flatMap(\.methods)
            if !allowed.isEmpty {
                return Problem(nil, status: .methodNotAllowed, detail: "\(request.method) is not allowed on \(path); use \(allowed.joined(separator: ", ")).",
                               headers: ["Allow": allowed.joined(separator: ", ")]).response()
            }
            return Problem.notFound("No API endpoint at \(path) (see /api/v1/openapi.json).").response()
        } catch {
            return ProblemMiddleware<Context>.problem(for: error, request: request, context: context).response()
        }
    }

    static func matches(_ pattern: [Substring], _ segments: [Substring]) -> Bool {
        guard pattern.count == segments.count else { return false }
        return zip(pattern, segments).allSatisfy { p, s in p == s || (p.hasPrefix("{") && p.hasSuffix("}")) }
    }
}
