import Foundation
import Hummingbird
import QuotaDB
import Release
import Station

/// A user's release-station card number and PIN on the user page: what `tollgate pin set USER
/// [--card CARD]` and `tollgate pin remove USER` do. The PIN is hashed with the PIN key's pepper
/// (``PINHash``) and never stored, logged or shown.
///
/// Failure policy: tollgated only reads the PIN key; while there is none (no `tollgate db init`
/// or `pin set` yet) no PIN is set and the page says how to make it. A PIN that is not 4–12
/// digits, a confirmation that differs, or a card number another user has is shown next to its
/// field (422) and nothing is written.
struct CardPINController {
    let console: AdminConsole

    func addRoutes(to group: RouterGroup<AdminRequestContext>) {
        group.post("user/pin", use: set)
        group.post("user/pin/remove", use: remove)
    }

    /// The form, with the user's current card number (if any).
    static func form(user: String, credential: PINCredential?, errors: [String: String], card: String, csrf: String,
                     pages: AdminPages) -> String {
        let state = credential.map { "A PIN is set\($0.cardNumber.map { " with card number \(HTML.escape($0))" } ?? " (no card number)")." }
            ?? "No card number or PIN yet: the user signs in at the station with their password only."
        var text = """
        <section class="card" id="card-pin">
        <h2>Card number and PIN</h2>
        <p id="pin-state">\(state)</p>
        <form method="post" action="/admin/user/pin" id="pin-form">
        \(pages.hidden("csrf", csrf))\(pages.hidden("user", user))
        <div class="grid2"><div>
        \(pages.field("pin-card", name: "card", label: "Card number (optional)", value: card, error: errors["card"]))\
        </div><div>
        \(pages.field("pin-pin", name: "pin", label: "New PIN (4–12 digits)", value: "", error: errors["pin"], type: "password", attributes: [("inputmode", "numeric"), ("autocomplete", "new-password")]))\
        </div><div>
        \(pages.field("pin-confirm", name: "confirm", label: "The PIN again", value: "", error: errors["confirm"], type: "password", attributes: [("inputmode", "numeric"), ("autocomplete", "new-password")]))\
        </div></div>
        \(pages.fieldError("pin-form", errors["form"]))\
        <div class="buttons"><button class="primary" type="submit" id="pin-submit">Set PIN</button></div>
        </form>

        """
        if credential != nil {
            text += """
            <form method="post" action="/admin/user/pin/remove" id="pin-remove-form">\(pages.hidden("csrf", csrf))\(pages.hidden("user", user))\
            <div class="buttons"><button class="danger" type="submit" id="pin-remove">Remove card number and PIN</button></div></form>

            """
        }
        return text + "</section>\n"
    }

    @Sendable func set(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        let user = context.form["user"] ?? ""
        guard AdminUserName.isValid(user) else { return redirect("/admin/users") }
        let card = (context.form["card"] ?? "").trimmingCharacters(in: .whitespaces)
        let pin = context.form["pin"] ?? "", confirm = context.form["confirm"] ?? ""
        var errors: [String: String] = [:]
        if !card.isEmpty, !UserNameRule.isAcceptable(card) {
            errors["card"] = "A card number has 1–64 letters, digits or signs, without spaces, quotes, “:” or “/”."
        }
        if !PINHash.validate(pin) { errors["pin"] = "A PIN is 4 to 12 digits." }
        else if pin != confirm { errors["confirm"] = "The two PINs differ: type the same PIN twice." }
        let users = UsersController(console: console)
        guard errors.isEmpty else {
            return await users.userPage(admin: admin, user: user, context: context, form: MoneyForm(), pinErrors: errors, pinCard: card,
                                        notices: [], status: .unprocessableContent)
        }
        let store = console.store, pinKey = console.signIn.pinKey
        let result = await console.db { () throws -> Void in
            guard let key = try pinKey.key() else { throw NoPINKey(path: pinKey.location.path) }
            try store.setCredential(user: user, cardNumber: card.isEmpty ? nil : card, pinHash: try PINHash.make(pin, key: key).stored)
        }
        switch result {
        case .failure(let error):
            switch error as? QuotaError {
            case .cardInUse?: errors["card"] = "Card number \(card) is registered to another user: remove it there first."
            default: errors["form"] = sentence(error)
            }
            return await users.userPage(admin: admin, user: user, context: context, form: MoneyForm(), pinErrors: errors, pinCard: card,
                                        notices: [], status: .unprocessableContent)
        case .success:
            console.log("admin: \(admin.actor) set the PIN of \(user)\(card.isEmpty ? "" : " (card \(card))")")
            return await console.done(Notice(.success, "PIN set for \(user)\(card.isEmpty ? "" : " with card number \(card)")."),
                                      context: context, to: "/admin/user?name=\(queryValue(user))")
        }
    }

    @Sendable func remove(_ request: Request, context: AdminRequestContext) async throws -> Response {
        let admin = try context.admin()
        let user = context.form["user"] ?? ""
        guard AdminUserName.isValid(user) else { return redirect("/admin/users") }
        let store = console.store
        switch await console.db({ try store.removeCredential(user: user) }) {
        case .failure(let error):
            return await console.done(Notice(.error, sentence(error)), context: context, to: "/admin/user?name=\(queryValue(user))")
        case .success:
            console.log("admin: \(admin.actor) removed the card number and PIN of \(user)")
            return await console.done(Notice(.success, "Card number and PIN removed for \(user): they sign in with their password."),
                                      context: context, to: "/admin/user?name=\(queryValue(user))")
        }
    }
}

/// tollgated has no PIN key to pepper a new PIN with.
struct NoPINKey: Error, CustomStringConvertible {
    var path: String
    var description: String {
        "there is no PIN key at \(path) yet: run `tollgate db init` (or `tollgate pin set` once) as root, then set PINs here"
    }
}
