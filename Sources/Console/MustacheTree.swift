import Foundation
import Mustache

/// A page's view model as dictionaries and arrays, made once before rendering. The template
/// engine looks a name up in a dictionary directly, but in a struct through reflection of all
/// its fields, at every lookup and for every enclosing context it searches: on a page of 50
/// rows that was most of the time a page took.
enum MustacheTree {
    static func make(_ value: Any) -> Any {
        switch value {
        case is String, is Substring, is Bool, is Int, is Int64, is Int32, is UInt64, is UInt32, is Double, is Float, is Decimal:
            return value
        case let dictionary as [String: Any]:
            return dictionary.compactMapValues(made)
        default:
            break
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .struct?, .class?:
            var fields: [String: Any] = [:]
            fields.reserveCapacity(Int(mirror.children.count))
            for child in mirror.children {
                guard let label = child.label, let field = made(child.value) else { continue }
                fields[label] = field
            }
            return fields
        case .collection?, .set?:
            return mirror.children.compactMap { made($0.value) }
        case .optional?:
            return made(value) as Any
        default:
            return value
        }
    }

    /// `make` for a value that may be an optional: nil for none, so the name is left out and
    /// a lookup goes on to the enclosing context, as it did for a nil field of a struct.
    private static func made(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return make(value) }
        guard let wrapped = mirror.children.first else { return nil }
        return made(wrapped.value)
    }
}
