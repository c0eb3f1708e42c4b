import Foundation

/// Why a sign-in was refused, in words for the person at the station.
public enum SignInError: Error, Sendable, Hashable {
    /// A field was left empty.
    case missingFields
    /// The user name or card number has characters no account has.
    case malformedName
    /// Too many failed sign-ins from this device or for this name (``SignInLimiter``); the attempt
    /// was not checked.
    case tooManyAttempts(until: Date)
    /// Wrong user name or password (PAM does not say which).
    case wrongPassword
    /// Wrong card number/user name or PIN.
    case wrongPIN
    /// The password is right but has expired.
    case passwordExpired
    /// The system account may not sign in.
    case accountRefused
    /// The page's security token is missing, wrong or expired.
    case pageExpired
    /// The request did not come from the station's own page.
    case foreignOrigin
    /// Too many sign-ins are being checked at this moment.
    case busy
    /// PAM or the database failed: an administrator must look (details go to the log).
    case unavailable(detail: String)

    /// The message shown on the sign-in page.
    public func message(_ format: StationFormat) -> String {
        switch self {
        case .missingFields: "Enter your user name and password, or your card number or user name and PIN."
        case .malformedName: "That is not a valid user name or card number."
        case .tooManyAttempts(let until):
            // Rounded up to the minute shown; a wait of a day shows its date.
            "Too many failed sign-ins. Try again after \(until.timeIntervalSinceNow > 12 * 3600 ? format.dateTime(until + 59) : format.clock(until + 59)), sign in another way, or at another station."
        case .wrongPassword: "Wrong user name or password."
        case .wrongPIN: "Wrong card number, user name or PIN."
        case .passwordExpired: "Your password has expired. Change it on a computer, then sign in here."
        case .accountRefused: "This account may not sign in here. Ask the help desk."
        case .pageExpired: "This page had expired. Please sign in again."
        case .foreignOrigin: "This request did not come from the release station."
        case .busy: "The station is busy. Try again in a moment."
        case .unavailable: "Signing in is not possible right now. Please tell the help desk."
        }
    }

    /// The HTTP status that goes with the refusal.
    public var httpStatus: Int {
        switch self {
        case .missingFields, .malformedName: 400
        case .tooManyAttempts, .busy: 429
        case .wrongPassword, .wrongPIN, .passwordExpired, .accountRefused: 401
        case .pageExpired, .foreignOrigin: 403
        case .unavailable: 503
        }
    }
}
