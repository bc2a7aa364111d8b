import Logging

/// The database cannot be opened or reached.
public struct DatabaseUnavailable: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
