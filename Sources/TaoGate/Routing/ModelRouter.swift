import Foundation
import LLMClient
import Logging
import NIOCore
import Synchronization
import Tracing

/// Routes a model to the providers and keys that serve it, and tries them in order; knows no
/// client API beyond choosing, per provider, whether a request goes native or is translated.
///
/// For a model the candidates are the model itself, then its configured fallbacks, each served
/// by the first provider that names it (by exact name, then by prefix, then a provider that
/// serves any model). A provider that speaks the client's API gets the body as sent; one that
/// does not gets the neutral request encoded for an API it speaks (chat first, then messages).
/// Within a provider, keys are tried by weight; a key answered with 401/403 is set aside for the
/// cool-down and the next key is tried. A retryable failure (after the provider's own retries)
/// moves on to the next candidate. All of this happens before the first byte reaches the client.
/// Every upstream call is noted in the request's record.
final class ModelRouter: Sendable {
    /// No configured provider serves the model.
    struct UnknownModel: Error {
        let model: String
    }

    /// The model's provider cannot be given a request of this API (embeddings from a provider
    /// without them, say).
    struct UnservableRequest: Error {
        let model: String
        let api: ProviderAPI
    }

    /// A provider and its keys. A class: a request looks its endpoint up several times, and a
    /// copy of the struct retained every string and array of its settings each time.
    private final class Endpoint: Sendable {
        let settings: ProviderSettings
        let keys: [Key]
        let models: Set<String>

        init(settings: ProviderSettings, keys: [Key], models: Set<String>) {
            self.settings = settings
            self.keys = keys
            self.models = models
        }

        func serves(byPrefix model: String) -> Bool { settings.modelPrefixes.contains { model.hasPrefix($0) } }

        /// The API a request of another API is translated to: chat, else messages.
        var translationTarget: ProviderAPI? {
            if settings.apis.contains(.chat) { return .chat }
            if settings.apis.contains(.messages) { return .messages }
            return nil
        }

        /// Whether the endpoint can answer a request of `api` (nil: the reference API).
        func canServe(_ api: ProviderAPI?) -> Bool {
            if let api, settings.apis.contains(api) { return true }
            return api != .embeddings && translationTarget != nil
        }
    }

    private final class Key: Sendable {
        let id: String
        /// The variable the key came from (never the key).
        let source: String
        let weight: Int
        let client: ProviderClient
        let breaker: CircuitBreaker
        let recent = RecentCalls()

        init(id: String, source: String, weight: Int, client: ProviderClient, breaker: CircuitBreaker) {
            self.id = id
            self.source = source
            self.weight = weight
            self.client = client
            self.breaker = breaker
        }
    }

    /// One provider's health, key by key, for operators.
    struct ProviderHealth: Sendable {
        var name: String
        var apis: [ProviderAPI]
        var keys: [KeyHealth]
    }

    struct KeyHealth: Sendable {
        var key: String
        var source: String
        var circuit: CircuitBreaker.State
        /// Set aside after the provider refused it (401/403), until its cool-down ends.
        var coolingDown: Bool
        var recent: RecentCalls.Summary
    }

    private let endpoints: [Endpoint]
    /// Each model a provider names, to the first provider that names it.
    private let endpointsByModel: [String: Endpoint]
    private let fallbacks: [String: [String]]
    private let keyCooldown: Duration
    private let coolingUntil = Mutex<[String: ContinuousClock.Instant]>([:])
    private let transport: UpstreamTransport
    private let logger: Logger
    private let metrics: GatewayMetrics?
    /// Whether each upstream call is a span (a tracer is bootstrapped).
    private let traced: Bool

