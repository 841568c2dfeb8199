import ArgumentParser

/// `--format`: how a command prints what it shows; a table unless told otherwise.
struct FormatOption: ParsableArguments {
    @Option(help: "Output format.")
    var format: OutputFormat = .table
}
