import BackendCore
import Foundation
import IPPWire
import JobAnalysisCore
import Pricing
import PostgreSQLStore
import PricingTOML
import QuotaDB

/// The backend's decision for each job: who, what it costs on this queue, whether the wallet
/// chain allows it; then settle or refund once the real backend has ended.
///
/// Failure policies (a job is never printed for free by accident, never lost):
/// - cupsd unreachable, database busy → `CUPS_BACKEND_RETRY`: cupsd tries the job again later.
/// - cupsd asks for credentials or TLS the backend's reader cannot give, or answers garbage → the
///   job is held with what the administrator must change (retrying would not help).
/// - a quota or track queue's job whose owner cupsd did not authenticate (a claimed name) → held
///   with what the administrator sets (cups/tollgate-policy.conf), unless the queue trusts
///   claimed names (`tollgate-owner-default=claimed`): charging a claimed name charges someone else.
/// - queue policy malformed, rates card missing or invalid, database missing or corrupt,
///   job identity incomplete → the job is held with the reason; an administrator fixes it and
///   releases the job.
/// - the driver's output cannot be counted exactly (PCL, PCL XL, unknown) → the documents as sent
///   (cupsd's spool) are analysed instead.
/// - analysis failed (hostile, broken, too large or too slow) → priced by an honest bound on its
///   pages (raster headers, text bytes) as the card's dearest pages; with no such bound held
///   (`tollgate-unanalysable`), unless the queue says `tollgate-unanalysable-default=fallback`
///   (the card's fallback rate, the administrator's choice).
/// - refused by the wallet chain → held with `account-limit-reached` and the price, balances and
///   what to do.
/// - `release` queue: held (and recorded, priced, for the release station) until a grant from the
///   job's owner exists; the grant is used once, and names the account to charge. A job released
///   with cupsd alone (`lp -i N -H resume`, by anyone) is held again, never printed.
/// - the real backend has ended → charged what reached the printer (``Settlement``): in full,
///   the printer's count of impressions, or nothing (refunded), from its exit code, cupsd's
///   cancel and its status lines.
/// - the job's filters produced nothing → not priced, not charged (BackendWrapper).
public final class Gatekeeper: JobGate {
    /// Settings from the environment cupsd gives backends (`SetEnv` in cups-files.conf), never from
    /// the job.
    public struct Settings: Sendable {
        /// This print server: its cupsd and the name in its job keys.
        public var site: SiteSettings
        public var printer: String
        public var database: DatabaseLocation
        public var ratesDirectory: String
        public var analyser: String
        /// cupsd's configuration directory (`CUPS_SERVERROOT`): where its spool is written down.
        public var serverRoot: String
        /// Who cupsd authenticated as the job's submitter (`AUTH_USERNAME`), and what the queue
        /// asks clients for (`AUTH_INFO_REQUIRED`): see ``OwnerAuthentication``.
        public var authUsername: String?
        public var authInfoRequired: String?
        /// What users are told by mail (``UserNotices``; `TOLLGATE_STATION_URL` for release queues).
        public var notices: UserNotices
        /// The queue's device URI (`DEVICE_URI`, `tollgate:REAL-URI`): the printer a grey or
        /// duplex rule is forced on (``ForcedOutput``).
        public var deviceURI: String?
        /// Where jobs printed while the database was unreachable are recorded (``OfflineJournal``).
        public var journal: OfflineJournal

        public init(environment: [String: String]) {
            site = SiteSettings(environment: environment)
            printer = environment["PRINTER"] ?? ""
            database = DatabaseLocation.resolve(explicit: nil, environment: environment)
            ratesDirectory = environment["TOLLGATE_RATES_DIR"] ?? "/etc/tollgate/rates"
            analyser = environment["TOLLGATE_ANALYSE"] ?? AnalyserProcess().executable
            serverRoot = environment["CUPS_SERVERROOT"] ?? "/etc/cups"
            authUsername = environment["AUTH_USERNAME"]
            authInfoRequired = environment["AUTH_INFO_REQUIRED"]
            notices = UserNotices(stationURL: environment["TOLLGATE_STATION_URL"])
            deviceURI = environment["DEVICE_URI"]
            journal = OfflineJournal(directory: environment["TOLLGATE_JOURNAL_DIR"] ?? OfflineJournal.defaultDirectory)
        }
    }

    public let settings: Settings
    public let log: BackendLog
    /// Opened once per job and kept from `admit` to `finish`: opening and closing the database
    /// (WAL checkpoint on close) is the largest part of the backend's own cost.
    private var openStore: (any PrintAccountingStore)?
    /// What this gate reuses across jobs (nothing in a one-job process).
    private let resources: GateResources
    /// Set when the job is on a `release` queue: its record at the release station.
    private var releaseQueueJob: HeldJob?
    /// How the queue's grey and duplex rules reach paper for this job.
    private var forced = ForcedOutput()
    /// The job this gate let print (nil until then): what ``finish(_:reservation:run:)`` settles.
    public private(set) var admitted: AdmittedJob?

