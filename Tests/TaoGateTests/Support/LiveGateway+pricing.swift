import Foundation
import Testing

@testable import TaoGate

extension LiveGateway {
    /// A gateway whose providers file (TAOGATE_CONFIG) holds only `pricing` (YAML, the lines
    /// under `pricing:`): the Taotoken provider of TAOTOKEN_* with those prices. The file's path
    /// is handed to `body`, to be rewritten for reloads.
    static func run<T: Sendable>(
        pricing: String,
        _ settings: [String: String] = [:],
        _ body: @escaping @Sendable (LiveGateway, String) async throws -> T
    ) async throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("taogate-pricing-\(UUID().uuidString).yaml").path
        try ("pricing:\n" + pricing).write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var values = settings
        values["TAOGATE_CONFIG"] = path
        return try await run(values) { gateway in try await body(gateway, path) }
    }

    /// The usage rows written so far (the memory store), waiting until there are `count`.
    func usageRows(atLeast count: Int = 1) async throws -> [UsageRecord] {
        let store = try #require(stores.usage as? MemoryUsageStore)
        _ = try await waitUntil { await store.all.count >= count }
        return await store.all
    }
}
