/// A missing or invalid setting. `description` is the one line printed before exiting.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    /// The environment variable at fault, such as `PORT`.
    public let name: String
    public let problem: String

    public init(name: String, problem: String) {
        self.name = name
        self.problem = problem
    }

    public var description: String { "\(name) \(problem)" }
}