    /// How a gate opens the quota database (``GateResources``).
    public typealias StoreOpener = @Sendable (DatabaseLocation) throws(QuotaError) -> any PrintAccountingStore

    private func store() throws(QuotaError) -> any PrintAccountingStore {
        if let openStore { return openStore }
        let store = try resources.openStore(settings.database)
        openStore = store
        return store
    }

    public init(settings: Settings, log: BackendLog = BackendLog(), resources: GateResources = .perJob) {
        self.settings = settings
        self.log = log
        self.resources = resources
    }

    /// A gate that finishes a job another gate admitted (``admitted``, passed across processes).
    public convenience init(settings: Settings, log: BackendLog = BackendLog(), resuming admitted: AdmittedJob) {
        self.init(settings: settings, log: log)
        self.admitted = admitted
    }

    public func admit(_ job: JobArguments, document: JobDocument) -> GateVerdict {
        // Who, from cupsd; then the queue's policy, while the analysis runs.
        let identity: JobIdentity
        let policy: QueuePolicy
        // The analyser is another process (another core): it starts as soon as the job's own
        // attributes say what to count, and runs while cupsd is asked for the queue's policy, the
        // rates card is read and the database opened. It counts with the options as a queue
        // without grey or duplex rules prints them; a rule that changes them (``forcedOutput``)
        // starts it again with the options the job will print with. A job held before it is
        // priced drops (kills) it.
        var pending: (PendingAnalysis, JobOptions)
        do throws(CupsClientError) {
            let client = try CupsdConnection(server: settings.site.cupsServer)
            guard let jobID = Int(job.jobID) else {
                return .refuse(exitCode: .stop, message: "Tollgate: job id \"\(job.jobID)\" is not a number")
            }
            let attributes = try client.jobAttributes(jobID, names: JobIdentity.attributeNames)
            do {
                identity = try JobIdentity(jobID: jobID, server: settings.site.serverName, attributes: attributes,
                                           argumentOwner: job.user, argumentTitle: job.title)
            } catch {
                return .hold(jobState: "tollgate-job-unknown", message: "Tollgate: \(error); the job waits for an administrator")
            }
            pending = startAnalysis(document, options: analysisOptions(job, identity))
            let printer = try client.printerAttributes(settings.printer, names: QueuePolicy.attributeNames)
            do {
                policy = try QueuePolicy(printerAttributes: printer)
            } catch {
                return .hold(jobState: "tollgate-queue-misconfigured", message: "Tollgate: this printer is misconfigured (\(error)); the job waits for an administrator")
            }
        } catch {
            switch error {
            case .cannotConnect, .requestFailed, .notFound:
                return .refuse(exitCode: .retry, message: "Tollgate: \(error); the job will be retried")
            case .authenticationRequired, .encryptionRequired, .malformedResponse:
                return .hold(jobState: "tollgate-cupsd-refused", message: "Tollgate: \(error); the job waits for an administrator")
            }
        }

        // Whose job it is: the user cupsd authenticated, unless the administrator trusts claimed
        // names. A release queue's owner proves who they are at the station before anything is
        // charged, so its jobs may come from anyone.
        if policy.mode != .release, policy.owner == .authenticated,
           case .unproven(let why) = OwnerAuthentication(owner: identity.owner, authUsername: settings.authUsername,
                                                          authInfoRequired: settings.authInfoRequired) {
            // cupsd runs a reprint (Restart-Job) without the saved authentication: a paid job is
            // held as already printed, as with authentication.
            if let paid = try? store().reservation(jobKey: identity.key), paid.state == .settled {
                return Gatekeeper.alreadyPrinted(paid)
            }
            return .hold(jobState: "tollgate-owner-unauthenticated", message: Gatekeeper.unauthenticatedMessage(owner: identity.owner, why: why))
        }

        // How the queue's grey and duplex rules reach paper: the job is priced as it will print.
        do throws(CupsClientError) {
            forced = try forcedOutput(policy.rules)
        } catch {
            return .refuse(exitCode: .retry, message: "Tollgate: cannot ask the printer what it can print (\(error)); the job will be retried")
        }
        let analysed = analysisOptions(job, identity)
        if analysed != pending.1 { pending = startAnalysis(document, options: analysed) }

        // What it costs.
        var ruleCannotApply: String? = nil
        let quote: Quote
        let colourPages: Int
        let application: String?
        do {
            // A card that cannot be read drops (kills) the analysis.
            let card = try loadCard(policy.ratesCard ?? "default")
            var analysis = finishAnalysis(pending)
            // A driver's PCL (5 or XL) or unknown output is counted at best by heuristics, or not at
            // all: the document as its owner sent it is counted exactly, with every job option.
            if job.file == nil, !analysis.isCountKnown || analysis.format == .unknown || analysis.format == .pcl,
               let submitted = analyseSubmittedDocuments(job, identity) {
                log.info("Tollgate: the printer's data (\(analysis.format.rawValue)) is not counted exactly; priced from the document as it was sent")
                analysis = submitted
            }
            // No cheap way out of analysis: a document that could not be counted is priced by an
            // honest bound on its pages, or held (never the flat fallback because it was large,
            // slow or odd), unless the administrator chose the fallback for this queue.
            if let failure = analysis.failure {
                if let bound = failure.pageBound {
                    analysis = Gatekeeper.analysis(analysis, boundedBy: bound, card: card, options: pending.1)
                    log.info("Tollgate: \(failure); priced as that many of the card's dearest pages")
                } else if policy.unanalysable == .hold {
                    return .hold(jobState: "tollgate-unanalysable", message: Gatekeeper.unanalysableMessage(failure))
                } else {
                    log.info("Tollgate: \(failure); priced at the card's fallback rate (tollgate-unanalysable-default=fallback)")
                }
            }
            ruleCannotApply = forced.violation(of: analysis, filtered: job.file == nil)
            quote = job.file != nil ? try rawJobQuote(analysis, jobCopies: jobOptions(job, identity).copies, card: card)
                                    : try card.quote(for: JobPricing.description(of: analysis))
            colourPages = forced.grey.isApplied ? 0 : analysis.colourPageCount   // a grey queue prints none
            application = analysis.application?.name
            log.debug("Tollgate: job \(identity.jobID) (\(identity.key)) for \(identity.owner): \(quote.pageSides) page sides on \(quote.sheets) sheets × \(quote.copies), price \(quote.total)")
            FaultPoint.afterAnalysis.reach()
        } catch {
            return .hold(jobState: "tollgate-cannot-price", message: "Tollgate: cannot price this job (\(error)); the job waits for an administrator")
        }

        // The queue's job rules, on the price as it will print: before any money moves, and before
        // a release queue keeps the job for its owner. A grey or duplex rule that nothing on the
        // way to paper can apply to this job holds it (whatever tollgate-over-limit-default says:
        // the job itself is fine, the queue cannot print it as its rules say).
        if let ruleCannotApply {
            try? store().recordJobEvent(jobKey: identity.key, user: identity.owner, kind: .refused,
                                        detail: "\(settings.printer): \(ruleCannotApply)", actor: "backend")
            return .hold(jobState: "tollgate-rule-not-applicable", message: "Tollgate: not printed: \(ruleCannotApply)")
        }
        do throws(JobRuleError) {
            if let violation = try policy.rules.violation(of: quote, colourPages: colourPages) {
                try? store().recordJobEvent(jobKey: identity.key, user: identity.owner, kind: .refused,
                                            detail: "\(settings.printer): \(violation)", actor: "backend")
                switch policy.rules.overLimit {
                case .hold: return .hold(jobState: "tollgate-over-limit", message: "Tollgate: not printed: \(violation)")
                case .cancel: return .refuse(exitCode: .cancel, message: "Tollgate: cancelled: \(violation)")
                }
            }
        } catch {
            return .hold(jobState: "tollgate-cannot-price", message: "Tollgate: \(error); the job waits for an administrator")
        }

        // Whether the wallet chain allows it (and, on a release queue, whether its owner released it).
        // What the offline journal says of this job, if the database cannot be reached now
        // (`record`) or when its charge is settled.
        let entry = OfflineJournal.Entry(jobKey: identity.key, user: identity.owner, queue: settings.printer, application: application,
                                         account: identity.accountID, price: quote.total, recordedAt: Date(), server: settings.site.serverName)
        do throws(QuotaError) {
            let store = try store()
            // The account the job names at submit (`lp -o job-account-id=…`), else the active one.
            var request = AuthorizationRequest(jobKey: identity.key, user: identity.owner, amount: quote.total,
                                               policy: policy.chargePolicy, account: identity.accountID,
                                               queue: settings.printer, application: application)
            if policy.mode == .release {
                let now = Date()
                let held = HeldJob(jobKey: identity.key, jobID: identity.jobID, queue: settings.printer, owner: identity.owner,
                                   title: identity.name, pageSides: Int(clamping: quote.pageSides), sheets: Int(clamping: quote.sheets),
                                   copies: Int(clamping: quote.copies), colourPages: colourPages, price: quote.total,
                                   ratesCard: policy.ratesCard ?? "default", heldAt: now,
                                   expiresAt: now.addingTimeInterval(Double(policy.holdHours) * 3600), requestedAccount: identity.accountID)
                releaseQueueJob = held
                // Only a grant from the job's owner, recent and used once, lets it print: cupsd's
                // own Release-Job can be sent by anyone who claims to be the owner.
                guard let grant = try store.takeGrant(jobKey: identity.key, maxAge: ReleaseGrant.lifetime),
                      grant.user == identity.owner else {
                    if let paid = try store.reservation(jobKey: identity.key), paid.state == .settled {
                        return Gatekeeper.alreadyPrinted(paid)
                    }
                    let first = try store.heldJob(jobKey: identity.key) == nil
                    try store.recordHeld(held, reason: nil, actor: "backend")
                    if first {
                        store.notify(identity.owner, .waitingForRelease,
                                     settings.notices.waitingForRelease(title: identity.name, jobID: identity.jobID, printer: settings.printer,
                                                                        price: quote.total, holdHours: policy.holdHours))
                    }
                    return .hold(jobState: "job-hold-until-specified",
                                 message: "Tollgate: waiting for \(identity.owner) to release it at a release station (\(quote.total))")
                }
                // What the owner chose at the station, else what the job named at submit.
                request.account = grant.account ?? identity.accountID
                request.actor = "backend (released by \(grant.user) via \(grant.grantedBy))"
            }
            let decision = try store.authorize(request)
            switch decision {
            case .approved(let approval) where approval.isRepeat && approval.reservation.state == .settled:
                return Gatekeeper.alreadyPrinted(approval.reservation)
            case .approved(let approval):
                FaultPoint.afterAuthorise.reach()
                log.info("Tollgate: \(identity.owner) pays \(Gatekeeper.payment(approval.reservation))\(approval.isRepeat ? " (already reserved)" : "")")
                for warning in approval.warnings {
                    log.info("Tollgate: \(warning)")
                    // Mail when this job crossed the soft limit (not for every job above it).
                    if !approval.isRepeat, case .softLimitExceeded(_, let used, let soft, _) = warning,
                       used.minorUnits - approval.reservation.accountPart.minorUnits <= soft.minorUnits {
                        store.notify(identity.owner, .softLimit, settings.notices.softLimit(warning))
                    }
                }
                let options = forced.realBackendOptions(job.options)
                if options != nil {
                    log.info("Tollgate: printed \([forced.grey == .printerOption ? "in black and white" : nil, forced.duplex == .printerOption ? "two-sided" : nil].compactMap { $0 }.joined(separator: " and ")), as this queue's rules say")
                }
                replayJournal(store)
                admitted = AdmittedJob(entry: entry, pageSides: quote.pageSides, onReleaseQueue: releaseQueueJob != nil, printedOffline: false)
                return .forward(reservation: identity.key, options: options)
            case .refused(let refusal):
                let message = Gatekeeper.message(for: refusal, releaseQueue: releaseQueueJob != nil, namedAccount: request.account == identity.accountID ? identity.accountID : nil)
                if let held = releaseQueueJob {
                    try store.recordHeld(held, reason: message, actor: "backend")
                } else {
                    try store.recordJobEvent(jobKey: identity.key, user: identity.owner, kind: .refused,
                                             detail: "\(settings.printer): \(message)", actor: "backend")
                    store.notify(identity.owner, .heldForFunds,
                                 settings.notices.heldForFunds(title: identity.name, jobID: identity.jobID, printer: settings.printer, sentence: message))
                }
                return .hold(jobState: "account-limit-reached", message: "Tollgate: \(message)")
            }
        } catch {
            if case .databaseBusy = error {
                return .refuse(exitCode: .retry, message: "Tollgate: \(error); the job will be retried")
            }
            // Unreachable (not missing or corrupt: that is for an administrator): a queue that
            // chose `record` prints and journals the charge; a release queue's grant is in the
            // database, so its jobs wait whatever the queue says.
            if case .databaseUnavailable = error, policy.offline == .record, policy.mode != .release {
                do {
                    try settings.journal.record(entry)
                } catch {
                    return .hold(jobState: "tollgate-database-unavailable",
                                 message: "Tollgate: the quota database is unavailable and the offline journal cannot be written (\(error)); the job waits")
                }
                admitted = AdmittedJob(entry: entry, pageSides: quote.pageSides, onReleaseQueue: false, printedOffline: true)
                log.info("Tollgate: the quota database is unavailable (\(error)); printed, and \(quote.total) for \(identity.owner) recorded to charge when it is back")
                return .forward(reservation: identity.key, options: forced.realBackendOptions(job.options))
            }
            return .hold(jobState: "tollgate-database-unavailable", message: "Tollgate: the quota database is unavailable (\(error)); the job waits")
        }
    }