    init(configuration: GatewayConfiguration, logger: Logger, metrics: GatewayMetrics? = nil) {
        self.traced = configuration.tracing
        // One transport for every provider and key: pools per event loop and per origin.
        let transport = UpstreamTransport(
            configuration: .init(
                connectTimeout: TimeAmount(configuration.upstreamConnectTimeout),
                proxies: configuration.upstreamProxies
            )
        )
        self.transport = transport
        self.logger = logger
        self.metrics = metrics
        self.fallbacks = configuration.fallbacks
        self.keyCooldown = configuration.keyCooldown
        let endpoints = configuration.providers.map { provider in
            let keys = provider.keys.enumerated().map { index, key in
                Key(
                    id: "\(provider.name)#\(index + 1)",
                    source: key.source,
                    weight: key.weight,
                    client: ProviderClient(
                        configuration: .init(
                            baseURL: provider.baseURL,
                            apiKey: key.value,
                            authentication: provider.authentication,
                            timeout: configuration.upstreamTimeout,
                            connectTimeout: configuration.upstreamConnectTimeout,
                            streamIdleTimeout: configuration.upstreamIdleTimeout,
                            retryPolicy: RetryPolicy(
                                maxRetries: configuration.upstreamMaxRetries,
                                baseDelay: configuration.upstreamRetryBaseDelay
                            ),
                            headers: provider.headers,
                            onRetry: { _ in metrics?.retry(provider: provider.name) },
                            propagatesTraceContext: configuration.propagatesTraceContext,
                            traced: configuration.tracing
                        ),
                        transport: transport,
                        logger: logger
                    ),
                    breaker: CircuitBreaker(
                        failureThreshold: configuration.circuitBreakerFailures,
                        cooldown: configuration.circuitBreakerCooldown
                    )
                )
            }
            for key in keys { metrics?.circuitState(key: key.id, .closed) }
            return Endpoint(settings: provider, keys: keys, models: Set(provider.models))
        }
        self.endpoints = endpoints
        self.endpointsByModel = endpoints.reduce(into: [:]) { byModel, endpoint in
            for model in endpoint.models where byModel[model] == nil { byModel[model] = endpoint }
        }
    }

    func shutdown() async throws {
        await transport.shutdown()
    }

    /// Whether some provider serves `model`.
    func knows(_ model: String) -> Bool { endpoint(for: model) != nil }

    /// Every provider key: its circuit, cool-down and recent calls.
    func health() -> [ProviderHealth] {
        let now = ContinuousClock.now
        let cooling = coolingUntil.withLock { $0 }
        return endpoints.map { endpoint in
            let keys = endpoint.keys.map { key in
                KeyHealth(
                    key: key.id,
                    source: key.source,
                    circuit: key.breaker.state(now: now),
                    coolingDown: (cooling[key.id] ?? now) > now,
                    recent: key.recent.summary(now: now)
                )
            }
            return ProviderHealth(name: endpoint.settings.name, apis: endpoint.settings.apis.sorted { $0.rawValue < $1.rawValue }, keys: keys)
        }
    }

    /// The name of the provider that serves `model` first.
    func provider(for model: String) -> String? { endpoint(for: model)?.settings.name }

    // MARK: - Calls

    /// One whole answer.
    func complete(_ request: RoutedRequest, record: RequestRecord) async throws -> RoutedAnswer {
        try await route(request, record: record) { key, endpoint, model in
            if let api = request.api, endpoint.settings.apis.contains(api), let body = request.body {
                let body = model == request.model ? body : try Self.replacingModel(in: body, with: model)
                return .native(
                    try await key.client.post(api.path, body: body, extraHeaders: Self.headers(for: api, forwarded: request.forwardedHeaders))
                )
            }
            let neutral = try request.neutral()
            switch endpoint.translationTarget {
            case .messages:
                let (messages, dropped) = MessagesEncoding.request(neutral, model: model, stream: false)
                Self.noteTranslation(to: .messages, of: neutral, dropped: dropped, in: record)
                let answer = try await key.client.post("/messages", body: try Self.encode(messages), extraHeaders: Self.headers(for: .messages))
                return .translated(try MessagesDecoding.response(from: Self.decode(MessagesResponse.self, from: answer)))
            default:
                Self.noteTranslation(to: .chat, of: neutral, dropped: [], in: record)
                let chat = ChatEncoding.request(neutral, model: model, stream: false)
                let answer = try await key.client.post("/chat/completions", body: try ChatRequestJSON.written(chat) ?? Self.encode(chat))
                return .translated(ChatDecoding.response(from: try Self.completion(from: answer)))
            }
        }
    }

