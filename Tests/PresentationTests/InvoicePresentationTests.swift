import Presentation
import TabularText
import Testing

@Suite("Invoices and their lines as the API, the CLI and the console show them")
struct InvoicePresentationTests {
    static let overageJSON =
        #"{"amount":"15.00","covers_from":"2026-11-01","covers_until":"2026-12-01","currency":"EUR","#
        + #""description":"Home 100: usage beyond the allowance, 30 GB at 0.5","invoice_id":42,"kind":"overage","period":"2026-11","#
        + #""plan_version_id":7,"position":1,"quantity":"30","status":"draft","tax":"3.00","tax_rate":"0.2","unit":"GB","unit_price":"0.5","#
        + #""usage_bytes":130000000000,"user":"=cmd|' /C calc'!A0"}"#
    static let creditJSON =
        #"{"amount":"-2.50","corrects_period":"2026-10","covers_from":"2026-10-01","covers_until":"2026-11-01","#
        + #""currency":"EUR","description":"+SUM(A1), \"corrected\"\nOctober","invoice_id":42,"kind":"adjustment","period":"2026-11","#
        + #""position":2,"quantity":"1","status":"draft","tax":"-0.50","tax_rate":"0.2","unit":"GB","unit_price":"0.000000000123","#
        + #""user":"=cmd|' /C calc'!A0"}"#

    @Test("a draft in a listing: the API's fields, amounts as exact decimal text, no finalized_at, no lines")
    func draftJSON() throws {
        let invoice = InvoicePresentation(Fixtures.draft)
        let expected =
            #"{"currency":"EUR","id":42,"period":"2026-11","period_end":"2026-12-01","period_start":"2026-11-01","#
            + #""rated_at":"2026-11-28T10:00:00Z","status":"draft","subtotal":"44.90","tax":"8.98","total":"53.88","user":"=cmd|' /C calc'!A0"}"#
        #expect(try Fixtures.apiJSON(invoice) == expected)
        #expect(try Fixtures.plainJSON(invoice) == expected)
        #expect(invoice.subtotal == "44.90" && invoice.total == "53.88" && invoice.lines == nil)
    }

    @Test("a draft in CSV: the formula-leading User-Name gets an apostrophe, the missing finalized_at is an empty last field")
    func draftCSV() {
        let invoice = InvoicePresentation(Fixtures.draft)
        #expect(
            CSV.lines([InvoicePresentation.columns, invoice.cells])
                == "id,user,period,period_start,period_end,status,currency,subtotal,tax,total,rated_at,finalized_at\r\n"
                + "42,'=cmd|' /C calc'!A0,2026-11,2026-11-01,2026-12-01,draft,EUR,44.90,8.98,53.88,2026-11-28T10:00:00Z,\r\n")
        #expect(invoice.cells[1] == Fixtures.hostileUser, "cells are the plain values; only the CSV writer neutralises them")
    }

    @Test("a final invoice in yen: whole yen, finalized_at present in JSON and CSV")
    func finalInYen() throws {
        let invoice = InvoicePresentation(Fixtures.final)
        #expect(
            try Fixtures.apiJSON(invoice) == #"{"currency":"JPY","finalized_at":"2026-11-05T00:05:00Z","id":7,"period":"2026-10","#
                + #""period_end":"2026-11-05","period_start":"2026-10-05","rated_at":"2026-11-05T00:00:01Z","status":"final","subtotal":"2990","#
                + #""tax":"299","total":"3289","user":"carol"}"#)
        #expect(
            CSV.lines([invoice.cells])
                == "7,carol,2026-10,2026-10-05,2026-11-05,final,JPY,2990,299,3289,2026-11-05T00:00:01Z,2026-11-05T00:05:00Z\r\n")
    }

    @Test("one invoice shown with its lines numbered from 1, as GET /v1/invoices/{id} gives it")
    func withLines() throws {
        let invoice = InvoicePresentation(withLines: Fixtures.draft)
        #expect(invoice.lines?.map(\.position) == [1, 2])
        #expect(
            try Fixtures.apiJSON(invoice) == #"{"currency":"EUR","id":42,"lines":["# + Self.overageJSON + "," + Self.creditJSON
                + #"],"period":"2026-11","period_end":"2026-12-01","period_start":"2026-11-01","rated_at":"2026-11-28T10:00:00Z","status":"draft","#
                + #""subtotal":"44.90","tax":"8.98","total":"53.88","user":"=cmd|' /C calc'!A0"}"#)
        // The listing row of an invoice is the same with or without its lines.
        #expect(invoice.cells == InvoicePresentation(Fixtures.draft).cells)
    }

    @Test("lines as JSON: absent plan version, usage and corrected period left out; 18 fraction digits of a unit price kept")
    func lineJSON() throws {
        let lines = InvoiceLinePresentation.lines(of: Fixtures.draft)
        #expect(lines.count == 2)
        #expect(try Fixtures.apiJSON(lines[0]) == Self.overageJSON)
        #expect(try Fixtures.plainJSON(lines[0]) == Self.overageJSON)
        #expect(try Fixtures.apiJSON(lines[1]) == Self.creditJSON)
        #expect(lines[0].usageBytes == 130_000_000_000 && lines[1].usageBytes == nil && lines[1].amount == "-2.50")
    }

    @Test("lines as CSV: formulas neutralised, a negative amount left a number, comma, quotes and line break quoted")
    func lineCSV() {
        let lines = InvoiceLinePresentation.lines(of: Fixtures.draft)
        #expect(
            CSV.lines([InvoiceLinePresentation.columns] + lines.map(\.cells))
                == "invoice_id,user,period,status,currency,position,kind,description,quantity,unit,unit_price,amount,tax_rate,tax,plan_version_id,"
                + "covers_from,covers_until,usage_bytes,corrects_period\r\n"
                + "42,'=cmd|' /C calc'!A0,2026-11,draft,EUR,1,overage,\"Home 100: usage beyond the allowance, 30 GB at 0.5\",30,GB,0.5,15.00,0.2,3.00,7,"
                + "2026-11-01,2026-12-01,130000000000,\r\n"
                + "42,'=cmd|' /C calc'!A0,2026-11,draft,EUR,2,adjustment,\"'+SUM(A1), \"\"corrected\"\"\nOctober\",1,GB,0.000000000123,-2.50,0.2,-0.50,,"
                + "2026-10-01,2026-11-01,,2026-10\r\n")
    }

    @Test("the lines of several invoices follow one another, each numbered on its own invoice")
    func linesOfInvoices() {
        var other = Fixtures.draft
        other.id = 43
        other.lines = [Fixtures.credit]
        let lines = InvoiceLinePresentation.lines(of: [Fixtures.draft, Fixtures.final, other])
        #expect(lines.map { "\($0.invoiceId)/\($0.position)" } == ["42/1", "42/2", "43/1"])
    }

    @Test("every row has one cell per column")
    func widths() {
        #expect(InvoicePresentation(Fixtures.draft).cells.count == InvoicePresentation.columns.count)
        #expect(InvoiceLinePresentation.lines(of: Fixtures.draft).allSatisfy { $0.cells.count == InvoiceLinePresentation.columns.count })
        #expect(InvoicePresentation.columns.count == 12 && InvoiceLinePresentation.columns.count == 19)
    }
}