    /// Charges the jobs printed while the database was unreachable (best effort: what cannot be
    /// replayed now stays in the journal for the next job, `tollgate sync` or the timer).
    private func replayJournal(_ store: any PrintAccountingStore) {
        guard !settings.journal.isEmpty else { return }
        do {
            let report = try settings.journal.replay(into: store)
            for (key, amount) in report.charged { log.info("Tollgate: job \(key), printed while the database was unreachable, charged \(amount)") }
            for (name, reason) in report.failed { log.error("Tollgate: offline journal entry \(name) not replayed: \(reason)") }
        } catch {
            log.error("Tollgate: the offline journal cannot be replayed: \(error)")
        }
    }

    /// The end of a job printed offline: what printed goes into its journal entry, then the
    /// journal is replayed if the database answers again.
    private func finishOffline(_ job: JobArguments, reservation: String, price: Money, pageSides: Int64, run: RealBackendRun) -> Bool {
        let settlement = Settlement(run: run)
        if case .nothing(let why) = settlement { log.info("Tollgate: the job did not print (\(why)); nothing recorded") }
        let charged = settlement.charge(of: price, pageSides: pageSides)
        do {
            // False: a replay already made it an open reservation; settle it as usual.
            guard try settings.journal.finish(jobKey: reservation, charged: charged) else { return false }
        } catch {
            log.error("Tollgate: could not write job \(job.jobID)'s outcome to the offline journal: \(error); a replay leaves it to tollgate reconcile")
        }
        if let store = try? store() { replayJournal(store) }
        return true
    }

