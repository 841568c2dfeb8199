import API
import Hummingbird
import Storage

/// Builds the NAS pages and carries out their forms, on a database thread, for one viewer.
/// Every store call runs in the viewer's tenant scope; changes carry the viewer's audit record
/// into their own transaction.
struct NASPageBuilder {
    let viewer: Viewer
    let connection: PostgresConnection
    let cipher: SecretCipher

    static let notices = [
        "added": "The NAS is registered. Point it at this collector with the secret you entered.",
        "rotated": "The shared secret is replaced. The NAS must use the new one from now on.",
        "updated": "The dynamic-authorization settings are saved.",
        "removed": "The NAS is removed: its packets are dropped from now on.",
    ]

    var store: NASStore { NASStore(connection: connection, cipher: cipher) }

    // MARK: List

    struct ListView {
        var csrf: String
        var notice: String?
        var devices: [Row]
        var empty: Bool
        var headers: [Header]
        var form: NewNAS
        var pager: Pager
    }

    struct Row {
        var name: String
        var link: String
        var address: String
        var listener: String
        var vendor: String
        var coaPort: Int
        var lastHeard: String?
        var openSessions: Int
        var state: String
        var weakSecret: Bool
    }

    struct Header {
        var title: String
        var link: String
        /// "ascending", "descending" or nil when the table is not sorted by this column.
        var ariaSort: String?
        var numeric: Bool
    }

    struct NewNAS {
        var name: String
        var address: String
        var message: String?
    }

    struct Pager {
        var previous: String?
        var next: String?
        var summary: String
        var shown: Bool

        init(previous: String?, next: String?, summary: String) {
            self.previous = previous
            self.next = next
            self.summary = summary
            shown = previous != nil || next != nil
        }
    }

    func list(
        _ listing: NASListing, notice: String? = nil, form: NewNAS = NewNAS(name: "", address: "", message: nil),
        status: HTTPResponse.Status = .ok
    ) throws -> PageView {
        let tenant = try viewer.tenant()
        let devices = try store.list(tenant: tenant)
        let health = try NASHealthStore(connection: connection).health(tenant: tenant, nasIDs: devices.map(\.id))
        let rows = devices.map { device -> Row in
            let seen = health[device.id] ?? NASDeviceHealth(nasID: device.id)
            return Row(
                name: device.name, link: "/console/nas/" + ConsolePath.segment(device.name), address: device.address, listener: device.listener,
                vendor: device.vendor, coaPort: device.coaPort, lastHeard: seen.lastHeardAt, openSessions: seen.openSessions,
                state: seen.state, weakSecret: device.weakSecret)
        }
        let sorted = rows.sorted { a, b in
            let order = Self.compare(a, b, by: listing.sort)
            return listing.descending ? order > 0 : order < 0
        }
        let start = (listing.page - 1) * listing.limit
        let shown = Array(sorted.dropFirst(start).prefix(listing.limit))
        let headers: [(String, NASListing.Column, Bool)] = [
            ("Name", .name, false), ("Address", .address, false), ("Listener", .listener, false), ("Vendor", .vendor, false),
            ("CoA port", .coaPort, true), ("Last packet heard", .lastHeard, false), ("Open sessions", .sessions, true),
        ]
        let pager = Pager(
            previous: listing.page > 1 ? listing.query(["page": listing.page == 2 ? nil : String(listing.page - 1)]) : nil,
            next: start + listing.limit < rows.count ? listing.query(["page": String(listing.page + 1)]) : nil,
            summary: rows.isEmpty ? "No NAS" : "\(min(start + 1, rows.count))–\(start + shown.count) of \(rows.count)")
        let view = ListView(
            csrf: viewer.csrfToken, notice: notice, devices: shown, empty: rows.isEmpty,
            headers: headers.map { title, column, numeric in
                let current = listing.sort == column
                let direction = current && !listing.descending ? "desc" : "asc"
                return Header(
                    title: title, link: listing.query(["sort": column.rawValue, "dir": direction == "desc" ? "desc" : nil, "page": nil]),
                    ariaSort: current ? (listing.descending ? "descending" : "ascending") : nil, numeric: numeric)
            },
            form: form, pager: pager)
        return PageView(title: ConsoleSection.nas.title, template: "nas.list", data: view, status: status)
    }

