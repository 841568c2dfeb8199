/// How `tollgate serve` delivers webhooks and watches for silent NAS (`[webhooks]` in the file).
public struct WebhookConfiguration: Sendable, Hashable {
    /// Whether this process runs the dispatcher and the silence watcher. Default true. Events
    /// are enqueued either way; any process of the database with it on delivers them.
    public var enabled = true
    /// How often the dispatcher looks for due deliveries when it found none, seconds. Default 1.
    public var pollInterval = 1.0
    /// Most deliveries claimed and sent at once. Default 32.
    public var batch = 32
    /// Longest one attempt may take (connect, send, answer), seconds. Default 10.
    public var timeout = 10.0
    /// How long a claimed delivery stays with its dispatcher before another may take it,
    /// seconds; longer than `timeout`. Default 60.
    public var leaseSeconds = 60
    /// When failed attempts are retried and when a delivery is given up. Defaults: 10 s,
    /// doubling, at most 1 h apart, given up after 24 h or 30 attempts.
    public var backoff = WebhookBackoff()
    /// How often the silence watcher reads the packet log and looks for silent NAS, seconds. Default 60.
    public var silenceCheckInterval = 60.0
    /// The interim interval assumed for a NAS whose open sessions state none, seconds. Default 600.
    public var silenceDefaultInterval = 600
    /// How many interim intervals without a packet make a NAS silent. Default 3 (30 min at the default interval).
    public var silenceIntervals = 3

    public init() {}
}
