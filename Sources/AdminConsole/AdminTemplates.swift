import Mustache
import Station

/// The console's Mustache templates (hummingbird-project/swift-mustache), for the pages whose
/// HTML is too long to read in Swift. Every `{{value}}` is escaped with the station's
/// ``HTML/escape(_:)`` (content type `TOLLGATE_HTML`: the five HTML characters, control
/// characters dropped); nothing is rendered raw.
///
/// Failure policy: the templates are part of the program, parsed once at start-up; one that does
/// not parse is a programming error caught by the tests (`fatalError`), never a page half shown.
enum AdminTemplates {
    /// HTML escaping as everywhere else in tollgated.
    struct EscapedHTML: MustacheContentType {
        func escapeText(_ text: String) -> String { HTML.escape(text) }
    }

    static let library: MustacheLibrary = {
        MustacheContentTypes.register(EscapedHTML(), named: "TOLLGATE_HTML")
        var library = MustacheLibrary()
        for (name, text) in [("field", field), ("account-form", accountForm)] {
            do {
                try library.register("{{% CONTENT_TYPE: TOLLGATE_HTML}}" + text, named: name)
            } catch {
                fatalError("admin template \(name) does not parse: \(error)")
            }
        }
        return library
    }()

    /// `object`'s properties rendered with template `name`.
    static func render(_ object: Any, _ name: String) -> String {
        guard let text = library.render(object, withTemplate: name) else { fatalError("no admin template \(name)") }
        return text
    }

    /// A labelled input with its error right under it (``Field``).
    static let field = """
    <label for="{{id}}">{{label}}</label>
    {{#hint}}<p class="hint">{{hint}}</p>
    {{/hint}}<input type="{{type}}" id="{{id}}" name="{{name}}" value="{{value}}"{{#attributes}} {{name}}="{{value}}"{{/attributes}}\
    {{#error}} aria-invalid="true" aria-describedby="{{id}}-error"{{/error}}>
    {{#error}}<p class="field-error" id="{{id}}-error">{{error}}</p>
    {{/error}}
    """

    /// The add/edit account form (``AccountFormView``).
    static let accountForm = """
    <h1>{{title}}</h1>
    {{#archived}}<p class="hint" id="archived-note">This account is archived: users do not see it. Unarchive it from the archived list.</p>
    {{/archived}}<form class="card" method="post" action="{{action}}" id="account-form" novalidate>
    <input type="hidden" name="csrf" value="{{csrf}}">
    <div class="grid2"><div>
    {{#name}}{{> field}}{{/name}}</div><div>
    {{#code}}{{> field}}{{/code}}</div></div>
    <label class="inline"><input type="checkbox" name="enabled" id="enabled"{{#enabled}} checked{{/enabled}}> Enabled (jobs can be charged to it)</label>
    <div class="grid2"><div>
    {{#starts}}{{> field}}{{/starts}}</div><div>
    {{#expires}}{{> field}}{{/expires}}</div></div>
    <fieldset id="allocation"><legend>Allocation per user</legend>
    <label class="inline"><input type="radio" name="allocation" value="unlimited" id="allocation-unlimited"{{^limited}} checked{{/limited}}> Unlimited</label>\
    <label class="inline"><input type="radio" name="allocation" value="limited" id="allocation-limited"{{#limited}} checked{{/limited}}> Limited</label>
    <div class="grid2"><div>
    {{#soft}}{{> field}}{{/soft}}</div><div>
    {{#hard}}{{> field}}{{/hard}}</div></div>
    </fieldset>
    <fieldset id="access"><legend>Access</legend>
    <label class="inline"><input type="radio" name="access" value="global" id="access-global"{{#global}} checked{{/global}}> Global shared: every user</label>\
    <label class="inline"><input type="radio" name="access" value="restricted" id="access-restricted"{{^global}} checked{{/global}}> Only these users and groups</label>
    <div class="grid2"><div>
    {{#users}}{{> field}}{{/users}}</div><div>
    {{#groups}}{{> field}}{{/groups}}</div></div>
    </fieldset>
    <div class="buttons"><button class="primary" type="submit" id="save-account">{{submit}}</button></div>
    </form>
    <p><a href="/admin/accounts">Back to the accounts</a></p>

    """
}

/// One input of a form, for the `field` template.
struct Field {
    var id: String
    var name: String
    var label: String
    var value: String
    var error: String?
    var type = "text"
    var hint: String?
    /// More attributes of the input (`min`, `inputmode`…).
    var attributes: [Attribute]

    struct Attribute {
        var name: String
        var value: String
    }

    init(_ id: String, name: String? = nil, label: String, value: String, error: String?, type: String = "text",
         hint: String? = nil, attributes: [(String, String)] = []) {
        self.id = id
        self.name = name ?? id
        self.label = label
        self.value = value
        self.error = error
        self.type = type
        self.hint = hint
        self.attributes = attributes.map { Attribute(name: $0.0, value: $0.1) }
    }
}

/// What the `account-form` template shows.
struct AccountFormView {
    var title: String
    var archived: Bool
    var action: String
    var csrf: String
    var submit: String
    var enabled: Bool
    var limited: Bool
    var global: Bool
    var name: Field
    var code: Field
    var starts: Field
    var expires: Field
    var soft: Field
    var hard: Field
    var users: Field
    var groups: Field
}
