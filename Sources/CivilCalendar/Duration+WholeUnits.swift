extension Duration {
    /// Whole seconds, truncated toward zero. Exact, unlike `Int(self / .seconds(1))`: that
    /// divides as `Double`s and gives 2364 for 2,365 s.
    @inlinable
    public var wholeSeconds: Int64 { components.seconds }

    /// Whole milliseconds, truncated toward zero, exactly.
    @inlinable
    public var wholeMilliseconds: Int64 { components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000 }

    /// Whole microseconds, truncated toward zero, exactly.
    @inlinable
    public var wholeMicroseconds: Int64 { components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000 }
}
