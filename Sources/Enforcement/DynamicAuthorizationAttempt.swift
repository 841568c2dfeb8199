/// One request's life: transmit, wait, retransmit, ..., outcome. Pure: it does no I/O and
/// reads no clock; the client runs the actions it returns.
///
/// Each transmission carries a fresh Event-Timestamp, so its attributes differ from the
/// previous one and RFC 5176 section 2.3 requires a new Identifier and Request Authenticator:
/// the client gives every transmission its own Identifier and, while Identifiers are to spare,
/// keeps the earlier ones reserved until the outcome, so a late answer to an earlier
/// transmission still counts.
public struct DynamicAuthorizationAttempt: Sendable, Hashable {
    public enum State: Sendable, Hashable {
        /// Not started.
        case idle
        /// Transmission `number` is due (it may wait for a free Identifier).
        case transmitting(number: Int)
        /// Transmission `number` went out; waiting for an answer or the timer.
        case waiting(afterTransmission: Int)
        case finished(DynamicAuthorizationOutcome)
    }

    /// What the client must do next.
    public enum Action: Sendable, Hashable {
        /// Send transmission `number` with a new Identifier and Event-Timestamp.
        case transmit(number: Int)
        /// Arm the timer of transmission `number` for `wait`.
        case startTimer(transmission: Int, wait: Duration)
        /// Report the outcome (exactly once) and release the request's Identifiers.
        case finish(DynamicAuthorizationOutcome)
        /// Nothing: a stale timer or an answer after the outcome.
        case none
    }

    public let schedule: RetrySchedule
    public private(set) var state: State = .idle

    public init(schedule: RetrySchedule) {
        self.schedule = schedule
    }

    /// Transmissions that went out so far.
    public var transmissionsSent: Int {
        switch state {
        case .idle: return 0
        case .transmitting(let number): return number - 1
        case .waiting(let number): return number
        case .finished(let outcome): return outcome.attempts
        }
    }

    /// Begins: the first transmission is due.
    public mutating func start() -> Action {
        guard case .idle = state else { return .none }
        state = .transmitting(number: 1)
        return .transmit(number: 1)
    }

    /// The due transmission went out (or was handed to the network and lost: the timer covers both).
    public mutating func transmitted() -> Action {
        guard case .transmitting(let number) = state else { return .none }
        state = .waiting(afterTransmission: number)
        return .startTimer(transmission: number, wait: schedule.wait(afterTransmission: number))
    }

    /// The timer of transmission `number` ran out.
    public mutating func timerFired(transmission number: Int) -> Action {
        guard case .waiting(let current) = state, current == number else { return .none }
        if number < schedule.transmissions {
            state = .transmitting(number: number + 1)
            return .transmit(number: number + 1)
        }
        return finish(.timeout(attempts: number))
    }

    /// A validated answer to any of this request's transmissions arrived.
    public mutating func received(_ reply: DynamicAuthorizationReply) -> Action {
        switch state {
        case .waiting, .transmitting:
            let sent = transmissionsSent
            guard sent > 0 else { return .none }
            switch reply {
            case .ack: return finish(.ack(attempts: sent))
            case .nak(let cause): return finish(.nak(errorCause: cause, attempts: sent))
            }
        case .idle, .finished:
            return .none
        }
    }

    /// The request cannot go on (the client shuts down, or the packet cannot be built or
    /// addressed): it times out with the transmissions sent so far.
    public mutating func abandon() -> Action {
        switch state {
        case .finished: return .none
        default: return finish(.timeout(attempts: transmissionsSent))
        }
    }

    private mutating func finish(_ outcome: DynamicAuthorizationOutcome) -> Action {
        state = .finished(outcome)
        return .finish(outcome)
    }
}
