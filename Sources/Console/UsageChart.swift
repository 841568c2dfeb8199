/// A bar chart of upload and download, drawn as SVG text on the server (the pages carry no
/// script; the chart prints and reads without one).
///
/// One `<g class="<group>" data-<group>="<key>" data-upload data-download>` per bar with the
/// exact byte counts; upload stacked under download; shaded bands behind the bars that fall
/// in a plan's time-of-day window; optionally the running total as a line and the allowance
/// as a horizontal line on the same scale. Every label is escaped.
struct UsageChart: Sendable {
    struct Bar: Sendable, Equatable {
        /// What the bar's data attribute names, e.g. `2026-10-07` or `13`.
        var key: String
        /// The axis label, e.g. `7` or `13`.
        var label: String
        var upload: Int64
        var download: Int64
        /// The time-of-day window the bar falls in, shaded behind it; nil outside every window.
        var band: String?

        var total: Int64 { upload &+ download }
    }

    var id: String
    var title: String
    /// `day` or `hour`: the group class and the data attribute (`data-day`, `data-hour`).
    var group: String
    var bars: [Bar]
    /// Draws the running total of the bars as a line, on the same scale.
    var cumulative = false
    /// The allowance, drawn as a horizontal line (on the running total's scale).
    var allowance: Int64?

    static let width = 760, height = 280
    static let left = 70, right = 16, top = 16, bottom = 36
    static let uploadColour = "#0b5cad", downloadColour = "#2e9e5b", bandColour = "#eef2f7"
    static let cumulativeColour = "#5b6675", allowanceColour = "#b3261e"

    /// The largest value a scale reaches (10^18 octets).
    static let scaleLimit: Int64 = 1_000_000_000_000_000_000

    /// The largest value the scale must reach.
    var peak: Int64 {
        var peak = bars.map(\.total).max() ?? 0
        if cumulative { peak = max(peak, bars.reduce(Int64(0)) { $0 &+ $1.total }) }
        if let allowance { peak = max(peak, allowance) }
        return peak
    }

    /// The y-axis ticks from 0: steps of 1, 2 or 5 times a power of ten, at most about
    /// `count` of them, the last at or above `peak`.
    static func ticks(peak: Int64, count: Int = 4) -> [Int64] {
        guard peak > 0 else { return [0] }
        // Scales stop at an exabyte: a larger figure (an allowance meant as unlimited) is drawn
        // at the top, and the tick arithmetic below cannot overflow.
        let peak = min(peak, Self.scaleLimit)
        let rough = max(1, peak / Int64(max(1, count)))
        var magnitude: Int64 = 1
        while magnitude <= rough / 10 { magnitude *= 10 }
        let step = [1, 2, 5, 10].map { Int64($0) * magnitude }.first { $0 >= rough } ?? magnitude * 10
        let steps = (peak + step - 1) / step
        return (0...steps).map { $0 * step }
    }

