import Hummingbird
import LLMClient
import Logging
import NIOCore
import ServiceLifecycle

/// Builds the TaoGate application from its configuration. `taogate serve` and the tests use
/// this same function.
/// - Parameters:
///   - configuration: the settings (see `GatewayConfiguration`).
///   - stores: the opened database (see `GatewayStores.open`); closed when the application stops.
///   - logger: where request lines and errors go.
///   - prices: the prices in force (`taogate serve` reloads them on SIGHUP).
///   - onServerRunning: called with the listening channel (tests read the bound port from it).
public func buildApplication(
    configuration: GatewayConfiguration,
    stores: GatewayStores,
    logger: Logger,
    prices: PriceBook? = nil,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> some ApplicationProtocol {
    StartupChecks.logWarnings(for: configuration, to: logger)
    let prices = prices ?? configuration.makePriceBook()
    let metrics = configuration.metricsEnabled ? GatewayMetrics() : nil
    let modelRouter = ModelRouter(configuration: configuration, logger: logger, metrics: metrics)
    let usageRecorder = UsageRecorder(
        store: stores.usage,
        isReachable: { (try? await stores.checkReachable()) != nil },
        logger: logger,
        metrics: metrics
    )
    let admission = KeyAdmission(ledger: stores.budgetLedger(calendar: configuration.usageCalendar))
    let completion = RequestCompletion(
        log: RequestLog(logger: logger, includesErrorDetails: configuration.environment == .development),
        accounting: UsageAccounting(recorder: usageRecorder, prices: prices),
        admission: admission,
        metrics: metrics,
        prices: prices
    )
    let router = buildRouter(
        configuration: configuration,
        logger: logger,
        modelRouter: modelRouter,
        stores: stores,
        admission: admission,
        completion: completion,
        metrics: metrics,
        prices: prices
    )
    var databaseUsers: [any Service] = [usageRecorder, ProviderService(router: modelRouter)]
    if configuration.usageRetentionDays > 0 {
        databaseUsers.append(
            UsageRetention(
                store: stores.usage,
                days: configuration.usageRetentionDays,
                calendar: configuration.usageCalendar,
                logger: logger,
                ledger: stores.budgetLedger(calendar: configuration.usageCalendar)
            )
        )
    }
    let responder = router.buildResponder()
    return Application(
        responder: responder,
        server: .gateway(
            responder: responder,
            completion: completion,
            serverName: "TaoGate",
            limits: ClientConnectionHandler.Limits(
                connections: ConnectionCount(limit: configuration.maxConnections),
                maxBodyBytes: configuration.maxBodyBytes,
                bodyTimeout: TimeAmount(configuration.inboundBodyTimeout),
                idleTimeout: TimeAmount(configuration.inboundIdleTimeout)
            ),
            metrics: metrics
        ),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "TaoGate"),
        // Stopped after the server, in reverse order: retention, upstream pools, then the last
        // usage rows; the database closes after them.
        services: [StoresService(stores: stores, users: databaseUsers, logger: logger)],
        onServerRunning: onServerRunning,
        logger: logger
    )
}

