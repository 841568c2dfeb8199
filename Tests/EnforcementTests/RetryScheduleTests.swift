import Testing

@testable import Enforcement

@Suite("RetrySchedule")
struct RetryScheduleTests {
    @Test("The standard schedule waits 2, 4, 8, 16, 32 s: transmissions at 0, 2, 6, 14, 30 s, timeout at 62 s")
    func standard() {
        let schedule = RetrySchedule.standard
        #expect(schedule.transmissions == 5)
        #expect((1...5).map { schedule.wait(afterTransmission: $0) } == [.seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(32)])
        #expect(schedule.transmissionOffsets == [.zero, .seconds(2), .seconds(6), .seconds(14), .seconds(30)])
        #expect(schedule.timeout == .seconds(62))
    }

    @Test("A short schedule doubles the same way")
    func short() {
        let schedule = RetrySchedule(firstWait: .milliseconds(20), transmissions: 3)
        #expect(schedule.transmissionOffsets == [.zero, .milliseconds(20), .milliseconds(60)])
        #expect(schedule.timeout == .milliseconds(140))
    }

    @Test("One transmission: wait once, then time out")
    func single() {
        let schedule = RetrySchedule(firstWait: .seconds(3), transmissions: 1)
        #expect(schedule.transmissionOffsets == [.zero])
        #expect(schedule.timeout == .seconds(3))
    }
}