    /// The whole `<svg>` element.
    func svg() -> String {
        let ticks = Self.ticks(peak: peak)
        let scaleTop = max(ticks.last ?? 1, 1)
        let plotWidth = Double(Self.width - Self.left - Self.right)
        let plotHeight = Double(Self.height - Self.top - Self.bottom)
        let baseline = Double(Self.top) + plotHeight
        func y(_ value: Int64) -> Double { baseline - min(1, Double(value) / Double(scaleTop)) * plotHeight }
        let slot = plotWidth / Double(max(bars.count, 1))
        let barWidth = max(1, slot * 0.7)
        // Label every bar when they fit, else every n-th.
        let labelEvery = max(1, Int((28 / slot).rounded(.up)))

        var out = """
            <svg id="\(HTMLText.escape(id))" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Self.width) \(Self.height)" \
            width="\(Self.width)" height="\(Self.height)" role="img" aria-labelledby="\(HTMLText.escape(id))-title">
            <title id="\(HTMLText.escape(id))-title">\(HTMLText.escape(title))</title>

            """
        for (index, bar) in bars.enumerated() where bar.band != nil {
            out +=
                "<rect class=\"band\" x=\"\(Self.number(Double(Self.left) + Double(index) * slot))\" y=\"\(Self.top)\" "
                + "width=\"\(Self.number(slot))\" height=\"\(Self.number(plotHeight))\" fill=\"\(Self.bandColour)\"><title>\(HTMLText.escape(bar.band ?? ""))</title></rect>\n"
        }
        for tick in ticks {
            let at = Self.number(y(tick))
            out +=
                "<line class=\"tick\" x1=\"\(Self.left)\" x2=\"\(Self.width - Self.right)\" y1=\"\(at)\" y2=\"\(at)\" stroke=\"#d5dbe3\" stroke-width=\"1\"/>"
                + "<text x=\"\(Self.left - 6)\" y=\"\(at)\" text-anchor=\"end\" dominant-baseline=\"middle\" data-tick=\"\(tick)\">\(HTMLText.escape(UsageFormat.human(tick)))</text>\n"
        }
        for (index, bar) in bars.enumerated() {
            let x = Double(Self.left) + Double(index) * slot + (slot - barWidth) / 2
            let uploadTop = y(bar.upload)
            let totalTop = y(bar.total)
            out +=
                "<g class=\"\(HTMLText.escape(group))\" data-\(HTMLText.escape(group))=\"\(HTMLText.escape(bar.key))\" "
                + "data-upload=\"\(bar.upload)\" data-download=\"\(bar.download)\">"
                + "<title>\(HTMLText.escape(bar.key)): upload \(HTMLText.escape(UsageFormat.grouped(bar.upload))) B, "
                + "download \(HTMLText.escape(UsageFormat.grouped(bar.download))) B</title>"
                + "<rect class=\"upload\" x=\"\(Self.number(x))\" y=\"\(Self.number(uploadTop))\" width=\"\(Self.number(barWidth))\" "
                + "height=\"\(Self.number(baseline - uploadTop))\" fill=\"\(Self.uploadColour)\"/>"
                + "<rect class=\"download\" x=\"\(Self.number(x))\" y=\"\(Self.number(totalTop))\" width=\"\(Self.number(barWidth))\" "
                + "height=\"\(Self.number(uploadTop - totalTop))\" fill=\"\(Self.downloadColour)\"/>"
            if index % labelEvery == 0 {
                out +=
                    "<text x=\"\(Self.number(x + barWidth / 2))\" y=\"\(Self.height - Self.bottom + 14)\" text-anchor=\"middle\">\(HTMLText.escape(bar.label))</text>"
            }
            out += "</g>\n"
        }
        if cumulative, !bars.isEmpty {
            var running: Int64 = 0
            let points = bars.enumerated().map { index, bar in
                running = running &+ bar.total
                return "\(Self.number(Double(Self.left) + (Double(index) + 0.5) * slot)),\(Self.number(y(running)))"
            }
            out +=
                "<polyline class=\"cumulative\" data-value=\"\(running)\" points=\"\(points.joined(separator: " "))\" fill=\"none\" "
                + "stroke=\"\(Self.cumulativeColour)\" stroke-width=\"2\"/>\n"
        }
        if let allowance {
            let at = Self.number(y(allowance))
            out +=
                "<line class=\"allowance\" data-value=\"\(allowance)\" x1=\"\(Self.left)\" x2=\"\(Self.width - Self.right)\" y1=\"\(at)\" y2=\"\(at)\" "
                + "stroke=\"\(Self.allowanceColour)\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>"
                + "<text x=\"\(Self.width - Self.right)\" y=\"\(at)\" dy=\"-4\" text-anchor=\"end\">allowance \(HTMLText.escape(UsageFormat.human(allowance)))</text>\n"
        }
        out +=
            "<line x1=\"\(Self.left)\" x2=\"\(Self.width - Self.right)\" y1=\"\(Self.number(baseline))\" y2=\"\(Self.number(baseline))\" stroke=\"#1d2530\" stroke-width=\"1\"/>\n"
        return out + "</svg>"
    }

    /// Coordinates with at most one decimal, so the markup stays short and stable.
    static func number(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(tenths / 10)
    }
}

extension UsageChart {
    static let meterWidth = 120, meterHeight = 10

    /// A small horizontal bar of `used` against `allowance` (full at the allowance; red when
    /// over, amber from 80 %): an empty track without an allowance.
    static func meter(used: Int64, allowance: Int64) -> String {
        let share = allowance > 0 ? min(1, Double(used) / Double(allowance)) : 0
        let colour = allowance > 0 && used >= allowance ? allowanceColour : share >= 0.8 ? "#8a5a00" : downloadColour
        let filled = number(share * Double(meterWidth))
        return "<svg class=\"meter\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(meterWidth)\" height=\"\(meterHeight)\" "
            + "viewBox=\"0 0 \(meterWidth) \(meterHeight)\" aria-hidden=\"true\">"
            + "<rect width=\"\(meterWidth)\" height=\"\(meterHeight)\" fill=\"\(bandColour)\"/>"
            + "<rect class=\"used\" width=\"\(filled)\" height=\"\(meterHeight)\" fill=\"\(colour)\"/></svg>"
    }
}