/// The route table. Every route of TaoGate is listed here.
func buildRouter(
    configuration: GatewayConfiguration,
    logger: Logger,
    modelRouter: ModelRouter,
    stores: GatewayStores,
    admission: KeyAdmission,
    completion: RequestCompletion,
    metrics: GatewayMetrics?,
    prices: PriceBook
) -> GatewayRouter {
    let keyStore = CachedKeyStore(stores.keys, lifetime: configuration.keyCacheLifetime)
    let keys = ClientKeys(configured: configuration.clientAPIKeys, store: keyStore, allowsAnonymous: configuration.allowsAnonymous)
    // Wrong client keys and wrong admin keys count against one limit per address.
    let authFailures = configuration.authFailuresPerMinute > 0 ? RateLimiter(limit: configuration.authFailuresPerMinute, window: .seconds(60)) : nil
    let clientKeys = ClientKeyCheck(keys: keys, failures: authFailures, trustedProxyHops: configuration.trustedProxyHops)
    // One limit per client across every model route and the conversations.
    let rateLimit =
        configuration.rateLimitMax > 0
        ? RateLimitCheck(
            limiter: stores.rateLimiter(limit: configuration.rateLimitMax, window: configuration.rateLimitWindow),
            trustedProxyHops: configuration.trustedProxyHops,
            metrics: metrics
        ) : nil
    let jsonBody = JSONBodyReader(maxBodyBytes: configuration.maxBodyBytes)
    let admit = AdmissionCheck(
        admission: admission,
        defaultMaximumTokens: 4096,
        defaultModel: configuration.defaultModel,
        prices: prices,
        provider: { [modelRouter] in modelRouter.provider(for: $0) }
    )
    // What the route groups check, each a step further than the one before.
    let keyed = RouteAccessMiddleware(clientKeys: clientKeys)
    let limited = RouteAccessMiddleware(clientKeys: clientKeys, rateLimit: rateLimit)
    let withBody = RouteAccessMiddleware(clientKeys: clientKeys, rateLimit: rateLimit, body: jsonBody)
    let admitted = RouteAccessMiddleware(clientKeys: clientKeys, rateLimit: rateLimit, body: jsonBody, admission: admit)
    let catalog = ModelCatalog(provider: modelRouter, suggested: configuration.suggestedModels, ttl: configuration.modelsCacheTTL)

    let router = GatewayRouter()
    if configuration.tracing {
        router.add(step: MiddlewareStep(middleware: TracingMiddleware()))
    }
    router.add(
        step: EveryRouteMiddleware(
            completion: completion,
            cors: CORSPolicy(origins: configuration.corsOrigins),
            // Errors in the dialect of the route: the reference API's, OpenAI's on /v1, Anthropic's on /v1/messages.
            errors: ErrorAnswers(includeDetails: configuration.environment == .development),
            hostCheck: HostCheck(listenHost: configuration.host, configured: configuration.allowedHosts)
        )
    )

    let root = router.group()
    HealthController(stores: stores).addRoutes(to: root)
    OpenAPIController().addRoutes(to: root)
    ChatPageController().addRoutes(to: root)
    if let metrics { MetricsController(metrics: metrics).addRoutes(to: root) }

    // The reference API: /api/*
    let api = router.group("/api", keyed)
    let apiLimited = router.group("/api", limited)
    let chatRoutes = router.group("/api/chat", admitted)
    ChatController(
        service: ChatService(
            router: modelRouter,
            conversations: stores.conversations,
            defaultModel: configuration.defaultModel,
            historyContextMessages: configuration.historyContextMessages,
            historyMaxMessages: configuration.historyMaxMessages,
            maxReplyCharacters: configuration.maxMessageCharacters
        ),
        maxMessageCharacters: configuration.maxMessageCharacters,
        shutdownGrace: configuration.shutdownGrace
    ).addRoutes(to: chatRoutes)
    ModelsController(catalog: catalog, suggested: configuration.suggestedModels).addRoutes(to: api)
    ConversationsController(store: stores.conversations).addRoutes(to: apiLimited)
    if let adminKey = configuration.adminKey {
        // The admin API: /admin/* (and the older GET /api/usage), and the console that uses it.
        let adminAuth = AdminAuthMiddleware(adminKey: adminKey, failures: authFailures, trustedProxyHops: configuration.trustedProxyHops)
        let admin = router.group("/admin", adminAuth)
        let adminJSON = admin.group("", jsonBody)
        let usage = AdminUsageController(usage: stores.usage, calendar: configuration.usageCalendar)
        usage.addRoutes(to: admin)
        usage.addLegacyRoute(to: router.group("/api", adminAuth))
        AdminKeysController(keys: keys, store: keyStore, usage: stores.usage, calendar: configuration.usageCalendar)
            .addRoutes(to: admin, json: adminJSON)
        AdminProvidersController(router: modelRouter, prices: prices).addRoutes(to: admin)
        ConsoleController().addRoutes(to: root)
    }

    // The OpenAI- and Anthropic-compatible surface: /v1/*
    let v1 = router.group("/v1", keyed)
    let v1Limited = router.group("/v1", limited)
    let v1JSON = router.group("/v1", withBody)
    let v1Admitted = router.group("/v1", admitted)
    OpenAIController(
        router: modelRouter,
        catalog: catalog,
        maxMessages: configuration.maxMessages,
        shutdownGrace: configuration.shutdownGrace
    )
    .addRoutes(to: v1, chat: v1Admitted)
    MessagesController(
        router: modelRouter,
        maxMessages: configuration.maxMessages,
        shutdownGrace: configuration.shutdownGrace
    )
    .addRoutes(create: v1Admitted, countTokens: v1JSON)
    ResponsesController(
        router: modelRouter,
        responses: stores.responses,
        timeToLive: configuration.responsesTimeToLive,
        shutdownGrace: configuration.shutdownGrace
    )
    .addRoutes(create: v1Admitted, stored: v1Limited)
    EmbeddingsController(router: modelRouter, shutdownGrace: configuration.shutdownGrace).addRoutes(to: v1Admitted)
    return router
}
