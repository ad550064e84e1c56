/// A small, fast, seeded pseudo-random generator (SplitMix64): the same seed gives the same
/// data on every machine and every run, which is what a benchmark's inputs and randomised
/// tests need. Not for anything that must be unpredictable.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  private var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A whole number in 0..<n (n > 0); the modulo bias is negligible for the sizes used here.
  public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

  /// A whole number in the closed range.
  public mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + below(r.count) }

  /// True with probability `p`.
  public mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) * 0x1p-53 < p }

  public mutating func pick<T>(_ a: [T]) -> T { a[below(a.count)] }

  /// A generator for one independent stream (a day, a file), so streams do not shift each
  /// other when one of them changes.
  public func fork(_ salt: UInt64) -> SplitMix64 {
    var g = SplitMix64(seed: state ^ (salt &* 0xD6E8_FEB8_6659_FD93))
    _ = g.next()
    return g
  }
}