    public func finish(_ job: JobArguments, reservation: String, run: RealBackendRun) {
        FaultPoint.afterRealBackend.reach()
        // Only an admitted job has a reservation; its price is one this gate computed.
        guard let admitted, admitted.jobKey == reservation, let price = try? admitted.price else {
            log.error("Tollgate: job \(job.jobID): no admission of \(reservation) to settle; tollgate reconcile settles it from cupsd's job state")
            return
        }
        if admitted.printedOffline,
           finishOffline(job, reservation: reservation, price: price, pageSides: admitted.pageSides, run: run) { return }
        let settlement = Settlement(run: run)
        do {
            let store = try store()
            switch settlement {
            case .nothing(let why):
                try store.cancel(jobKey: reservation, actor: "backend")
                log.info("Tollgate: the job did not print (\(why)); nothing charged")
                if admitted.onReleaseQueue {
                    // If cupsd runs it again, it waits for its owner again (a new grant).
                    try store.finishHeldJob(jobKey: reservation, state: .held, event: .failed,
                                            detail: "\(why); nothing charged", actor: "backend")
                }
            case let settlement:
                var amount: Money? = nil
                if case .impressions(let count) = settlement {
                    amount = Settlement.amount(forImpressions: count, of: price, pageSides: admitted.pageSides)
                }
                let settled = try store.settle(jobKey: reservation, amount: amount, actor: "backend")
                if case .impressions(let count) = settlement {
                    log.info("Tollgate: the printer made \(count) impression(s) before the job ended; charged \(settled.total)")
                } else {
                    log.info("Tollgate: charged \(settled.total)")
                }
                if admitted.onReleaseQueue {
                    try store.finishHeldJob(jobKey: reservation, state: .printed, event: .printed,
                                            detail: "charged \(settled.total)", actor: "backend")
                }
            }
        } catch {
            // The job printed and the database stopped answering (unreachable or busy, after its
            // reservation): the charge goes to the offline journal, which `tollgate sync`, `tollgate reconcile`, the
            // timer or the next job replays once (reconcile alone would find no proof that it
            // printed and refund it). Otherwise the reservation stays open and `tollgate
            // reconcile` settles or releases it from cupsd's job state (held, never lost, never
            // taken twice).
            let unanswered: Bool = switch error { case .databaseUnavailable, .databaseBusy: true; default: false }
            if unanswered, let charge = settlement.charge(of: price, pageSides: admitted.pageSides), charge.minorUnits > 0 {
                var entry = admitted.entry
                entry.state = .printed
                entry.chargedMinorUnits = charge.minorUnits
                do {
                    try settings.journal.record(entry)
                    log.error("Tollgate: could not settle job \(job.jobID) (\(error)); its charge of \(charge) is in the offline journal until the database is back")
                    return
                } catch let journalError {
                    log.error("Tollgate: could not write job \(job.jobID)'s charge to the offline journal: \(journalError)")
                }
            }
            log.error("Tollgate: could not settle job \(job.jobID): \(error)")
        }
    }

