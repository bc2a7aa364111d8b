import AsyncHTTPClient
import NIOCore

extension ProviderError {
    /// Classifies a transport failure that happened before a response arrived.
    init(sendingRequestFailedWith error: any Error) {
        if let error = error as? ProviderError {
            self = error
            return
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .readTimeout, .deadlineExceeded:
                self = .timeout("no answer from the upstream in time")
            case .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout:
                self = .unreachable("could not connect to the upstream in time")
            default:
                self = .unreachable("upstream connection failed: \(error.shortDescription)")
            }
            return
        }
        self = .unreachable("upstream connection failed: \(String(describing: type(of: error)))")
    }

    /// Classifies a failure while a streamed body was being read.
    init(readingStreamFailedWith error: any Error) {
        if let error = error as? HTTPClientError, error == .readTimeout {
            self = .timeout("the upstream sent nothing for longer than the idle timeout")
        } else {
            self.init(sendingRequestFailedWith: error)
        }
    }
}
