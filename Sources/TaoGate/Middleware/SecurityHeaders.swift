import HTTPTypes
import Hummingbird

/// Headers that keep browsers from misreading answers: `nosniff` and no referrer everywhere,
/// and on HTML a content security policy that allows only the page's own resources and no
/// framing. A step of `EveryRouteMiddleware`.
enum SecurityHeaders {
    static var contentSecurityPolicy: String {
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    }

    static func add(to response: inout Response) {
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        if response.headers.value(of: .contentType)?.hasPrefix("text/html") == true {
            response.headers[.contentSecurityPolicy] = contentSecurityPolicy
            response.headers[.xFrameOptions] = "DENY"
        }
    }
}

extension HTTPField.Name {
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
}
