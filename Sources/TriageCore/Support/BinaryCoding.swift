/// A flat binary encoding for the compiled-lexicon cache (`Lexicon+Cache.swift`).
///
/// Plain values and arrays of plain values are written as their bytes in memory: this machine's
/// byte order and layout, which is safe because a cache file is only ever read by the build of
/// triage that wrote it (`LexiconCache` keys files by the executable). Every length is prefixed,
/// an array also records its element's stride, and the reader checks both against what is left,
/// so a truncated or foreign file fails to decode instead of reading past its end.
struct BinaryWriter {
  /// The bytes written, in memory the writer grows itself: a value is one store, not an
  /// `Array` append (which cost a hundred instructions for each of the lexicon's 160,000
  /// spelling elements).
  private let buffer: RawBuffer<UInt8>
  /// The strings written so far, by number: a string is written once, then by number (the
  /// lexicon's words and file paths repeat in thousands of entries and spellings). Found through
  /// an open-addressing table over `Vocabulary.hash` of their bytes: a `[String: Int32]` spent
  /// about a thousand instructions a lookup in SipHash, for each of 160,000 spelling words.
  private var strings: [String] = []
  private var stringHashes: [UInt64] = []
  private var stringSlots = [Int32](repeating: -1, count: 1024)

  init(capacity: Int = 0) { buffer = RawBuffer(capacity: capacity) }

  /// A copy of the bytes written.
  var bytes: [UInt8] { Array(buffer.buffer) }

  var count: Int { buffer.count }

  /// Calls `body` with the bytes written (valid only inside it).
  func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    try body(UnsafeRawBufferPointer(buffer.buffer))
  }

  mutating func raw(_ b: UnsafeRawBufferPointer) {
    guard let from = b.baseAddress, b.count > 0 else { return }
    buffer.reserve(b.count)
    UnsafeMutableRawPointer(buffer.base + buffer.count).copyMemory(from: from, byteCount: b.count)
    buffer.count += b.count
  }

  /// One plain value, as its bytes.
  @inline(__always) mutating func scalar<T: BitwiseCopyable>(_ value: T) {
    let n = MemoryLayout<T>.size
    buffer.reserve(n)
    UnsafeMutableRawPointer(buffer.base + buffer.count).storeBytes(of: value, as: T.self)
    buffer.count += n
  }

  mutating func int(_ value: Int) { scalar(Int64(value)) }

  /// An array of plain values: count, stride, then the elements' memory in one copy.
  mutating func pod<T: BitwiseCopyable>(_ array: [T]) {
    int(array.count)
    int(MemoryLayout<T>.stride)
    array.withUnsafeBytes { raw($0) }
  }

  mutating func value<T: BinaryCodable>(_ value: T) { value.write(to: &self) }

  /// A string: its number, and its UTF-8 bytes the first time.
  mutating func string(_ s: String) {
    var utf8 = s
    let h = utf8.withUTF8 { Vocabulary.hash($0.baseAddress ?? Vocabulary.noKeys, $0.count) }
    var i = Int(truncatingIfNeeded: h ^ (h >> 29)) & (stringSlots.count - 1)
    while stringSlots[i] >= 0 {
      let n = stringSlots[i]
      if stringHashes[Int(n)] == h && strings[Int(n)] == s {
        scalar(n)
        return
      }
      i = (i + 1) & (stringSlots.count - 1)
    }
    let n = Int32(strings.count)
    stringSlots[i] = n
    strings.append(s)
    stringHashes.append(h)
    if strings.count * 2 > stringSlots.count { growStrings() }
    scalar(n)
    utf8.withUTF8 { b in
      int(b.count)
      raw(UnsafeRawBufferPointer(b))
    }
  }

  private mutating func growStrings() {
    stringSlots = [Int32](repeating: -1, count: stringSlots.count * 2)
    let mask = stringSlots.count - 1
    for (n, h) in stringHashes.enumerated() {
      var i = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
      while stringSlots[i] >= 0 { i = (i + 1) & mask }
      stringSlots[i] = Int32(n)
    }
  }

  /// Overwrites eight bytes written earlier (a length or checksum known only at the end).
  mutating func patch(_ value: UInt64, at offset: Int) {
    precondition(offset >= 0 && offset + 8 <= buffer.count)
    UnsafeMutableRawPointer(buffer.base + offset).storeBytes(of: value, as: UInt64.self)
  }
}

