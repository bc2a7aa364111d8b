/// One upstream provider, its keys resolved: what `ModelRouter` is built from.
public struct ProviderSettings: Sendable {
    public struct Key: Sendable {
        /// Where the key came from (a variable name), for logs; never the key itself.
        public var source: String
        public var value: String
        public var weight: Int
    }

    public var name: String
    public var baseURL: String
    public var keys: [Key]
    public var headers: [(name: String, value: String)]
    /// Models served by exact name, in the order the file lists them.
    public var models: [String]
    /// Models served by name prefix.
    public var modelPrefixes: [String]

    /// Serves any model when it names none.
    public var servesAnyModel: Bool { models.isEmpty && modelPrefixes.isEmpty }

    static func taotoken(baseURL: String, apiKey: String) -> ProviderSettings {
        ProviderSettings(
            name: "taotoken",
            baseURL: baseURL,
            keys: [Key(source: "TAOTOKEN_API_KEY", value: apiKey, weight: 1)],
            headers: [],
            models: [],
            modelPrefixes: []
        )
    }

    init(
        name: String,
        baseURL: String,
        keys: [Key],
        headers: [(name: String, value: String)],
        models: [String],
        modelPrefixes: [String]
    ) {
        self.name = name
        self.baseURL = baseURL
        self.keys = keys
        self.headers = headers
        self.models = models
        self.modelPrefixes = modelPrefixes
    }

    init(file provider: ProvidersFile.Provider, reader: SettingsReader, demo: Bool) throws {
        let keys = try provider.keys.map { key -> Key in
            guard let value = reader.string(key.env, secret: true) else {
                throw ConfigurationError(name: key.env, problem: "is required by provider \(provider.name) in TAOGATE_CONFIG")
            }
            return Key(source: key.env, value: value, weight: key.weight ?? 1)
        }
        self.init(
            name: provider.name,
            baseURL: provider.baseURL,
            keys: keys,
            headers: (provider.headers ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
            models: provider.models ?? [],
            modelPrefixes: provider.modelPrefixes ?? []
        )
    }
}
