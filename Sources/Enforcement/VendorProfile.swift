import RADIUS
import TOML

/// A loaded vendor profile (`Config/vendors/NAME.toml`): which attributes identify a session
/// on this kind of NAS, and which request and attributes throttle, block, restore and
/// disconnect it. The format is described in `Config/vendors/README.md`.
public struct VendorProfile: Sendable {
    /// The file name without `.toml`, e.g. "mikrotik"; NAS devices name their profile with it.
    public var name: String
    /// The profile's `description`.
    public var description: String
    /// The file it was loaded from.
    public var file: String

    /// The session identification attributes a request may carry, in packet order.
    enum IdentityField: String, Sendable, CaseIterable {
        case userName = "User-Name"
        case acctSessionID = "Acct-Session-Id"
        case nasIPAddress = "NAS-IP-Address"
        case nasIdentifier = "NAS-Identifier"
        case framedIPAddress = "Framed-IP-Address"
    }

    struct ActionTemplate: Sendable {
        var kind: DynamicAuthorizationMessage.Kind
        var attributes: [AttributeTemplate]
    }

    var identity: [IdentityField]
    var actions: [EnforcementAction: ActionTemplate]
    let encoder: AttributeEncoder

    /// Which request an action sends on this NAS.
    public func kind(for action: EnforcementAction) -> DynamicAuthorizationMessage.Kind {
        actions[action]?.kind ?? (action == .disconnect ? .disconnect : .coa)
    }

    /// The request for an action: CoA or Disconnect, and its attributes (identity first).
    /// `rate` is the policy's throttle rate, `planRate` the plan's normal rate (for restore),
    /// both "upload/download" in this NAS's syntax. Fails, naming the profile and action,
    /// when a value the action needs is missing or does not fit its attribute.
    public func request(
        for action: EnforcementAction, session: SessionIdentity, rate: String?, planRate: String?
    ) throws -> DynamicAuthorizationMessage {
        guard let template = actions[action] else {
            throw VendorProfileError(file: name, key: "[\(action.rawValue)]", "the profile has no such section")
        }
        func fail(_ message: String) -> VendorProfileError {
            VendorProfileError(file: name, key: "[\(action.rawValue)]", message)
        }
        let parsedRate = try rate.map { text throws -> RateText in
            guard let parsed = RateText(text) else { throw fail("rate '\(text)' is not written \"upload/download\"") }
            return parsed
        }
        let parsedPlanRate = try planRate.map { text throws -> RateText in
            guard let parsed = RateText(text) else { throw fail("plan rate '\(text)' is not written \"upload/download\"") }
            return parsed
        }
        var attributes: [DynamicAuthorizationAttribute] = []
        do {
            attributes = try identityAttributes(session)
        } catch {
            throw fail(error.description)
        }
        let identityCount = attributes.count
        for line in template.attributes {
            do {
                let value = try line.value(rate: parsedRate, planRate: parsedPlanRate)
                attributes.append(try encoder.encode(name: line.name, tag: line.tag, text: value))
            } catch {
                throw fail(error.description)
            }
        }
        let shown = identityCount < attributes.count ? attributes[identityCount...] : attributes[...]
        let summary = template.kind.label + " " + shown.map(\.description).joined(separator: ", ")
        return DynamicAuthorizationMessage(kind: template.kind, attributes: attributes, summary: summary)
    }

    private func identityAttributes(_ session: SessionIdentity) throws(AttributeEncoder.Failure) -> [DynamicAuthorizationAttribute] {
        var out: [DynamicAuthorizationAttribute] = []
        for field in identity {
            switch field {
            case .userName:
                if !session.userName.isEmpty { out.append(try encoder.encode(name: field.rawValue, tag: nil, text: session.userName)) }
            case .acctSessionID:
                if !session.acctSessionID.isEmpty { out.append(try encoder.encode(name: field.rawValue, tag: nil, text: session.acctSessionID)) }
            case .nasIdentifier:
                if let value = session.nasIdentifier, !value.isEmpty { out.append(try encoder.encode(name: field.rawValue, tag: nil, text: value)) }
            case .nasIPAddress:
                if let value = session.nasIPAddress, !value.isEmpty {
                    // An IPv6 NAS names itself with NAS-IPv6-Address (RFC 3162 section 2.1).
                    let name = IPv6Address(value) != nil && IPv4Address(value) == nil ? "NAS-IPv6-Address" : field.rawValue
                    out.append(try encoder.encode(name: name, tag: nil, text: value))
                }
            case .framedIPAddress:
                if let value = session.framedIPAddress, !value.isEmpty {
                    let name = IPv6Address(value) != nil && IPv4Address(value) == nil ? "Framed-IPv6-Address" : field.rawValue
                    out.append(try encoder.encode(name: name, tag: nil, text: value))
                }
            }
        }
        guard !out.isEmpty else { throw AttributeEncoder.Failure("the session has none of the identity attributes the profile sends") }
        return out
    }
}

