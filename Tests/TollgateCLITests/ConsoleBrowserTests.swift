import Foundation
import Storage
import TestSupport
import Testing

/// The billing console in a real browser: headless Chromium, driven by Selenium, against a
/// running `tollgate serve` with two tenants' real usage. Every figure a page shows is compared
/// with what the CLI reads from the database; every page is checked for console errors (CSP
/// violations among them), accessibility basics, same-origin references and a phone's width,
/// and photographed at 1280 and 390 px.
@Suite("Billing console in Chromium", .enabled(if: TestDatabase.available), .serialized)
struct ConsoleBrowserTests {
    @Test(
        """
        billing staff sign in, see every page with exact figures, follow an invoice line down to its packets, finalize a run \
        and sign out; readonly staff (signing in with the keyboard only), operators, another tenant's staff and the platform \
        admin see only what their role allows
        """)
    func console() async throws {
        let browser = try ConsoleBrowser.required()
        let clock = ContinuousClock()
        let started = clock.now
        let world = try await ConsoleBrowserWorld.seed()
        let folder = temporaryPath("console-browser")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let scenario = BrowserScenario(
            baseURL: "http://127.0.0.1:\(world.serve.httpPort)", chromium: ConsoleBrowser.chromium, chromedriver: ConsoleBrowser.chromedriver,
            folder: folder, result: folder + "/result.json",
            users: ConsoleBrowserWorld.users.mapValues { BrowserScenario.Credentials(email: $0.email, password: ConsoleBrowserWorld.password) },
            journeys: try [northBilling(world), northReadonly(world), northOperator(world), southBilling(world), platformAdmin(world)])
        let seeded = clock.now
        let result = try browser.run(scenario)
        print(
            "console browser test: \(result.pages) pages, \(result.screenshots) screenshots in \(folder)/screenshots; "
                + "seeding \(seeded - started), browser \(result.seconds) s")

        #expect(result.failures.isEmpty, "\(result.failures.count) failures:\n\(result.failures.joined(separator: "\n"))")
        #expect(result.pages == scenario.pageCount)
        #expect(result.screenshots == 2 * scenario.pageCount)
        let shots = try FileManager.default.contentsOfDirectory(atPath: folder + "/screenshots").filter { $0.hasSuffix(".png") }
        #expect(shots.count == 2 * scenario.pageCount)

        // The run finalized in the browser is final in the database, recorded in the audit log
        // under the billing user's name; the other tenant's run is untouched.
        if Self.groups.contains(.billing) {
            #expect(try world.invoices("north").map { $0["status"] as? String } == ["final", "final"])
            #expect(try world.invoices("south").map { $0["status"] as? String } == ["draft"])
            #expect(
                try world.connection.query(
                    """
                    SELECT action FROM audit_log WHERE actor = 'billing@north.example' ORDER BY id
                    """
                ).rows == [["invoice_run.finalized"], ["top_up.added"]])
            // The top-up through the browser, exactly as typed; the preview published nothing.
            #expect(
                try world.connection.query(
                    """
                    SELECT u.bytes, u.note FROM top_ups u JOIN tenants t ON t.id = u.tenant_id WHERE t.slug = 'north' AND u.user_name = 'anna.north'
                    """
                ).rows == [["5000000000", "goodwill <b>after an outage</b>"]])
            #expect(
                try world.connection.query(
                    """
                    SELECT count(*) FROM plan_versions v JOIN tenants t ON t.id = v.tenant_id WHERE t.slug = 'north'
                    """
                ).rows == [["1"]])
        }
        #expect(world.serve.terminate() == 0)
    }

    /// The console's page groups, each built and merged on its own: usage (overview, subscribers,
    /// sessions, top users, tenants), billing (plans, invoices and their drill-down), nas (NAS
    /// devices and the audit log). The journeys visit the groups the console has.
    enum PageGroup { case usage, billing, nas }
    static let groups: Set<PageGroup> = [.usage, .billing, .nas]

    // MARK: Journeys

    /// The elements of a page that change state, other than signing out.
    static let stateChangingForms = "form[method=post]:not(.signout)"

    func northBilling(_ world: ConsoleBrowserWorld) throws -> BrowserJourney {
        let south = ConsoleBrowserWorld.southUsers + [ConsoleBrowserWorld.south.name, ConsoleBrowserWorld.south.nas]
        let thisCycle = try world.totalUsage("north", from: world.thisCycle.from, to: world.thisCycle.to)
        let lastCycle = try world.totalUsage("north", from: world.lastCycle.from, to: world.lastCycle.to)
        let perUser = try world.usage("north", from: world.thisCycle.from, to: world.thisCycle.to)
        let active = try world.activeSessions("north")
        let invoices = try world.invoices("north")
        let anna = try #require(invoices.first { $0["user"] as? String == "anna.north" })
        let annaID = try #require(anna["id"] as? Int)
        let annaTotal = try #require(anna["total"] as? String)
        let lines = try world.lines("north", invoice: annaID)
        let overage = try #require(lines.first { $0["kind"] as? String == "overage" })
        let position = try #require(overage["position"] as? Int)
        let hours = try world.usageHours("anna.north")
        let first = try #require(hours.first)
        let firstHour = first.hour
        let runPath = "/console/invoices/\(world.period)"

        var steps: [BrowserStep] = [
            .visit(
                "/console/login", "Sign in", name: "the sign-in page",
                [
                    .present("form.login #email"), .present("form.login #password"), .present("form.login button[type=submit]"),
                    .absent("p.error"), .absent("nav[aria-label=Sections]"),
                ]),
            .submit(
                "form.login", "a wrong password is refused", fill: ["email": "billing@north.example", "password": "not-the-password-1"],
                status: 401, title: "Sign in",
                [
                    .text("p.error", "The email or the password is wrong."),
                    .attribute("#email", "value", "billing@north.example"),
                ]),
            BrowserStep(
                name: "a page while signed out goes to the sign-in", visit: "/console/sessions?state=recent", redirected: true,
                path: "/console/login?next=%2Fconsole%2Fsessions%3Fstate%3Drecent", title: "Sign in"),
            // Signing in from there goes on to the page asked for.
            .signIn(
                "north-billing", lands: "/console/sessions?state=recent", title: "Sessions",
                from: "/console/login?next=%2Fconsole%2Fsessions%3Fstate%3Drecent"),
            .visit(
                "/console/", "Overview", name: "overview",
                [
                    .attribute("#usage-this-cycle", "data-upload", String(thisCycle.upload)),
                    .attribute("#usage-this-cycle", "data-download", String(thisCycle.download)),
                    .attribute("#usage-last-cycle", "data-upload", String(lastCycle.upload)),
                    .attribute("#usage-last-cycle", "data-download", String(lastCycle.download)),
                    .attribute("#active-sessions", "data-value", String(active.count)),
                    .containing("#near-cap", "anna.north"),
                    .present("#nas-health tr[data-nas=\"north-nas\"]"),
                    .present("#merge-lag[data-value]"),
                ]
            ).without(south),
        ]
        var subscriberChecks: [BrowserExpectation] = []
        for user in ConsoleBrowserWorld.northUsers {
            let usage = try #require(perUser[user])
            let row = "#subscribers tr[data-user=\"\(user)\"]"
            subscriberChecks += [
                .attribute(row + " td[data-col=upload]", "data-value", String(usage.upload)),
                .attribute(row + " td[data-col=download]", "data-value", String(usage.download)),
                .attribute(row + " td[data-col=total]", "data-value", String(usage.upload + usage.download)),
                // Home 100: 100 GB included, the subscriber on it for the whole cycle.
                .attribute(row + " td[data-col=allowance]", "data-value", "100000000000"),
                .containing(row + " td[data-col=plan]", "Home 100"),
            ]
        }
        let annaUsage = try #require(perUser["anna.north"])
        let day = String(firstHour.prefix(10))
        let dayUsage = try #require(try world.usage("north", from: day, to: ConsoleBrowserWorld.day(after: day))["anna.north"])
        steps += [
            .visit("/console/subscribers", "Subscribers", name: "subscribers", subscriberChecks + [.count("#subscribers tr[data-user]", 2)])
                .without(south),
            // Hostile search text is shown as text, never run or parsed as markup.
            .visit(
                "/console/subscribers?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%27", "Subscribers", name: "a search for markup",
                [
                    .count("#subscribers tr[data-user]", 0), .absent("script"), .attribute("input[name=q]", "value", "<script>alert(1)</script>\"'"),
                ]),
            .visit(
                "/console/subscribers?q=anna", "Subscribers", name: "subscriber search",
                [
                    .present("#subscribers tr[data-user=\"anna.north\"]"), .absent("#subscribers tr[data-user=\"arne.north\"]"),
                ]),
            .click(
                "#subscribers tr[data-user=\"anna.north\"] a", "a subscriber from the list", title: nil,
                [
                    .attribute("#cycle-usage", "data-upload", String(annaUsage.upload)),
                    .attribute("#cycle-usage", "data-download", String(annaUsage.download)),
                    .attribute("svg#daily-chart g.day[data-day=\"\(day)\"]", "data-download", String(dayUsage.download)),
                    .attribute("svg#daily-chart g.day[data-day=\"\(day)\"]", "data-upload", String(dayUsage.upload)),
                    .present("#sessions"), .present("#enforcement"), .present("#invoices"), .present("#top-ups"),
                    .present("form#top-up"),
                ]
            ).ending(at: "/console/subscribers/anna.north"),
            .visit(
                "/console/subscribers/anna.north?day=\(day)", "Subscriber anna.north", name: "a subscriber's day by the hour",
                [
                    .count("svg#hourly-chart g.hour", 24),
                    .attribute("svg#hourly-chart g.hour[data-hour=\"\(firstHour.dropFirst(11).prefix(2))\"]", "data-upload", first.upload),
                    .attribute("svg#hourly-chart g.hour[data-hour=\"\(firstHour.dropFirst(11).prefix(2))\"]", "data-download", first.download),
                ]),
            .visit(
                "/console/sessions?state=active", "Sessions", name: "active sessions",
                [
                    .count("#sessions tr[data-session]", active.count), .containing("#sessions", "arne.north"),
                ]
            ).without(south),
            .visit(
                "/console/sessions?state=recent&user=anna.north", "Sessions", name: "a subscriber's recent sessions",
                [
                    .count("#sessions tr[data-session]", 1), .containing("#sessions", "anna.north"),
                ]),
            .visit(
                "/console/top-users?period=\(world.period)&direction=download", "Top users", name: "top users",
                [
                    .containing("#top-users tbody tr:first-child", "anna.north"),
                    .present("a#top-users-csv[href^=\"/console/top-users.csv?\"]"),
                ]
            ).without(south),
        ]
        if Self.groups.contains(.billing) {
            steps += [
                .visit("/console/plans", "Plans", name: "plans", [.containing("#plans", "Home 100")]),
                .visit("/console/plans/Home%20100", nil, name: "a plan's versions", [.count("#versions tbody tr", 1), .present("form#new-version")]),
                .visit("/console/plans/Home%20100/preview", nil, name: "the plan preview form", [.present("form#preview")]),
                // Home 100 at 39.90 instead of 29.90 from the cycle's first day: anna's real cycle
                // costs 10.00 more plus 20 % tax; the current side is her invoice of the run.
                .submit(
                    "form#preview", "a candidate version previewed on a subscriber's real cycle",
                    fill: [
                        "user": "anna.north", "period": world.period, "effective_from": "\(world.period)-01",
                        "document": """
                        name = "Home 100"
                        currency = "EUR"
                        recurring_fee = "39.90"
                        unit = "GB"
                        included = 100
                        directions = "both"
                        overage = "per_unit"
                        price = "0.50"
                        increment = 1
                        tax_rate = "0.20"
                        """,
                    ], title: nil,
                    [
                        .attribute("#preview-current", "data-total", annaTotal),
                        .attribute("#preview-difference", "data-value", "12.00"),
                    ]),
                .visit("/console/plans/Home%20100", nil, name: "nothing was published by the preview", [.count("#versions tbody tr", 1)]),
                .visit(
                    "/console/invoices", "Invoices", name: "invoice runs",
                    [
                        .present("#runs tr[data-period=\"\(world.period)\"]"), .present("form#new-run"),
                    ]
                ).without(south),
                .click(
                    "#runs tr[data-period=\"\(world.period)\"] a", "a run from the list", title: nil,
                    [
                        .count("#invoices tr[data-invoice]", invoices.count),
                        .present("#invoices tr[data-invoice=\"\(annaID)\"] [data-value=\"\(annaTotal)\"]"),
                        .present("form#finalize"),
                    ]
                ).ending(at: runPath).without(south),
                .click(
                    "#invoices tr[data-invoice=\"\(annaID)\"] a", "an invoice of the run", title: nil,
                    [
                        .count("#lines tr[data-line]", lines.count), .present("[data-value=\"\(annaTotal)\"]"),
                    ]
                ).ending(at: "\(runPath)/\(annaID)"),
                .click(
                    "#lines tr[data-line=\"\(position)\"] a.drill", "an invoice line down to its hourly buckets", title: nil,
                    [
                        .count("#buckets tr[data-hour]", hours.count), .present("#buckets tr[data-hour=\"\(firstHour)\"] a.drill"),
                    ]
                ).ending(at: "\(runPath)/\(annaID)/lines/\(position)"),
                .click(
                    "#buckets tr[data-hour=\"\(firstHour)\"] a.drill", "a bucket down to its sessions", title: nil,
                    [
                        .count("#sessions tr[data-session]", 1), .containing("#sessions", "N-ANNA-1"),
                    ]),
                .click(
                    "#sessions tr[data-session] a.drill", "a session down to its packets", title: nil,
                    [
                        .count("#packets tr[data-packet]", try world.packetCount(sessionID: "N-ANNA-1")),
                        .containing("#packets", "Interim-Update"), .containing("#packets", "north-nas"),
                    ]),
                .visit(runPath, nil, name: "the run again"),
                .submit("form#finalize", "finalize asks for confirmation", title: nil, [.present("form#confirm-finalize #confirm")]),
                .submit(
                    "form#confirm-finalize", "finalize confirmed", button: "#confirm", title: nil,
                    [
                        .absent("form#finalize"), .containing("#invoices tr[data-invoice=\"\(annaID)\"]", "final"),
                    ]),
                .visit("/console/subscribers/anna.north", nil, name: "a subscriber before a top-up", [.count("#top-ups tr[data-top-up]", 0)]),
                .submit(
                    "form#top-up", "a top-up for this cycle", fill: ["amount": "5 GB", "note": "goodwill <b>after an outage</b>"], title: nil,
                    [
                        .count("#top-ups tr[data-top-up]", 1), .attribute("#top-ups tr[data-top-up] td.num", "data-value", "5000000000"),
                        .containing("#top-ups tr[data-top-up]", "goodwill <b>after an outage</b>"), .absent("#top-ups b"),
                    ]),
            ]
        }
        if Self.groups.isSuperset(of: [.billing, .nas]) {
            steps += [
                .visit(
                    "/console/audit", "Audit log", name: "the audit log",
                    [
                        .count("#audit tr[data-action=\"invoice_run.finalized\"]", 1), .count("#audit tr[data-action=\"top_up.added\"]", 1),
                        .containing("#audit", "billing@north.example"),
                    ])
            ]
        }
        steps += [
            BrowserStep(name: "sign out", click: "form.signout button[type=submit]", redirected: true, path: "/console/login", title: "Sign in"),
            BrowserStep(
                name: "signed out, a page goes to the sign-in again", visit: "/console/subscribers", redirected: true,
                path: "/console/login?next=%2Fconsole%2Fsubscribers", title: "Sign in"),
        ]
        return BrowserJourney(name: "north billing", steps: steps)
    }

    func northReadonly(_ world: ConsoleBrowserWorld) throws -> BrowserJourney {
        var steps: [BrowserStep] = [.signIn("north-readonly", lands: "/console/", title: "Overview", keyboard: true)]
        for (path, title) in [
            ("/console/", "Overview"), ("/console/subscribers", "Subscribers"), ("/console/subscribers/anna.north", nil),
            ("/console/sessions", "Sessions"), ("/console/top-users", "Top users"),
        ] as [(String, String?)] {
            steps.append(.visit(path, title, name: "readonly: \(path)", [.absent(Self.stateChangingForms), .absent("form#top-up")]))
        }
        var refused = ["/console/tenants"]
        if Self.groups.contains(.billing) { refused += ["/console/invoices", "/console/plans"] }
        if Self.groups.contains(.nas) { refused += ["/console/nas", "/console/audit"] }
        for path in refused {
            steps.append(.visit(path, "Not allowed", status: 403, name: "readonly may not open \(path)", [.absent(Self.stateChangingForms)]))
        }
        return BrowserJourney(name: "north readonly", steps: steps)
    }

    func northOperator(_ world: ConsoleBrowserWorld) throws -> BrowserJourney {
        let south =
            ConsoleBrowserWorld.southUsers + [ConsoleBrowserWorld.south.name, ConsoleBrowserWorld.south.nas, ConsoleBrowserWorld.south.address]
        var steps: [BrowserStep] = [
            .signIn("north-operator", lands: "/console/", title: "Overview"),
            .visit("/console/subscribers", "Not allowed", status: 403, name: "an operator may not open subscribers"),
        ]
        if Self.groups.contains(.billing) {
            steps.append(.visit("/console/invoices", "Not allowed", status: 403, name: "an operator may not open invoices"))
        }
        guard Self.groups.contains(.nas) else { return BrowserJourney(name: "north operator", steps: steps) }
        return BrowserJourney(
            name: "north operator",
            steps: steps + [
                .visit(
                    "/console/nas", "NAS devices", name: "NAS devices",
                    [
                        .count("#nas tr[data-nas]", 1), .containing("#nas tr[data-nas=\"north-nas\"]", "127.0.0.1"), .present("form#new-nas"),
                    ]
                ).without(south),
                .visit(
                    "/console/nas/north-nas", nil, name: "a NAS",
                    [
                        .present("form#rotate-secret"), .present("form#coa-settings"), .present("#nas-health"),
                    ]
                ).without(south + [ConsoleBrowserWorld.north.secret]),
                // The page names what was asked for, and nothing of the other tenant's NAS.
                .visit("/console/nas/south-nas", "Not found", status: 404, name: "another tenant's NAS is not found")
                    .without(ConsoleBrowserWorld.southUsers + [ConsoleBrowserWorld.south.name, ConsoleBrowserWorld.south.address]),
            ])
    }

    func southBilling(_ world: ConsoleBrowserWorld) throws -> BrowserJourney {
        let north = ConsoleBrowserWorld.northUsers + [ConsoleBrowserWorld.north.name, ConsoleBrowserWorld.north.nas]
        let anna = try #require(try world.invoices("north").first { $0["user"] as? String == "anna.north" }?["id"] as? Int)
        let bert = try #require(try world.invoices("south").first?["id"] as? Int)
        let run = "/console/invoices/\(world.period)"
        var steps: [BrowserStep] = [.signIn("south-billing", lands: "/console/", title: "Overview")]
        var pages: [(String, String?)] = [
            ("/console/", "Overview"), ("/console/subscribers", "Subscribers"),
            ("/console/sessions?state=recent", "Sessions"), ("/console/top-users?period=\(world.period)", "Top users"),
            ("/console/subscribers/bert.south", "Subscriber bert.south"),
        ]
        var foreign = ["/console/subscribers/anna.north"]
        if Self.groups.contains(.billing) {
            pages += [("/console/plans", "Plans"), ("/console/invoices", "Invoices"), (run, nil), ("\(run)/\(bert)", nil)]
            foreign += ["\(run)/\(anna)", "\(run)/\(anna)/lines/1"]
        }
        if Self.groups.contains(.nas) { pages.append(("/console/audit", "Audit log")) }
        for (path, title) in pages {
            steps.append(.visit(path, title, name: "south: \(path)").without(north))
        }
        steps[2].expect = [.count("#subscribers tr[data-user]", 1), .present("#subscribers tr[data-user=\"bert.south\"]")]
        for path in foreign {
            steps.append(.visit(path, "Not found", status: 404, name: "north's \(path) is not found").without(north))
        }
        return BrowserJourney(name: "south billing", steps: steps)
    }

    func platformAdmin(_ world: ConsoleBrowserWorld) throws -> BrowserJourney {
        let subscribers = ConsoleBrowserWorld.northUsers + ConsoleBrowserWorld.southUsers
        return BrowserJourney(
            name: "platform admin",
            steps: [
                .signIn("admin", lands: "/console/tenants", title: "Tenants"),
                .visit(
                    "/console/tenants", "Tenants", name: "tenants",
                    [
                        .count("#tenants tbody tr", 2), .containing("#tenants", "North Net"), .containing("#tenants", "South Link"),
                    ]
                ).without(subscribers),
                .visit("/console/", "Not allowed", status: 403, name: "the admin sees no tenant's overview").without(subscribers),
                .visit("/console/subscribers", "Not allowed", status: 403, name: "the admin sees no tenant's subscribers").without(subscribers),
            ])
    }
}
