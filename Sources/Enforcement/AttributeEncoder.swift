import RADIUS

/// Encodes `Name = value` text into attribute octets with a dictionary: the same names and
/// value syntax as radclient's input (numbers or VALUE names, dotted addresses, 0x octets,
/// `Name:tag` for RFC 2868 tagged attributes).
struct AttributeEncoder: Sendable {
    let dictionary: RADIUSDictionary

    /// Why a value could not be encoded.
    struct Failure: Error, Sendable, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Whether the dictionary knows `name` as an attribute this encoder can write.
    func definition(named name: String) throws(Failure) -> AttributeDefinition {
        guard let definition = dictionary.attribute(named: name) else {
            throw Failure("unknown attribute \(name): it is not in the RADIUS dictionary")
        }
        switch definition.space {
        case .root:
            guard definition.number < 256, !definition.type.isContainer else {
                throw Failure("attribute \(name) (\(definition.oid)) cannot be sent in a request")
            }
        case .vendor(let vendor):
            guard dictionary.vendor(number: vendor) != nil else { throw Failure("attribute \(name): vendor \(vendor) unknown") }
        default:
            throw Failure("attribute \(name) (\(definition.oid)) is an extended attribute, which profiles cannot send yet")
        }
        guard definition.flags.encrypt == 0 else { throw Failure("attribute \(name) is encrypted and cannot be sent in a request") }
        return definition
    }

    /// The complete attribute octets for `name` with `text` as its value.
    func encode(name: String, tag: UInt8?, text: String) throws(Failure) -> DynamicAuthorizationAttribute {
        let definition = try definition(named: name)
        var value = try encodeValue(text, for: definition, name: name)
        if let tag {
            guard definition.flags.hasTag else { throw Failure("attribute \(name) takes no tag") }
            guard (1...0x1f).contains(tag) else { throw Failure("tag \(tag) of \(name) is outside 1...31") }
            // RFC 2868 section 3: a tag octet before text, the first value octet of an integer.
            if definition.type == .integer {
                guard value[0] == 0 else { throw Failure("attribute \(name): a tagged integer holds at most 24 bits") }
                value[0] = tag
            } else {
                value.insert(tag, at: 0)
            }
        }
        var builder = RADIUSPacketBuilder(code: .coaRequest, identifier: 0)
        do {
            switch definition.space {
            case .vendor(let vendor):
                let format = dictionary.vendor(number: vendor)?.format ?? .standard
                try builder.appendVendorSpecific(vendor: vendor, type: definition.number, value: value, format: format)
            default:
                try builder.append(type: UInt8(definition.number), value: value)
            }
        } catch {
            throw Failure("attribute \(name): \(error.description)")
        }
        let shown = tag.map { "\(name):\($0)" } ?? name
        return DynamicAuthorizationAttribute(name: shown, value: text, encoded: Array(builder.bytes[RADIUSPacket.headerLength...]))
    }

    private func encodeValue(_ text: String, for definition: AttributeDefinition, name: String) throws(Failure) -> [UInt8] {
        let encoded: [UInt8]
        switch definition.type {
        case .string:
            guard !text.isEmpty else { throw Failure("attribute \(name) needs a value: RADIUS text is at least one octet") }
            encoded = Array(text.utf8)
        case .octets:
            guard text.hasPrefix("0x"), let bytes = parseHex(String(text.dropFirst(2))), !bytes.isEmpty else {
                throw Failure("attribute \(name) takes octets written 0x followed by hex digits, not '\(text)'")
            }
            encoded = bytes
        case .integer, .date:
            encoded = AttributeValue.integer(UInt32(try number(text, for: definition, name: name, maximum: UInt64(UInt32.max)))).encoded
        case .byte:
            encoded = [UInt8(try number(text, for: definition, name: name, maximum: 0xff))]
        case .short:
            encoded = AttributeValue.short(UInt16(try number(text, for: definition, name: name, maximum: 0xffff))).encoded
        case .integer64:
            encoded = AttributeValue.integer64(try number(text, for: definition, name: name, maximum: UInt64.max)).encoded
        case .signed:
            guard let value = Int32(text) else { throw Failure("attribute \(name) takes a signed 32-bit number, not '\(text)'") }
            encoded = AttributeValue.signed(value).encoded
        case .ipaddr:
            guard let address = IPv4Address(text) else { throw Failure("attribute \(name) takes an IPv4 address, not '\(text)'") }
            encoded = address.bytes
        case .ipv6addr:
            guard let address = IPv6Address(text) else { throw Failure("attribute \(name) takes an IPv6 address, not '\(text)'") }
            encoded = address.bytes
        case .comboIP:
            if let v4 = IPv4Address(text) {
                encoded = v4.bytes
            } else if let v6 = IPv6Address(text) {
                encoded = v6.bytes
            } else {
                throw Failure("attribute \(name) takes an IPv4 or IPv6 address, not '\(text)'")
            }
        default:
            throw Failure("attribute \(name) has type \(definition.type.rawValue), which profiles cannot send")
        }
        return encoded
    }

    private func number(_ text: String, for definition: AttributeDefinition, name: String, maximum: UInt64) throws(Failure) -> UInt64 {
        if let value = UInt64(text) {
            guard value <= maximum else { throw Failure("attribute \(name): \(value) is larger than \(maximum)") }
            return value
        }
        if let index = dictionary.attributeIndex(named: name), let value = dictionary.valueNumber(named: text, forAttributeAt: index) {
            return value
        }
        throw Failure("attribute \(name) takes a number or one of its dictionary VALUE names, not '\(text)'")
    }
}
