import Prometheus
import Synchronization

/// The gateway's Prometheus metrics, in a registry of its own (no global state), served by
/// `GET /metrics`. Labels are bounded: route patterns (never raw paths), provider names, status
/// codes, error codes, model names as configured or requested.
///
/// Requests in flight and upstream calls are noted by the request log step, which already has
/// every number at hand, so the hot path gains no work of its own beyond the counters.
final class GatewayMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    private static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        .seconds(30), .seconds(60),
    ]

    // The handles a request touches, by label values: made once, so a finished request costs a
    // dictionary lookup per metric instead of the registry's label array, lock and search.
    private let requestHandles = HandleCache<RequestLabels, RequestHandles>()
    private let upstreamLatency = HandleCache<String, DurationHistogram>()
    private let tokenCounters = HandleCache<TokenLabels, Counter>()
    private let firstTokenLatency = HandleCache<String, DurationHistogram>()
    private let costCounters = HandleCache<CostLabels, Counter>()
    private let unpricedCounters = HandleCache<String, Counter>()

    private struct RequestLabels: Hashable, Sendable {
        var route: String
        var method: String
        var status: Int
    }

    private struct RequestHandles: Sendable {
        let count: Counter
        let duration: DurationHistogram
        let overhead: DurationHistogram
    }

    private struct TokenLabels: Hashable, Sendable {
        var model: String
        var kind: String
    }

    private struct CostLabels: Hashable, Sendable {
        var model: String
        var key: String
        var currency: String
    }

    private let activeStreams: Gauge
    private let rateLimited: Counter
    private let openConnections: Gauge
    private let refusedConnections: Counter

    init() {
        activeStreams = registry.makeGauge(name: "taogate_active_streams", help: "Streams being relayed now.")
        rateLimited = registry.makeCounter(name: "taogate_rate_limited_total", help: "Requests refused by the gateway's rate limit.")
        openConnections = registry.makeGauge(name: "taogate_open_connections", help: "Client connections open now.")
        refusedConnections = registry.makeCounter(
            name: "taogate_connections_refused_total",
            help: "Client connections closed on arrival because MAX_CONNECTIONS were open."
        )
    }

    /// One finished request.
    func requestFinished(route: String, method: String, status: Int, duration: Duration, upstream: Duration?) {
        let handles = requestHandles.handle(RequestLabels(route: route, method: method, status: status)) {
            RequestHandles(
                count: registry.makeCounter(
                    name: "taogate_requests_total",
                    labels: [("route", route), ("method", method), ("status", String(status))],
                    help: "Requests answered, by route pattern and status."
                ),
                duration: registry.makeDurationHistogram(
                    name: "taogate_request_duration_seconds",
                    labels: [("route", route)],
                    buckets: Self.latencyBuckets,
                    help: "Whole request time, upstream included (streams: until the last byte)."
                ),
                overhead: registry.makeDurationHistogram(
                    name: "taogate_gateway_overhead_seconds",
                    labels: [("route", route)],
                    buckets: Self.latencyBuckets,
                    help: "The gateway's own time: request time minus time waiting for the upstream's answer."
                )
            )
        }
        handles.count.increment()
        handles.duration.record(duration)
        if let upstream { handles.overhead.record(max(.zero, duration - upstream)) }
    }

    /// One upstream call, by provider and outcome.
    func upstreamCall(provider: String, status: Int, latency: Duration) {
        upstreamLatency.handle(provider) {
            registry.makeDurationHistogram(
                name: "taogate_upstream_duration_seconds",
                labels: [("provider", provider)],
                buckets: Self.latencyBuckets,
                help: "Time until the upstream answered (streams: until its headers)."
            )
        }.record(latency)
        if status >= 400 {
            registry.makeCounter(
                name: "taogate_upstream_errors_total",
                labels: [("provider", provider), ("status", String(status))],
                help: "Upstream calls that failed, by provider and status (502 unreachable, 504 timeout, 499 abandoned)."
            ).increment()
        }
    }

    func fallback(from provider: String) {
        registry.makeCounter(
            name: "taogate_fallbacks_total",
            labels: [("provider", provider)],
            help: "Calls that moved on to another key, provider or fallback model after this provider failed."
        ).increment()
    }

    func retry(provider: String) {
        registry.makeCounter(
            name: "taogate_upstream_retries_total",
            labels: [("provider", provider)],
            help: "Retries of an upstream call after a transient failure."
        ).increment()
    }

    func timeToFirstToken(route: String, _ duration: Duration) {
        firstTokenLatency.handle(route) {
            registry.makeDurationHistogram(
                name: "taogate_time_to_first_token_seconds",
                labels: [("route", route)],
                buckets: Self.latencyBuckets,
                help: "From the request's arrival to the first content relayed to the client."
            )
        }.record(duration)
    }

    func tokens(model: String, prompt: Int, completion: Int) {
        for (kind, count) in [("prompt", prompt), ("completion", completion)] where count > 0 {
            tokenCounters.handle(TokenLabels(model: model, kind: kind)) {
                registry.makeCounter(
                    name: "taogate_tokens_total",
                    labels: [("model", model), ("kind", kind)],
                    help: "Tokens reported by upstreams (or estimated for streams cut short), by model and kind."
                )
            }.increment(by: Int64(count))
        }
    }

    /// What a request cost, by model, client key and currency.
    func cost(_ cost: Money, model: String, key: String) {
        let currency = cost.currency.rawValue
        costCounters.handle(CostLabels(model: model, key: key, currency: currency)) {
            registry.makeCounter(
                name: "taogate_cost_total",
                labels: [("model", model), ("key", key), ("currency", currency)],
                help: "Cost of requests with the prices in force when they ended, by model, client key and currency."
            )
        }.increment(by: cost.amount)
    }

    /// A request to a model without a price (its cost is unknown, not 0).
    func unpricedRequest(model: String) {
        unpricedCounters.handle(model) {
            registry.makeCounter(
                name: "taogate_unpriced_requests_total",
                labels: [("model", model)],
                help: "Requests whose model has no price in the pricing tables."
            )
        }.increment()
    }

    /// 0 closed, 1 half-open, 2 open.
    func circuitState(key: String, _ state: CircuitBreaker.State) {
        let value: Int64 =
            switch state {
            case .closed: 0
            case .halfOpen: 1
            case .open: 2
            }
        registry.makeGauge(
            name: "taogate_circuit_state",
            labels: [("key", key)],
            help: "Circuit breaker per provider key: 0 closed, 1 half-open, 2 open."
        ).set(value)
    }

    func connectionOpened() { openConnections.increment() }
    func connectionClosed() { openConnections.decrement() }
    func connectionRefused() { refusedConnections.increment() }

    /// A client took longer than allowed (`body`: to send a request's body).
    func inboundTimeout(kind: String) {
        registry.makeCounter(
            name: "taogate_inbound_timeouts_total",
            labels: [("kind", kind)],
            help: "Client connections closed because they were too slow to send a request."
        ).increment()
    }

    /// Usage rows that could not be kept: `refused` by the database, or dropped because the
    /// buffer was full while the database was away (`buffer_full`).
    func usageRowsDropped(_ count: Int, reason: String) {
        registry.makeCounter(
            name: "taogate_usage_rows_dropped_total",
            labels: [("reason", reason)],
            help: "Usage rows not written: refused by the database, or dropped from a full buffer while it was away."
        ).increment(by: Int64(count))
    }

    func streamStarted() { activeStreams.increment() }
    func streamEnded() { activeStreams.decrement() }
    func rateLimitedRequest() { rateLimited.increment() }
}

