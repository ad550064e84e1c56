#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The compiled lexicon as one file, so a run whose lexicon files have not changed skips the
/// parse and the compile (`LexiconCache` decides where the file lives and when it is used).
///
/// Layout (`BinaryCoding.swift` for the encoding):
///
/// ```
/// magic  format  length  checksum | key                                   | payload
/// 8 B    8 B     8 B     8 B      | executable, directory, every file's   | the parsed model and
///                                 | name and bytes (length-prefixed)      | the compiled tables
/// ```
///
/// The key is the inputs themselves, not a hash of them: a file is used only when its key is
/// byte for byte the key of this run (same build of triage, same directory, same files with the
/// same bytes), its length is the file's length and its checksum holds. The payload is every
/// stored property of `Lexicon`, so a hit gives the lexicon `load(files:)` would build.
extension Lexicon {
  /// The cache file format. Bump it when what `cacheImage` writes changes shape; a rebuilt
  /// executable never reads an older build's files anyway (`LexiconCache.executableIdentity`).
  public static let cacheFormat: UInt64 = 1

  static let cacheMagic: UInt64 = 0x584C_4547_4149_5254  // "TRIAGELX" in little-endian order
  static let cacheHeaderSize = 32

  /// The key of a cache file: the executable's identity, the lexicon directory and every
  /// file's name and bytes (sorted by name), each length-prefixed.
  public static func cacheKey(files: [String: [UInt8]], directory: String, executable: [UInt8])
    -> [UInt8]
  {
    var w = BinaryWriter(capacity: files.values.reduce(1024) { $0 + $1.count + 64 })
    w.pod(executable)
    w.value(directory)
    w.int(files.count)
    for name in files.keys.sorted() {
      w.value(name)
      w.pod(files[name] ?? [])
    }
    return w.bytes
  }

  /// This lexicon as a cache file's bytes, for `key` (see `cacheKey`).
  public func cacheImage(key: [UInt8]) -> [UInt8] { cacheWriter(key: key).bytes }

  /// The cache file's bytes in the writer's memory (written to the file from there: a copy of
  /// the 14 MB would raise the peak memory of the run that writes it).
  func cacheWriter(key: [UInt8]) -> BinaryWriter {
    var w = BinaryWriter(capacity: key.count + 16 << 20)
    w.scalar(Lexicon.cacheMagic)
    w.scalar(Lexicon.cacheFormat)
    w.scalar(UInt64(0))  // length
    w.scalar(UInt64(0))  // checksum
    w.pod(key)
    writePayload(to: &w)
    w.patch(UInt64(w.count), at: 16)
    let sum = w.withBytes {
      Lexicon.checksum(UnsafeRawBufferPointer(rebasing: $0[Lexicon.cacheHeaderSize...]))
    }
    w.patch(sum, at: 24)
    return w
  }

  /// The lexicon in a cache file, or nil when the bytes are not a whole, intact cache file for
  /// exactly `key` (another build, directory or file contents, truncated, damaged, foreign).
  public static func fromCacheImage(
    _ bytes: UnsafeRawBufferPointer, key: [UInt8], directory: String
  )
    -> Lexicon?
  {
    var r = BinaryReader(bytes)
    do throws(BinaryReader.Failure) {
      guard try r.scalar(UInt64.self) == cacheMagic, try r.scalar(UInt64.self) == cacheFormat,
        try r.scalar(UInt64.self) == UInt64(bytes.count)
      else { return nil }
      let sum = try r.scalar(UInt64.self)
      // The key first (a memcmp, and the likeliest mismatch), then the checksum of everything.
      guard try r.int() == key.count, try r.int() == 1 else { return nil }
      let stored = try r.take(key.count)
      let keyMatches = key.withUnsafeBytes { k in
        guard k.count == stored.count else { return false }
        guard let a = k.baseAddress, let b = stored.baseAddress else { return true }
        return memcmp(a, b, k.count) == 0
      }
      guard keyMatches,
        sum == checksum(UnsafeRawBufferPointer(rebasing: bytes[cacheHeaderSize...]))
      else { return nil }
      let lexicon = try readPayload(from: &r, directory: directory)
      return r.remaining == 0 ? lexicon : nil
    } catch {
      return nil
    }
  }

  // MARK: Payload

  /// Every stored property but `directory` (in the key). Adding a property to `Lexicon` means a
  /// line here and one in `readPayload`.
  func writePayload(to w: inout BinaryWriter) {
    w.value(codes)
    w.value(entries)
    w.value(shorthand)
    w.value(skipWords)
    w.value(breakWords)
    w.value(identifiers)
    w.value(vocabulary)
    w.value(trie)
    w.value(warnings)
    w.value(identifierTerms)
    w.value(nearParts)
    w.value(fingerprint)
  }

