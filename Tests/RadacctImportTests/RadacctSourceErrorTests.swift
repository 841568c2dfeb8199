import Testing

@testable import RadacctImport

@Suite struct RadacctSourceErrorTests {
    @Test func namesTheLineWhenKnown() {
        #expect(RadacctSourceError(line: 12, "unterminated string").description == "line 12: unterminated string")
        #expect(RadacctSourceError(line: 0, "empty file").description == "empty file")
    }
}
