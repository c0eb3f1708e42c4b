import CPAM
import Foundation

/// Checks a system password through PAM (`pam_authenticate`, then `pam_acct_mgmt`), with the
/// PAM service `service` (`/etc/pam.d/SERVICE`; when that file does not exist Linux-PAM uses
/// `/etc/pam.d/other`).
///
/// Blocking: pam_unix sleeps about two seconds after a wrong password. Call
/// ``authenticate(user:password:remoteHost:)`` from a thread of its own (``BlockingWork``), never
/// from an event loop. pam_unix can check other users' passwords only when the process can read
/// `/etc/shadow` (root, or group `shadow`).
public struct PAMAuthenticator: Sendable {
    /// The PAM service name.
    public let service: String

    public init(service: String) {
        self.service = service
    }

    /// The user name PAM signed in (a module may canonicalise it), or why not.
    public func authenticate(user: String, password: String, remoteHost: String?) -> Result<String, PAMFailure> {
        let secrets = PAMSecrets(user: user, password: password)
        defer { secrets.wipe() }
        var conversation = pam_conv(conv: PAMAuthenticator.converse, appdata_ptr: Unmanaged.passUnretained(secrets).toOpaque())
        var handle: OpaquePointer? = nil
        let started = pam_start(service, user, &conversation, &handle)
        guard started == PAM_SUCCESS, let handle else {
            return .failure(.unavailable(detail: "pam_start(\(service)) failed with status \(started)"))
        }
        var status = PAM_SUCCESS
        defer { pam_end(handle, status) }
        if let remoteHost { _ = pam_set_item(handle, PAM_RHOST, remoteHost) }

        status = pam_authenticate(handle, Int32(PAM_SILENT))
        guard status == PAM_SUCCESS else { return .failure(PAMFailure(status: status, handle: handle, step: "authenticate")) }
        status = pam_acct_mgmt(handle, Int32(PAM_SILENT))
        guard status == PAM_SUCCESS else { return .failure(PAMFailure(status: status, handle: handle, step: "account")) }

        var item: UnsafeRawPointer? = nil
        if pam_get_item(handle, PAM_USER, &item) == PAM_SUCCESS, let item {
            return .success(String(cString: item.assumingMemoryBound(to: CChar.self)))
        }
        return .success(user)
    }

    /// The conversation function: answers password prompts with the password, name prompts
    /// with the user name, and acknowledges informational messages. Responses are malloc'd
    /// (PAM frees them).
    static let converse: @convention(c) (Int32, UnsafeMutablePointer<UnsafePointer<pam_message>?>?,
                                         UnsafeMutablePointer<UnsafeMutablePointer<pam_response>?>?,
                                         UnsafeMutableRawPointer?) -> Int32 = { count, messages, responses, appdata in
        guard count > 0, let messages, let responses, let appdata else { return PAM_CONV_ERR }
        let secrets = Unmanaged<PAMSecrets>.fromOpaque(appdata).takeUnretainedValue()
        guard let replies = calloc(Int(count), MemoryLayout<pam_response>.stride)?.assumingMemoryBound(to: pam_response.self) else {
            return PAM_BUF_ERR
        }
        for index in 0..<Int(count) {
            guard let message = messages[index] else { continue }
            switch message.pointee.msg_style {
            case PAM_PROMPT_ECHO_OFF:
                replies[index].resp = strdup(secrets.password)
            case PAM_PROMPT_ECHO_ON:
                replies[index].resp = strdup(secrets.user)
            case PAM_ERROR_MSG, PAM_TEXT_INFO:
                replies[index].resp = nil
            default:
                for done in 0..<index { free(replies[done].resp) }
                free(replies)
                return PAM_CONV_ERR
            }
            replies[index].resp_retcode = 0
        }
        responses.pointee = replies
        return PAM_SUCCESS
    }
}

/// The user name and password handed to the conversation function (PAM's `appdata_ptr`); the
/// password is kept in a C buffer that is zeroed when sign-in ends.
final class PAMSecrets: @unchecked Sendable {
    let user: UnsafeMutablePointer<CChar>
    let password: UnsafeMutablePointer<CChar>

    init(user: String, password: String) {
        self.user = strdup(user)
        self.password = strdup(password)
    }

    func wipe() {
        explicit_bzero(password, strlen(password))
    }

    deinit {
        wipe()
        free(password)
        free(user)
    }
}

/// Why PAM did not sign the user in.
public enum PAMFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Wrong password or unknown user (PAM does not say which, nor do we).
    case wrongPassword
    /// The password is right but has expired: it must be changed first (on a computer).
    case passwordExpired
    /// The account may not sign in (expired, locked, or refused by the account rules).
    case accountRefused(detail: String)
    /// PAM itself failed (a module missing, /etc/shadow unreadable…): an administrator must look.
    case unavailable(detail: String)

    init(status: Int32, handle: OpaquePointer, step: String) {
        let text = pam_strerror(handle, status).map { String(cString: $0) } ?? "status \(status)"
        switch status {
        case PAM_AUTH_ERR, PAM_USER_UNKNOWN, PAM_MAXTRIES:
            self = .wrongPassword
        case PAM_NEW_AUTHTOK_REQD, PAM_AUTHTOK_EXPIRED:
            self = .passwordExpired
        case PAM_ACCT_EXPIRED, PAM_PERM_DENIED:
            self = .accountRefused(detail: text)
        default:
            self = .unavailable(detail: "pam_\(step): \(text)")
        }
    }

    public var description: String {
        switch self {
        case .wrongPassword: "wrong user name or password"
        case .passwordExpired: "the password has expired"
        case .accountRefused(let detail): "the account may not sign in (\(detail))"
        case .unavailable(let detail): "PAM failed: \(detail)"
        }
    }
}
