/// The first difference between two texts, as one hunk of a unified diff: what a failed
/// snapshot comparison prints instead of both texts whole.
///
/// The hunk runs from the first differing line to the nearest point where the texts agree
/// again for `resync` lines (searched within `window` lines of each side), so a line added
/// or removed shows as that line alone, not as everything after it.
struct LineDiff: Equatable {
    /// Lines of context before and after the change.
    static let context = 3

    /// 1-based line of the hunk's first line in the expected text, and its line count there.
    var expectedStart: Int
    var expectedCount: Int
    /// The same in the actual text.
    var actualStart: Int
    var actualCount: Int
    /// The hunk's lines, each prefixed with " ", "-" (expected only) or "+" (actual only).
    var lines: [String]

    /// The first hunk where `actual` departs from `expected`; nil when they are equal.
    init?(expected: [String], actual: [String], resync: Int = 3, window: Int = 400) {
        var first = 0
        while first < expected.count && first < actual.count && expected[first] == actual[first] { first += 1 }
        if first == expected.count && first == actual.count { return nil }

        // The change ends at the first (removed, added) pair of line counts, fewest lines first,
        // after which the texts agree for `resync` lines or both end.
        func agree(_ i: Int, _ j: Int) -> Bool {
            for step in 0..<resync {
                if i + step == expected.count && j + step == actual.count { return true }
                if i + step >= expected.count || j + step >= actual.count || expected[i + step] != actual[j + step] { return false }
            }
            return true
        }
        let maxRemoved = min(window, expected.count - first)
        let maxAdded = min(window, actual.count - first)
        var end = (removed: maxRemoved, added: maxAdded)
        search: for total in 0...(maxRemoved + maxAdded) {
            for removed in max(0, total - maxAdded)...min(total, maxRemoved) where agree(first + removed, first + total - removed) {
                end = (removed, total - removed)
                break search
            }
        }

        let before = max(0, first - Self.context)
        let afterExpected = first + end.removed
        let after = min(expected.count, afterExpected + Self.context) - afterExpected
        lines =
            expected[before..<first].map { " " + $0 }
            + expected[first..<afterExpected].map { "-" + $0 }
            + actual[first..<(first + end.added)].map { "+" + $0 }
            + expected[afterExpected..<(afterExpected + after)].map { " " + $0 }
        let leading = first - before
        expectedStart = before + 1
        expectedCount = leading + end.removed + after
        actualStart = before + 1
        actualCount = leading + end.added + after
    }

    /// The hunk as `diff -u` prints it, under `---`/`+++` lines naming both sides; at most
    /// `limit` changed lines, then how many more there are.
    func unified(expectedName: String, actualName: String, limit: Int = 60) -> String {
        let header = [
            "--- \(expectedName)", "+++ \(actualName)",
            "@@ -\(expectedStart),\(expectedCount) +\(actualStart),\(actualCount) @@",
        ]
        let shown = lines.count > limit ? Array(lines.prefix(limit)) + ["... \(lines.count - limit) more lines of this hunk"] : lines
        return (header + shown).joined(separator: "\n")
    }
}
