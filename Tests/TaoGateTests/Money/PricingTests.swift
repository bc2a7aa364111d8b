import Foundation
import Testing
import Yams

@testable import TaoGate

@Suite("Prices and costs")
struct PricingTests {
    static let price = ModelPrice(currency: .CNY, input: 1, output: 8, cachedInput: 0.25, cacheWrite: 2, reasoning: 32)

    @Test("Each kind of token costs its own price per 1M tokens")
    func eachKindHasItsPrice() {
        // 1000 prompt tokens: 600 read from the cache, 100 written to it, 300 plain; 500 out, 200 of them reasoning.
        let usage = TokenUsage(inputTokens: 1000, outputTokens: 500, cacheReadTokens: 600, cacheWriteTokens: 100, reasoningTokens: 200)
        let cost = Self.price.cost(of: usage)
        #expect(cost.currency == .CNY)
        #expect(abs(cost.amount - (300 * 1 + 600 * 0.25 + 100 * 2 + 300 * 8 + 200 * 32) / 1_000_000) < 1e-15)
    }

    @Test("Without their own prices, cached and cache-write tokens cost the input price and reasoning the output price")
    func missingPricesFallBack() {
        let plain = ModelPrice(currency: .USD, input: 2, output: 6)
        let usage = TokenUsage(inputTokens: 1000, outputTokens: 400, cacheReadTokens: 500, cacheWriteTokens: 100, reasoningTokens: 300)
        #expect(abs(plain.cost(of: usage).amount - (1000 * 2 + 400 * 6) / 1_000_000) < 1e-15)
    }

    @Test("A reservation prices every token at the dearest input and output prices")
    func maximumCostIsTheDearest() {
        let cost = Self.price.maximumCost(inputTokens: 1000, outputTokens: 100)
        #expect(abs(cost.amount - (1000 * 2 + 100 * 32) / 1_000_000) < 1e-15)
    }

    static func table(_ yaml: String) throws -> PriceTable {
        let section = try YAMLDecoder().decode(PricingSection.self, from: yaml)
        return try PriceTable(section, place: "pricing")
    }

    @Test("An exact name comes before the longest matching prefix, and the default comes last")
    func lookupOrder() throws {
        let table = try Self.table(
            """
            currency: CNY
            models:
              qwen-plus: { input: 1, output: 1 }
              "qwen-*": { input: 2, output: 2 }
              "qwen-max-*": { input: 3, output: 3 }
            default: { input: 4, output: 4 }
            """
        )
        #expect(table.price(of: "qwen-plus")?.input == 1)
        #expect(table.price(of: "qwen-turbo")?.input == 2)
        #expect(table.price(of: "qwen-max-latest")?.input == 3)
        #expect(table.price(of: "gpt-4o")?.input == 4)
    }

    @Test("A provider's own table comes before the shared one")
    func providerTableFirst() throws {
        let prices = Prices(
            shared: try Self.table("currency: CNY\nmodels:\n  gpt-4o: { input: 1, output: 1 }\n"),
            byProvider: ["openai": try Self.table("currency: USD\nmodels:\n  gpt-4o: { input: 9, output: 9 }\n")]
        )
        #expect(prices.price(provider: "openai", model: "gpt-4o")?.currency == .USD)
        #expect(prices.price(provider: "taotoken", model: "gpt-4o")?.currency == .CNY)
        #expect(prices.price(provider: "taotoken", model: "claude") == nil)
    }

    @Test("A model pattern with a * anywhere but at its end is refused")
    func badPatternIsRefused() {
        #expect(throws: ConfigurationError.self) { try Self.table("currency: CNY\nmodels:\n  \"a*b\": { input: 1, output: 1 }\n") }
    }

    @Test("A negative price is refused")
    func negativePriceIsRefused() {
        #expect(throws: ConfigurationError.self) { try Self.table("currency: CNY\nmodels:\n  m: { input: -1, output: 1 }\n") }
    }

    @Test("A currency other than CNY or USD is refused when the file is read")
    func unknownCurrencyIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("taogate-\(UUID().uuidString).yaml").path
        try "pricing:\n  currency: EUR\n  models:\n    m: { input: 1, output: 1 }\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ConfigurationError.self) { try GatewayConfiguration(values: ["TAOTOKEN_API_KEY": "k", "TAOGATE_CONFIG": path]) }
    }

    @Test("A providers file with prices and no providers prices the Taotoken provider of TAOTOKEN_*")
    func pricingOnlyFileKeepsTaotoken() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("taogate-\(UUID().uuidString).yaml").path
        try "pricing:\n  currency: CNY\n  models:\n    gpt-4o: { input: 1, output: 2 }\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = try GatewayConfiguration(values: ["TAOTOKEN_API_KEY": "k", "TAOGATE_CONFIG": path])
        #expect(configuration.providers.map(\.name) == ["taotoken"])
        #expect(configuration.prices.price(provider: "taotoken", model: "gpt-4o")?.output == 2)
    }

    @Test("A failed reload keeps the prices in force")
    func failedReloadKeepsPrices() throws {
        struct Unreadable: Error {}
        let prices = Prices(shared: try Self.table("currency: CNY\nmodels:\n  m: { input: 1, output: 1 }\n"))
        let book = PriceBook(prices) { throw Unreadable() }
        #expect(throws: Unreadable.self) { try book.reload() }
        #expect(book.price(provider: "any", model: "m")?.input == 1)
    }
}
