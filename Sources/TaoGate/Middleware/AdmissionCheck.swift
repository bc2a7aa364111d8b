import Hummingbird

/// Admits a model request of a client key before any upstream call: the model must be one the
/// key may call, and `KeyAdmission` keeps its concurrency limit and budgets, with a reservation
/// of the request's token limit (or `defaultMaximumTokens`) plus an estimate of its input, priced
/// for money budgets with the price of its model. The reservation is settled when the request
/// ends (`RequestCompletion`). A step of `RouteAccessMiddleware`, after the body is read.
struct AdmissionCheck {
    let admission: KeyAdmission
    /// The reservation of a request that gives no token limit.
    let defaultMaximumTokens: Int
    /// The model of a reference API request that names none.
    let defaultModel: String
    let prices: PriceBook
    /// The provider that serves a model.
    let provider: @Sendable (String) -> String?

    /// Admits the request of the context's key (a request without one has nothing to admit),
    /// noting its ticket in the record; throws the refusal.
    func admit(_ context: GatewayRequestContext) async throws {
        guard let key = context.clientKey else { return }
        let json = try context.jsonBody
        let model = json.fields.model ?? defaultModel
        guard key.limits.allows(model: model) else {
            var refusal = GatewayError(
                .modelNotAllowed,
                message: LocalizedMessage(en: "This key may not call the model `\(model)`.", zh: "该密钥无权调用模型 `\(model)`。")
            )
            refusal.param = "model"
            throw refusal
        }
        guard key.limits.needsAdmission else { return }
        let demand = KeyAdmission.Demand(
            inputTokens: json.body.readableBytes / 4,
            outputTokens: json.fields.maxTokens.map { max(0, $0) } ?? defaultMaximumTokens,
            price: provider(model).flatMap { prices.price(provider: $0, model: model) }
        )
        if let ticket = try await admission.admit(key, demand: demand) {
            context.record.update { $0.admission = ticket }
        }
    }
}