    /// Keeps what the printer has confirmed so far, as a failure now would charge it
    /// (``Settlement``), so that `tollgate reconcile` charges that much if this process dies
    /// before ``finish(_:reservation:run:)``, and nothing without it.
    public func printing(_ job: JobArguments, reservation: String, report: PrinterStatusReport, scheme: String) {
        guard let admitted, admitted.jobKey == reservation, let price = try? admitted.price else { return }
        let ifItEndedNow = RealBackendRun(termination: .signaled(SIGKILL, cancelled: false), cancelled: false, scheme: scheme, report: report)
        let amount: Money
        let evidence: String
        switch Settlement(run: ifItEndedNow) {
        case .full: (amount, evidence) = (price, "the \(scheme) backend sent every byte")
        case .impressions(let count): (amount, evidence) = (Settlement.amount(forImpressions: count, of: price, pageSides: admitted.pageSides), "the printer reported \(count) impression(s)")
        case .nothing: return
        }
        do {
            try store().recordDelivery(jobKey: reservation, amount: amount, evidence: evidence)
        } catch {
            log.error("Tollgate: could not record what the printer confirmed (\(error))")
        }
    }

    /// cupsd runs a finished job again only for a reprint (Restart-Job): the job key is paid once,
    /// so a reprint would be free. It is held instead; a new job is charged.
    static func alreadyPrinted(_ reservation: Reservation) -> GateVerdict {
        .hold(jobState: "tollgate-already-printed",
              message: "Tollgate: this job was already printed and charged \(reservation.total); to print it again, send it again")
    }

