import Foundation
import LLMClient
import Logging
import NIOCore
import Synchronization
import Tracing

/// A token count: the provider's answer as it sent it, or TaoGate's own estimate.
enum RoutedTokenCount: Sendable {
    case native(ByteBuffer)
    case estimated(Int)
}
