import ArgumentParser
import RADIUS

/// `tollgate decode`: one packet taken apart by hand, as the collector reads it.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode a RADIUS packet given in hex and check its authenticators.",
        discussion: """
            Prints the code, identifier, every attribute by name with its typed value and, with \
            --secret, whether the Request/Response Authenticator and Message-Authenticator verify. \
            For a response, pass the request's authenticator with --request-authenticator.
            """
    )

    @Argument(help: "The packet as hex (spaces and colons are ignored).")
    var hex: String

    @Option(help: "The shared secret, to verify authenticators.")
    var secret: String?

    @Option(help: "The request authenticator (hex) when decoding a response.")
    var requestAuthenticator: String?

    @Option(help: "Top dictionary file. Default: TOLLGATE_DICTIONARY, then the bundled Dictionaries/dictionary.")
    var dictionary: String?

    func run() throws {
        guard let bytes = parseHex(hex) else {
            throw ValidationError("the packet is not valid hex")
        }
        var requestAuth: Authenticator?
        if let requestAuthenticator {
            guard let raw = parseHex(requestAuthenticator), raw.count == 16 else {
                throw ValidationError("--request-authenticator must be 16 octets of hex")
            }
            requestAuth = Authenticator(raw)
        }
        let dict = try loadDictionary(dictionary)
        let packet: RADIUSPacket
        do {
            packet = try RADIUSPacket(decoding: bytes)
        } catch {
            printError("not a valid RADIUS packet: \(error)")
            throw ExitCode(1)
        }
        print(PacketDescription.describe(packet, dictionary: dict, secret: secret.map { Array($0.utf8) }, requestAuthenticator: requestAuth))
    }
}
