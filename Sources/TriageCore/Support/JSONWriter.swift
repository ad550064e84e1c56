/// Writes JSON straight into a byte buffer: no intermediate objects, no Foundation encoder.
///
/// Strings are escaped per RFC 8259 and invalid UTF-8 becomes U+FFFD, so the output is always
/// valid JSON whatever the input bytes were. Callers write structure with `raw` and values with
/// the typed methods; `bytes` is reused between records.
public struct JSONWriter: Sendable {
  /// The output, in memory the writer owns (appends are memcpys, not Array appends).
  public let buffer: RawBuffer<UInt8>

  public init(capacity: Int = 4096) {
    buffer = RawBuffer(capacity: capacity)
  }

  /// A copy of what was written (for strings and tests; hot paths use `withBytes`).
  public var bytes: [UInt8] { buffer.array }

  /// Calls `body` with the bytes written so far.
  public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R { body(buffer.buffer) }

  public var count: Int { buffer.count }

  /// Forgets what was written, keeping the memory.
  public mutating func removeAll() { buffer.removeAll() }

  @inline(__always) public mutating func raw(_ s: StaticString) { buffer.append(s) }

  @inline(__always) public mutating func byte(_ b: UInt8) { buffer.append(b) }

  /// Appends bytes as they are (the caller vouches they are valid JSON at this point).
  @inline(__always) public mutating func append(_ p: UnsafeBufferPointer<UInt8>) { buffer.append(p) }

  /// Appends prepared bytes as they are (for fragments built once, like a code's key).
  @inline(__always) public mutating func append(_ bytes: [UInt8]) {
    bytes.withUnsafeBufferPointer { buffer.append($0) }
  }

  public mutating func append(_ s: String) {
    var copy = s
    copy.withUTF8 { buffer.append($0) }
  }

  /// A JSON string from a Swift string.
  public mutating func string(_ s: String) {
    var copy = s
    copy.withUTF8 { string($0) }
  }

  /// A JSON string from raw bytes (escaped; invalid UTF-8 replaced).
  ///
  /// - Complexity: O(n).
  @inline(__always)
  public mutating func string(_ p: UnsafeBufferPointer<UInt8>) {
    // Nearly every string (ids, sources, codes, terms) needs no escape at all: checked whole in
    // words (the last one overlapping), it is copied in one piece, here where it is written.
    if JSONWriter.isPlain(p) {
      buffer.reserve(p.count + 2)
      buffer.append(ASCII.quote)
      buffer.append(p)
      buffer.append(ASCII.quote)
      return
    }
    escapedString(p)
  }

  /// `string` for bytes that need escaping or replacing.
  @inline(never)
  mutating func escapedString(_ p: UnsafeBufferPointer<UInt8>) {
    buffer.reserve(p.count + 2)
    buffer.append(ASCII.quote)
    var i = 0
    let n = p.count
    var runStart = 0
    while i < n {
      // Eight plain bytes at a time: none below 0x20, none ≥ 0x80, no quote, no backslash.
      if let base = p.baseAddress {
        while i + 8 <= n {
          let w = ByteScan.load(base, i)
          if JSONWriter.needsEscape(w) { break }
          i += 8
        }
        if i >= n { break }
      }
      let b = p[i]
      if b >= 0x20 && b != ASCII.quote && b != ASCII.backslash && b < 0x80 {
        i += 1
        continue
      }
      if b >= 0x80 {
        let len = utf8SequenceLength(p, i)
        if len > 0 {
          i += len
          continue
        }
      }
      if i > runStart { buffer.append(p.baseAddress.map { $0 + runStart }, i - runStart) }
      switch b {
      case ASCII.quote: raw("\\\"")
      case ASCII.backslash: raw("\\\\")
      case ASCII.lf: raw("\\n")
      case ASCII.cr: raw("\\r")
      case ASCII.tab: raw("\\t")
      case let c where c < 0x20:
        raw("\\u00")
        buffer.append(hexDigit(c >> 4))
        buffer.append(hexDigit(c & 0xF))
      default:
        raw("\u{FFFD}")  // for an invalid byte
      }
      i += 1
      runStart = i
    }
    if n > runStart { buffer.append(p.baseAddress.map { $0 + runStart }, n - runStart) }
    buffer.append(ASCII.quote)
  }

