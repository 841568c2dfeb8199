import Storage

/// A subscriber with its plan assignments as the API answers it.
struct SubscriberOutput: Encodable, Sendable {
    struct Assignment: Encodable, Sendable {
        var plan: String
        var startsOn: String
        var endsOn: String?
    }

    var id: Int64
    var user: String
    var assignments: [Assignment]

    init(_ subscriber: SubscriberRecord) {
        id = subscriber.id
        user = subscriber.userName
        assignments = subscriber.assignments.map { Assignment(plan: $0.planName, startsOn: $0.startsOn.description, endsOn: $0.endsOn?.description) }
    }
}
