import Enforcement
import Testing

@Suite("Webhook retry schedule")
struct WebhookBackoffTests {
    @Test("10 s doubling, capped at 1 h")
    func delays() {
        let backoff = WebhookBackoff()
        #expect((1...12).map { backoff.delay(afterAttempt: $0) } == [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600, 3600])
        #expect(backoff.delay(afterAttempt: 0) == 10)
        #expect(backoff.delay(afterAttempt: 1000) == 3600)
    }

    @Test("Given up at the attempt limit or when the next try would start past the age limit")
    func decisions() {
        let backoff = WebhookBackoff()
        #expect(backoff.decision(afterAttempt: 1, age: 0) == .retry(after: 10))
        #expect(backoff.decision(afterAttempt: 10, age: 5000) == .retry(after: 3600))
        #expect(backoff.decision(afterAttempt: 29, age: 0) == .retry(after: 3600))
        #expect(backoff.decision(afterAttempt: 30, age: 0) == .giveUp)
        // 86 400 s is the limit: a wait that ends exactly there is still taken, one second more is not.
        #expect(backoff.decision(afterAttempt: 12, age: 82_800) == .retry(after: 3600))
        #expect(backoff.decision(afterAttempt: 12, age: 82_801) == .giveUp)
        // Following the schedule from the first failure: attempts 1-29 retried, the 30th gives up
        // (29 waits: 10+20+...+2560 = 5110 s, then 20 x 3600 s = 77 110 s in all, under 24 h).
        var age = 0.0, attempt = 1
        while case .retry(let wait) = backoff.decision(afterAttempt: attempt, age: age) {
            age += wait
            attempt += 1
        }
        #expect(attempt == 30)
        #expect(age == 77_110)
    }

    @Test("A short schedule, as a test configures it")
    func custom() {
        let backoff = WebhookBackoff(initial: 0.2, maximum: 1, giveUpAfter: 60, maxAttempts: 3)
        #expect([1, 2, 3, 4].map { backoff.delay(afterAttempt: $0) } == [0.2, 0.4, 0.8, 1])
        #expect(backoff.decision(afterAttempt: 2, age: 1) == .retry(after: 0.4))
        #expect(backoff.decision(afterAttempt: 3, age: 1) == .giveUp)
    }
}
