import CivilCalendar
import Testing

@Suite("Durations in whole units")
struct DurationWholeUnitsTests {
    @Test("Whole seconds, milliseconds and microseconds are exact where dividing Durations is not")
    func exact() {
        // Dividing as Doubles gives 2364.9999999999995 for these 2,365 s.
        #expect(Int(Duration.seconds(2365) / .seconds(1)) == 2364)
        #expect(Duration.seconds(2365).wholeSeconds == 2365)
        #expect(Duration.seconds(2365).wholeMilliseconds == 2_365_000)
        #expect(Duration.seconds(2365).wholeMicroseconds == 2_365_000_000)
        #expect(Duration.milliseconds(295_149).wholeMilliseconds == 295_149)
        #expect(Duration.milliseconds(1_500).wholeSeconds == 1)
        #expect(Duration.microseconds(1_999).wholeMilliseconds == 1)
        #expect(Duration.nanoseconds(999).wholeMicroseconds == 0)
        #expect(Duration.milliseconds(-1_500).wholeSeconds == -1)
        #expect(Duration.milliseconds(-1_500).wholeMilliseconds == -1_500)
    }

    @Test("Every whole number of seconds up to 30 days, and of milliseconds up to an hour, reads back as itself")
    func sweep() {
        var wrong = 0
        for seconds in Int64(0)...2_592_000 {
            let duration = Duration.seconds(seconds)
            if duration.wholeSeconds != seconds || duration.wholeMilliseconds != seconds * 1_000 || duration.wholeMicroseconds != seconds * 1_000_000
            {
                wrong += 1
            }
        }
        for milliseconds in Int64(0)...3_600_000 where Duration.milliseconds(milliseconds).wholeMilliseconds != milliseconds {
            wrong += 1
        }
        #expect(wrong == 0)
    }
}
