import API
import CivilCalendar
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOSSL

/// The HTTP port's protocol stack: HTTP/1.1 with an idle timeout, wrapped in TLS when a
/// certificate and key are configured.
enum HTTPServerSetup {
    /// Stops accepting connections while `maxConnections` are open; the kernel's backlog
    /// holds further ones until one closes.
    static func connectionLimit(_ settings: APISettings, logger: Logger) -> any AvailableConnectionsDelegate {
        MaximumAvailableConnections(settings.maxConnections, logger: logger)
    }

    static func builder(_ settings: APISettings) throws -> HTTPServerBuilder {
        let http = HTTPServerBuilder.http1(configuration: .init(idleTimeout: .milliseconds(settings.idleTimeout.wholeMilliseconds)))
        guard let certificatePath = settings.tlsCertificate, let keyPath = settings.tlsKey else { return http }
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw TollgateConfiguration.Error("api.tls_certificate \(certificatePath): not a readable PEM certificate chain (\(error))")
        }
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw TollgateConfiguration.Error("api.tls_key \(keyPath): not a readable PEM private key (\(error))")
        }
        guard !chain.isEmpty else { throw TollgateConfiguration.Error("api.tls_certificate \(certificatePath) holds no certificate") }
        let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        return try .tls(http, tlsConfiguration: tls)
    }
}