    /// Why a job whose owner nobody checked is not charged, and what the administrator does.
    static func unauthenticatedMessage(owner: String, why: String) -> String {
        "Tollgate: not charged to \(owner): \(why), so the job may not be theirs; an administrator sets lpadmin -p PRINTER -o printer-op-policy=tollgate "
            + "(cups/tollgate-policy.conf), or -o tollgate-owner-default=claimed where claimed names are trusted, then releases the job"
    }

    /// Who pays what: the account, the personal wallet, or both.
    static func payment(_ reservation: Reservation) -> String {
        guard let account = reservation.account, reservation.accountPart.minorUnits != 0 else {
            return "\(reservation.total) to the personal wallet"
        }
        guard reservation.walletPart.minorUnits != 0 else { return "\(reservation.total) to account \(account.name)" }
        return "\(reservation.accountPart) to account \(account.name) and \(reservation.walletPart) to the personal wallet"
    }

    /// The refusal in words a student understands: price, what is left, what to do.
    static func message(for refusal: Refusal, releaseQueue: Bool = false, namedAccount: String? = nil) -> String {
        var text = "not printed yet: "
        let instead = "send the job again with an account you can use (lp -o job-account-id=CODE) or without one to pay from your active account"
        switch refusal.reason {
        case .accountNotFound(let name) where name == namedAccount:
            text += "job-account-id \"\(name)\" is not an account; \(instead)"
        case .accountNotUsable(let account, let reason, false, let alternatives) where namedAccount != nil:
            text += "job-account-id \"\(account)\" cannot be used: \(reason); \(instead)"
            if !alternatives.isEmpty { text += " (you can use: \(alternatives.joined(separator: ", ")))" }
        case .insufficientFunds, .balanceNotPositive:
            text += "this job costs \(refusal.price)"
            if let account = refusal.balances.account, let remaining = account.remaining {
                text += ", \(remaining) is left on account \(account.account.name)"
            }
            text += " and your personal wallet holds \(refusal.balances.wallet)"
            if let shortfall = refusal.shortfall { text += "; top up at least \(shortfall)" }
            text += releaseQueue ? ", then release it again at the release station" : ", then release the job (lp -i JOB -H resume)"
        default:
            text += "\(refusal.reason)"
        }
        return text
    }

    /// The options that something on the job's way to paper applies, and so may change its price
    /// (a layout option lowers the price only when something applies it):
    /// - cupsd's filters ran (the job came on stdin): they already laid out pages (number-up, page
    ///   ranges, monochrome); copies are what argv[4] says the device makes.
    /// - a document `asSent` (cupsd's spool) of such a job: the original document, laid out here as
    ///   the filters lay it out, every option applied.
    /// - a file job (a raw queue, or `lp -o raw`): no filter ran, and the real backend sends the
    ///   document's bytes as they are (socket, lpd, usb; the ipp backend passes the options on,
    ///   but nothing proves that the printer applies them). Only copies are certain (the backend
    ///   sends the file argv[4] times, or asks the printer for that many): number-up, page ranges
    ///   and monochrome are ignored, and the document is priced as sent. Its sides are decided by
    ///   the printer or the document: see ``rawJobQuote``.
    /// A grey or duplex rule the printer applies (``ForcedOutput``) sets colour and sides, whatever the job asked.
    func jobOptions(_ job: JobArguments, _ identity: JobIdentity, asSent: Bool = false) -> JobOptions {
        let sides = JobOptions.Sides(rawValue: identity.sides) ?? .oneSided
        if job.file != nil && !asSent {
            return forced.applied(to: JobOptions(copies: max(identity.copies, Int(job.copies) ?? 1), numberUp: 1, sides: sides, colourMode: .auto,
                                                 pageRanges: [], jobName: identity.name, applicationName: identity.application))
        }
        let filtered = !asSent
        let colour: JobOptions.ColourMode = identity.printColorMode == "monochrome" ? .monochrome : .auto
        return forced.applied(to: JobOptions(copies: filtered ? max(1, Int(job.copies) ?? 1) : identity.copies,
                                             numberUp: filtered ? 1 : identity.numberUp, sides: sides, colourMode: colour,
                                             pageRanges: filtered ? [] : identity.pageRanges, jobName: identity.name,
                                             applicationName: identity.application))
    }

