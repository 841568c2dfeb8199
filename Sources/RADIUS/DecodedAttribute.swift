/// One attribute of a packet as its dictionary describes it: vendor and extended attributes
/// are flattened out of their containers, fragments reassembled, tags split off.
public struct DecodedAttribute: Hashable, Sendable {
    /// The dictionary name, or `Attr-<oid>` for an attribute the dictionary does not know.
    public var name: String
    /// Dotted numbers from the top: "1", "26.9.1", "241.1", "245.26.11344.1".
    public var oid: String
    /// The vendor number (0 for standard and extended attributes).
    public var vendor: UInt32
    /// The number within its space (the vendor type for vendor attributes).
    public var number: UInt32
    /// The RFC 2868 tag, for attributes defined `has_tag` that carry one.
    public var tag: UInt8?
    public var value: AttributeValue
    /// Index of the definition in the dictionary used to decode, nil when unknown.
    public var definitionIndex: Int?

    public init(
        name: String, oid: String, vendor: UInt32 = 0, number: UInt32, tag: UInt8? = nil,
        value: AttributeValue, definitionIndex: Int? = nil
    ) {
        self.name = name
        self.oid = oid
        self.vendor = vendor
        self.number = number
        self.tag = tag
        self.value = value
        self.definitionIndex = definitionIndex
    }
}

extension RADIUSPacket {
    /// Every attribute, decoded with `dictionary`.
    ///
    /// Allocates what it returns; the collector's hot path reads known attributes in place
    /// with `first(_:)` and `uint32(_:)` instead.
    public func decodeAttributes(dictionary: RADIUSDictionary) -> [DecodedAttribute] {
        var decoder = AttributeDecoder(packet: self, dictionary: dictionary)
        return decoder.decodeAll()
    }
}

struct AttributeDecoder {
    let packet: RADIUSPacket
    let dictionary: RADIUSDictionary
    var output: [DecodedAttribute] = []
    /// A WiMAX-style vendor attribute whose More bit asked for the next Vendor-Specific.
    var continuation: (vendor: UInt32, type: UInt32, bytes: [UInt8])?

    init(packet: RADIUSPacket, dictionary: RADIUSDictionary) {
        self.packet = packet
        self.dictionary = dictionary
    }

    mutating func decodeAll() -> [DecodedAttribute] {
        let raws = Array(packet.attributes)
        var i = 0
        while i < raws.count {
            let raw = raws[i]
            let value = packet.value(raw)
            if raw.type != 26 { flushContinuation() }
            switch raw.type {
            case 26:
                decodeVendorSpecific(value)
                i += 1
            case 241...244:
                decodeExtended(type: raw.type, value)
                i += 1
            case 245, 246:
                i = decodeLongExtended(raws, from: i)
            default:
                let index = dictionary.attributeIndex(UInt32(raw.type), in: .root)
                if let index, dictionary.attributes[index].flags.concat {
                    // Consecutive attributes of a concat type form one value (e.g. EAP-Message).
                    var joined = Array(value)
                    var j = i + 1
                    while j < raws.count && raws[j].type == raw.type {
                        joined.append(contentsOf: packet.value(raws[j]))
                        j += 1
                    }
                    emit(joined[...], number: UInt32(raw.type), vendor: 0, index: index, oid: String(raw.type))
                    i = j
                } else {
                    emit(value, number: UInt32(raw.type), vendor: 0, index: index, oid: String(raw.type))
                    i += 1
                }
            }
        }
        flushContinuation()
        return output
    }

    /// Reports a continuation that never received its final fragment.
    private mutating func flushContinuation() {
        guard let pending = continuation else { return }
        continuation = nil
        let oid = "26.\(pending.vendor).\(pending.type)"
        output.append(
            invalid(
                "Attr-\(oid)", oid: oid, vendor: pending.vendor, number: pending.type, pending.bytes[...],
                reason: "continuation never completed"))
    }

    /// Vendor-Specific (RFC 2865 5.26): Vendor-Id, then attributes in the vendor's format.
    private mutating func decodeVendorSpecific(_ value: ArraySlice<UInt8>) {
        guard value.count >= 5 else {
            output.append(invalid("Vendor-Specific", oid: "26", number: 26, value, reason: "Vendor-Specific shorter than 5 octets"))
            return
        }
        let vendor = UInt32(truncatingIfNeeded: bigEndian(value.prefix(4)))
        let format = dictionary.vendor(number: vendor)?.format ?? .standard
        let body = value.dropFirst(4)
        guard let subAttributes = splitVendorAttributes(body, format: format) else {
            output.append(
                invalid(
                    "Vendor-Specific", oid: "26.\(vendor)", vendor: vendor, number: 26, value,
                    reason: "vendor attributes do not fit \(format)"))
            return
        }
        for sub in subAttributes {
            guard format.hasContinuation else {
                emitVendor(sub.value, vendor: vendor, type: sub.type, space: .vendor(vendor), oidPrefix: "26.\(vendor)")
                continue
            }
            // WiMAX-style continuation: the More bit joins this value to the next fragment of
            // the same vendor attribute, which may sit in the next Vendor-Specific.
            var bytes: [UInt8] = []
            if let pending = continuation, pending.vendor == vendor, pending.type == sub.type {
                bytes = pending.bytes
                continuation = nil
            } else {
                flushContinuation()
            }
            bytes.append(contentsOf: sub.value)
            if sub.more {
                continuation = (vendor, sub.type, bytes)
            } else {
                emitVendor(bytes[...], vendor: vendor, type: sub.type, space: .vendor(vendor), oidPrefix: "26.\(vendor)")
            }
        }
    }

