import Configuration
import Foundation
import LLMClient
import Logging

/// Every setting of a TaoGate instance, read once at startup (DESIGN.md §2).
///
/// Sources, highest precedence first: command-line flags, the process environment, a `.env`
/// file in the working directory. A missing or invalid value fails startup with one line that
/// names the variable.
public struct GatewayConfiguration: Sendable {
    public enum AppEnvironment: String, Sendable {
        case production, development
    }

    public enum LogFormat: String, Sendable {
        case json, text
    }

    /// The upstream key; nil only in demo mode before the built-in mock is attached.
    public var upstreamAPIKey: String?
    public var upstreamBaseURL: String
    /// The APIs the default provider (Taotoken) speaks natively (TAOTOKEN_APIS).
    public var upstreamAPIs: Set<ProviderAPI>
    public var host: String
    public var port: Int
    public var environment: AppEnvironment
    public var defaultModel: String
    public var suggestedModels: [String]
    public var upstreamTimeout: Duration
    public var upstreamConnectTimeout: Duration
    public var upstreamIdleTimeout: Duration
    /// HTTPS_PROXY, HTTP_PROXY and NO_PROXY: which upstreams are reached through a proxy.
    public var upstreamProxies: UpstreamProxySettings
    public var upstreamMaxRetries: Int
    public var upstreamRetryBaseDelay: Duration
    public var modelsCacheTTL: Duration
    public var rateLimitWindow: Duration
    /// Requests per window and client on the chat routes; 0 turns rate limiting off.
    public var rateLimitMax: Int
    public var historyContextMessages: Int
    public var historyMaxMessages: Int
    public var database: DatabaseLocation
    /// The key of the admin API (/admin/*, GET /api/usage) and the console; without it they do
    /// not exist.
    public var adminKey: String?
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    public var logDirectory: String?
    public var maxBodyBytes: Int
    /// Longest `message` (and `system`) the reference API accepts, in characters.
    public var maxMessageCharacters: Int
    /// Most messages one `/v1/chat/completions` request may carry.
    public var maxMessages: Int
    /// How long in-flight requests and streams may go on after SIGTERM/SIGINT.
    public var shutdownGrace: Duration
    /// Consecutive failures that open a provider key's circuit (0 turns the breaker off).
    public var circuitBreakerFailures: Int
    /// How long an open circuit refuses requests before one probe may go.
    public var circuitBreakerCooldown: Duration
    /// How many proxies in front of the gateway to trust (TRUST_PROXY: `false` 0, `true` 1, or a
    /// number): the client is that many places from the right of X-Forwarded-For.
    public var trustedProxyHops: Int
    /// Host header values accepted (ALLOWED_HOSTS); nil means the default: loopback names on a
    /// loopback listener, anything otherwise. `*` accepts any.
    public var allowedHosts: [String]?
    /// Requests without a client key are served even once keys exist (ALLOW_ANONYMOUS).
    public var allowsAnonymous: Bool
    /// How long a connection may take to send a request's headers, and stay idle between requests.
    public var inboundIdleTimeout: Duration
    /// How long a request's body may take to arrive.
    public var inboundBodyTimeout: Duration
    /// Most connections open at once; more are closed as they arrive.
    public var maxConnections: Int
    /// Failed client-key attempts allowed per client address per minute; more get 429.
    public var authFailuresPerMinute: Int
    /// How long a stored client key, once found, is taken as it was (KEY_CACHE_SECONDS; zero asks
    /// the database on every request). Changes through the admin API hold at once; see `CachedKeyStore`.
    public var keyCacheLifetime: Duration
    /// Whether the client's trace context (`traceparent`, `tracestate`, baggage) goes on to the
    /// provider (PROPAGATE_TRACE_CONTEXT, default false: the provider is a third party).
    public var propagatesTraceContext: Bool
    /// Origins browsers may call from (CORS); empty means none, `*` means any.
    public var corsOrigins: [String]
    /// Client keys (TAOGATE_API_KEYS); when any are set, /api/* and /v1/* need one of them.
    public var clientAPIKeys: [String]
    /// The upstreams to route to: from the providers file (TAOGATE_CONFIG) when there is one,
    /// else Taotoken from TAOTOKEN_* serving every model.
    public var providers: [ProviderSettings]
    /// Models to try, in order, when a model's provider fails before the first byte.
    public var fallbacks: [String: [String]]
    /// The providers file (TAOGATE_CONFIG), read again when prices are reloaded.
    public var providersFilePath: String?
    /// The prices of the providers file (none without one).
    public var prices: Prices
    public var keyCooldown: Duration
    /// How long translated responses are kept for `previous_response_id` (RESPONSES_TTL_HOURS).
    public var responsesTimeToLive: Duration
    /// The time zone of budget periods, daily rollups and usage by day or hour (USAGE_TIME_ZONE).
    public var usageCalendar: UsageCalendar
    /// Days usage rows are kept before they are rolled up into daily totals (USAGE_RETENTION_DAYS;
    /// 0 keeps them forever).
    public var usageRetentionDays: Int
    /// Whether `GET /metrics` exists and requests are counted (METRICS_ENABLED, default true).
    public var metricsEnabled: Bool
    /// Where to send traces with OTLP (OTEL_EXPORTER_OTLP_ENDPOINT); needs a build with the OTLP trait.
    public var otlpEndpoint: String?
    /// Whether requests are traced: set by whoever bootstraps a tracer (`serve` once the OTLP
    /// exporter runs). Without a tracer, spans would cost time and go nowhere.
    public var tracing = false

