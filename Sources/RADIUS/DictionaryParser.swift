#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads dictionary files in the FreeRADIUS format.
///
/// Understands `$INCLUDE` (relative to the including file) and `$INCLUDE-` (optional),
/// `VENDOR name number [format=t,l[,c]]`, `BEGIN-VENDOR name [format=Extended-Vendor-Specific-N]`,
/// `END-VENDOR`, `BEGIN-TLV`/`END-TLV`, `ATTRIBUTE name number type [flags]` with dotted
/// (oid) numbers, and `VALUE attribute name number`. Errors name the file and line.
struct DictionaryParser {
    private(set) var dictionary = RADIUSDictionary()

    private enum Block {
        case vendor(VendorDefinition, space: AttributeSpace, opened: SourceLocation)
        case tlv(index: Int, opened: SourceLocation)
    }

    private var blocks: [Block] = []
    private var includeStack: [String] = []
    /// VALUE lines naming attributes not yet defined: resolved at the end.
    private var pendingValues: [(attribute: String, name: String, number: String, location: SourceLocation)] = []

    mutating func load(path: String) throws(DictionaryError) {
        try include(path: path, optional: false, from: SourceLocation(file: path, line: 0))
    }

    mutating func finish() throws(DictionaryError) -> RADIUSDictionary {
        if let open = blocks.last {
            switch open {
            case .vendor(let vendor, _, let opened):
                throw DictionaryError("BEGIN-VENDOR \(vendor.name) has no END-VENDOR", at: opened)
            case .tlv(let index, let opened):
                throw DictionaryError("BEGIN-TLV \(dictionary.attributes[index].name) has no END-TLV", at: opened)
            }
        }
        for pending in pendingValues {
            guard let index = dictionary.attributeIndex(named: pending.attribute) else {
                throw DictionaryError("VALUE for unknown attribute \(pending.attribute)", at: pending.location)
            }
            try addValue(pending.name, pending.number, attributeIndex: index, at: pending.location)
        }
        pendingValues.removeAll()
        return dictionary
    }

    private mutating func include(path: String, optional: Bool, from location: SourceLocation) throws(DictionaryError) {
        let text: String
        switch readFile(path) {
        case .success(let contents): text = contents
        case .failure(let message):
            if optional { return }
            throw DictionaryError("cannot read \(path): \(message)", at: location)
        }
        guard !includeStack.contains(path) else {
            throw DictionaryError("$INCLUDE loop: \(path) includes itself", at: location)
        }
        includeStack.append(path)
        defer { includeStack.removeLast() }
        try parse(text: text, file: path, directory: directoryName(path))
    }