/// Reads what `BinaryWriter` wrote, from memory it does not own (valid while it reads).
struct BinaryReader {
  /// The bytes do not hold what was asked for: too short, a bad length, an unknown value.
  struct Failure: Error {}

  let data: UnsafeRawBufferPointer
  private(set) var offset = 0
  /// The strings read so far, by number (see `BinaryWriter.string`).
  private var strings: [String] = []

  init(_ data: UnsafeRawBufferPointer) { self.data = data }

  var remaining: Int { data.count - offset }

  /// The next `n` bytes.
  mutating func take(_ n: Int) throws(Failure) -> UnsafeRawBufferPointer {
    guard n >= 0, n <= remaining else { throw Failure() }
    defer { offset += n }
    return UnsafeRawBufferPointer(rebasing: data[offset..<offset + n])
  }

  mutating func scalar<T: BitwiseCopyable>(_: T.Type = T.self) throws(Failure) -> T {
    try take(MemoryLayout<T>.size).loadUnaligned(as: T.self)
  }

  mutating func int() throws(Failure) -> Int { Int(truncatingIfNeeded: try scalar(Int64.self)) }

  /// A count of items of at least `minimumSize` bytes each that the rest of the data can hold.
  mutating func count(minimumSize: Int) throws(Failure) -> Int {
    let n = try int()
    guard n >= 0, n <= remaining / max(1, minimumSize) else { throw Failure() }
    return n
  }

  /// An array written by `BinaryWriter.pod`, copied out in one piece.
  mutating func pod<T: BitwiseCopyable>(_: T.Type = T.self) throws(Failure) -> [T] {
    let n = try int()
    let stride = try int()
    guard stride == MemoryLayout<T>.stride, n >= 0, n <= remaining / max(1, stride) else {
      throw Failure()
    }
    let source = try take(n * stride)
    // A Bool that is neither 0 nor 1 is undefined behaviour; the checksum makes it unlikely,
    // this makes it impossible.
    if T.self == Bool.self && source.contains(where: { $0 > 1 }) { throw Failure() }
    return [T](unsafeUninitializedCapacity: n) { buffer, initialized in
      if let to = buffer.baseAddress, let from = source.baseAddress {
        UnsafeMutableRawPointer(to).copyMemory(from: from, byteCount: n * stride)
      }
      initialized = n
    }
  }

  mutating func value<T: BinaryCodable>(_: T.Type = T.self) throws(Failure) -> T {
    try T(reading: &self)
  }

  mutating func string() throws(Failure) -> String {
    let n = Int(try scalar(Int32.self))
    if n >= 0 && n < strings.count { return strings[n] }
    guard n == strings.count else { throw Failure() }
    let s = String(decoding: try take(try count(minimumSize: 1)), as: UTF8.self)
    strings.append(s)
    return s
  }
}

/// A value the cache writes and reads field by field (the lexicon's parsed model: codes,
/// entries, locations). Arrays of plain values go through `pod` instead, in one copy.
protocol BinaryCodable {
  func write(to w: inout BinaryWriter)
  init(reading r: inout BinaryReader) throws(BinaryReader.Failure)
}

/// A struct written as a list of its stored properties, each through its key path, and read
/// back onto `binaryEmpty`: adding a property is one line in `binaryFields`. A property left out
/// keeps its `binaryEmpty` value, which the round-trip test (`LexiconCacheTests`) catches.
protocol BinaryFields: BinaryCodable {
  static var binaryEmpty: Self { get }
  static var binaryFields: [BinaryField<Self>] { get }
}

extension BinaryFields {
  func write(to w: inout BinaryWriter) {
    for field in Self.binaryFields { field.write(self, &w) }
  }

  init(reading r: inout BinaryReader) throws(BinaryReader.Failure) {
    var value = Self.binaryEmpty
    for field in Self.binaryFields { try field.read(&value, &r) }
    self = value
  }
}

/// One stored property of a `BinaryFields` type.
struct BinaryField<Root> {
  let write: (Root, inout BinaryWriter) -> Void
  let read: (inout Root, inout BinaryReader) throws(BinaryReader.Failure) -> Void