  /// True when no byte of `p` needs escaping (`ByteScan.anyByte`: words, the last overlapping).
  @inline(__always)
  static func isPlain(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = p.baseAddress else { return true }
    return !ByteScan.anyByte(in: base, from: 0, to: p.count, escapeMask)
  }

  /// Whether any of eight bytes is below 0x20, at or above 0x80, `"` or `\` (`ByteScan`'s SWAR
  /// masks: a byte is flagged through its high bit, with no carries between bytes).
  @inline(__always)
  static func needsEscape(_ w: UInt64) -> Bool { escapeMask(w) != 0 }

  /// High bit set in each of eight bytes that needs escaping (exact, no carries between bytes).
  @inline(__always)
  static func escapeMask(_ w: UInt64) -> UInt64 {
    (w & ByteScan.highs) | ByteScan.controlMask(w) | ByteScan.exactZeroMask(w ^ ByteScan.broadcast(ASCII.quote))
      | ByteScan.exactZeroMask(w ^ ByteScan.broadcast(ASCII.backslash))
  }

  @inline(__always)
  public mutating func int(_ v: Int) {
    if v < 0 { buffer.append(ASCII.hyphen) }
    var x = v.magnitude
    if x < 10 {
      buffer.append(ASCII.zero + UInt8(x))
      return
    }
    var digits = 0
    var t = x
    while t > 0 {
      digits += 1
      t /= 10
    }
    buffer.reserve(digits)
    let start = buffer.base + buffer.count
    var k = digits - 1
    while k >= 0 {
      start[k] = ASCII.zero + UInt8(x % 10)
      x /= 10
      k -= 1
    }
    buffer.count += digits
  }

  /// A weight in hundredths as a decimal: 300 → `3.0`, 225 → `2.25`.
  @inline(__always)
  public mutating func weight(_ centi: Int32) {
    if centi < 0 { buffer.append(ASCII.hyphen) }
    let v = Int(centi.magnitude)
    int(v / 100)
    buffer.append(ASCII.period)
    let frac = v % 100
    buffer.append(ASCII.zero + UInt8(frac / 10))
    if frac % 10 != 0 { buffer.append(ASCII.zero + UInt8(frac % 10)) }
  }

  /// A number already formatted as JSON (`0.913`); the caller vouches for its syntax.
  public mutating func number(_ formatted: String) { append(formatted) }

  public mutating func bool(_ v: Bool) {
    if v { raw("true") } else { raw("false") }
  }

  public mutating func null() { raw("null") }

  /// A JSON array of strings: `["a","b"]`.
  public mutating func strings<S: Sequence<String>>(_ items: S) {
    buffer.append(ASCII.leftBracket)
    var first = true
    for item in items {
      if !first { buffer.append(ASCII.comma) }
      first = false
      string(item)
    }
    buffer.append(ASCII.rightBracket)
  }

  /// `"key":` (the key is trusted ASCII, written as is).
  @inline(__always) public mutating func key(_ k: StaticString) {
    buffer.append(ASCII.quote)
    raw(k)
    buffer.append(ASCII.quote)
    buffer.append(ASCII.colon)
  }

  @inline(__always) func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? ASCII.zero + v : 0x61 + v - 10 }

  /// The length of a valid UTF-8 sequence starting at `i`, or 0 when it is invalid.
  @inline(__always)
  func utf8SequenceLength(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
    let b = p[i]
    let n = p.count
    @inline(__always) func cont(_ k: Int) -> Bool { k < n && p[k] & 0xC0 == 0x80 }
    if b >= 0xC2 && b <= 0xDF { return cont(i + 1) ? 2 : 0 }
    if b >= 0xE0 && b <= 0xEF {
      guard cont(i + 1), cont(i + 2) else { return 0 }
      let b1 = p[i + 1]
      if b == 0xE0 && b1 < 0xA0 { return 0 }  // overlong
      if b == 0xED && b1 >= 0xA0 { return 0 }  // surrogates
      return 3
    }
    if b >= 0xF0 && b <= 0xF4 {
      guard cont(i + 1), cont(i + 2), cont(i + 3) else { return 0 }
      let b1 = p[i + 1]
      if b == 0xF0 && b1 < 0x90 { return 0 }
      if b == 0xF4 && b1 >= 0x90 { return 0 }
      return 4
    }
    return 0
  }
}
