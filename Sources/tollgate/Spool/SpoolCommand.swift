import ArgumentParser

/// `tollgate spool`: what a spool folder holds, and what to do with batches written for
/// another database than the one the collector now uses.
struct SpoolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spool", abstract: "Inspect the on-disk spool; replay or set aside batches written for another database.",
        discussion: """
            A collector replays only the spool segments written for the database it uses. Segments written for \
            another database (the collector was pointed elsewhere) are kept untouched and reported on /healthz and \
            in tollgate_spool_foreign_segments until they are replayed into their database or set aside. \
            `replay` and `set-aside` take the spool's lock: stop the collector that uses the folder first.
            """,
        subcommands: [SpoolStatusCommand.self, SpoolReplayCommand.self, SpoolSetAsideCommand.self])
}