  /// An array of plain values (a table), copied in one piece.
  static func pod<T: BitwiseCopyable>(_ path: WritableKeyPath<Root, [T]>) -> BinaryField {
    BinaryField(
      write: { root, w in w.pod(root[keyPath: path]) },
      read: { (root, r) throws(BinaryReader.Failure) in root[keyPath: path] = try r.pod() })
  }

  /// Any other value.
  static func value<T: BinaryCodable>(_ path: WritableKeyPath<Root, T>) -> BinaryField {
    BinaryField(
      write: { root, w in w.value(root[keyPath: path]) },
      read: { (root, r) throws(BinaryReader.Failure) in root[keyPath: path] = try r.value() })
  }
}

// MARK: Standard types

extension Int: BinaryCodable {
  func write(to w: inout BinaryWriter) { w.int(self) }
  init(reading r: inout BinaryReader) throws(BinaryReader.Failure) { self = try r.int() }
}

extension Int32: BinaryCodable {
  func write(to w: inout BinaryWriter) { w.scalar(self) }
  init(reading r: inout BinaryReader) throws(BinaryReader.Failure) { self = try r.scalar() }
}

extension UInt8: BinaryCodable {
  func write(to w: inout BinaryWriter) { w.scalar(self) }
  init(reading r: inout BinaryReader) throws(BinaryReader.Failure) { self = try r.scalar() }
}

extension Bool: BinaryCodable {
  func write(to w: inout BinaryWriter) { w.scalar(UInt8(self ? 1 : 0)) }
  init(reading r: inout BinaryReader) throws(BinaryReader.Failure) {
    switch try r.scalar(UInt8.self) {
    case 0: self = false
    case 1: self = true
    default: throw BinaryReader.Failure()
    }
  }
}

extension String: BinaryCodable {
  func write(to w: inout BinaryWriter) { w.string(self) }
  init(reading r: inout BinaryReader) throws(BinaryReader.Failure) { self = try r.string() }
}

extension Array: BinaryCodable where Element: BinaryCodable {
  func write(to w: inout BinaryWriter) {
    w.int(count)
    for e in self { e.write(to: &w) }
  }

  init(reading r: inout BinaryReader) throws(BinaryReader.Failure) {
    let n = try r.count(minimumSize: 1)
    var failed = false
    // Filled in place (the spellings alone are some 44,000 arrays); on a failure the elements
    // read so far are kept, to be released with the array.
    self = [Element](unsafeUninitializedCapacity: n) { buffer, initialized in
      guard let base = buffer.baseAddress else { return }
      while initialized < n {
        guard let e = try? Element(reading: &r) else {
          failed = true
          return
        }
        (base + initialized).initialize(to: e)
        initialized += 1
      }
    }
    if failed { throw BinaryReader.Failure() }
  }
}

extension Optional: BinaryCodable where Wrapped: BinaryCodable {
  func write(to w: inout BinaryWriter) {
    if let v = self {
      w.value(true)
      w.value(v)
    } else {
      w.value(false)
    }
  }

  init(reading r: inout BinaryReader) throws(BinaryReader.Failure) {
    self = try r.value(Bool.self) ? try r.value(Wrapped.self) : nil
  }
}

extension ClosedRange: BinaryCodable where Bound: BinaryCodable {
  func write(to w: inout BinaryWriter) {
    w.value(lowerBound)
    w.value(upperBound)
  }

  init(reading r: inout BinaryReader) throws(BinaryReader.Failure) {
    let lo = try r.value(Bound.self)
    let hi = try r.value(Bound.self)
    guard lo <= hi else { throw BinaryReader.Failure() }
    self = lo...hi
  }
}

/// An enum with string raw values, written as its raw value (so a reordered enum still reads).
protocol BinaryRawString: BinaryCodable, RawRepresentable where RawValue == String {}

extension BinaryRawString {
  func write(to w: inout BinaryWriter) { w.value(rawValue) }
  init(reading r: inout BinaryReader) throws(BinaryReader.Failure) {
    guard let v = Self(rawValue: try r.value(String.self)) else { throw BinaryReader.Failure() }
    self = v
  }
}
