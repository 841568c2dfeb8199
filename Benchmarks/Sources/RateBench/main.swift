import ArgumentParser
import Foundation
import Rating
import RatingWorkload

/// `tollgate-rate-bench`: rates synthetic subscriber-months on one thread and reports how many
/// the rating engine gets through per second.
struct RateBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate-rate-bench",
        abstract: "Measure the rating engine's throughput in subscriber-months per second.",
        discussion: """
            Rates --subscribers subscribers for 2026-09 (Europe/Vienna, EUR, 720 hourly buckets each) \
            twice over the same data and exits 1 unless both passes give the same invoice totals. \
            For plan a every invoice is also checked against an integer reference computation.
            """)

    @Option(help: "Subscriber-months to rate per pass.")
    var subscribers = 100_000

    @Option(help: "a (fee, allowance, per-unit overage), b (graduated tiers, nights free, cap, tax), c (a to b on the 16th) or mixed.")
    var plan = "mixed"

    @Option(help: "Distinct usage histories the subscribers cycle through.")
    var profiles = 256

    mutating func validate() throws {
        guard subscribers > 0 else { throw ValidationError("--subscribers must be above 0") }
        guard profiles > 0 else { throw ValidationError("--profiles must be above 0") }
        guard plan == "mixed" || SyntheticPlan(rawValue: plan) != nil else {
            throw ValidationError("--plan must be a, b, c or mixed")
        }
    }

    func run() throws {
        let chosen = SyntheticPlan(rawValue: plan)
        let setupStart = ContinuousClock.now
        let workload = RatingWorkload(profiles: profiles)
        let engine = workload.makeEngine()
        let setup = ContinuousClock.now - setupStart

        // Assignments and usage are looked up before the clock starts, as a batch run would
        // have them loaded from the database already.
        let inputs = (0..<subscribers).map { i in
            (workload.assignments(workload.plan(ofSubscriber: i, plan: chosen)), workload.usage(ofSubscriber: i))
        }

        print(
            "tollgate-rate-bench: \(subscribers) subscriber-months, plan \(plan), period \(RatingWorkload.period) \(RatingWorkload.timeZone), \(workload.usage[0].count) buckets each, \(profiles) usage profiles"
        )
        print("setup (usage generation, engine tables): \(milliseconds(setup)) ms")

        var passTotals: [PassResult] = []
        for pass in 1...2 {
            let result = ratePass(engine: engine, inputs: inputs)
            let seconds = result.elapsed.seconds
            let perSecond = Double(subscribers) / seconds
            let nanoseconds = seconds * 1e9 / Double(subscribers)
            print(
                "pass \(pass): \(String(format: "%.3f", seconds)) s, \(Int(perSecond.rounded())) subscriber-months/s, \(Int(nanoseconds.rounded())) ns per subscriber-month, \(result.lines) lines, invoice totals \(centsText(result.subtotal)) + tax \(centsText(result.tax)) = \(centsText(result.subtotal + result.tax)) EUR"
            )
            passTotals.append(result)
        }
        guard passTotals[0].subtotal == passTotals[1].subtotal, passTotals[0].tax == passTotals[1].tax,
            passTotals[0].lines == passTotals[1].lines
        else {
            print("FAIL: the two passes over the same data gave different totals")
            throw ExitCode.failure
        }

        // Every distinct (plan, usage) input once, outside the clock: plan a's invoices against
        // an integer reference, and a digest of all lines as they would be stored, which must
        // not change when the engine is made faster.
        let distinct = min(subscribers, chosen == nil ? lcm(SyntheticPlan.allCases.count, profiles) : profiles)
        var digest = LineDigest()
        var checked = 0
        for i in 0..<distinct {
            let (assignments, usage) = inputs[i]
            let rating = engine.rate(assignments: assignments, usage: usage)
            for line in rating.lines { digest.add(line) }
            guard workload.plan(ofSubscriber: i, plan: chosen) == .a else { continue }
            let total = InvoiceTotals(rating.lines).total
            let expected = RatingWorkload.expectedPlanATotal(usage)
            guard total == expected else {
                print("FAIL: subscriber \(i) on plan a: engine \(centsText(total)), reference \(centsText(expected))")
                throw ExitCode.failure
            }
            checked += 1
        }
        print("lines digest of the \(distinct) distinct subscriber-months: \(digest.hex)")
        print("ok: both passes agree" + (checked > 0 ? "; \(checked) plan-a invoices match the integer reference" : ""))
    }

    struct PassResult {
        var elapsed: Duration
        var subtotal: Int64 = 0
        var tax: Int64 = 0
        var lines = 0
    }

    /// One timed pass; the totals are summed inside the loop so the ratings cannot be optimised
    /// away, at a cost of a few additions per line.
    func ratePass(engine: RatingEngine, inputs: [([PlanAssignment], [HourlyUsage])]) -> PassResult {
        var result = PassResult(elapsed: .zero)
        let start = ContinuousClock.now
        for (assignments, usage) in inputs {
            let rating = engine.rate(assignments: assignments, usage: usage)
            for line in rating.lines {
                result.subtotal &+= line.amount
                result.tax &+= line.tax
            }
            result.lines += rating.lines.count
        }
        result.elapsed = ContinuousClock.now - start
        return result
    }

    func milliseconds(_ duration: Duration) -> String { String(format: "%.1f", duration.seconds * 1000) }

    func centsText(_ cents: Int64) -> String { RatingWorkload.eur.format(minorUnits: cents) }
}

/// FNV-1a over every field of the lines, decimals formatted as `InvoiceStore` stores them, so
/// two engines agree on the digest exactly when they would store the same invoices.
struct LineDigest {
    private var state: UInt64 = 0xCBF2_9CE4_8422_2325

    mutating func add(_ line: InvoiceLine) {
        let fields: [String] = [
            line.kind.rawValue, line.key, line.description,
            DecimalText.format(line.quantity, maximumFractionDigits: 9), line.unit,
            DecimalText.format(line.unitPrice, maximumFractionDigits: 18), String(line.amount),
            DecimalText.format(line.taxRate, maximumFractionDigits: 18), String(line.tax),
            line.planVersionID.map { String($0) } ?? "-", line.from.description, line.until.description,
            line.usageBytes.map { String($0) } ?? "-", line.correctsPeriod ?? "-",
        ]
        for field in fields {
            for byte in field.utf8 { mix(byte) }
            mix(0x1F)
        }
        mix(0x1E)
    }

    private mutating func mix(_ byte: UInt8) {
        state = (state ^ UInt64(byte)) &* 0x100_0000_01B3
    }

    var hex: String {
        let text = String(state, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}

func lcm(_ a: Int, _ b: Int) -> Int {
    var (x, y) = (a, b)
    while y != 0 { (x, y) = (y, x % y) }
    return a / x * b
}

extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}

RateBench.main()