  static func readPayload(from r: inout BinaryReader, directory: String) throws(BinaryReader
    .Failure)
    -> Lexicon
  {
    // Arguments are evaluated in order, the order `writePayload` wrote them.
    Lexicon(
      directory: directory, codes: try r.value(), entries: try r.value(), shorthand: try r.value(),
      skipWords: try r.value(), breakWords: try r.value(), identifiers: try r.value(),
      vocabulary: try r.value(), trie: try r.value(), warnings: try r.value(),
      identifierTerms: try r.value(), nearParts: try r.value(), fingerprint: try r.value())
  }

  /// A checksum of a cache file's bytes, to tell a damaged file (not an attack): four lanes of
  /// multiply-xor over eight-byte words, about a millisecond for the bundled lexicons' file.
  static func checksum(_ b: UnsafeRawBufferPointer) -> UInt64 {
    let k: UInt64 = 0x9E37_79B9_7F4A_7C15
    var h0: UInt64 = 1, h1: UInt64 = 2, h2: UInt64 = 3, h3: UInt64 = 4
    var i = 0
    let n = b.count
    while i + 32 <= n {
      h0 = (h0 ^ b.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* k
      h1 = (h1 ^ b.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)) &* k
      h2 = (h2 ^ b.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)) &* k
      h3 = (h3 ^ b.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)) &* k
      h0 ^= h0 >> 29
      h1 ^= h1 >> 29
      h2 ^= h2 >> 29
      h3 ^= h3 >> 29
      i += 32
    }
    var h = (h0 ^ (h1 &* 3) ^ (h2 &* 5) ^ (h3 &* 7)) &+ UInt64(n)
    while i < n {
      h = (h ^ UInt64(b[i])) &* 0x0000_0100_0000_01B3
      i += 1
    }
    return h ^ (h >> 32)
  }
}

// MARK: The compiled tables
// One line per stored property. A property left out keeps its `binaryEmpty` value after a
// cache hit; `LexiconCacheTests` compares every property of a decoded lexicon with a freshly
// compiled one and names the one that differs.

extension Vocabulary: BinaryFields {
  static var binaryEmpty: Vocabulary { Vocabulary(capacity: 0) }
  nonisolated(unsafe) static let binaryFields: [BinaryField<Vocabulary>] = [
    .pod(\.slots), .value(\.mask), .pod(\.keyBytes), .value(\.expansions), .value(\.termText),
    .pod(\.altTerm), .value(\.count),
  ]
}

extension PhraseTrie: BinaryFields {
  static var binaryEmpty: PhraseTrie { PhraseTrie.Builder().build(termCount: 0) }
  nonisolated(unsafe) static let binaryFields: [BinaryField<PhraseTrie>] = [
    .pod(\.rootChild), .pod(\.edgeKeys), .pod(\.edgeValues), .value(\.edgeMask),
    .pod(\.outputStart), .pod(\.outputs), .pod(\.outputExact), .pod(\.hasChildren),
    .value(\.nodeCount), .pod(\.outputTextBytes), .pod(\.outputTextStart), .pod(\.nodeParent),
    .pod(\.nodeTerm),
  ]
}

extension Lexicon.IdentifierTerms: BinaryFields {
  static var binaryEmpty: Lexicon.IdentifierTerms { Lexicon.IdentifierTerms() }
  nonisolated(unsafe) static let binaryFields: [BinaryField<Lexicon.IdentifierTerms>] = [
    .pod(\.flags), .pod(\.prefix), .pod(\.barePrefix),
  ]
}

extension Lexicon.NearPart: BinaryFields {
  static var binaryEmpty: Lexicon.NearPart { Lexicon.NearPart(entry: 0, side: 0) }
  nonisolated(unsafe) static let binaryFields: [BinaryField<Lexicon.NearPart>] = [
    .value(\.entry), .value(\.side),
  ]
}

// MARK: The parsed model

extension SourceLocation: BinaryFields {
  static var binaryEmpty: SourceLocation { SourceLocation(file: "") }
  nonisolated(unsafe) static let binaryFields: [BinaryField<SourceLocation>] = [
    .value(\.file), .value(\.line), .value(\.column),
  ]
}

extension Diagnostic.Severity: BinaryRawString {}

extension Diagnostic: BinaryFields {
  static var binaryEmpty: Diagnostic { Diagnostic(.note, "") }
  nonisolated(unsafe) static let binaryFields: [BinaryField<Diagnostic>] = [
    .value(\.severity), .value(\.location), .value(\.message),
  ]
}

extension BlockerEffect: BinaryRawString {}

extension ReasonCode: BinaryFields {
  static var binaryEmpty: ReasonCode {
    ReasonCode(
      code: "", index: 0, owner: "", theme: "", effect: .delay, tellCustomer: false, threshold: 0,
      label: "", location: SourceLocation(file: ""))
  }
  nonisolated(unsafe) static let binaryFields: [BinaryField<ReasonCode>] = [
    .value(\.code), .value(\.index), .value(\.owner), .value(\.theme), .value(\.effect),
    .value(\.tellCustomer), .value(\.threshold), .value(\.label), .value(\.location),
  ]
}

