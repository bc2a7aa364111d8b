import Logging
import Testing
import Yams

@testable import TaoGate

@Suite("OpenAPI description")
struct OpenAPITests {
    @Test("GET /openapi.yaml serves the description")
    func descriptionIsServed() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.get("/openapi.yaml")
            #expect(response.status == 200)
            let document = try #require(try Yams.load(yaml: response.body) as? [String: Any])
            #expect((document["openapi"] as? String)?.hasPrefix("3.") == true)
        }
    }

    @Test("Every route of the router is described, with its method")
    func everyRouteIsDescribed() async throws {
        let configuration = try GatewayConfiguration(values: ["TAOTOKEN_API_KEY": "k", "TAOGATE_ADMIN_KEY": "admin-key-0123456789"])
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let modelRouter = ModelRouter(configuration: configuration, logger: logger)
        let stores = try await GatewayStores.open(.memory, logger: logger)
        let admission = KeyAdmission(ledger: stores.budgetLedger(calendar: configuration.usageCalendar))
        let router = buildRouter(
            configuration: configuration,
            logger: logger,
            modelRouter: modelRouter,
            stores: stores,
            admission: admission,
            completion: RequestCompletion(
                log: RequestLog(logger: logger, includesErrorDetails: false),
                accounting: nil,
                admission: admission,
                metrics: nil
            ),
            metrics: GatewayMetrics(),
            prices: PriceBook(.none)
        )
        try await modelRouter.shutdown()
        let document = try #require(try Yams.load(yaml: String(buffer: OpenAPIController.document)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        #expect(!router.routes.isEmpty)
        for route in router.routes {
            let path = "\(route.path)".replacingOccurrences(of: ":userId", with: "{userId}")
            let operations = paths[path] as? [String: Any]
            #expect(operations?[route.method.rawValue.lowercased()] != nil, "\(route.method) \(path) is not described")
        }
    }
}