    /// A streamed answer, once a provider has accepted the request.
    func stream(_ request: RoutedRequest, record: RequestRecord) async throws -> RoutedStream {
        try await route(request, record: record) { key, endpoint, model in
            if let api = request.api, endpoint.settings.apis.contains(api), let body = request.body {
                let body = model == request.model ? body : try Self.replacingModel(in: body, with: model)
                return .native(
                    try await key.client.stream(api.path, body: body, extraHeaders: Self.headers(for: api, forwarded: request.forwardedHeaders))
                )
            }
            let neutral = try request.neutral()
            switch endpoint.translationTarget {
            case .messages:
                let (messages, dropped) = MessagesEncoding.request(neutral, model: model, stream: true)
                Self.noteTranslation(to: .messages, of: neutral, dropped: dropped, in: record)
                let events = try await key.client.stream("/messages", body: try Self.encode(messages), extraHeaders: Self.headers(for: .messages))
                return .translated(LLMEventStream(messages: MessagesEventStream(events: events)), request: neutral)
            default:
                Self.noteTranslation(to: .chat, of: neutral, dropped: [], in: record)
                let chat = ChatEncoding.request(neutral, model: model, stream: true)
                let events = try await key.client.stream("/chat/completions", body: try ChatRequestJSON.written(chat) ?? Self.encode(chat))
                return .translated(LLMEventStream(chat: ChatCompletionStream(events: events)), request: neutral)
            }
        }
    }

    /// A neutral request's whole answer (the reference API's; always translated).
    func complete(_ request: LLMRequest, record: RequestRecord) async throws -> LLMResponse {
        guard case .translated(let response) = try await complete(RoutedRequest(neutral: request, stream: false), record: record) else {
            throw ProviderError.invalidResponse("a neutral request went native")
        }
        return response
    }

    /// A neutral request's streamed answer (the reference API's; always translated).
    func stream(_ request: LLMRequest, record: RequestRecord) async throws -> LLMEventStream {
        guard case .translated(let events, _) = try await stream(RoutedRequest(neutral: request, stream: true), record: record) else {
            throw ProviderError.invalidResponse("a neutral request went native")
        }
        return events
    }

    /// `count_tokens`: the provider's own count where it serves Anthropic's API, else an estimate.
    func countTokens(_ request: RoutedRequest, record: RequestRecord) async throws -> RoutedTokenCount {
        guard let endpoint = endpoint(for: request.model) else { throw UnknownModel(model: request.model) }
        guard endpoint.settings.apis.contains(.messages), let body = request.body else {
            return .estimated(TokenEstimate.inputTokens(of: try request.neutral()))
        }
        return try await route(request, record: record) { key, _, model in
            let body = model == request.model ? body : try Self.replacingModel(in: body, with: model)
            return .native(
                try await key.client.post(
                    "/messages/count_tokens",
                    body: body,
                    extraHeaders: Self.headers(for: .messages, forwarded: request.forwardedHeaders)
                )
            )
        }
    }

    /// A stored response of a provider that speaks the Responses API natively (`GET` or `DELETE
    /// /responses/{id}`): the first such provider is asked; nil when there is none.
    func forwardStoredResponse(_ method: StoredResponseCall, id: String, record: RequestRecord) async throws -> ByteBuffer? {
        guard let endpoint = endpoints.first(where: { $0.settings.apis.contains(.responses) }), let key = endpoint.keys.first else { return nil }
        let started = ContinuousClock.now
        let path = "/responses/" + (id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? id)
        do {
            let body = try await method == .get ? key.client.get(path) : key.client.delete(path)
            record.update {
                $0.upstreamCalls.append(
                    .init(provider: endpoint.settings.name, model: "", status: 200, latencyMilliseconds: (ContinuousClock.now - started).milliseconds)
                )
            }
            return body
        } catch let error as ProviderError {
            let status = error.status ?? 502
            record.update {
                $0.upstreamCalls.append(
                    .init(
                        provider: endpoint.settings.name,
                        model: "",
                        status: status,
                        latencyMilliseconds: (ContinuousClock.now - started).milliseconds
                    )
                )
            }
            throw error
        }
    }

