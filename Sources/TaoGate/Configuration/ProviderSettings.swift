import LLMClient

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
    /// The APIs it speaks natively; requests of the others are translated (to chat, else messages).
    public var apis: Set<ProviderAPI>
    /// How its keys are presented.
    public var authentication: ProviderClient.Authentication

    /// Serves any model when it names none.
    public var servesAnyModel: Bool { models.isEmpty && modelPrefixes.isEmpty }

    /// The APIs Taotoken serves natively (TAOTOKEN_APIS by default).
    static let taotokenAPIs: Set<ProviderAPI> = [.chat, .messages, .responses]

    static func taotoken(baseURL: String, apiKey: String, apis: Set<ProviderAPI> = taotokenAPIs) -> ProviderSettings {
        ProviderSettings(
            name: "taotoken",
            baseURL: baseURL,
            keys: [Key(source: "TAOTOKEN_API_KEY", value: apiKey, weight: 1)],
            headers: [],
            models: [],
            modelPrefixes: [],
            apis: apis,
            authentication: .bearer
        )
    }

    init(
        name: String,
        baseURL: String,
        keys: [Key],
        headers: [(name: String, value: String)],
        models: [String],
        modelPrefixes: [String],
        apis: Set<ProviderAPI>,
        authentication: ProviderClient.Authentication
    ) {
        self.name = name
        self.baseURL = baseURL
        self.keys = keys
        self.headers = headers
        self.models = models
        self.modelPrefixes = modelPrefixes
        self.apis = apis
        self.authentication = authentication
    }

    /// A key goes upstream in a header: one holding a control character (a line break pasted
    /// with it) is refused at startup, naming its variable and never its value.
    static func checkKey(_ value: String, variable: String) throws {
        guard UpstreamRequestHead.isSendable(value: value) else {
            throw ConfigurationError(name: variable, problem: "holds a control character (a line break?)")
        }
    }

    init(file provider: ProvidersFile.Provider, reader: SettingsReader, demo: Bool) throws {
        let keys = try provider.keys.map { key -> Key in
            guard let value = reader.string(key.env, secret: true) else {
                throw ConfigurationError(name: key.env, problem: "is required by provider \(provider.name) in TAOGATE_CONFIG")
            }
            try Self.checkKey(value, variable: key.env)
            return Key(source: key.env, value: value, weight: key.weight ?? 1)
        }
        let headers = (provider.headers ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        for (name, value) in headers {
            if let problem = UpstreamRequestHead.problem(withField: name, value: value) {
                throw ConfigurationError(name: "TAOGATE_CONFIG", problem: "provider \(provider.name), headers: \(problem)")
            }
        }
        self.init(
            name: provider.name,
            baseURL: provider.baseURL,
            keys: keys,
            headers: headers,
            models: provider.models ?? [],
            modelPrefixes: provider.modelPrefixes ?? [],
            apis: Set(provider.apis ?? [.chat]),
            authentication: provider.auth ?? .bearer
        )
    }
}