    /// -1, 0 or 1 as `a` sorts before, with or after `b` by `column`; the name breaks ties.
    static func compare(_ a: Row, _ b: Row, by column: NASListing.Column) -> Int {
        func order<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : x > y ? 1 : 0 }
        let primary: Int
        switch column {
        case .name: primary = 0
        case .address: primary = order(a.address, b.address)
        case .listener: primary = order(a.listener, b.listener)
        case .vendor: primary = order(a.vendor, b.vendor)
        case .coaPort: primary = order(a.coaPort, b.coaPort)
        // Never heard sorts before the oldest packet: the timestamps are ISO text, so "" is least.
        case .lastHeard: primary = order(a.lastHeard ?? "", b.lastHeard ?? "")
        case .sessions: primary = order(a.openSessions, b.openSessions)
        }
        return primary != 0 ? primary : order(a.name, b.name)
    }

    /// Registers a NAS from `form#new-nas`; a refusal shows the form again with the message
    /// and what was entered, but never the secret.
    func register(_ fields: FormFields) throws -> FormOutcome {
        let tenant = try viewer.tenant()
        let name = fields["name"] ?? ""
        let address = fields["address"] ?? ""
        do {
            let name = try fields.required("name", label: "Name", maxLength: 200)
            let address = try fields.required("address", label: "Address", maxLength: 64)
            try TollgateAPI.checkPrefix(address)
            let listener = try fields.optional("listener", label: "Listener", maxLength: 63) ?? "default"
            let secret = fields.values["secret"]?.first ?? ""
            let added = try store.add(
                tenant: tenant, name: name, address: address, secret: secret, listener: listener,
                audit: viewer.audit("nas.added", name, NASAuditDetail.added(address: address, listener: listener)))
            return .redirect("/console/nas/\(ConsolePath.segment(added.name))?done=added")
        } catch {
            guard let problem = Self.inputProblem(error) else { throw error }
            return .page(
                try list(
                    NASListing(), form: NewNAS(name: String(name.prefix(200)), address: String(address.prefix(64)), message: problem.message),
                    status: problem.status))
        }
    }

    /// A refusal of what a person entered, shown beside the form: 422 for values that are
    /// not acceptable, 409 for a clash with another NAS; nil for anything else.
    static func inputProblem(_ error: Error) -> (status: HTTPResponse.Status, message: String)? {
        switch error {
        case let error as StoreError where error.code == .invalid: (.unprocessableContent, error.message)
        case let error as StoreError where error.code == .conflict: (.conflict, error.message)
        case let error as APIError where error.status == .badRequest: (.unprocessableContent, error.message)
        case let error as ConsoleError where error.status == .badRequest: (.unprocessableContent, error.message)
        default: nil
        }
    }

    // MARK: One NAS

    struct DeviceView {
        var csrf: String
        var notice: String?
        var name: String
        var link: String
        var address: String
        var listener: String
        var identifier: String?
        var weakSecret: Bool
        var requireMessageAuthenticator: Bool
        var hasCoASecret: Bool
        var weakCoASecret: Bool
        var coaPort: Int
        var vendor: String
        var health: Health
        var requests: [SentRequest]
        var noRequests: Bool
        var rotate: Message
        var coa: CoAForm
    }

    struct Health {
        var state: String
        var lastHeard: String?
        var silentSince: String?
        var openSessions: Int
        var lastReboot: String?
    }

    struct SentRequest {
        var id: Int64
        var user: String
        var action: String
        var reason: String
        var status: String
        var attempts: Int
        var decidedAt: String
        var completedAt: String?
        var detail: String?
    }

    struct Message {
        var message: String?
    }

    struct CoAForm {
        var port: String
        var vendor: String
        var message: String?
    }

    func device(
        _ name: String, notice: String? = nil, rotate: Message = Message(), coa: CoAForm? = nil,
        status: HTTPResponse.Status = .ok
    ) throws -> PageView {
        let tenant = try viewer.tenant()
        let device = try store.find(tenant: tenant, name: name)
        let health =
            try NASHealthStore(connection: connection).health(tenant: tenant, nasIDs: [device.id])[device.id] ?? NASDeviceHealth(nasID: device.id)
        let requests = try NASHealthStore(connection: connection).enforcementRequests(tenant: tenant, nasID: device.id)
        let view = DeviceView(
            csrf: viewer.csrfToken, notice: notice, name: device.name, link: "/console/nas/" + ConsolePath.segment(device.name),
            address: device.address, listener: device.listener, identifier: device.identifier, weakSecret: device.weakSecret,
            requireMessageAuthenticator: device.requireMessageAuthenticator, hasCoASecret: device.hasCoASecret, weakCoASecret: device.weakCoASecret,
            coaPort: device.coaPort, vendor: device.vendor,
            health: Health(
                state: health.state, lastHeard: health.lastHeardAt, silentSince: health.silentSince, openSessions: health.openSessions,
                lastReboot: health.lastRebootAt),
            requests: requests.map {
                SentRequest(
                    id: $0.id, user: $0.user, action: $0.action, reason: $0.reason, status: $0.status, attempts: $0.attempts,
                    decidedAt: $0.decidedAt, completedAt: $0.completedAt, detail: $0.detail)
            },
            noRequests: requests.isEmpty, rotate: rotate,
            coa: coa ?? CoAForm(port: String(device.coaPort), vendor: device.vendor, message: nil))
        return PageView(title: "NAS \(device.name)", template: "nas.device", data: view, status: status)
    }

    /// Replaces the shared secret from `form#rotate-secret`.
    func rotate(_ name: String, _ fields: FormFields) throws -> FormOutcome {
        let tenant = try viewer.tenant()
        do {
            try store.rotateSecret(
                tenant: tenant, name: name, secret: fields.values["secret"]?.first ?? "",
                audit: viewer.audit("nas.secret_rotated", name))
            return .redirect("/console/nas/\(ConsolePath.segment(name))?done=rotated")
        } catch {
            guard let problem = Self.inputProblem(error) else { throw error }
            return .page(try device(name, rotate: Message(message: problem.message), status: problem.status))
        }
    }

    /// Saves `form#coa-settings`: the CoA port and vendor profile, and a new CoA secret (left
    /// empty: unchanged) or its removal (`clear_coa_secret`: the shared secret is used again).
    func dynamicAuthorization(_ name: String, _ fields: FormFields) throws -> FormOutcome {
        let tenant = try viewer.tenant()
        let portText = fields["coa_port"] ?? ""
        let vendorText = fields["vendor"] ?? ""
        do {
            let text = try fields.required("coa_port", label: "CoA port", maxLength: 5)
            guard let port = Int(text), (1...65535).contains(port) else {
                throw ConsoleError(.badRequest, "CoA port must be a whole number from 1 to 65535 (RFC 5176 assigns 3799)")
            }
            let vendor = try fields.required("vendor", label: "Vendor", maxLength: 40)
            let newSecret = fields.values["coa_secret"]?.first.flatMap { $0.isEmpty ? nil : $0 }
            let clear = fields["clear_coa_secret"] != nil
            guard !(clear && newSecret != nil) else {
                throw ConsoleError(.badRequest, "Enter a new CoA secret or clear it, not both")
            }
            let coaSecret: String?? = clear ? .some(nil) : newSecret.map { .some($0) }
            _ = try store.update(
                tenant: tenant, name: name, coaPort: port, coaSecret: coaSecret, vendor: vendor,
                audit: viewer.audit("nas.updated", name, NASAuditDetail.updated(coaPort: port, coaSecret: coaSecret, vendor: vendor)))
            return .redirect("/console/nas/\(ConsolePath.segment(name))?done=updated")
        } catch {
            guard let problem = Self.inputProblem(error) else { throw error }
            return .page(
                try device(
                    name, coa: CoAForm(port: String(portText.prefix(5)), vendor: String(vendorText.prefix(40)), message: problem.message),
                    status: problem.status))
        }
    }

    struct ConfirmRemoval {
        var csrf: String
        var name: String
        var link: String
        var address: String
        var openSessions: Int
    }

    /// Removing takes two steps: the first shows what goes (`form#confirm-remove`), the
    /// second (with `confirm=yes`) removes it.
    func remove(_ name: String, confirmed: Bool) throws -> FormOutcome {
        let tenant = try viewer.tenant()
        guard confirmed else {
            let device = try store.find(tenant: tenant, name: name)
            let health = try NASHealthStore(connection: connection).health(tenant: tenant, nasIDs: [device.id])[device.id]
            return .page(
                PageView(
                    title: "Remove NAS \(device.name)?", template: "nas.confirm-remove",
                    data: ConfirmRemoval(
                        csrf: viewer.csrfToken, name: device.name, link: "/console/nas/" + ConsolePath.segment(device.name),
                        address: device.address, openSessions: health?.openSessions ?? 0)))
        }
        try store.remove(tenant: tenant, name: name, audit: viewer.audit("nas.removed", name))
        return .redirect("/console/nas?done=removed")
    }
}
