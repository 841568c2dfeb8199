import Enforcement
import Testing

@Suite("Webhook retry schedule")
struct WebhookBackoffTests {
    @Test("10 s doubling, capped at 1 h")
    func delays() {
        let backoff = WebhookBackoff()
        #expect(
            (1...12).map { backoff.delay(afterAttempt: $0) } == [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600, 3600].map { .seconds($0) })
        #expect(backoff.delay(afterAttempt: 0) == .seconds(10))
        #expect(backoff.delay(afterAttempt: 1000) == .seconds(3600))
    }

    @Test("Given up at the attempt limit or when the next try would start past the age limit")
    func decisions() {
        let backoff = WebhookBackoff()
        #expect(backoff.decision(afterAttempt: 1, age: .zero) == .retry(after: .seconds(10)))
        #expect(backoff.decision(afterAttempt: 10, age: .seconds(5000)) == .retry(after: .seconds(3600)))
        #expect(backoff.decision(afterAttempt: 29, age: .zero) == .retry(after: .seconds(3600)))
        #expect(backoff.decision(afterAttempt: 30, age: .zero) == .giveUp)
        // 86 400 s is the limit: a wait that ends exactly there is still taken, one second more is not.
        #expect(backoff.decision(afterAttempt: 12, age: .seconds(82_800)) == .retry(after: .seconds(3600)))
        #expect(backoff.decision(afterAttempt: 12, age: .seconds(82_801)) == .giveUp)
        // Following the schedule from the first failure: attempts 1-29 retried, the 30th gives up
        // (29 waits: 10+20+...+2560 = 5110 s, then 20 x 3600 s = 77 110 s in all, under 24 h).
        var age = Duration.zero
        var attempt = 1
        while case .retry(let wait) = backoff.decision(afterAttempt: attempt, age: age) {
            age += wait
            attempt += 1
        }
        #expect(attempt == 30)
        #expect(age == .seconds(77_110))
    }

    @Test("A short schedule, as a test configures it")
    func custom() {
        let backoff = WebhookBackoff(initial: .milliseconds(200), maximum: .seconds(1), giveUpAfter: .seconds(60), maxAttempts: 3)
        #expect([1, 2, 3, 4].map { backoff.delay(afterAttempt: $0) } == [200, 400, 800, 1000].map { .milliseconds($0) })
        #expect(backoff.decision(afterAttempt: 2, age: .seconds(1)) == .retry(after: .milliseconds(400)))
        #expect(backoff.decision(afterAttempt: 3, age: .seconds(1)) == .giveUp)
    }
}
