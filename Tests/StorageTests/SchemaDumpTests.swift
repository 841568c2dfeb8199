import Testing

/// What the schema snapshot test compares and prints: the normalised dump, and the first
/// differing lines when it fails.
@Suite("Schema dump: normalisation and the first difference")
struct SchemaDumpTests {
    @Test("Versions, \\restrict lines, session settings and the database name are taken out; objects stay")
    func normalisation() {
        let dump = """
            --
            -- PostgreSQL database dump
            --

            \\restrict Zq8XyKf3mB1c

            -- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
            -- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

            SET statement_timeout = 0;
            SET transaction_timeout = 0;
            SELECT pg_catalog.set_config('search_path', '', false);
            SET row_security = off;

            --
            -- Name: f(); Type: FUNCTION; Schema: public; Owner: -
            --

            CREATE FUNCTION public.f() RETURNS trigger
                LANGUAGE plpgsql SECURITY DEFINER
                SET search_path TO 'public'
                AS $fn$ BEGIN RETURN NULL; END $fn$;
            SET default_tablespace = '';
            COMMENT ON FUNCTION public.f() IS 'in tg_k3x9';


            \\unrestrict Zq8XyKf3mB1c

            """
        #expect(
            SchemaDump.normalised(dump, database: "tg_k3x9") == """
                --
                -- PostgreSQL database dump
                --

                --
                -- Name: f(); Type: FUNCTION; Schema: public; Owner: -
                --

                CREATE FUNCTION public.f() RETURNS trigger
                    LANGUAGE plpgsql SECURITY DEFINER
                    SET search_path TO 'public'
                    AS $fn$ BEGIN RETURN NULL; END $fn$;
                SET default_tablespace = '';
                COMMENT ON FUNCTION public.f() IS 'in DATABASE';

                """)
    }

    @Test("Equal texts have no difference")
    func equal() {
        #expect(LineDiff(expected: ["a", "b"], actual: ["a", "b"]) == nil)
        #expect(LineDiff(expected: [], actual: []) == nil)
    }

    @Test("A changed line shows alone, with three lines of context each side")
    func changedLine() throws {
        let expected = (1...10).map { "line \($0)" }
        var actual = expected
        actual[5] = "line six"
        let diff = try #require(LineDiff(expected: expected, actual: actual))
        #expect(
            diff.unified(expectedName: "snapshot", actualName: "database") == """
                --- snapshot
                +++ database
                @@ -3,7 +3,7 @@
                 line 3
                 line 4
                 line 5
                -line 6
                +line six
                 line 7
                 line 8
                 line 9
                """)
    }

    @Test("An added line is one + line, not everything after it; a line added at the end too")
    func addedLine() throws {
        let expected = (1...8).map { "line \($0)" }
        var actual = expected
        actual.insert("GRANT SELECT ON TABLE public.x TO tollgate_tenant;", at: 2)
        let inserted = try #require(LineDiff(expected: expected, actual: actual))
        #expect(inserted.lines == [" line 1", " line 2", "+GRANT SELECT ON TABLE public.x TO tollgate_tenant;", " line 3", " line 4", " line 5"])
        #expect((inserted.expectedStart, inserted.expectedCount, inserted.actualStart, inserted.actualCount) == (1, 5, 1, 6))

        let appended = try #require(LineDiff(expected: expected, actual: expected + ["extra"]))
        #expect(appended.lines == [" line 6", " line 7", " line 8", "+extra"])
        #expect((appended.expectedStart, appended.expectedCount, appended.actualStart, appended.actualCount) == (6, 3, 6, 4))
    }

    @Test("A removed block shows as - lines; a long hunk is cut at the limit with the rest counted")
    func removedBlock() throws {
        let expected = (1...100).map { "line \($0)" }
        let actual = Array(expected[..<10] + expected[90...])
        let diff = try #require(LineDiff(expected: expected, actual: actual))
        #expect(diff.lines.filter { $0.hasPrefix("-") }.count == 80)
        #expect(diff.lines.filter { $0.hasPrefix("+") }.isEmpty)
        #expect((diff.expectedStart, diff.expectedCount, diff.actualStart, diff.actualCount) == (8, 86, 8, 6))
        let text = diff.unified(expectedName: "a", actualName: "b", limit: 5)
        #expect(text.split(separator: "\n").last == "... 81 more lines of this hunk")
    }
}
