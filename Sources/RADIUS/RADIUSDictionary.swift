/// Attribute, vendor and value names for decoding and encoding, loaded from dictionary files
/// in the FreeRADIUS format (see `DictionaryParser`).
public struct RADIUSDictionary: Sendable {
    public private(set) var vendors: [VendorDefinition] = []
    public private(set) var attributes: [AttributeDefinition] = []
    /// Non-fatal findings (redefinitions), with their places.
    public private(set) var warnings: [DictionaryError] = []

    var vendorIndexByNumber: [UInt32: Int] = [:]
    var vendorIndexByName: [String: Int] = [:]
    var attributeIndexByName: [String: Int] = [:]
    var attributeIndexByKey: [AttributeKey: Int] = [:]
    /// Top-level attributes by number, -1 where undefined: the packet hot path's lookup.
    var rootIndex = [Int32](repeating: -1, count: 256)
    var valueTables: [Int: ValueTable] = [:]

    struct AttributeKey: Hashable, Sendable {
        var space: AttributeSpace
        var number: UInt32
    }

    struct ValueTable: Sendable {
        var nameByNumber: [UInt64: String] = [:]
        var numberByName: [String: UInt64] = [:]
        var count = 0
    }

    /// An empty dictionary: every attribute decodes as unknown octets.
    public init() {}

    /// Loads the dictionary tree whose top file is at `path` (following `$INCLUDE`).
    public init(contentsOf path: String) throws(DictionaryError) {
        var parser = DictionaryParser()
        try parser.load(path: path)
        self = try parser.finish()
    }

    /// Parses dictionary text; `$INCLUDE` resolves against `directory` when given.
    public init(parsing text: String, fileName: String = "<text>", directory: String? = nil) throws(DictionaryError) {
        var parser = DictionaryParser()
        try parser.parse(text: text, file: fileName, directory: directory ?? ".")
        self = try parser.finish()
    }

    // MARK: Lookups

    public var valueCount: Int { valueTables.values.reduce(0) { $0 + $1.count } }

    /// A top-level attribute by number.
    @inline(__always)
    public func attribute(number: UInt8) -> AttributeDefinition? {
        let index = rootIndex[Int(number)]
        return index < 0 ? nil : attributes[Int(index)]
    }

    /// The index of the attribute with this number in this space.
    public func attributeIndex(_ number: UInt32, in space: AttributeSpace) -> Int? {
        if case .root = space, number < 256 {
            let index = rootIndex[Int(number)]
            return index < 0 ? nil : Int(index)
        }
        return attributeIndexByKey[AttributeKey(space: space, number: number)]
    }

    public func attribute(_ number: UInt32, in space: AttributeSpace) -> AttributeDefinition? {
        attributeIndex(number, in: space).map { attributes[$0] }
    }

    /// An attribute by name, case-insensitively.
    public func attribute(named name: String) -> AttributeDefinition? {
        attributeIndexByName[name.lowercased()].map { attributes[$0] }
    }

    public func attributeIndex(named name: String) -> Int? {
        attributeIndexByName[name.lowercased()]
    }

    public func vendor(number: UInt32) -> VendorDefinition? {
        vendorIndexByNumber[number].map { vendors[$0] }
    }

    public func vendor(named name: String) -> VendorDefinition? {
        vendorIndexByName[name.lowercased()].map { vendors[$0] }
    }

    /// The VALUE name of `number` for the attribute at `index`.
    public func valueName(_ number: UInt64, forAttributeAt index: Int) -> String? {
        valueTables[index]?.nameByNumber[number]
    }

    /// The number a VALUE name stands for.
    public func valueNumber(named name: String, forAttributeAt index: Int) -> UInt64? {
        valueTables[index]?.numberByName[name.lowercased()]
    }

    /// How many VALUE names the attribute at `index` has.
    public func valueNameCount(forAttributeAt index: Int) -> Int {
        valueTables[index]?.count ?? 0
    }

    // MARK: Building (used by the parser)

    mutating func addVendor(_ vendor: VendorDefinition, at location: SourceLocation) throws(DictionaryError) {
        if let existing = vendorIndexByName[vendor.name.lowercased()] {
            guard vendors[existing].number == vendor.number else {
                throw DictionaryError(
                    "vendor \(vendor.name) is already defined with number \(vendors[existing].number)", at: location)
            }
            if vendors[existing].format != vendor.format {
                warnings.append(DictionaryError("vendor \(vendor.name) redefined with \(vendor.format)", at: location))
                vendors[existing].format = vendor.format
            }
            return
        }
        let index = vendors.count
        vendors.append(vendor)
        vendorIndexByName[vendor.name.lowercased()] = index
        // The first name for a number stays the one used for printing.
        if vendorIndexByNumber[vendor.number] == nil { vendorIndexByNumber[vendor.number] = index }
    }

    @discardableResult
    mutating func addAttribute(_ definition: AttributeDefinition) -> Int {
        let key = AttributeKey(space: definition.space, number: definition.number)
        let lowered = definition.name.lowercased()
        if let existing = attributeIndexByName[lowered] {
            let old = attributes[existing]
            if old.space == definition.space && old.number == definition.number && old.type == definition.type {
                return existing
            }
            warnings.append(
                DictionaryError(
                    "attribute \(definition.name) redefined (was \(old.oid) \(old.type.rawValue) at \(old.location))",
                    at: definition.location))
        }
        let index = attributes.count
        attributes.append(definition)
        attributeIndexByName[lowered] = index
        if let existing = attributeIndexByKey[key], attributes[existing].type != definition.type {
            warnings.append(
                DictionaryError(
                    "\(definition.name) takes number \(definition.oid) from \(attributes[existing].name) with another type",
                    at: definition.location))
        }
        // As in FreeRADIUS, the latest definition of a number is the one used for decoding;
        // earlier names stay valid as aliases.
        attributeIndexByKey[key] = index
        if case .root = definition.space, definition.number < 256 {
            rootIndex[Int(definition.number)] = Int32(index)
        }
        return index
    }

    mutating func addValue(_ name: String, number: UInt64, toAttributeAt index: Int) {
        var table = valueTables[index] ?? ValueTable()
        let lowered = name.lowercased()
        if table.numberByName[lowered] == nil { table.count += 1 }
        table.numberByName[lowered] = number
        if table.nameByNumber[number] == nil { table.nameByNumber[number] = name }
        valueTables[index] = table
    }
}
