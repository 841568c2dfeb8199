import Accounting
import Foundation

/// Corrections for a finalized period: what it should have charged (re-rated now) minus
/// what was billed for it (its final invoice plus corrections already finalized).
public enum Adjustments {
    /// One adjustment line per original line whose amount or tax changed, keyed like the
    /// original, each saying which period and line it corrects. Empty when nothing changed.
    public static func corrections(period: BillingPeriod, currency: Currency, billed: [InvoiceLine], rerated: [InvoiceLine]) -> [InvoiceLine] {
        struct Sum {
            var amount: Int64 = 0
            var tax: Int64 = 0
            var quantity = Decimal(0)
            var sample: InvoiceLine?
        }
        var was: [String: Sum] = [:]
        var now: [String: Sum] = [:]
        var order: [String] = []
        var seen = Set<String>()
        func add(_ line: InvoiceLine, to sums: inout [String: Sum]) {
            if seen.insert(line.key).inserted { order.append(line.key) }
            var sum = sums[line.key] ?? Sum()
            sum.amount += line.amount
            sum.tax += line.tax
            sum.quantity += line.quantity
            if line.kind != .adjustment || sum.sample == nil { sum.sample = line }
            sums[line.key] = sum
        }
        for line in billed { add(line, to: &was) }
        for line in rerated { add(line, to: &now) }
        var result: [InvoiceLine] = []
        for key in order {
            let before = was[key] ?? Sum()
            let after = now[key] ?? Sum()
            let deltaAmount = after.amount - before.amount
            let deltaTax = after.tax - before.tax
            guard deltaAmount != 0 || deltaTax != 0 else { continue }
            guard let sample = after.sample ?? before.sample else { continue }
            let reason = after.sample == nil ? "no longer due" : (before.sample == nil ? "newly due" : "re-rated")
            // A full-cycle fee (1 cycle) re-rated as a partial one (N days) has no common unit:
            // such a correction is one adjustment of the amount.
            let sameUnit = (before.sample?.unit ?? sample.unit) == (after.sample?.unit ?? sample.unit)
            result.append(
                InvoiceLine(
                    kind: .adjustment, key: key,
                    description:
                        "Correction for \(period): \(sample.description) (\(reason): billed \(currency.format(minorUnits: before.amount)), now \(currency.format(minorUnits: after.amount)) \(currency.code))",
                    quantity: sameUnit ? after.quantity - before.quantity : 1, unit: sameUnit ? sample.unit : "adjustment",
                    unitPrice: sameUnit
                        ? sample.unitPrice : Decimal(deltaAmount) * Decimal(sign: .plus, exponent: -currency.exponent, significand: 1),
                    amount: deltaAmount, taxRate: sample.taxRate, tax: deltaTax, planVersionID: sample.planVersionID,
                    from: sample.from, until: sample.until, usageBytes: nil, correctsPeriod: period.description))
        }
        return result
    }
}
