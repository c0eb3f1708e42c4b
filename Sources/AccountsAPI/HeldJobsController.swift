import APIAccess
import Foundation
import Hummingbird
import Pricing
import QuotaDB
import Release

/// `/api/v1/held-jobs`: jobs of `release` queues.
///
/// - `GET` (scope `reports:read`): the records as the quota database keeps them (owner, title,
///   pages, price, state, expiry): `user` filters by owner, `state` (repeatable; default `held`).
/// - `POST /{job}/release` and `DELETE /{job}` (scope `jobs:release`): an administrator's system
///   releases or deletes a user's job, named by cupsd's job id, through the release core of the
///   station and `tollgate release` (``ReleaseService``): the same funds check, the same grant
///   (the backend charges the owner when it prints, the ledger's actor saying `via api:CLIENT`),
///   the same ``JobOutcome`` sentences. The client setting on account choice does not apply: it
///   is about what users choose; an administrator may name any account the owner may use.
///
/// Failure policies: an unknown state → 400 problem. The list is the database's: a job cancelled
/// in cupsd behind Tollgate's back shows as held until the next expiry tick. Release and delete:
/// no job of that number on this server → 404; a job no longer waiting → 409 (`already-released`
/// when it was released or printed, `not-held` when deleted or expired); the owner's accounts
/// and wallet cannot pay → 402 and nothing is released; an account the owner may not use → 422
/// (404 when there is no such account); cupsd unreachable or refusing → 503, nothing released.
/// A release needs an `Idempotency-Key` (it makes the owner pay): see ``ReleaseReplies``.
struct HeldJobsController<Parent: RequestContext> {
    typealias Context = APIRequestContext<Parent>
    let store: any PrintAccountingStore
    let release: ReleaseService
    let replies: ReleaseReplies

    /// The optional body of a release: the account to charge first (name or code; default: the
    /// owner's usual chain, as when they release it themselves without choosing).
    struct ReleaseRequest: Decodable {
        var account: String?
    }

    /// What became of the job: the sentence every front end says, and the job after it.
    struct OutcomeJSON: Encodable {
        var message: String
        var user: String
        var job: HeldJob
        /// With a release: the account expected to pay first (nil: the personal wallet), and the
        /// split the funds check expects; the ledger has what the printed job really cost.
        var account: String?
        var accountPart: Money?
        var walletPart: Money?
    }

