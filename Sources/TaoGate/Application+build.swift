import Hummingbird
import LLMClient
import Logging
import NIOCore

/// Builds the TaoGate application from its configuration. `taogate serve` and the tests use
/// this same function.
/// - Parameters:
///   - configuration: the settings (see `GatewayConfiguration`).
///   - logger: where request lines and errors go.
///   - onServerRunning: called with the listening channel (tests read the bound port from it).
public func buildApplication(
    configuration: GatewayConfiguration,
    logger: Logger,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let provider = OpenAICompatibleProvider(
        configuration: .init(
            baseURL: configuration.upstreamBaseURL,
            apiKey: configuration.upstreamAPIKey ?? "",
            timeout: configuration.upstreamTimeout,
            connectTimeout: configuration.upstreamConnectTimeout,
            streamIdleTimeout: configuration.upstreamIdleTimeout,
            retryPolicy: RetryPolicy(
                maxRetries: configuration.upstreamMaxRetries,
                baseDelay: configuration.upstreamRetryBaseDelay
            )
        ),
        logger: logger
    )
    let conversations = MemoryConversationStore()
    let router = buildRouter(
        configuration: configuration,
        logger: logger,
        provider: provider,
        conversations: conversations
    )
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "TaoGate"),
        services: [ProviderService(provider: provider)],
        onServerRunning: onServerRunning,
        logger: logger
    )
}

/// The route table. Every route of TaoGate is listed here.
func buildRouter(
    configuration: GatewayConfiguration,
    logger: Logger,
    provider: any ChatProvider,
    conversations: any ConversationStore
) -> Router<GatewayRequestContext> {
    let errors = ErrorMiddleware(includeDetails: configuration.environment == .development)
    let router = Router(context: GatewayRequestContext.self)
    router.add(middleware: RequestLoggingMiddleware(logger: logger))
    router.add(middleware: errors)

    HealthController().addRoutes(to: router)

    let api = router.group("/api")
    if !configuration.clientAPIKeys.isEmpty {
        api.add(middleware: ClientKeyMiddleware(keys: configuration.clientAPIKeys))
    }

    let chat = ChatController(
        service: ChatService(
            provider: provider,
            conversations: conversations,
            defaultModel: configuration.defaultModel,
            historyContextMessages: configuration.historyContextMessages,
            historyMaxMessages: configuration.historyMaxMessages
        ),
        maxBodyBytes: configuration.maxBodyBytes
    )
    let chatRoutes = api.group("chat")
    if configuration.rateLimitMax > 0 {
        let limiter = RateLimiter(limit: configuration.rateLimitMax, window: configuration.rateLimitWindow)
        chatRoutes.add(middleware: RateLimitMiddleware(limiter: limiter, trustProxy: configuration.trustProxy))
        // Errors become responses inside the limiter, so they carry its headers too.
        chatRoutes.add(middleware: errors)
    }
    chat.addRoutes(to: chatRoutes)

    ModelsController(
        catalog: ModelCatalog(provider: provider, suggested: configuration.suggestedModels, ttl: configuration.modelsCacheTTL),
        suggested: configuration.suggestedModels
    ).addRoutes(to: api)
    ConversationsController(store: conversations).addRoutes(to: api)
    return router
}
