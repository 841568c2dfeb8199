/// What the collector needs to recognise a NAS and verify its packets.
public struct RegisteredNAS: Sendable {
    public var device: NASDevice
    public var secret: [UInt8]

    public init(device: NASDevice, secret: [UInt8]) {
        self.device = device
        self.secret = secret
    }
}