extension VendorProfile {
    /// Sample rates every template is filled with at load, so a value that cannot be encoded
    /// fails at start-up rather than at the first crossing.
    static let sampleRate = RateText("1M/2M")!
    static let samplePlanRate = RateText("10M/20M")!

    /// Parses and validates one profile file's text.
    init(name: String, file: String, text: String, dictionary: RADIUSDictionary) throws {
        let document: [String: TOMLValue]
        do { document = try TOMLDocument.parse(text) } catch {
            throw VendorProfileError(file: file, key: "line \(error.line), column \(error.column)", error.message)
        }
        self.name = name
        self.file = file
        let encoder = AttributeEncoder(dictionary: dictionary)
        self.encoder = encoder
        func fail(_ key: String, _ message: String) -> VendorProfileError {
            VendorProfileError(file: file, key: key, message)
        }
        let known = Set(["description", "identity"] + EnforcementAction.allCases.map(\.rawValue))
        for key in document.keys.sorted() where !known.contains(key) {
            throw fail(key, "unknown key; a profile has description, [identity], [throttle], [block], [restore] and [disconnect]")
        }
        switch document["description"] {
        case .string(let text)?: description = text
        case nil: throw fail("description", "missing: say which NAS and software the profile is for")
        default: throw fail("description", "must be a string")
        }

        guard case .table(let identityTable)? = document["identity"] else {
            throw fail("[identity]", "missing section: list the attributes that identify a session")
        }
        for key in identityTable.keys.sorted() where key != "attributes" { throw fail("identity.\(key)", "unknown key") }
        let identityNames = try Self.strings(identityTable["attributes"], key: "identity.attributes", file: file)
        var identity: [IdentityField] = []
        for (index, text) in identityNames.enumerated() {
            guard let field = IdentityField(rawValue: text) else {
                let allowed = IdentityField.allCases.map(\.rawValue).joined(separator: ", ")
                throw fail("identity.attributes[\(index)]", "'\(text)' is not an identity attribute; use \(allowed)")
            }
            guard !identity.contains(field) else { throw fail("identity.attributes[\(index)]", "'\(text)' is listed twice") }
            identity.append(field)
        }
        guard identity.contains(.acctSessionID) || identity.contains(.userName) else {
            throw fail("identity.attributes", "must include Acct-Session-Id or User-Name: a NAS cannot find the session otherwise")
        }
        self.identity = identity

        var actions: [EnforcementAction: ActionTemplate] = [:]
        for action in EnforcementAction.allCases {
            let section = action.rawValue
            guard case .table(let table)? = document[section] else {
                throw fail("[\(section)]", "missing section: every profile says how to \(section)")
            }
            for key in table.keys.sorted() where key != "request" && key != "attributes" {
                throw fail("\(section).\(key)", "unknown key; a section has request and attributes")
            }
            let kind: DynamicAuthorizationMessage.Kind
            switch table["request"] {
            case .string("coa")?: kind = .coa
            case .string("disconnect")?: kind = .disconnect
            case nil: throw fail("\(section).request", "missing: \"coa\" or \"disconnect\"")
            default: throw fail("\(section).request", "must be \"coa\" or \"disconnect\"")
            }
            let lines = try Self.strings(table["attributes"], key: "\(section).attributes", file: file)
            var templates: [AttributeTemplate] = []
            for (index, line) in lines.enumerated() {
                let key = "\(section).attributes[\(index)]"
                do {
                    let template = try AttributeTemplate(parsing: line)
                    _ = try encoder.definition(named: template.name)
                    if IdentityField(rawValue: template.name) != nil {
                        throw AttributeEncoder.Failure("\(template.name) identifies the session; list it in [identity]")
                    }
                    let value = try template.value(rate: Self.sampleRate, planRate: Self.samplePlanRate)
                    _ = try encoder.encode(name: template.name, tag: template.tag, text: value)
                    templates.append(template)
                } catch let error as AttributeEncoder.Failure {
                    throw fail(key, error.description)
                }
            }
            // RFC 5176 section 3: a Disconnect-Request carries only identification attributes.
            if kind == .disconnect && !templates.isEmpty {
                throw fail(
                    "\(section).attributes", "a Disconnect-Request carries only the [identity] attributes (RFC 5176 section 3); leave it empty")
            }
            if kind == .coa && templates.isEmpty {
                throw fail("\(section).attributes", "a CoA-Request needs at least one attribute that changes the session")
            }
            actions[action] = ActionTemplate(kind: kind, attributes: templates)
        }
        self.actions = actions
    }

    private static func strings(_ value: TOMLValue?, key: String, file: String) throws -> [String] {
        guard let value else { throw VendorProfileError(file: file, key: key, "missing: a list of strings") }
        guard case .array(let items) = value else { throw VendorProfileError(file: file, key: key, "must be a list of strings") }
        return try items.enumerated().map { index, item in
            guard case .string(let text) = item else {
                throw VendorProfileError(file: file, key: "\(key)[\(index)]", "must be a string")
            }
            return text
        }
    }
}