    func addRoutes(to group: RouterGroup<Context>) {
        group.group("held-jobs").add(middleware: RequireScope(.reportsRead))
            .get(use: list)
        group.group("held-jobs").add(middleware: RequireScope(.jobsRelease))
            .post(":job/release", use: releaseJob)
            .delete(":job", use: deleteJob)
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

    @Sendable func releaseJob(_ request: Request, context: Context) async throws -> Response {
        let identity = try context.requireIdentity()
        let claimKey = try IdempotencyHeader.key(request)
        let jobID = try Self.jobID(context)
        var body = request
        let raw = Data(buffer: try await body.collectBody(upTo: context.maxUploadSize))
        var account: String?
        if !raw.allSatisfy({ [0x20, 0x09, 0x0a, 0x0d].contains($0) }) {
            do {
                account = try APIJSON.decoder.decode(ReleaseRequest.self, from: raw).account
            } catch let error as DecodingError {
                throw Problem.badRequest("The body is not the JSON this call takes: \(APIJSON.describe(error)).", kind: "malformed-body")
            }
        }
        if let chosen = account?.trimmingCharacters(in: .whitespaces) {
            guard !chosen.isEmpty, chosen.count <= 200 else { throw Problem.unprocessable("account is an account's name or code (1 to 200 characters).") }
            account = chosen
        }
        let claim = IdempotencyClaim(clientID: identity.clientID.rawValue, key: claimKey,
                                     fingerprint: IdempotencyHeader.fingerprint(request, body: raw))
        let (release, actor, chosen, store) = (self.release, identity.actor, account, self.store)
        if let earlier = try await Blocking.run({ try store.storedResponse(claim) }) { return IdempotencyHeader.replay(earlier) }
        let stored = try await replies.once(claim) {
            try await Blocking.run { () throws -> StoredResponse in
                let job = try Self.waitingJob(jobID, release: release)
                switch release.releaseOutcome(jobID: jobID, by: job.owner, account: chosen, via: actor) {
                case .released(let released):
                    var after = released.job
                    after.state = .released
                    let answer = OutcomeJSON(message: JobOutcome.released(released).sentence, user: job.owner, job: after,
                                             account: released.account, accountPart: released.accountPart, walletPart: released.walletPart)
                    let response = StoredResponse(status: 200, body: try APIJSON.encoder.encode(answer))
                    // The job is released: an answer that cannot be kept is still this answer
                    // (the memory of this process covers its retries; see ReleaseReplies).
                    try? store.keepResponse(response, for: claim)
                    return response
                case .refused(_, let error):
                    throw Self.problem(error)
                case .deleted:
                    preconditionFailure("a release's outcome is never a deletion")
                }
            }
        }
        if stored.isReplay { return IdempotencyHeader.replay(stored) }
        context.logger.info("api: \(actor) released job \(jobID)\(chosen.map { " on account \($0)" } ?? "")")
        return IdempotencyHeader.response(stored)
    }

    /// Deleting moves no money and cannot happen twice (a second delete is 409): no
    /// Idempotency-Key is needed.
    @Sendable func deleteJob(_ request: Request, context: Context) async throws -> Response {
        let actor = try context.requireIdentity().actor
        let jobID = try Self.jobID(context)
        let release = self.release
        let answer = try await Blocking.run { () throws -> OutcomeJSON in
            let job = try Self.waitingJob(jobID, release: release)
            let outcome = release.deleteOutcome(jobID: jobID, by: job.owner, via: actor)
            if case .refused(_, let error) = outcome { throw Self.problem(error) }
            var after = job
            after.state = .deleted
            return OutcomeJSON(message: outcome.sentence, user: job.owner, job: after)
        }
        context.logger.info("api: \(actor) deleted job \(jobID) of \(answer.user)")
        return try APIJSON.response(answer)
    }

    /// `{job}`: cupsd's job id, a positive number (else 400).
    static func jobID(_ context: Context) throws -> Int {
        guard let text = context.parameters.get("job"), let id = Int(text), id > 0 else {
            throw Problem.badRequest("The job is cupsd's job id, a positive number (GET /api/v1/held-jobs lists them as jobID).", kind: "bad-job-id")
        }
        return id
    }

    /// The job's record if it still waits for release (else the 404 or 409 problem).
    static func waitingJob(_ jobID: Int, release: ReleaseService) throws -> HeldJob {
        let job: HeldJob
        do { job = try release.record(ofJob: jobID) } catch { throw problem(error) }
        guard job.state == .held else { throw problem(.notHeld(jobID: jobID, state: job.state)) }
        return job
    }

    /// A refusal as a problem whose detail is the sentence every front end says.
    static func problem(_ error: ReleaseError) -> Problem {
        switch error {
        case .noSuchJob(let id):
            // The owner-facing sentence says "you"; the caller here is not the owner.
            return Problem.notFound("No job \(id) of this server is waiting for release (GET /api/v1/held-jobs lists them).", kind: "unknown-job")
        case .notHeld(_, let state):
            return Problem(state == .released || state == .printed ? "already-released" : "not-held", status: .conflict, detail: error.sentence)
        case .cannotPay(_, let refusal):
            switch refusal.reason {
            case .insufficientFunds, .balanceNotPositive:
                return Problem("insufficient-funds", status: .init(code: 402, reasonPhrase: "Payment Required"), detail: error.sentence)
            case .accountNotFound:
                return Problem.notFound(error.sentence, kind: "unknown-account")
            case .accountNotUsable:
                return Problem.unprocessable(error.sentence, kind: "account-not-usable")
            }
        case .notAReleaseQueue, .accountChoiceOff:
            return Problem.badRequest(error.sentence)
        case .quota(let quota):
            return Problem.from(quota)
        case .queueMisconfigured, .cups:
            return Problem("unavailable", status: .serviceUnavailable, detail: error.sentence + " Nothing was released or charged.")
        }
    }
}

/// The answers of `POST /api/v1/held-jobs/{job}/release`, kept for their retries: a retry with
/// the same `Idempotency-Key` (and the same request) gets the first answer with
/// `Idempotent-Replayed: true`, and concurrent retries wait for the first; the same key with
/// another request is 422. Only releases that happened are kept (a refusal moved nothing: retry).
///
/// The answers are kept in the quota database (``APIStore/keepResponse(_:for:)``, as the money
/// calls' are, but with no ledger row: the backend charges when the job prints), so a retry at
/// another tollgated on the same database, or after a restart, is a replay too; this actor only
/// makes concurrent retries in one process wait for the first (24 hours, at most 10 000).
///
/// Failure policy: an answer the database could not keep lives only here; a retry elsewhere
/// then gets the 409 `already-released` problem. Nothing can release or charge a job twice: a
/// release grant is written only for a job that still waits, and the backend charges a job once.
actor ReleaseReplies {
    static let lifetime: TimeInterval = 24 * 3600
    static let capacity = 10_000
    private var answers: [String: (fingerprint: String, at: Date, answer: Task<StoredResponse, any Error>)] = [:]

    func once(_ claim: IdempotencyClaim, _ work: @escaping @Sendable () async throws -> StoredResponse) async throws -> StoredResponse {
        let id = claim.clientID + "\n" + claim.key
        let now = Date()
        answers = answers.filter { now.timeIntervalSince($0.value.at) < Self.lifetime }
        if answers.count >= Self.capacity, let oldest = answers.min(by: { $0.value.at < $1.value.at })?.key { answers[oldest] = nil }
        if let first = answers[id] {
            guard first.fingerprint == claim.fingerprint else { throw QuotaError.idempotencyConflict(key: claim.key) }
            var answer = try await first.answer.value
            answer.isReplay = true
            return answer
        }
        let task = Task { try await work() }
        answers[id] = (claim.fingerprint, now, task)
        do {
            return try await task.value
        } catch {
            answers[id] = nil
            throw error
        }
    }
}