    /// Names whose values are secrets: swift-configuration redacts them in its own reports.
    static let secretNames: Set<String> = ["TAOTOKEN_API_KEY", "TAOGATE_API_KEYS", "TAOGATE_ADMIN_KEY", "DATABASE_URL"]

    /// Reads the configuration.
    /// - Parameters:
    ///   - environment: the process environment.
    ///   - dotEnv: the contents of the `.env` file, if there is one.
    ///   - flags: values given on the command line, by variable name.
    ///   - demo: demo mode: no upstream key is needed (the built-in MockUpstream answers).
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        dotEnv: String? = nil,
        flags: [String: String] = [:],
        demo: Bool = false
    ) throws -> GatewayConfiguration {
        let dotEnvValues: [String: String]
        do {
            dotEnvValues = try dotEnv.map(DotEnvFile.parse) ?? [:]
        } catch {
            throw ConfigurationError(name: ".env", problem: "is invalid: \(error)")
        }
        let reader = ConfigReader(providers: [
            EnvironmentVariablesProvider(environmentVariables: flags, secretsSpecifier: .specific(secretNames)),
            EnvironmentVariablesProvider(environmentVariables: proxyVariablesInEitherCase(environment), secretsSpecifier: .specific(secretNames)),
            EnvironmentVariablesProvider(environmentVariables: proxyVariablesInEitherCase(dotEnvValues), secretsSpecifier: .specific(secretNames)),
        ])
        return try GatewayConfiguration(reader: SettingsReader(reader), demo: demo)
    }

    /// The proxy variables are also read in lower case (`https_proxy`, `http_proxy`, `no_proxy`), as
    /// curl and Go read them; where both spellings are set, the upper-case one wins.
    static func proxyVariablesInEitherCase(_ variables: [String: String]) -> [String: String] {
        var variables = variables
        for name in ["HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"] where variables[name] == nil {
            if let value = variables[name.lowercased()] { variables[name] = value }
        }
        return variables
    }

    /// A configuration from explicit values only (tests, embedding).
    public init(values: [String: String], demo: Bool = false) throws {
        self = try Self.load(environment: values, dotEnv: nil, flags: [:], demo: demo)
    }

    /// The price book of this configuration: its prices, read again from the providers file
    /// on reload.
    public func makePriceBook() -> PriceBook {
        guard let path = providersFilePath else { return PriceBook(prices) }
        return PriceBook(prices) { try Prices(file: ProvidersFile.load(path: path)) }
    }

    /// Demo mode: every model is served by the built-in MockUpstream at `baseURL`.
    public mutating func useDemoUpstream(baseURL: String) {
        upstreamBaseURL = baseURL
        upstreamAPIKey = "demo-key"
        providers = [.taotoken(baseURL: baseURL, apiKey: "demo-key", apis: upstreamAPIs)]
        fallbacks = [:]
    }

    init(reader: SettingsReader, demo: Bool) throws {
        let apiKey = reader.string("TAOTOKEN_API_KEY", secret: true)
        let providersFilePath = reader.string("TAOGATE_CONFIG")
        let providersFile = try providersFilePath.map { try ProvidersFile.load(path: $0) }
        if apiKey == nil && !demo && providersFile?.providers == nil {
            throw ConfigurationError(
                name: "TAOTOKEN_API_KEY",
                problem: "is required: set it in the environment or in .env, or run `taogate serve --demo`"
            )
        }
        if let apiKey { try ProviderSettings.checkKey(apiKey, variable: "TAOTOKEN_API_KEY") }
        upstreamAPIKey = apiKey
        upstreamBaseURL = try reader.url("TAOTOKEN_BASE_URL", default: "https://taotoken.net/api/v1")
        upstreamAPIs = try reader.apis("TAOTOKEN_APIS") ?? ProviderSettings.taotokenAPIs
        host = reader.string("HOST") ?? "127.0.0.1"
        port = try reader.int("PORT", default: 3000, in: 0...65535)
        environment = try reader.choice("APP_ENV", default: .production)
        defaultModel = reader.string("DEFAULT_MODEL") ?? "claude-sonnet-4-6"
        suggestedModels = reader.list("SUGGESTED_MODELS") ?? ["claude-sonnet-4-6", "gpt-4o", "qwen-plus"]
        upstreamTimeout = try reader.milliseconds("UPSTREAM_TIMEOUT_MS", default: 30_000)
        upstreamConnectTimeout = try reader.milliseconds("UPSTREAM_CONNECT_TIMEOUT_MS", default: 10_000)
        upstreamIdleTimeout = try reader.milliseconds("UPSTREAM_IDLE_TIMEOUT_MS", default: 30_000)
        upstreamProxies = UpstreamProxySettings(
            https: try reader.string("HTTPS_PROXY", secret: true).map { try Self.proxy($0, from: "HTTPS_PROXY") },
            http: try reader.string("HTTP_PROXY", secret: true).map { try Self.proxy($0, from: "HTTP_PROXY") },
            exceptions: reader.list("NO_PROXY") ?? []
        )
        upstreamMaxRetries = try reader.int("UPSTREAM_MAX_RETRIES", default: 2, in: 0...10)
        upstreamRetryBaseDelay = try reader.milliseconds("UPSTREAM_RETRY_BASE_MS", default: 500, allowZero: true)
        modelsCacheTTL = try reader.milliseconds("MODELS_CACHE_TTL_MS", default: 300_000, allowZero: true)
        rateLimitWindow = try reader.milliseconds("RATE_LIMIT_WINDOW_MS", default: 900_000)
        rateLimitMax = try reader.int("RATE_LIMIT_MAX", default: 100, in: 0...Int(Int32.max))
        historyContextMessages = try reader.int("HISTORY_CONTEXT_MESSAGES", default: 10, in: 0...10_000)
        historyMaxMessages = try reader.int("HISTORY_MAX_MESSAGES", default: 20, in: 0...100_000)
        database = try DatabaseLocation(reader.string("DATABASE_URL", secret: true) ?? "sqlite:./data/taogate.sqlite")
        adminKey = reader.string("TAOGATE_ADMIN_KEY", secret: true)
        if let adminKey, adminKey.count < 12 {
            throw ConfigurationError(name: "TAOGATE_ADMIN_KEY", problem: "must be at least 12 characters")
        }
        logLevel = try reader.choice("LOG_LEVEL", default: .info)
        logFormat = try reader.choice("LOG_FORMAT", default: .json)
        logDirectory = reader.string("LOG_DIR")
        maxBodyBytes = try reader.int("MAX_BODY_BYTES", default: 1_048_576, in: 1...(1 << 30))
        maxMessageCharacters = try reader.int("MAX_MESSAGE_CHARS", default: 200_000, in: 1...(1 << 30))
        maxMessages = try reader.int("MAX_MESSAGES", default: 1000, in: 1...1_000_000)
        shutdownGrace = .seconds(try reader.int("SHUTDOWN_GRACE_SECONDS", default: 30, in: 0...3600))
        circuitBreakerFailures = try reader.int("CIRCUIT_BREAKER_FAILURES", default: 5, in: 0...1000)
        circuitBreakerCooldown = try reader.milliseconds("CIRCUIT_BREAKER_COOLDOWN_MS", default: 30_000)
        trustedProxyHops = try reader.proxyHops("TRUST_PROXY")
        allowedHosts = reader.list("ALLOWED_HOSTS")
        allowsAnonymous = try reader.bool("ALLOW_ANONYMOUS", default: false)
        inboundIdleTimeout = try reader.milliseconds("IDLE_TIMEOUT_MS", default: 20_000)
        inboundBodyTimeout = try reader.milliseconds("BODY_TIMEOUT_MS", default: 30_000)
        maxConnections = try reader.int("MAX_CONNECTIONS", default: 4096, in: 1...1_000_000)
        authFailuresPerMinute = try reader.int("AUTH_FAILURES_PER_MINUTE", default: 20, in: 0...1_000_000)
        keyCacheLifetime = .seconds(try reader.int("KEY_CACHE_SECONDS", default: 5, in: 0...3600))
        propagatesTraceContext = try reader.bool("PROPAGATE_TRACE_CONTEXT", default: false)
        corsOrigins = reader.list("CORS_ORIGINS") ?? []
        clientAPIKeys = reader.list("TAOGATE_API_KEYS", secret: true) ?? []
        if let short = clientAPIKeys.firstIndex(where: { $0.count < 32 }) {
            throw ConfigurationError(name: "TAOGATE_API_KEYS", problem: "entry \(short + 1) is shorter than 32 characters")
        }
        if allowsAnonymous && !clientAPIKeys.isEmpty {
            throw ConfigurationError(name: "ALLOW_ANONYMOUS", problem: "cannot be true beside TAOGATE_API_KEYS: keys exist to be required")
        }
        let zoneName = reader.string("USAGE_TIME_ZONE") ?? "UTC"
        guard let zone = TimeZone(identifier: zoneName) else {
            throw ConfigurationError(name: "USAGE_TIME_ZONE", problem: "names no time zone (use a name such as Asia/Shanghai or UTC)")
        }
        usageCalendar = UsageCalendar(timeZone: zone, name: zoneName)
        usageRetentionDays = try reader.int("USAGE_RETENTION_DAYS", default: 90, in: 0...36_500)
        metricsEnabled = try reader.bool("METRICS_ENABLED", default: true)
        responsesTimeToLive = .seconds(3600 * (try reader.int("RESPONSES_TTL_HOURS", default: 720, in: 1...87_600)))
        otlpEndpoint = reader.string("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") ?? reader.string("OTEL_EXPORTER_OTLP_ENDPOINT")
        self.providersFilePath = providersFilePath
        prices = try providersFile.map(Prices.init(file:)) ?? .none
        providers =
            try providersFile?.providers?.map { try ProviderSettings(file: $0, reader: reader, demo: demo) }
            ?? [.taotoken(baseURL: upstreamBaseURL, apiKey: apiKey ?? "", apis: upstreamAPIs)]
        fallbacks = providersFile?.fallbacks ?? [:]
        keyCooldown = .milliseconds(providersFile?.keyCooldownMs ?? 60_000)
    }

    /// A proxy URL, or a configuration error that names the variable (never its value, which
    /// may hold a password).
    private static func proxy(_ text: String, from name: String) throws -> UpstreamProxy {
        guard let proxy = UpstreamProxy(url: text) else {
            throw ConfigurationError(name: name, problem: "must be an http:// proxy URL, as http://[user:password@]host[:port]")
        }
        return proxy
    }
}

extension GatewayConfiguration.AppEnvironment: CaseIterableNames {
    static var allNames: [String] { ["production", "development"] }
}

extension GatewayConfiguration.LogFormat: CaseIterableNames {
    static var allNames: [String] { ["json", "text"] }
}

extension Logger.Level: CaseIterableNames {
    static var allNames: [String] { Logger.Level.allCases.map(\.rawValue) }
}
