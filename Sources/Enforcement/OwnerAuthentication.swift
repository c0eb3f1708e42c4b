/// Whether cupsd authenticated the user a job belongs to, from what cupsd tells the backend.
///
/// cupsd records as a job's owner either the user it authenticated on the connection that
/// created the job, or, without authentication, whatever name the client claimed
/// (`requesting-user-name`, `lp -U`): the job's attributes and argv look the same either way.
/// The one difference is the environment cupsd gives the backend: `AUTH_USERNAME` is set (from
/// the job's saved authentication, kept across holds, releases and cupsd restarts) only for a
/// job created by an authenticated user. On a queue that asks clients for credentials to pass to
/// the printer (`auth-info-required` other than `none`), a client's `auth-info` becomes
/// AUTH_USERNAME too, so it proves nothing there.
public enum OwnerAuthentication: Equatable, Sendable {
    /// cupsd authenticated the job's owner.
    case authenticated
    /// Nothing shows that the owner is who sent the job; the reason, in words.
    case unproven(String)

    public init(owner: String, authUsername: String?, authInfoRequired: String?) {
        guard authInfoRequired == nil || authInfoRequired == "none" else {
            self = .unproven("the queue takes credentials from clients (auth-info-required \(authInfoRequired!)), which prove nothing about the owner")
            return
        }
        guard let authUsername, !authUsername.isEmpty else {
            self = .unproven("cupsd did not authenticate who sent it")
            return
        }
        guard authUsername == owner else {
            self = .unproven("cupsd authenticated \(authUsername), not the owner \(owner)")
            return
        }
        self = .authenticated
    }
}