extension GatewayMetrics {
    /// Everything a finished request counts for.
    func record(_ request: FinishedRequest) {
        let fields = request.fields
        requestFinished(
            route: request.route,
            method: request.method,
            status: request.status,
            duration: request.duration,
            upstream: fields.upstreamLatencyMilliseconds.map { .microseconds(Int64($0 * 1000)) }
        )
        for (index, call) in fields.upstreamCalls.enumerated() {
            upstreamCall(provider: call.provider, status: call.status, latency: .microseconds(Int64(call.latencyMilliseconds * 1000)))
            if index < fields.upstreamCalls.count - 1 { fallback(from: call.provider) }
        }
        if let model = fields.upstreamCalls.last?.model ?? fields.model {
            tokens(model: model, prompt: fields.usage?.inputTokens ?? 0, completion: request.completionTokens)
        }
        if let first = fields.firstContentAt { timeToFirstToken(route: request.route, first - request.start) }
        if let call = fields.upstreamCalls.last {
            if let cost = request.cost {
                self.cost(cost, model: call.model, key: fields.clientKeyID ?? UsageQuery.anonymous)
            } else {
                unpricedRequest(model: call.model)
            }
        }
    }
}

/// Metric handles by their label values, each made on first use.
private final class HandleCache<Key: Hashable & Sendable, Handle: Sendable>: Sendable {
    private let handles = Mutex<[Key: Handle]>([:])

    func handle(_ key: Key, make: () -> Handle) -> Handle {
        handles.withLock { handles in
            if let handle = handles[key] { return handle }
            let handle = make()
            handles[key] = handle
            return handle
        }
    }
}