    private mutating func emitVendor(_ value: ArraySlice<UInt8>, vendor: UInt32, type: UInt32, space: AttributeSpace, oidPrefix: String) {
        let index = dictionary.attributeIndex(type, in: space)
        emit(value, number: type, vendor: vendor, index: index, oid: "\(oidPrefix).\(type)")
    }

    private struct VendorSubAttribute {
        var type: UInt32
        var value: ArraySlice<UInt8>
        var more: Bool
    }

    private func splitVendorAttributes(_ body: ArraySlice<UInt8>, format: VendorFormat) -> [VendorSubAttribute]? {
        var result: [VendorSubAttribute] = []
        var offset = body.startIndex
        let header = format.typeWidth + format.lengthWidth + (format.hasContinuation ? 1 : 0)
        while offset < body.endIndex {
            guard body.endIndex - offset >= header else { return nil }
            let type = UInt32(truncatingIfNeeded: bigEndian(body[offset..<(offset + format.typeWidth)]))
            var length: Int
            switch format.lengthWidth {
            case 0: length = body.endIndex - offset
            default:
                let lengthStart = offset + format.typeWidth
                length = Int(bigEndian(body[lengthStart..<(lengthStart + format.lengthWidth)]))
            }
            guard length >= header, offset + length <= body.endIndex else { return nil }
            let more = format.hasContinuation && (body[offset + format.typeWidth + format.lengthWidth] & 0x80) != 0
            result.append(VendorSubAttribute(type: type, value: body[(offset + header)..<(offset + length)], more: more))
            offset += length
        }
        return result
    }

    /// RFC 6929 Extended-Type: Extended-Type octet, then the value (or an EVS payload).
    private mutating func decodeExtended(type: UInt8, _ value: ArraySlice<UInt8>) {
        guard let extendedType = value.first else {
            output.append(invalid("Attr-\(type)", oid: String(type), number: UInt32(type), value, reason: "extended attribute without Extended-Type"))
            return
        }
        decodeExtendedPayload(type: type, extendedType: extendedType, value.dropFirst())
    }

    private mutating func decodeExtendedPayload(type: UInt8, extendedType: UInt8, _ payload: ArraySlice<UInt8>) {
        let parent = dictionary.attributeIndex(UInt32(type), in: .root)
        let oid = "\(type).\(extendedType)"
        if extendedType == 26 {
            // Extended-Vendor-Specific: Vendor-Id (4), Vendor-Type (1), value.
            guard payload.count >= 5 else {
                output.append(invalid("Attr-\(oid)", oid: oid, number: 26, payload, reason: "Extended-Vendor-Specific shorter than 5 octets"))
                return
            }
            let vendor = UInt32(truncatingIfNeeded: bigEndian(payload.prefix(4)))
            let vendorType = UInt32(payload[payload.startIndex + 4])
            let evs = parent.flatMap { dictionary.attributeIndex(26, in: .child(of: $0)) }
            let space: AttributeSpace = evs.map { .extendedVendor(parent: $0, vendor: vendor) } ?? .vendor(UInt32.max)
            emitVendor(payload.dropFirst(5), vendor: vendor, type: vendorType, space: space, oidPrefix: "\(oid).\(vendor)")
            return
        }
        let index = parent.flatMap { dictionary.attributeIndex(UInt32(extendedType), in: .child(of: $0)) }
        emit(payload, number: UInt32(extendedType), vendor: 0, index: index, oid: oid)
    }

    /// RFC 6929 Long-Extended-Type: Extended-Type, flags (M = more), value; fragments with M set
    /// continue in the next attribute of the same Type and Extended-Type. Returns the next index.
    private mutating func decodeLongExtended(_ raws: [RawAttribute], from start: Int) -> Int {
        let first = raws[start]
        let value = packet.value(first)
        guard value.count >= 2 else {
            output.append(
                invalid(
                    "Attr-\(first.type)", oid: String(first.type), number: UInt32(first.type), value,
                    reason: "long extended attribute shorter than 2 octets"))
            return start + 1
        }
        let extendedType = value[value.startIndex]
        var more = value[value.startIndex + 1] & 0x80 != 0
        var joined = Array(value.dropFirst(2))
        var i = start + 1
        while more {
            guard i < raws.count, raws[i].type == first.type else {
                output.append(
                    invalid(
                        "Attr-\(first.type).\(extendedType)", oid: "\(first.type).\(extendedType)", number: UInt32(extendedType),
                        joined[...], reason: "fragment with More set is not followed by its continuation"))
                return i
            }
            let next = packet.value(raws[i])
            guard next.count >= 2, next[next.startIndex] == extendedType else {
                output.append(
                    invalid(
                        "Attr-\(first.type).\(extendedType)", oid: "\(first.type).\(extendedType)", number: UInt32(extendedType),
                        joined[...], reason: "continuation fragment has another Extended-Type"))
                return i
            }
            more = next[next.startIndex + 1] & 0x80 != 0
            joined.append(contentsOf: next.dropFirst(2))
            i += 1
        }
        decodeExtendedPayload(type: first.type, extendedType: extendedType, joined[...])
        return i
    }

