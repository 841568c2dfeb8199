/// How `tollgate serve` delivers webhooks and watches for silent NAS (`[webhooks]` in the file).
public struct WebhookConfiguration: Sendable, Hashable {
    /// Whether this process runs the dispatcher and the silence watcher. Default true. Events
    /// are enqueued either way; any process of the database with it on delivers them.
    public var enabled = true
    /// How often the dispatcher looks for due deliveries when it found none. Default 1 s.
    public var pollInterval: Duration = .seconds(1)
    /// Most deliveries claimed and sent at once. Default 32.
    public var batch = 32
    /// Longest one attempt may take (connect, send, answer). Default 10 s.
    public var timeout: Duration = .seconds(10)
    /// How long a claimed delivery stays with its dispatcher before another may take it;
    /// longer than `timeout`, whole seconds (the database counts the lease in seconds). Default 60 s.
    public var lease: Duration = .seconds(60)
    /// When failed attempts are retried and when a delivery is given up. Defaults: 10 s,
    /// doubling, at most 1 h apart, given up after 24 h or 30 attempts.
    public var backoff = WebhookBackoff()
    /// How often the silence watcher reads the packet log and looks for silent NAS. Default 60 s.
    public var silenceCheckInterval: Duration = .seconds(60)
    /// The interim interval assumed for a NAS whose open sessions state none, whole seconds.
    /// Default 600 s.
    public var silenceDefaultInterval: Duration = .seconds(600)
    /// How many interim intervals without a packet make a NAS silent. Default 3 (30 min at the default interval).
    public var silenceIntervals = 3

    public init() {}
}
