import ArgumentParser

/// How listing commands print: tables for people, JSON for machines, CSV for spreadsheets.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}
