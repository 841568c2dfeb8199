import Metrics
import Prometheus

extension Serve {
    /// The metrics other than the collector's (enforcement, webhooks, HTTP requests): one
    /// registry per process, as swift-metrics has one factory per process.
    static let registry = PrometheusCollectorRegistry()

    /// Makes swift-metrics (Hummingbird's MetricsMiddleware) record into `registry`; once per
    /// process, as `MetricsSystem.bootstrap` allows.
    static let bootstrapMetrics: Void = MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

    /// The registry in the Prometheus text exposition format.
    static func renderRegistry() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