    enum StoredResponseCall: Sendable {
        case get, delete
    }

    /// Every provider's models: those it names, or else what its `/models` says.
    func listModels() async throws -> ModelList {
        var seen = Set<String>()
        var models: [ModelList.Model] = []
        var anyAnswered = false
        for endpoint in endpoints {
            var names = endpoint.settings.models
            if endpoint.settings.servesAnyModel || !endpoint.settings.modelPrefixes.isEmpty,
                let client = endpoint.keys.first?.client,
                let listed = try? JSONDecoder().decode(ModelList.self, from: Data((try await client.get("/models")).readableBytesView))
            {
                names += listed.data.map(\.id).filter { endpoint.settings.servesAnyModel || endpoint.serves(byPrefix: $0) }
                anyAnswered = true
            } else if !names.isEmpty {
                anyAnswered = true
            }
            for name in names where seen.insert(name).inserted {
                models.append(ModelList.Model(id: name, ownedBy: endpoint.settings.name))
            }
        }
        guard anyAnswered else { throw ProviderError.unreachable("no provider listed its models") }
        return ModelList(data: models)
    }

    // MARK: - Routing

    private func endpoint(for model: String) -> Endpoint? {
        endpointsByModel[model]
            ?? endpoints.first { $0.serves(byPrefix: model) }
            ?? endpoints.first { $0.settings.servesAnyModel }
    }

    private func route<Value: Sendable>(
        _ request: RoutedRequest,
        record: RequestRecord,
        _ call: (Key, Endpoint, _ model: String) async throws -> Value
    ) async throws -> Value {
        guard endpoint(for: request.model) != nil else { throw UnknownModel(model: request.model) }
        // Set only when a candidate fails: an error (and an array of candidates) made up front
        // would be an allocation on every request.
        var lastError: (any Error)?
        for candidate in CandidateModels(first: request.model, fallbacks: fallbacks[request.model] ?? []) {
            guard let endpoint = endpoint(for: candidate) else { continue }
            guard endpoint.canServe(request.api) else {
                lastError = UnservableRequest(model: candidate, api: request.api ?? .chat)
                continue
            }
            keys: for key in keysInOrder(endpoint.keys) {
                guard key.breaker.allowRequest() else {
                    lastError = ProviderError.unreachable("circuit open for \(key.id)")
                    continue
                }
                let started = ContinuousClock.now
                func noteCall(status: Int) {
                    let call = RequestRecord.UpstreamCall(
                        provider: endpoint.settings.name,
                        model: candidate,
                        status: status,
                        latencyMilliseconds: (ContinuousClock.now - started).milliseconds
                    )
                    record.update { $0.upstreamCalls.append(call) }
                    key.recent.record(status: status, latencyMilliseconds: call.latencyMilliseconds)
                }
                do {
                    let value =
                        traced
                        ? try await withSpan("upstream \(endpoint.settings.name)", ofKind: .client) { span in
                            span.attributes["taogate.provider"] = endpoint.settings.name
                            span.attributes["taogate.provider_key"] = key.id
                            span.attributes["gen_ai.request.model"] = candidate
                            if candidate != request.model { span.attributes["taogate.fallback_from"] = request.model }
                            return try await call(key, endpoint, candidate)
                        } : try await call(key, endpoint, candidate)
                    noteCall(status: 200)
                    note(key.breaker.recordSuccess(), for: key)
                    return value
                } catch let error as ProviderError {
                    noteCall(status: error.status ?? (error.kind == .timeout ? 504 : 502))
                    guard error.status != 401 && error.status != 403 else {
                        note(key.breaker.recordSuccess(), for: key)
                        coolDown(key)
                        lastError = error
                        continue keys
                    }
                    guard error.isRetryable else {
                        note(key.breaker.recordSuccess(), for: key)
                        throw error
                    }
                    note(key.breaker.recordFailure(), for: key)
                    lastError = error
                    logger.warning(
                        "provider failed, trying the next candidate",
                        metadata: ["provider": "\(endpoint.settings.name)", "model": "\(candidate)", "error": "\(error.shortDescription)"]
                    )
                    break keys
                } catch let error as TranslationError {
                    // Refused before any call: the request holds what this provider's API cannot carry.
                    throw error
                } catch {
                    noteCall(status: 499)
                    key.breaker.recordAbandoned()
                    throw error
                }
            }
        }
        throw lastError ?? UnknownModel(model: request.model)
    }

