extension ProviderError {
    /// Classifies a transport failure that happened before a response arrived. The transport
    /// reports its own failures as `ProviderError` already (timeouts, refused or broken
    /// connections, answers that are not HTTP); anything else is an unreachable upstream.
    init(sendingRequestFailedWith error: any Error) {
        if let error = error as? ProviderError {
            self = error
            return
        }
        self = .unreachable("upstream connection failed: \(String(describing: type(of: error)))")
    }

    /// Classifies a failure while a streamed body was being read.
    init(readingStreamFailedWith error: any Error) {
        self.init(sendingRequestFailedWith: error)
    }
}
