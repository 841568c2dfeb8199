import Enforcement
import Storage
import Testing

@Suite("Webhook signatures and messages")
struct WebhookSignerTests {
    static let secret = Array("whsec_00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff".utf8)
    static let body =
        #"{"id":"6f1c2b0e-3d4a-4c5b-9e8f-0a1b2c3d4e5f","event":"nas.silent","tenant":"acme","created_at":"2026-11-28T12:00:00Z","data":{"nas":{"id":7}}}"#

    // Expected values computed independently (Python's hmac module) over "<t>.<body>".
    @Test("HMAC-SHA256 over \"<timestamp>.<body>\" with the secret's text as key, lower-case hex")
    func vectors() {
        #expect(
            WebhookSigner.signature(secret: Self.secret, timestamp: 1_795_867_200, body: Array(Self.body.utf8))
                == "4804d28f7d561f7230c1a37f4ef513bfa73283d851684f3f41b2a0f0031b778a")
        #expect(
            WebhookSigner.signature(secret: Array("key".utf8), timestamp: 1, body: [])
                == "53123bc365c2fe4bee48bc5cc6cd6c19699147d43513154ed34277c7c063e80f")
        #expect(WebhookSigner.signature(secret: [], timestamp: 0, body: []) == "b849d5a581847b281957065739df36df2463d1977ea8d6e1e4e6cf33fadc68c3")
        #expect(
            WebhookSigner.header(secret: Array("key".utf8), timestamp: 1, body: [])
                == "t=1,v1=53123bc365c2fe4bee48bc5cc6cd6c19699147d43513154ed34277c7c063e80f")
    }

    @Test("A changed body, timestamp or secret changes the signature")
    func sensitivity() {
        let base = WebhookSigner.signature(secret: Self.secret, timestamp: 1_795_867_200, body: Array(Self.body.utf8))
        #expect(WebhookSigner.signature(secret: Self.secret, timestamp: 1_795_867_201, body: Array(Self.body.utf8)) != base)
        #expect(WebhookSigner.signature(secret: Self.secret, timestamp: 1_795_867_200, body: Array((Self.body + " ").utf8)) != base)
        #expect(WebhookSigner.signature(secret: Self.secret.dropLast() + [0x30], timestamp: 1_795_867_200, body: Array(Self.body.utf8)) != base)
    }

    @Test("The message: the body from the delivery, every header, the signature over exactly that body")
    func message() {
        let delivery = ClaimedWebhookDelivery(
            tenantID: 1, tenantSlug: "acme", deliveryID: 9, endpointID: 3, url: "http://127.0.0.1:1/hook", secret: Self.secret,
            event: "nas.silent", idempotencyKey: "6f1c2b0e-3d4a-4c5b-9e8f-0a1b2c3d4e5f", data: #"{"nas":{"id":7}}"#,
            createdAt: "2026-11-28T12:00:00Z", attempt: 2, ageSeconds: 30, claim: "00000000-0000-0000-0000-000000000001")
        let message = WebhookMessage(delivery: delivery, timestamp: 1_795_867_200)
        #expect(String(decoding: message.body, as: UTF8.self) == Self.body)
        #expect(
            message.headers.map(\.name) == [
                "Content-Type", "User-Agent", "Tollgate-Event", "Tollgate-Idempotency-Key",
                "Tollgate-Delivery-Attempt", "Tollgate-Signature",
            ])
        #expect(
            message.headers.map(\.value) == [
                "application/json", "Tollgate-Webhooks/1", "nas.silent", "6f1c2b0e-3d4a-4c5b-9e8f-0a1b2c3d4e5f", "2",
                "t=1795867200,v1=4804d28f7d561f7230c1a37f4ef513bfa73283d851684f3f41b2a0f0031b778a",
            ])
    }
}
