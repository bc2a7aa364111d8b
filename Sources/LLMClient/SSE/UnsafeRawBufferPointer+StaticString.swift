#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Comparisons of raw bytes with literal text, with `memcmp`: the stream relays make them for
/// every event, where a loop over a String's UTF-8 view costs several times as much.
extension UnsafeRawBufferPointer {
    @inlinable package func starts(with prefix: StaticString, at offset: Int = 0) -> Bool {
        count - offset >= prefix.utf8CodeUnitCount
            && (prefix.utf8CodeUnitCount == 0 || memcmp(baseAddress! + offset, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0)
    }

    @inlinable package func ends(with suffix: StaticString) -> Bool {
        count >= suffix.utf8CodeUnitCount && starts(with: suffix, at: count - suffix.utf8CodeUnitCount)
    }

    @inlinable package func equals(_ text: StaticString) -> Bool {
        count == text.utf8CodeUnitCount && starts(with: text)
    }
}