extension EntryKind: BinaryRawString {}
extension CueDirection: BinaryRawString {}
extension PatternCondition.Op: BinaryRawString {}

extension PatternElement: BinaryCodable {
  func write(to w: inout BinaryWriter) {
    switch self {
    case .word(let word, let exact):
      w.value(UInt8(0))
      w.value(word)
      w.value(exact)
    case .number(let name):
      w.value(UInt8(1))
      w.value(name)
    case .ratio(let a, let b):
      w.value(UInt8(2))
      w.value(a)
      w.value(b)
    }
  }

  init(reading r: inout BinaryReader) throws(BinaryReader.Failure) {
    switch try r.value(UInt8.self) {
    case 0: self = .word(try r.value(), exact: try r.value())
    case 1: self = .number(try r.value())
    case 2: self = .ratio(try r.value(), try r.value())
    default: throw BinaryReader.Failure()
    }
  }
}

extension BinaryField {
  /// An entry's spellings, the bulk of the parsed model (some 44,000 spellings of 160,000
  /// elements in the bundled lexicons): read in concrete code, not the generic `Array` path,
  /// which looked up the array type's metadata for every spelling.
  static func spellings(_ path: WritableKeyPath<Root, [[PatternElement]]>) -> BinaryField {
    BinaryField(
      write: { root, w in w.value(root[keyPath: path]) },
      read: { (root, r) throws(BinaryReader.Failure) in root[keyPath: path] = try r.spellings() })
  }
}

extension BinaryReader {
  /// What `BinaryWriter.value` wrote for `[[PatternElement]]`.
  mutating func spellings() throws(BinaryReader.Failure) -> [[PatternElement]] {
    let n = try count(minimumSize: 8)
    var out: [[PatternElement]] = []
    out.reserveCapacity(n)
    for _ in 0..<n {
      let m = try count(minimumSize: 6)
      var spelling: [PatternElement] = []
      spelling.reserveCapacity(m)
      for _ in 0..<m { spelling.append(try PatternElement(reading: &self)) }
      out.append(spelling)
    }
    return out
  }
}

extension PatternCondition.Operand: BinaryCodable {
  func write(to w: inout BinaryWriter) {
    switch self {
    case .capture(let name):
      w.value(UInt8(0))
      w.value(name)
    case .literal(let x):
      w.value(UInt8(1))
      w.value(x)
    }
  }

  init(reading r: inout BinaryReader) throws(BinaryReader.Failure) {
    switch try r.value(UInt8.self) {
    case 0: self = .capture(try r.value())
    case 1: self = .literal(try r.value())
    default: throw BinaryReader.Failure()
    }
  }
}

extension PatternCondition: BinaryFields {
  static var binaryEmpty: PatternCondition {
    PatternCondition(lhs: .literal(0), op: .eq, rhs: .literal(0))
  }
  nonisolated(unsafe) static let binaryFields: [BinaryField<PatternCondition>] = [
    .value(\.lhs), .value(\.op), .value(\.rhs),
  ]
}

extension LexiconEntry: BinaryFields {
  static var binaryEmpty: LexiconEntry {
    LexiconEntry(
      kind: .term, code: nil, weight: 0, text: "", sequences: [], location: SourceLocation(file: "")
    )
  }
  nonisolated(unsafe) static let binaryFields: [BinaryField<LexiconEntry>] = [
    .value(\.kind), .value(\.code), .value(\.weight), .value(\.text), .spellings(\.sequences),
    .spellings(\.nearSequences), .value(\.nearWindow), .value(\.nearOrdered), .value(\.conditions),
    .value(\.tags), .value(\.direction), .value(\.window), .value(\.scope), .value(\.acrossCommas),
    .value(\.location),
  ]
}

extension Shorthand: BinaryFields {
  static var binaryEmpty: Shorthand {
    Shorthand(key: "", expansion: [], location: SourceLocation(file: ""))
  }
  nonisolated(unsafe) static let binaryFields: [BinaryField<Shorthand>] = [
    .value(\.key), .value(\.expansion), .value(\.location),
  ]
}

extension IdentifierShape: BinaryCodable {
  /// Written as its text: the shape is rebuilt from it as the parser built it.
  func write(to w: inout BinaryWriter) { w.value(text) }

  init(reading r: inout BinaryReader) throws(BinaryReader.Failure) {
    guard let shape = IdentifierShape(try r.value(String.self)) else {
      throw BinaryReader.Failure()
    }
    self = shape
  }
}

extension IdentifierRules: BinaryFields {
  static var binaryEmpty: IdentifierRules { IdentifierRules() }
  nonisolated(unsafe) static let binaryFields: [BinaryField<IdentifierRules>] = [
    .value(\.orderPrefix), .value(\.orderDigits), .value(\.orderCues), .value(\.skuCues),
    .value(\.skuShapes), .value(\.locationCues), .value(\.locationShapes), .value(\.ignoreAfter),
    .value(\.connectors),
  ]
}