    mutating func parse(text: String, file: String, directory: String) throws(DictionaryError) {
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let location = SourceLocation(file: file, line: lineNumber)
            var line = rawLine
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let keyword = fields.first else { continue }
            let arguments = fields.dropFirst().map(String.init)
            switch keyword {
            case "$INCLUDE", "$INCLUDE-":
                guard arguments.count == 1 else {
                    throw DictionaryError("\(keyword) takes one file name", at: location)
                }
                let target = arguments[0].hasPrefix("/") ? arguments[0] : directory + "/" + arguments[0]
                try include(path: target, optional: keyword == "$INCLUDE-", from: location)
            case "VENDOR":
                try parseVendor(arguments, at: location)
            case "BEGIN-VENDOR":
                try beginVendor(arguments, at: location)
            case "END-VENDOR":
                guard arguments.count == 1, case .vendor(let vendor, _, _)? = blocks.last,
                    vendor.name.lowercased() == arguments[0].lowercased()
                else {
                    throw DictionaryError("END-VENDOR \(arguments.first ?? "") does not close the open block", at: location)
                }
                blocks.removeLast()
            case "BEGIN-TLV":
                guard arguments.count == 1, let index = dictionary.attributeIndex(named: arguments[0]),
                    dictionary.attributes[index].type == .tlv
                else {
                    throw DictionaryError("BEGIN-TLV needs the name of a tlv attribute defined before", at: location)
                }
                blocks.append(.tlv(index: index, opened: location))
            case "END-TLV":
                guard arguments.count == 1, case .tlv(let index, _)? = blocks.last,
                    dictionary.attributes[index].name.lowercased() == arguments[0].lowercased()
                else {
                    throw DictionaryError("END-TLV \(arguments.first ?? "") does not close the open block", at: location)
                }
                blocks.removeLast()
            case "ATTRIBUTE":
                try parseAttribute(arguments, at: location)
            case "VALUE":
                guard arguments.count == 3 else {
                    throw DictionaryError("VALUE takes an attribute name, a value name and a number", at: location)
                }
                if let index = dictionary.attributeIndex(named: arguments[0]) {
                    try addValue(arguments[1], arguments[2], attributeIndex: index, at: location)
                } else {
                    pendingValues.append((arguments[0], arguments[1], arguments[2], location))
                }
            default:
                throw DictionaryError("unknown keyword \(keyword)", at: location)
            }
        }
    }

    // MARK: VENDOR

    private mutating func parseVendor(_ arguments: [String], at location: SourceLocation) throws(DictionaryError) {
        guard arguments.count == 2 || arguments.count == 3 else {
            throw DictionaryError("VENDOR takes a name, a number and an optional format=", at: location)
        }
        try checkName(arguments[0], at: location)
        guard let number = parseNumber(arguments[1]), number <= UInt64(UInt32.max) else {
            throw DictionaryError("vendor number \(arguments[1]) is not a number up to 2^32-1", at: location)
        }
        var format = VendorFormat.standard
        if arguments.count == 3 {
            format = try parseVendorFormat(arguments[2], at: location)
        }
        try dictionary.addVendor(VendorDefinition(name: arguments[0], number: UInt32(number), format: format), at: location)
    }

    private func parseVendorFormat(_ text: String, at location: SourceLocation) throws(DictionaryError) -> VendorFormat {
        guard text.hasPrefix("format=") else {
            throw DictionaryError("unknown vendor option \(text); expected format=t,l[,c]", at: location)
        }
        let parts = text.dropFirst("format=".count).split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3,
            let typeWidth = Int(parts[0]), [1, 2, 4].contains(typeWidth),
            let lengthWidth = Int(parts[1]), [0, 1, 2].contains(lengthWidth),
            parts.count == 2 || parts[2] == "c"
        else {
            throw DictionaryError("bad \(text): type width must be 1, 2 or 4, length width 0, 1 or 2, then an optional c", at: location)
        }
        let continuation = parts.count == 3
        if continuation && !(typeWidth == 1 && lengthWidth == 1) {
            throw DictionaryError("the c (continuation) flag needs format=1,1,c", at: location)
        }
        return VendorFormat(typeWidth: typeWidth, lengthWidth: lengthWidth, hasContinuation: continuation)
    }

    private mutating func beginVendor(_ arguments: [String], at location: SourceLocation) throws(DictionaryError) {
        guard arguments.count == 1 || arguments.count == 2 else {
            throw DictionaryError("BEGIN-VENDOR takes a vendor name and an optional format=", at: location)
        }
        guard let vendor = dictionary.vendor(named: arguments[0]) else {
            throw DictionaryError("BEGIN-VENDOR \(arguments[0]): no VENDOR of that name defined before", at: location)
        }
        var space = AttributeSpace.vendor(vendor.number)
        if arguments.count == 2 {
            // format=Extended-Vendor-Specific-N: the vendor's attributes live inside that
            // RFC 6929 Extended-Vendor-Specific attribute instead of Vendor-Specific.
            let option = arguments[1]
            guard option.hasPrefix("format="),
                let parent = dictionary.attributeIndex(named: String(option.dropFirst("format=".count))),
                dictionary.attributes[parent].type == .evs
            else {
                throw DictionaryError("BEGIN-VENDOR option \(option): expected format=<an evs attribute>", at: location)
            }
            space = .extendedVendor(parent: parent, vendor: vendor.number)
        }
        blocks.append(.vendor(vendor, space: space, opened: location))
    }

    // MARK: ATTRIBUTE

    private mutating func parseAttribute(_ arguments: [String], at location: SourceLocation) throws(DictionaryError) {
        guard arguments.count == 3 || arguments.count == 4 else {
            throw DictionaryError("ATTRIBUTE takes a name, a number, a type and optional flags", at: location)
        }
        let name = arguments[0]
        try checkName(name, at: location)

        var flags = AttributeFlags()
        var typeName = arguments[2]
        if let bracket = typeName.firstIndex(of: "[") {
            // octets[N]: a fixed-length octet string.
            guard typeName.hasSuffix("]"), let size = Int(typeName[typeName.index(after: bracket)..<typeName.index(before: typeName.endIndex)]),
                (1...253).contains(size)
            else {
                throw DictionaryError("bad fixed-size type \(typeName)", at: location)
            }
            flags.fixedLength = size
            typeName = String(typeName[..<bracket])
        }
        guard let type = AttributeDataType(dictionaryName: typeName) else {
            throw DictionaryError("unknown data type \(arguments[2]) for \(name)", at: location)
        }
        if flags.fixedLength != nil && type != .octets {
            throw DictionaryError("only octets can have a fixed size, not \(typeName)", at: location)
        }

        var explicitVendor: VendorDefinition?
        if arguments.count == 4 {
            if !arguments[3].contains("="), let vendor = dictionary.vendor(named: arguments[3]) {
                // Old style: the vendor name in place of flags.
                explicitVendor = vendor
            } else {
                try parseFlags(arguments[3], into: &flags, at: location)
            }
        }

        // The space the first number component lives in.
        var space: AttributeSpace
        var vendorNumber: UInt32 = 0
        var oidPrefix: String
        if let explicitVendor {
            space = .vendor(explicitVendor.number)
            vendorNumber = explicitVendor.number
            oidPrefix = "26.\(explicitVendor.number)."
        } else {
            switch blocks.last {
            case .none:
                space = .root
                oidPrefix = ""
            case .vendor(let vendor, let vendorSpace, _)?:
                space = vendorSpace
                vendorNumber = vendor.number
                if case .extendedVendor(let parent, _) = vendorSpace {
                    oidPrefix = dictionary.attributes[parent].oid + ".\(vendor.number)."
                } else {
                    oidPrefix = "26.\(vendor.number)."
                }
            case .tlv(let index, _)?:
                space = .child(of: index)
                vendorNumber = dictionary.attributes[index].vendor
                oidPrefix = dictionary.attributes[index].oid + "."
            }
        }

        let components = arguments[1].split(separator: ".", omittingEmptySubsequences: false)
        var numbers: [UInt32] = []
        for component in components {
            guard let value = parseNumber(String(component)), value <= UInt64(UInt32.max) else {
                throw DictionaryError("attribute number \(arguments[1]) of \(name) is not a number", at: location)
            }
            numbers.append(UInt32(value))
        }
        // Walk down through the parents named by all but the last component.
        for number in numbers.dropLast() {
            guard let parent = dictionary.attributeIndex(number, in: space) else {
                throw DictionaryError("attribute \(name) \(arguments[1]): no parent attribute \(oidPrefix)\(number)", at: location)
            }
            let parentType = dictionary.attributes[parent].type
            guard parentType == .tlv || parentType == .extended || parentType == .longExtended || parentType == .evs else {
                throw DictionaryError(
                    "attribute \(name): parent \(dictionary.attributes[parent].name) is \(parentType.rawValue), not a container", at: location)
            }
            space = .child(of: parent)
            oidPrefix = dictionary.attributes[parent].oid + "."
        }
        let number = numbers.last!
        try checkRange(number, of: name, in: space, type: type, at: location)

        let definition = AttributeDefinition(
            name: name, number: number, space: space, type: type, flags: flags,
            vendor: vendorNumber, oid: oidPrefix + String(number), location: location)
        dictionary.addAttribute(definition)
    }

    private func checkRange(_ number: UInt32, of name: String, in space: AttributeSpace, type: AttributeDataType, at location: SourceLocation)
        throws(DictionaryError)
    {
        switch space {
        case .root:
            // FreeRADIUS keeps server-internal attributes above 255; they never go on the wire.
            guard number >= 1 else { throw DictionaryError("attribute \(name) has number 0", at: location) }
            switch type {
            case .extended where !(241...244).contains(number),
                .longExtended where !(245...246).contains(number):
                throw DictionaryError(
                    "\(type.rawValue) attribute \(name) must be numbered 241-244 (extended) or 245-246 (long-extended)", at: location)
            case .vsa where number != 26:
                throw DictionaryError("vsa attribute \(name) must be number 26", at: location)
            default: break
            }
        case .vendor(let vendorNumber), .extendedVendor(_, let vendorNumber):
            let width = dictionary.vendor(number: vendorNumber)?.format.typeWidth ?? 1
            if width < 4 && UInt64(number) >= (UInt64(1) << (8 * UInt64(width))) {
                throw DictionaryError("vendor attribute \(name) number \(number) does not fit the vendor's \(width)-octet type field", at: location)
            }
        case .child(let parent):
            guard (1...255).contains(number) else {
                throw DictionaryError("attribute \(name): child numbers are 1-255, not \(number)", at: location)
            }
            if type == .evs
                && (dictionary.attributes[parent].type != .extended && dictionary.attributes[parent].type != .longExtended || number != 26)
            {
                throw DictionaryError("evs attribute \(name) must be number 26 under an extended attribute", at: location)
            }
        }
    }

    private func parseFlags(_ text: String, into flags: inout AttributeFlags, at location: SourceLocation) throws(DictionaryError) {
        for flag in text.split(separator: ",") {
            switch flag {
            case "has_tag": flags.hasTag = true
            case "array": flags.array = true
            case "concat": flags.concat = true
            case "virtual": flags.isVirtual = true
            case "secret": flags.secret = true
            case "encrypt=0": flags.encrypt = 0
            case "encrypt=1": flags.encrypt = 1
            case "encrypt=2": flags.encrypt = 2
            case "encrypt=3": flags.encrypt = 3
            default:
                throw DictionaryError("unknown attribute flag \(flag)", at: location)
            }
        }
    }

    // MARK: VALUE

    private mutating func addValue(_ name: String, _ numberText: String, attributeIndex index: Int, at location: SourceLocation)
        throws(DictionaryError)
    {
        let definition = dictionary.attributes[index]
        // Values belong to the canonical definition for the number, so aliases share them.
        let canonical = dictionary.attributeIndex(definition.number, in: definition.space) ?? index
        guard definition.type.isNumeric || definition.type == .ether || definition.type == .octets || definition.type == .ipaddr else {
            throw DictionaryError("VALUE \(name) for \(definition.name), a \(definition.type.rawValue) attribute", at: location)
        }
        let number: UInt64
        if numberText.hasPrefix("-"), let negative = Int64(numberText) {
            guard definition.type == .signed else {
                throw DictionaryError("VALUE \(name) is negative but \(definition.name) is \(definition.type.rawValue)", at: location)
            }
            number = UInt64(bitPattern: negative)
        } else if let parsed = parseNumber(numberText) {
            number = parsed
        } else {
            throw DictionaryError("VALUE \(name) of \(definition.name): \(numberText) is not a number", at: location)
        }
        let limit: UInt64
        switch definition.type {
        case .byte: limit = UInt64(UInt8.max)
        case .short: limit = UInt64(UInt16.max)
        case .integer, .date: limit = UInt64(UInt32.max)
        default: limit = UInt64.max
        }
        guard number <= limit else {
            throw DictionaryError("VALUE \(name) = \(numberText) does not fit \(definition.name) (\(definition.type.rawValue))", at: location)
        }
        dictionary.addValue(name, number: number, toAttributeAt: canonical)
    }

    // MARK: Helpers

    private func checkName(_ name: String, at location: SourceLocation) throws(DictionaryError) {
        for scalar in name.unicodeScalars {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", "/", "+", ":": continue
            default:
                throw DictionaryError("invalid character in name \(name)", at: location)
            }
        }
    }

    private func parseNumber(_ text: String) -> UInt64? {
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            return UInt64(text.dropFirst(2), radix: 16)
        }
        return UInt64(text)
    }
}

private enum ReadResult {
    case success(String)
    case failure(String)
}

private func directoryName(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    if slash == path.startIndex { return "/" }
    return String(path[..<slash])
}

/// Reads a whole file as UTF-8 (invalid sequences repaired) with plain POSIX calls.
private func readFile(_ path: String) -> ReadResult {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return .failure(String(cString: strerror(errno))) }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            return .failure(String(cString: strerror(errno)))
        }
        if n == 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return .success(String(decoding: bytes, as: UTF8.self))
}
