import Testing

@testable import Console

@Suite("UsageChart: SVG of usage from numbers")
struct UsageChartTests {
    @Test("ticks step by 1, 2 or 5 times a power of ten and reach the peak")
    func ticks() {
        #expect(UsageChart.ticks(peak: 0) == [0])
        #expect(UsageChart.ticks(peak: 9) == [0, 2, 4, 6, 8, 10])
        #expect(UsageChart.ticks(peak: 100) == [0, 50, 100])
        #expect(UsageChart.ticks(peak: 30_500_000) == [0, 10_000_000, 20_000_000, 30_000_000, 40_000_000])
        #expect(UsageChart.ticks(peak: 10_000_000_000) == [0, 5_000_000_000, 10_000_000_000])
        #expect(UsageChart.ticks(peak: 1) == [0, 1])
    }

    @Test("an allowance meant as unlimited (Int64.max) draws at the top of an exabyte scale instead of overflowing")
    func hugeAllowance() {
        #expect(UsageChart.ticks(peak: Int64.max) == [0, 500_000_000_000_000_000, 1_000_000_000_000_000_000])
        let chart = UsageChart(
            id: "daily-chart", title: "Days", group: "day",
            bars: [.init(key: "2026-11-01", label: "1", upload: 100, download: 300)], cumulative: true, allowance: Int64.max)
        let svg = chart.svg()
        #expect(svg.contains("<line class=\"allowance\" data-value=\"\(Int64.max)\""))
        #expect(svg.contains("y1=\"16\" y2=\"16\" stroke=\"#b3261e\""))
        #expect(UsageFormat.percent(used: Int64.max, of: 1) == 1_000_000)
    }

    @Test("one group per bar with exact data attributes, stacked rects, labels, the running total and the allowance")
    func bars() {
        let chart = UsageChart(
            id: "daily-chart", title: "Days", group: "day",
            bars: [
                .init(key: "2026-11-01", label: "1", upload: 100, download: 300),
                .init(key: "2026-11-02", label: "2", upload: 0, download: 0),
                .init(key: "2026-11-03", label: "3", upload: 50, download: 50),
            ], cumulative: true, allowance: 1000)
        let svg = chart.svg()
        #expect(svg.hasPrefix("<svg id=\"daily-chart\" class=\"chart\""))
        #expect(svg.hasSuffix("</svg>"))
        #expect(svg.components(separatedBy: "<g class=\"day\"").count - 1 == 3)
        #expect(svg.contains("<g class=\"day\" data-day=\"2026-11-01\" data-upload=\"100\" data-download=\"300\">"))
        #expect(svg.contains("<g class=\"day\" data-day=\"2026-11-02\" data-upload=\"0\" data-download=\"0\">"))
        #expect(svg.contains("<polyline class=\"cumulative\" data-value=\"500\""))
        #expect(svg.contains("<line class=\"allowance\" data-value=\"1000\""))
        // Scale 0-1000 over 228 px of plot (280 - 16 - 36): the allowance line at the top.
        #expect(svg.contains("y1=\"16\" y2=\"16\" stroke=\"#b3261e\""))
        // Three slots of 674 / 3 px, bars 70 % of a slot, centred: x = 70 + 33.7. The first bar:
        // upload 100 -> 22.8 px tall from the baseline at 244; download 300 -> 68.4 px above it.
        #expect(svg.contains("<rect class=\"upload\" x=\"103.7\" y=\"221.2\" width=\"157.3\" height=\"22.8\" fill=\"#0b5cad\"/>"))
        #expect(svg.contains("<rect class=\"download\" x=\"103.7\" y=\"152.8\" width=\"157.3\" height=\"68.4\" fill=\"#2e9e5b\"/>"))
        #expect(svg.contains("data-tick=\"500\""))
        #expect(!svg.contains("class=\"band\""))
    }

    @Test("bands are drawn behind bars in a window; labels and keys are escaped")
    func bandsAndEscaping() {
        let chart = UsageChart(
            id: "hourly-chart", title: "<script>alert(1)</script>", group: "hour",
            bars: [
                .init(key: "00", label: "00", upload: 1, download: 2, band: "Night \"<b>\""),
                .init(key: "\"><svg onload=x>", label: "<i>", upload: 3, download: 4),
            ])
        let svg = chart.svg()
        #expect(svg.components(separatedBy: "<rect class=\"band\"").count - 1 == 1)
        #expect(svg.contains("<title>Night &quot;&lt;b&gt;&quot;</title>"))
        #expect(svg.contains("<title id=\"hourly-chart-title\">&lt;script&gt;alert(1)&lt;/script&gt;</title>"))
        #expect(svg.contains("data-hour=\"&quot;&gt;&lt;svg onload=x&gt;\""))
        #expect(svg.contains(">&lt;i&gt;</text>"))
        #expect(!svg.contains("<script"))
        #expect(!svg.contains("<svg onload"))
        #expect(!svg.contains("<i>"))
        #expect(!svg.contains("polyline"))
        #expect(!svg.contains("class=\"allowance\""))
    }

    @Test("the meter fills by share, capped at the allowance, coloured by how near")
    func meter() {
        #expect(UsageChart.meter(used: 50, allowance: 100).contains("<rect class=\"used\" width=\"60\" height=\"10\" fill=\"#2e9e5b\"/>"))
        #expect(UsageChart.meter(used: 90, allowance: 100).contains("<rect class=\"used\" width=\"108\" height=\"10\" fill=\"#8a5a00\"/>"))
        #expect(UsageChart.meter(used: 300, allowance: 100).contains("<rect class=\"used\" width=\"120\" height=\"10\" fill=\"#b3261e\"/>"))
        #expect(UsageChart.meter(used: 300, allowance: 0).contains("<rect class=\"used\" width=\"0\" height=\"10\""))
    }

    @Test("byte figures: thin-space groups and decimal units")
    func format() {
        #expect(UsageFormat.grouped(0) == "0")
        #expect(UsageFormat.grouped(999) == "999")
        #expect(UsageFormat.grouped(1_234_567) == "1\u{202F}234\u{202F}567")
        #expect(UsageFormat.grouped(-1000) == "-1\u{202F}000")
        #expect(UsageFormat.human(999) == "999 B")
        #expect(UsageFormat.human(1_500) == "1.50 kB")
        #expect(UsageFormat.human(30_500_000) == "30.5 MB")
        #expect(UsageFormat.human(9_030_536_000) == "9.03 GB")
        #expect(UsageFormat.human(250_000_000_000) == "250 GB")
        #expect(UsageFormat.percent(used: 9, of: 10) == 90)
        #expect(UsageFormat.percent(used: 1, of: 0) == nil)
        #expect(UsageFormat.terminateCause(1) == "User-Request (1)")
        #expect(UsageFormat.terminateCause(99) == "99")
        #expect(UsageFormat.terminateCause(nil) == "")
        #expect(HTMLText.escape("a&<>\"'b") == "a&amp;&lt;&gt;&quot;&#39;b")
    }
}
