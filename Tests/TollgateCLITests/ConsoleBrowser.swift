import Foundation
import TestSupport

/// Headless Chromium driven by Selenium (Tests/interop/console_browser.py), as scripts/test
/// installs them: Debian's chromium and chromium-driver, Selenium from PyPI. A missing piece
/// is an error that says how to get it, never a reason to skip.
struct ConsoleBrowser {
    static let chromium = "/usr/bin/chromium"
    static let chromedriver = "/usr/bin/chromedriver"
    let python: String

    /// What the driver reports.
    struct Result {
        /// Every failed expectation and page check, one line each (journey, step, page, selector).
        var failures: [String]
        var pages: Int
        var screenshots: Int
        /// The paths the journeys' steps ended on, in order.
        var paths: [String]
        var seconds: Double
    }

    /// The browser, its driver and Selenium, or an error naming what is missing.
    static func required() throws -> ConsoleBrowser {
        let python = ProcessInfo.processInfo.environment["TOLLGATE_TEST_PYTHON"] ?? findExecutable("python3") ?? "/usr/bin/python3"
        for (path, package) in [(chromium, "chromium"), (chromedriver, "chromium-driver")] where !FileManager.default.isExecutableFile(atPath: path) {
            throw SetUpError("\(path) is missing: scripts/test installs Debian's \(package) (apt-get install \(package))")
        }
        let (status, output) = try TestSupport.run(python, ["-c", "import selenium; print(selenium.__version__)"])
        guard status == 0 else {
            throw SetUpError("Selenium is missing for \(python): scripts/test installs it (pip install selenium): \(output.suffix(300))")
        }
        return ConsoleBrowser(python: python)
    }

    /// Runs `scenario` and reads the driver's result.
    func run(_ scenario: BrowserScenario) throws -> Result {
        let file = URL(fileURLWithPath: scenario.folder).appendingPathComponent("scenario.json")
        try scenario.json().write(to: file)
        let (status, output) = try TestSupport.run(python, [RealData.repositoryRoot + "/Tests/interop/console_browser.py", file.path])
        guard status == 0 else { throw SetUpError("console_browser.py exited \(status): \(output.suffix(3000))") }
        let data = try Data(contentsOf: URL(fileURLWithPath: scenario.result))
        guard let result = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let failures = result["failures"] as? [[String: Any]], let visited = result["visited"] as? [[String: Any]]
        else {
            throw SetUpError("console_browser.py wrote no result: \(output.suffix(2000))")
        }
        let lines = failures.map { failure -> String in
            let fields = ["journey", "step", "page", "kind", "selector", "message", "expected", "actual"].compactMap { key -> String? in
                guard let value = failure[key], !(value is NSNull) else { return nil }
                let text =
                    (try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]))
                    .map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
                return "\(key)=\(text)"
            }
            return fields.joined(separator: " ")
        }
        return Result(
            failures: lines, pages: result["pages"] as? Int ?? -1, screenshots: result["screenshots"] as? Int ?? -1,
            paths: visited.map { $0["path"] as? String ?? "" }, seconds: result["seconds"] as? Double ?? -1)
    }
}
