import Foundation
import LLMClient
import Logging
import NIOCore
import Synchronization
import Tracing

/// Routes a model to the providers and keys that serve it, and tries them in order.
///
/// For a model the candidates are the model itself, then its configured fallbacks, each served
/// by the first provider that names it (by exact name, then by prefix, then a provider that
/// serves any model). Within a provider, keys are tried by weight; a key answered with 401/403 is
/// set aside for the cool-down and the next key is tried. A retryable failure (after the
/// provider's own retries) moves on to the next candidate. All of this happens before the first
/// byte reaches the client.
final class ModelRouter: ChatProvider {
    /// The model names no configured provider serves.
    struct UnknownModel: Error {
        let model: String
    }

    private struct Endpoint: Sendable {
        var settings: ProviderSettings
        var keys: [Key]
        var models: Set<String>

        func serves(exactly model: String) -> Bool { models.contains(model) }
        func serves(byPrefix model: String) -> Bool { settings.modelPrefixes.contains { model.hasPrefix($0) } }
    }

    private struct Key: Sendable {
        var id: String
        var weight: Int
        var client: OpenAICompatibleProvider
        var breaker: CircuitBreaker
    }

    private let endpoints: [Endpoint]
    private let fallbacks: [String: [String]]
    private let keyCooldown: Duration
    private let coolingUntil = Mutex<[String: ContinuousClock.Instant]>([:])
    private let clients: UpstreamHTTPClients
    private let logger: Logger
    private let metrics: GatewayMetrics?

    init(configuration: GatewayConfiguration, logger: Logger, metrics: GatewayMetrics? = nil) {
        let clients = UpstreamHTTPClients(
            connectTimeout: configuration.upstreamConnectTimeout,
            streamIdleTimeout: configuration.upstreamIdleTimeout
        )
        self.clients = clients
        self.logger = logger
        self.metrics = metrics
        self.fallbacks = configuration.fallbacks
        self.keyCooldown = configuration.keyCooldown
        self.endpoints = configuration.providers.map { provider in
            let keys = provider.keys.enumerated().map { index, key in
                Key(
                    id: "\(provider.name)#\(index + 1)",
                    weight: key.weight,
                    client: OpenAICompatibleProvider(
                        configuration: .init(
                            baseURL: provider.baseURL,
                            apiKey: key.value,
                            timeout: configuration.upstreamTimeout,
                            connectTimeout: configuration.upstreamConnectTimeout,
                            streamIdleTimeout: configuration.upstreamIdleTimeout,
                            retryPolicy: RetryPolicy(
                                maxRetries: configuration.upstreamMaxRetries,
                                baseDelay: configuration.upstreamRetryBaseDelay
                            ),
                            headers: provider.headers,
                            onRetry: { _ in metrics?.retry(provider: provider.name) }
                        ),
                        clients: clients,
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
    }

    func shutdown() async throws {
        try await clients.shutdown()
    }

    /// Whether some provider serves `model`.
    func knows(_ model: String) -> Bool { endpoint(for: model) != nil }

    // MARK: - Raw passthrough

    func completeRaw(_ body: ByteBuffer, model: String) async throws -> ByteBuffer {
        try await route(body, model: model) { client, body in try await client.completeRaw(body) }
    }

    func streamRaw(_ body: ByteBuffer, model: String) async throws -> ServerSentEventStream {
        try await route(body, model: model) { client, body in try await client.streamRaw(body) }
    }

    // MARK: - ChatProvider, for the reference API

    func complete(_ request: ChatCompletionRequest) async throws -> ChatCompletionResponse {
        var request = request
        request.stream = nil
        request.streamOptions = nil
        let routed = try await completeRaw(ByteBuffer(bytes: JSONEncoder().encode(request)), model: request.model)
        do {
            return try JSONDecoder().decode(ChatCompletionResponse.self, from: Data(routed.readableBytesView))
        } catch {
            throw ProviderError.invalidResponse("the upstream's answer is not a chat completion")
        }
    }

    func stream(_ request: ChatCompletionRequest) async throws -> ChatCompletionStream {
        var request = request
        request.stream = true
        let routed = try await streamRaw(ByteBuffer(bytes: JSONEncoder().encode(request)), model: request.model)
        return ChatCompletionStream(events: routed)
    }

    /// Every provider's models: those it names, or else what its `/models` says.
    func listModels() async throws -> ModelList {
        var seen = Set<String>()
        var models: [ModelList.Model] = []
        var anyAnswered = false
        for endpoint in endpoints {
            var names = endpoint.settings.models
            if endpoint.settings.servesAnyModel || !endpoint.settings.modelPrefixes.isEmpty,
                let listed = try? await endpoint.keys.first?.client.listModels()
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
        endpoints.first { $0.serves(exactly: model) }
            ?? endpoints.first { $0.serves(byPrefix: model) }
            ?? endpoints.first { $0.settings.servesAnyModel }
    }

    private func route<Value: Sendable>(
        _ body: ByteBuffer,
        model: String,
        _ call: (OpenAICompatibleProvider, ByteBuffer) async throws -> Value
    ) async throws -> Value {
        guard endpoint(for: model) != nil else { throw UnknownModel(model: model) }
        var lastError: any Error = UnknownModel(model: model)
        for candidate in [model] + (fallbacks[model] ?? []) {
            guard let endpoint = endpoint(for: candidate) else { continue }
            let candidateBody = candidate == model ? body : try Self.replacingModel(in: body, with: candidate)
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
                    RequestRecord.current?.update { $0.upstreamCalls.append(call) }
                }
                do {
                    let value = try await withSpan("upstream \(endpoint.settings.name)", ofKind: .client) { span in
                        span.attributes["taogate.provider"] = endpoint.settings.name
                        span.attributes["taogate.provider_key"] = key.id
                        span.attributes["gen_ai.request.model"] = candidate
                        if candidate != model { span.attributes["taogate.fallback_from"] = model }
                        return try await call(key.client, candidateBody)
                    }
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
                } catch {
                    noteCall(status: 499)
                    key.breaker.recordAbandoned()
                    throw error
                }
            }
        }
        throw lastError
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

    /// The same body with another `model`: only on the (rare) fallback path.
    static func replacingModel(in body: ByteBuffer, with model: String) throws -> ByteBuffer {
        guard var object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else {
            throw ProviderError.invalidResponse("request body is not a JSON object")
        }
        object["model"] = model
        return ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))
    }
}