    /// How the queue's grey and duplex rules reach paper on the printer behind this queue (asks
    /// the printer only when a rule needs it). Throws only when the printer cannot be reached.
    func forcedOutput(_ rules: JobRules) throws(CupsClientError) -> ForcedOutput {
        guard rules.colour == .grey || rules.duplex == .force else { return ForcedOutput() }
        guard let deviceURI = settings.deviceURI, let wrapped = try? WrappedDeviceURI(parsing: deviceURI) else {
            let why = "the queue's device URI is not a tollgate: URI"
            return ForcedOutput(grey: rules.colour == .grey ? .unavailable(why) : .notAsked,
                                duplex: rules.duplex == .force ? .unavailable(why) : .notAsked)
        }
        return try ForcedOutput.plan(rules: rules, realScheme: wrapped.realScheme, realURI: wrapped.realURI) { uri throws(CupsClientError) in
            try CupsdConnection(printerURI: uri, timeoutMilliseconds: 5_000)
                .printerAttributes(printerURI: WrappedDeviceURI.redacted(uri), names: ForcedOutput.printerAttributeNames)
        }
    }

    /// A file job's price: `jobCopies` times the copies the document asks for itself (each copy
    /// the backend sends or the printer makes carries the document's own copy commands), and its
    /// `sides` option is applied by no filter, so the job costs what it costs one-sided or as
    /// asked, whichever is more (never less than what the printer makes of it).
    func rawJobQuote(_ analysis: JobAnalysis, jobCopies: Int, card: RatesCard) throws -> Quote {
        var analysis = analysis
        let (product, overflow) = analysis.output.copies.multipliedReportingOverflow(by: max(1, jobCopies))
        analysis.output = analysis.output.withCopies(overflow ? Int(Int32.max) : product)
        let asked = try card.quote(for: JobPricing.description(of: analysis))
        // Two-sided because the printer is told so (a duplex rule) and says it can: priced so.
        guard analysis.output.sides != .oneSided, forced.duplex != .printerOption else { return asked }
        var oneSided = analysis
        oneSided.output = OutputCalculator.output(for: analysis.pages, options: JobOptions(copies: analysis.output.copies))
        let alternative = try card.quote(for: JobPricing.description(of: oneSided))
        return alternative.total.minorUnits > asked.total.minorUnits ? alternative : asked
    }

    /// The job's documents as their owner sent them (cupsd's spool), analysed with every job option
    /// and laid out as cupsd's filters lay them out, for a driver whose output (PCL, PCL XL,
    /// ESC/P …) cannot be counted exactly; nil when a document is missing or cannot be counted
    /// either (the card's fallback rate then).
    func analyseSubmittedDocuments(_ job: JobArguments, _ identity: JobIdentity) -> JobAnalysis? {
        let spool = CupsSpool(serverRoot: settings.serverRoot)
        let options = jobOptions(job, identity, asSent: true)
        var documents: [JobAnalysis] = []
        for number in 1...identity.documentCount {
            let path = spool.documentPath(jobID: identity.jobID, document: number)
            do {
                var document = try AnalyserProcess(executable: settings.analyser).start(path: path, options: options).result()
                // cupsd's filters, not the printer, lay it out: number-up first, then page ranges.
                var layout = options
                layout.copies = document.output.copies              // the document's own copies count too
                document.output = OutputCalculator.outputLaidOutByCupsFilters(for: document.pages, options: layout)
                documents.append(document)
            } catch {
                log.debug("Tollgate: cannot analyse \(path) (\(error))")
                return nil
            }
        }
        guard let combined = JobAnalysis.concatenating(documents), combined.isCountKnown, combined.format != .unknown else { return nil }
        return combined
    }

