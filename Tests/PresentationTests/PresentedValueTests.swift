import Accounting
import Foundation
import Presentation
import Testing

@Suite("Money, rates, counts and days written one way everywhere")
struct PresentedValueTests {
    @Test("money in the currency's major unit, exact, with the currency's own number of digits")
    func money() {
        #expect(PresentedValue.money(1990, currency: "EUR") == "19.90")
        #expect(PresentedValue.money(-250, currency: "EUR") == "-2.50")
        #expect(PresentedValue.money(5, currency: "EUR") == "0.05")
        #expect(PresentedValue.money(2990, currency: "JPY") == "2990")
        #expect(PresentedValue.money(-1, currency: "BHD") == "-0.001")
        #expect(PresentedValue.money(9_223_372_036_854_775_807, currency: "USD") == "92233720368547758.07")
        // Not a currency code: the minor units as they are rather than a guessed exponent.
        #expect(PresentedValue.money(1234, currency: "eur") == "1234")
    }

    @Test("quantities without trailing zeros, rates with up to 18 fraction digits")
    func decimals() {
        #expect(PresentedValue.quantity(Decimal(string: "30.000")!) == "30")
        #expect(PresentedValue.quantity(Decimal(string: "12.5")!) == "12.5")
        #expect(PresentedValue.rate(Decimal(string: "0.000000000123")!) == "0.000000000123")
        #expect(PresentedValue.rate(Decimal(string: "0.000000000000000001")!) == "0.000000000000000001")
    }

    @Test("counts as plain integers, days as YYYY-MM-DD")
    func countsAndDays() {
        #expect(PresentedValue.count(130_000_000_000) == "130000000000")
        #expect(PresentedValue.count(0) == "0")
        #expect(PresentedValue.day(CivilDate(year: 2026, month: 2, day: 3)!) == "2026-02-03")
    }
}
