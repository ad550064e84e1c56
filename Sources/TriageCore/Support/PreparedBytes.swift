/// Byte strings numbered 0..<count in one block of raw memory, made once and read by the hot
/// loops (a code's JSON key, an output's spelling) with no array retained or bounds-checked per
/// read. Read-only once built, so threads share it.
final class PreparedBytes: @unchecked Sendable {
  private let bytes: UnsafeMutableBufferPointer<UInt8>
  /// String k is `bytes[starts[k] ..< starts[k + 1]]`.
  private let starts: UnsafeMutableBufferPointer<Int32>
  let count: Int

  /// From the strings' bytes laid end to end and where each starts (`starts` has `count + 1`
  /// entries, the last the end).
  init(bytes: [UInt8], starts: [Int32]) {
    precondition(!starts.isEmpty && Int(starts[starts.count - 1]) <= bytes.count)
    count = starts.count - 1
    self.bytes = .allocate(capacity: max(1, bytes.count))
    _ = self.bytes.initialize(from: bytes)
    self.starts = .allocate(capacity: starts.count)
    _ = self.starts.initialize(from: starts)
  }

  convenience init(_ strings: [[UInt8]]) {
    var starts: [Int32] = [0]
    for s in strings { starts.append(starts[starts.count - 1] + Int32(s.count)) }
    self.init(bytes: strings.flatMap { $0 }, starts: starts)
  }

  deinit {
    bytes.deallocate()
    starts.deallocate()
  }

  /// String `k` (valid while this object lives).
  @inline(__always)
  subscript(_ k: Int) -> UnsafeBufferPointer<UInt8> {
    let from = Int(starts[k])
    return UnsafeBufferPointer(start: bytes.baseAddress! + from, count: Int(starts[k + 1]) - from)
  }
}