    /// The options the job's document is analysed with: ``jobOptions(_:_:asSent:)``, but a file
    /// job's copies are made again by whoever makes the document's own copies (the socket backend
    /// sends the file argv[4] times, each asking for its PJL copies): its analysis counts the
    /// document's copies, and the job's multiply them (``rawJobQuote(_:jobCopies:card:)``).
    func analysisOptions(_ job: JobArguments, _ identity: JobIdentity) -> JobOptions {
        var options = jobOptions(job, identity)
        if job.file != nil { options.copies = 1 }
        return options
    }

    /// Starts the sandboxed `tollgate-analyse` on the document; it runs while the caller does
    /// other work. A failure prices the job as a format the analysis does not understand (the
    /// card's fallback rate), never as free.
    func startAnalysis(_ document: JobDocument, options: JobOptions) -> (PendingAnalysis, JobOptions) {
        let analyser = AnalyserProcess(executable: settings.analyser)
        let pending: PendingAnalysis
        switch (document, resources.spares) {
        case (.spool(let fd), let spares?):
            pending = spares.start(analyser, descriptor: fd, options: options)
        case (.file(let path), let spares?):
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            defer { if fd >= 0 { close(fd) } }
            pending = fd >= 0 ? spares.start(analyser, descriptor: fd, options: options) : analyser.start(path: path, options: options)
        case (.spool(let fd), nil):
            pending = analyser.start(descriptor: fd, options: options)
        case (.file(let path), nil):
            pending = analyser.start(path: path, options: options)
        }
        return (pending, options)
    }

    /// Opens the database while the analyser still runs (a failure here is reported where the
    /// store is needed), then waits for the analysis.
    func finishAnalysis(_ started: (PendingAnalysis, JobOptions)) -> JobAnalysis {
        let (pending, options) = started
        _ = try? store()
        do {
            return try pending.result()
        } catch {
            // The analyser could not run at all (missing, not executable): an administrator's
            // problem; the failure has no bound, so the job is held (or takes the queue's fallback).
            log.error("Tollgate: cannot analyse the document (\(error))")
            return JobAnalysis(failure: AnalysisFailure(kind: .crashed, detail: "\(error)"), format: .unknown, options: options)
        }
    }

    /// The analysis of a document that could not be counted, as the largest document its bound
    /// allows: that many pages, each on the paper the card prices dearest, colour unknown (priced
    /// as colour), laid out with the job's options like any counted document.
    static func analysis(_ failed: JobAnalysis, boundedBy bound: PageBound, card: RatesCard, options: JobOptions) -> JobAnalysis {
        let media = dearestMedia(card)
        var bounded = failed
        bounded.pages = bound.worstCasePages(media: MediaSize(widthPoints: 0, heightPoints: 0, pwgName: media.pwgName))
        bounded.output = OutputCalculator.output(for: bounded.pages, options: options)
        return bounded
    }

    /// The paper whose colour page side the card prices highest (A4 when it names none).
    static func dearestMedia(_ card: RatesCard) -> MediaName {
        let named = Set(card.rules.compactMap(\.media.value)).union([MediaName.isoA4]).sorted()
        func price(_ media: MediaName) -> Int64 {
            let page = PrintJobDescription(pageRuns: [Pricing.PageRun(media: media, colour: .colour, count: 1)], sides: .oneSided,
                                           copies: 1, application: nil, format: .understood)
            return (try? card.quote(for: page))?.total.minorUnits ?? Int64.max
        }
        return named.max { price($0) < price($1) } ?? .isoA4
    }

    /// Why a job that cannot be analysed waits, and what can be done.
    static func unanalysableMessage(_ failure: AnalysisFailure) -> String {
        "Tollgate: not printed: \(failure); send it again as PDF, or an administrator sets "
            + "lpadmin -p PRINTER -o tollgate-unanalysable-default=fallback (the card's fallback rate) and releases the job"
    }

    func loadCard(_ name: String) throws -> RatesCard {
        let path = settings.ratesDirectory + "/" + name + ".toml"
        if let cards = resources.cards {
            guard let card = try cards.card(at: path) else { throw GatekeeperError.ratesCardMissing(path: path) }
            return card
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw GatekeeperError.ratesCardMissing(path: path)
        }
        return try RatesCard(toml: text)
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count - 1)
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

/// Something an administrator must fix before jobs on the queue can be priced.
public enum GatekeeperError: Error, CustomStringConvertible {
    case ratesCardMissing(path: String)

    public var description: String {
        switch self {
        case .ratesCardMissing(let path): "rates card \(path) does not exist or cannot be read"
        }
    }
}

extension PrintedOutput {
    /// The same output, `copies` times.
    func withCopies(_ copies: Int) -> PrintedOutput {
        PrintedOutput(copies: copies, numberUp: numberUp, sides: sides, colourMode: colourMode, selectedPages: selectedPages,
                      impressionsPerCopy: impressionsPerCopy, sheetsPerCopy: sheetsPerCopy, impressionTally: impressionTally)
    }
}
