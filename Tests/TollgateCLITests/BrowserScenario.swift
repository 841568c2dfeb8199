import Foundation

/// What Tests/interop/console_browser.py does in Chromium: journeys of steps, each one action
/// and what the page must then show. Written as JSON (snake_case keys) for the driver.
struct BrowserScenario: Encodable {
    var baseURL: String
    var chromium: String
    var chromedriver: String
    /// Screenshots, the browser profile and the result go here.
    var folder: String
    var result: String
    var users: [String: Credentials]
    var journeys: [BrowserJourney]

    struct Credentials: Encodable {
        var email: String
        var password: String
    }

    /// Every step ends on one page, checked and photographed.
    var pageCount: Int { journeys.reduce(0) { $0 + $1.steps.count } }

    func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

/// One person's visit: the cookies are cleared before it starts.
struct BrowserJourney: Encodable {
    var name: String
    var steps: [BrowserStep]
}

/// One action (exactly one of visit, signIn, keyboardSignIn, click, submit) and the checks of
/// the page it ends on. The driver adds its own checks of every page (console, accessibility,
/// origins, phone width).
struct BrowserStep: Encodable {
    var name: String
    var visit: String?
    var signIn: String?
    /// Where the sign-in form is opened (default /console/login).
    var from: String?
    var keyboardSignIn: String?
    var click: String?
    /// A form's selector; `fill` sets its fields by name before its submit button is clicked.
    var submit: String?
    var fill: [String: String]?
    var button: String?

    /// The final document's HTTP status.
    var status: Int? = 200
    /// Whether the document came after a redirect.
    var redirected: Bool?
    /// The path and query the browser ends on.
    var path: String?
    var pathPrefix: String?
    /// The page's h1.
    var title: String?
    var expect: [BrowserExpectation] = []
    /// Text that must appear nowhere in the page's HTML.
    var absentText: [String] = []

    static func visit(_ path: String, _ title: String?, status: Int = 200, name: String? = nil, _ expect: [BrowserExpectation] = []) -> BrowserStep {
        BrowserStep(name: name ?? "visit \(path)", visit: path, status: status, title: title, expect: expect)
    }

    static func click(_ selector: String, _ name: String, title: String?, _ expect: [BrowserExpectation] = []) -> BrowserStep {
        BrowserStep(name: name, click: selector, title: title, expect: expect)
    }

    static func submit(
        _ form: String, _ name: String, fill: [String: String] = [:], button: String? = nil, status: Int = 200,
        title: String?, _ expect: [BrowserExpectation] = []
    ) -> BrowserStep {
        BrowserStep(name: name, submit: form, fill: fill, button: button, status: status, title: title, expect: expect)
    }

    static func signIn(_ user: String, lands path: String, title: String?, keyboard: Bool = false, from: String? = nil) -> BrowserStep {
        BrowserStep(
            name: keyboard ? "sign in as \(user) with the keyboard only" : "sign in as \(user)",
            signIn: keyboard ? nil : user, from: from, keyboardSignIn: keyboard ? user : nil, redirected: true, path: path, title: title,
            expect: [.present("form.signout button[type=submit]"), .present("nav[aria-label=Sections] a")])
    }

    /// This step, also requiring that none of `texts` appears in the page.
    func without(_ texts: [String]) -> BrowserStep {
        var copy = self
        copy.absentText += texts
        return copy
    }

    func ending(at path: String, redirected: Bool? = nil) -> BrowserStep {
        var copy = self
        copy.path = path
        copy.redirected = redirected
        return copy
    }
}

/// An element the page must (or must not) have, by CSS selector.
struct BrowserExpectation: Encodable {
    var css: String
    var attribute: String?
    var equals: String?
    var contains: String?
    var count: Int?
    var absent: Bool?

    static func attribute(_ css: String, _ name: String, _ value: String) -> BrowserExpectation {
        BrowserExpectation(css: css, attribute: name, equals: value)
    }

    /// The element's text, whitespace collapsed, is exactly `value`.
    static func text(_ css: String, _ value: String) -> BrowserExpectation {
        BrowserExpectation(css: css, equals: value)
    }

    static func containing(_ css: String, _ value: String) -> BrowserExpectation {
        BrowserExpectation(css: css, contains: value)
    }

    static func count(_ css: String, _ count: Int) -> BrowserExpectation {
        BrowserExpectation(css: css, count: count)
    }

    static func present(_ css: String) -> BrowserExpectation {
        BrowserExpectation(css: css)
    }

    static func absent(_ css: String) -> BrowserExpectation {
        BrowserExpectation(css: css, absent: true)
    }
}