    /// Keys not cooling down, in a weighted random order, then the cooling ones (better a
    /// probably-bad key than none).
    private func keysInOrder(_ keys: [Key]) -> [Key] {
        if keys.count == 1 { return keys }
        let now = ContinuousClock.now
        let cooling = coolingUntil.withLock { until in keys.filter { (until[$0.id] ?? now) > now }.map(\.id) }
        var available = keys.filter { !cooling.contains($0.id) }
        var ordered: [Key] = []
        while !available.isEmpty {
            var pick = Int.random(in: 0..<available.reduce(0) { $0 + $1.weight })
            let index = available.firstIndex { key in
                pick -= key.weight
                return pick < 0
            }!
            ordered.append(available.remove(at: index))
        }
        return ordered + keys.filter { cooling.contains($0.id) }
    }

    /// Logs a circuit-breaker transition.
    private func note(_ transition: CircuitBreaker.State?, for key: Key) {
        guard let transition else { return }
        metrics?.circuitState(key: key.id, transition)
        let level: Logger.Level = transition == .open ? .warning : .info
        logger.log(level: level, "circuit breaker \(transition.rawValue)", metadata: ["key": "\(key.id)", "circuit": "\(transition.rawValue)"])
    }

    private func coolDown(_ key: Key) {
        coolingUntil.withLock { $0[key.id] = .now + keyCooldown }
        logger.warning("upstream key rejected; cooling it down", metadata: ["key": "\(key.id)", "seconds": "\(keyCooldown)"])
    }

    // MARK: - Bodies and headers

    /// Native Anthropic calls carry the client's `anthropic-*` headers; every Anthropic call
    /// carries an `anthropic-version`.
    private static func headers(for api: ProviderAPI, forwarded: [(String, String)] = []) -> [(String, String)] {
        guard api == .messages else { return forwarded }
        if forwarded.contains(where: { $0.0.lowercased() == "anthropic-version" }) { return forwarded }
        return forwarded + [("anthropic-version", AnthropicCompatibleProvider.apiVersion)]
    }

    private static func noteTranslation(to api: ProviderAPI, of request: LLMRequest, dropped: [String], in record: RequestRecord) {
        record.update {
            $0.translatedTo = api.rawValue
            $0.droppedFields = request.dropped + dropped
        }
    }

    private static func encode(_ value: some Encodable) throws -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return ByteBuffer(bytes: try encoder.encode(value))
    }

    /// A chat completion, read by the scanner when it has the usual shape.
    private static func completion(from body: ByteBuffer) throws -> ChatCompletionResponse {
        do {
            return try ChatCompletionResponse.read(from: body)
        } catch {
            throw ProviderError.invalidResponse("the upstream's answer is not a \(ChatCompletionResponse.self)")
        }
    }

    private static func decode<Value: Decodable>(_ type: Value.Type, from body: ByteBuffer) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(body.readableBytesView))
        } catch {
            throw ProviderError.invalidResponse("the upstream's answer is not a \(type)")
        }
    }

    /// The same body with another `model`: only on the (rare) fallback path.
    static func replacingModel(in body: ByteBuffer, with model: String) throws -> ByteBuffer {
        guard var object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else {
            throw ProviderError.invalidResponse("request body is not a JSON object")
        }
        object["model"] = model
        return ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))
    }
}

/// A request's model, then its fallbacks in order.
private struct CandidateModels: Sequence, IteratorProtocol {
    private var first: String?
    private var fallbacks: IndexingIterator<[String]>

    init(first: String, fallbacks: [String]) {
        self.first = first
        self.fallbacks = fallbacks.makeIterator()
    }

    mutating func next() -> String? {
        if let model = first {
            first = nil
            return model
        }
        return fallbacks.next()
    }
}
