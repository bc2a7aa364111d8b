import Synchronization

/// Short request ids: 16 hex digits, distinct within a process and unpredictable across them.
///
/// The ids are SplitMix64 over a counter seeded once from the system's generator: every id
/// differs from every other of the process (the mix is a bijection of the counter), and an id
/// costs an atomic add instead of a `getrandom(2)` call.
enum RequestIdentifier {
    private static let counter = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    static func next() -> String {
        var value = counter.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        value ^= value >> 31
        return hexadecimal(value)
    }

    static func hexadecimal(_ value: UInt64) -> String {
        withUnsafeBytes(of: value.bigEndian) { Hexadecimal.string($0) }
    }
}
