import ArgumentParser

/// `tollgate invoice`: usage rated into draft and final invoices.
struct InvoiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoice", abstract: "Rate usage into invoices.",
        subcommands: [
            InvoiceRunCommand.self, InvoiceListCommand.self, InvoiceShowCommand.self,
            InvoiceExportCommand.self,
        ])
}
