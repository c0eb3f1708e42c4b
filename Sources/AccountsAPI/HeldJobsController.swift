import APIAccess
import Foundation
import Hummingbird
import QuotaDB

/// `GET /api/v1/held-jobs` (scope `reports:read`): jobs of `release` queues as the quota database
/// records them (owner, title, pages, price, state, expiry): `user` filters by owner, `state`
/// (repeatable; default `held`). Releasing and deleting stay with their owners (station, CLI).
///
/// Failure policy: an unknown state → 400 problem. The records are the database's: a job
/// cancelled in cupsd behind Tollgate's back shows as held until the next expiry tick.
struct HeldJobsController<Parent: RequestContext> {
    typealias Context = APIRequestContext<Parent>
    let store: any PrintAccountingStore

    func addRoutes(to group: RouterGroup<Context>) {
        group.group("held-jobs").add(middleware: RequireScope(.reportsRead))
            .get(use: list)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let parameters = request.uri.queryParameters
        var states: Set<HeldJobState> = []
        for text in parameters.getAll("state") {
            guard let state = HeldJobState(rawValue: text) else {
                throw Problem.badRequest("state is one of \(HeldJobState.allCases.map(\.rawValue).joined(separator: ", ")), not \(text).")
            }
            states.insert(state)
        }
        let (owner, wanted) = (parameters.get("user"), states.isEmpty ? [.held] : states)
        let store = self.store
        let jobs = try await Blocking.run { try store.heldJobs(owner: owner, states: wanted) }
        return try APIJSON.response(jobs)
    }
}
