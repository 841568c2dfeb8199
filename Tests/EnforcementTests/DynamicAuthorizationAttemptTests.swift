import Testing

@testable import Enforcement

@Suite("DynamicAuthorizationAttempt")
struct DynamicAuthorizationAttemptTests {
    let schedule = RetrySchedule.standard

    @Test("Silence: five transmissions with the standard waits, then a timeout after 5 attempts")
    func silence() {
        var attempt = DynamicAuthorizationAttempt(schedule: schedule)
        #expect(attempt.start() == .transmit(number: 1))
        var waits: [Duration] = []
        for number in 1...5 {
            guard case .startTimer(let transmission, let wait) = attempt.transmitted() else {
                Issue.record("transmission \(number) armed no timer")
                return
            }
            #expect(transmission == number)
            waits.append(wait)
            let next = attempt.timerFired(transmission: number)
            #expect(next == (number < 5 ? .transmit(number: number + 1) : .finish(.timeout(attempts: 5))))
        }
        #expect(waits == [.seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(32)])
        #expect(attempt.state == .finished(.timeout(attempts: 5)))
        #expect(attempt.transmissionsSent == 5)
    }

    @Test("An ACK after the first transmission finishes with 1 attempt")
    func ackFirst() {
        var attempt = DynamicAuthorizationAttempt(schedule: schedule)
        _ = attempt.start()
        _ = attempt.transmitted()
        #expect(attempt.received(.ack) == .finish(.ack(attempts: 1)))
        // Everything after the outcome is ignored: a duplicate answer, the stale timer.
        #expect(attempt.received(.ack) == .none)
        #expect(attempt.received(.nak(errorCause: 503)) == .none)
        #expect(attempt.timerFired(transmission: 1) == .none)
        #expect(attempt.abandon() == .none)
        #expect(attempt.state == .finished(.ack(attempts: 1)))
    }

    @Test("A NAK after the third transmission keeps its Error-Cause and counts 3 attempts")
    func nakThird() {
        var attempt = DynamicAuthorizationAttempt(schedule: schedule)
        _ = attempt.start()
        for number in 1...2 {
            _ = attempt.transmitted()
            #expect(attempt.timerFired(transmission: number) == .transmit(number: number + 1))
        }
        _ = attempt.transmitted()
        #expect(attempt.received(.nak(errorCause: 503)) == .finish(.nak(errorCause: 503, attempts: 3)))
    }

    @Test("A late answer to an earlier transmission while the next waits for an Identifier counts the sent ones")
    func answerWhileTransmitting() {
        var attempt = DynamicAuthorizationAttempt(schedule: schedule)
        _ = attempt.start()
        _ = attempt.transmitted()
        #expect(attempt.timerFired(transmission: 1) == .transmit(number: 2))
        #expect(attempt.state == .transmitting(number: 2))
        #expect(attempt.received(.ack) == .finish(.ack(attempts: 1)))
        #expect(attempt.transmitted() == .none)
    }

    @Test("Nothing counts before the first transmission went out")
    func answerBeforeSending() {
        var attempt = DynamicAuthorizationAttempt(schedule: schedule)
        #expect(attempt.received(.ack) == .none)
        _ = attempt.start()
        #expect(attempt.received(.ack) == .none)
        #expect(attempt.state == .transmitting(number: 1))
        #expect(attempt.start() == .none)
    }

    @Test("A timer of another transmission is stale and ignored")
    func staleTimer() {
        var attempt = DynamicAuthorizationAttempt(schedule: schedule)
        _ = attempt.start()
        _ = attempt.transmitted()
        _ = attempt.timerFired(transmission: 1)
        _ = attempt.transmitted()
        #expect(attempt.timerFired(transmission: 1) == .none)
        #expect(attempt.state == .waiting(afterTransmission: 2))
        #expect(attempt.timerFired(transmission: 2) == .transmit(number: 3))
    }

    @Test("Abandoning (shutdown) ends as a timeout with the transmissions sent so far")
    func abandon() {
        var idle = DynamicAuthorizationAttempt(schedule: schedule)
        #expect(idle.abandon() == .finish(.timeout(attempts: 0)))
        var waiting = DynamicAuthorizationAttempt(schedule: schedule)
        _ = waiting.start()
        _ = waiting.transmitted()
        _ = waiting.timerFired(transmission: 1)
        _ = waiting.transmitted()
        #expect(waiting.abandon() == .finish(.timeout(attempts: 2)))
        #expect(waiting.abandon() == .none)
    }

    @Test("A one-transmission schedule times out after its only wait")
    func singleTransmission() {
        var attempt = DynamicAuthorizationAttempt(schedule: RetrySchedule(firstWait: .seconds(1), transmissions: 1))
        _ = attempt.start()
        #expect(attempt.transmitted() == .startTimer(transmission: 1, wait: .seconds(1)))
        #expect(attempt.timerFired(transmission: 1) == .finish(.timeout(attempts: 1)))
    }
}