    /// Decodes one value by its definition (or as unknown octets) and appends it.
    private mutating func emit(_ value: ArraySlice<UInt8>, number: UInt32, vendor: UInt32, index: Int?, oid: String) {
        guard let index else {
            output.append(DecodedAttribute(name: "Attr-\(oid)", oid: oid, vendor: vendor, number: number, value: .octets(Array(value))))
            return
        }
        let definition = dictionary.attributes[index]
        var payload = value
        var tag: UInt8?
        if definition.flags.hasTag, let firstOctet = payload.first {
            // RFC 2868 3: integer values always carry the tag in their first octet; text
            // and octets only when that octet is 0x01-0x1F.
            if definition.type == .integer {
                tag = firstOctet
                payload = [0] + payload.dropFirst()
            } else if firstOctet <= 0x1f {
                tag = firstOctet
                payload = payload.dropFirst()
            }
        }
        if definition.flags.encrypt != 0 {
            // Encrypted values are shown as sent; decrypting needs the shared secret and the
            // request's authenticator, which the caller supplies separately.
            output.append(
                DecodedAttribute(
                    name: definition.name, oid: oid, vendor: vendor, number: number, tag: tag,
                    value: .octets(Array(payload)), definitionIndex: index))
            return
        }
        if definition.type == .tlv {
            output.append(
                DecodedAttribute(
                    name: definition.name, oid: oid, vendor: vendor, number: number, tag: tag,
                    value: decodeTLV(payload, parent: index, oid: oid, vendor: vendor), definitionIndex: index))
            return
        }
        if definition.flags.array, let size = definition.requiredLength, size > 0, payload.count != size, payload.count % size == 0 {
            var offset = payload.startIndex
            while offset < payload.endIndex {
                output.append(
                    DecodedAttribute(
                        name: definition.name, oid: oid, vendor: vendor, number: number, tag: tag,
                        value: AttributeValue.decode(
                            payload[offset..<(offset + size)], as: definition.type, fixedLength: definition.flags.fixedLength),
                        definitionIndex: index))
                offset += size
            }
            return
        }
        output.append(
            DecodedAttribute(
                name: definition.name, oid: oid, vendor: vendor, number: number, tag: tag,
                value: AttributeValue.decode(payload, as: definition.type, fixedLength: definition.flags.fixedLength),
                definitionIndex: index))
    }

    private func decodeTLV(_ value: ArraySlice<UInt8>, parent: Int, oid: String, vendor: UInt32) -> AttributeValue {
        var children: [DecodedAttribute] = []
        var offset = value.startIndex
        while offset < value.endIndex {
            guard value.endIndex - offset >= 2 else {
                return .invalid(Array(value), reason: "TLV header runs past the value")
            }
            let type = value[offset]
            let length = Int(value[offset + 1])
            guard length >= 2, offset + length <= value.endIndex else {
                return .invalid(Array(value), reason: "TLV \(type) with Length \(length) runs past the value")
            }
            let childValue = value[(offset + 2)..<(offset + length)]
            let childOID = "\(oid).\(type)"
            if let index = dictionary.attributeIndex(UInt32(type), in: .child(of: parent)) {
                let definition = dictionary.attributes[index]
                let decoded: AttributeValue =
                    definition.type == .tlv
                    ? decodeTLV(childValue, parent: index, oid: childOID, vendor: vendor)
                    : AttributeValue.decode(childValue, as: definition.type, fixedLength: definition.flags.fixedLength)
                children.append(
                    DecodedAttribute(
                        name: definition.name, oid: childOID, vendor: vendor, number: UInt32(type),
                        value: decoded, definitionIndex: index))
            } else {
                children.append(
                    DecodedAttribute(
                        name: "Attr-\(childOID)", oid: childOID, vendor: vendor, number: UInt32(type),
                        value: .octets(Array(childValue))))
            }
            offset += length
        }
        return .tlv(children)
    }

    private func invalid(_ name: String, oid: String, vendor: UInt32 = 0, number: UInt32, _ value: ArraySlice<UInt8>, reason: String)
        -> DecodedAttribute
    {
        DecodedAttribute(name: name, oid: oid, vendor: vendor, number: number, value: .invalid(Array(value), reason: reason))
    }
}
