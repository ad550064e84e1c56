/// The table from a token's folded bytes to what the lexicons make of it.
///
/// An open-addressing hash table over a 64-bit word-at-a-time hash, built once when the lexicons load.
/// Every surface form the matcher accepts is a key: the lexicon's own words, their generated
/// inflections and typo variants, hyphenated and joined compounds, shorthand keys, and the skip
/// and break words. So the tokenizer does one lookup per token whatever the lexicon's size, and
/// inflection or typo tolerance costs nothing per token.
public struct Vocabulary: Sendable {
  /// What a key stands for.
  public enum Value: Sendable, Equatable {
    /// A lexicon word (`id ≥ Term.firstWord`).
    case term(Int32)
    /// A word dropped before matching ("the", "is"), so phrases match across it.
    case skip
    /// A word that ends a clause ("but", "however").
    case clauseBreak
    /// A shorthand key; the index of its expansion in `expansions`.
    case shorthand(Int32)
  }

  /// How a key came to be in the table; shown in explanations.
  public enum Origin: UInt8, Sendable {
    case exact = 0, shorthand, inflection, typo, joined
  }

  @usableFromInline
  struct Slot: Sendable, BitwiseCopyable {
    var hash: UInt64 = 0
    var keyOffset: UInt32 = 0
    var keyLength: UInt32 = 0
    /// Encoded `Value`: > 0 term id; -1 skip; -2 break; ≤ -16 shorthand index.
    var value: Int32 = 0
    var origin: UInt8 = 0
    var used: Bool = false
    /// A key of up to eight bytes as `shortWord`, compared without reading `keyBytes`; else 0.
    var short: UInt64 = 0
  }

  @usableFromInline var slots: [Slot]
  @usableFromInline var mask: Int
  @usableFromInline var keyBytes: [UInt8]
  /// Each shorthand's expansion, as term ids (unknown words included, to keep adjacency right).
  public internal(set) var expansions: [[Int32]]
  /// The canonical text of each term id, for explanations and dumps.
  public internal(set) var termText: [String]
  /// Per term id: a second term the same token also stands for, or 0. A word the lexicon spells
  /// ("picked") that is also a generated inflection of another ("pick") is both: the matcher
  /// follows either, so spelling a form somewhere never takes the inflection away elsewhere.
  public internal(set) var altTerm: [Int32]
  public internal(set) var count: Int

  @usableFromInline static let skipValue: Int32 = -1
  @usableFromInline static let breakValue: Int32 = -2
  @usableFromInline static let shorthandBase: Int32 = -16

  public init(capacity: Int = 1024) {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    slots = [Slot](repeating: Slot(), count: size)
    mask = size - 1
    keyBytes = []
    expansions = []
    termText = Array(repeating: "", count: Int(Term.firstWord))
    termText[Int(Term.number)] = "{n}"
    termText[Int(Term.ratio)] = "{n}/{m}"
    altTerm = Array(repeating: 0, count: Int(Term.firstWord))
    count = 0
  }

  // MARK: Hashing

  /// A word-at-a-time hash of `n` bytes: eight bytes a multiply, the last one to seven read as
  /// one word, zero-padded (byte-at-a-time FNV was a multiply per byte on the tokenizer's
  /// critical path). A key of one to eight bytes is one word (`shortWord`) and one multiply,
  /// so the tokenizer hashes a short word straight from the register it folded it in.
  @inline(__always) @usableFromInline
  static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
    if n <= 8 { return hashShort(shortWord(p, n), n) }
    let raw = UnsafeRawPointer(p)
    var h = seed(n)
    var i = 0
    while i + 8 <= n {
      h = mix(h, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
      i += 8
    }
    let r = n - i
    if r > 0 {
      // The last r bytes, from a load that ends at the key's end (n > 8: it starts inside).
      h = mix(h, UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) >> UInt64(64 - 8 * r))
    }
    return h &* 0xBF58_476D_1CE4_E5B9
  }

  /// The hash of a key of `n` ≤ 8 bytes given as `shortWord`: what `hash` returns for it.
  @inline(__always) @usableFromInline
  static func hashShort(_ w: UInt64, _ n: Int) -> UInt64 {
    mix(seed(n), w) &* 0xBF58_476D_1CE4_E5B9
  }

  @inline(__always) @usableFromInline
  static func seed(_ n: Int) -> UInt64 { 0x2D35_8DCC_AA6C_78A5 ^ (UInt64(truncatingIfNeeded: n) &* 0x9FB2_1C65_1E98_DF25) }

  @inline(__always) @usableFromInline
  static func mix(_ h: UInt64, _ w: UInt64) -> UInt64 {
    let x = (h ^ w) &* 0x9FB2_1C65_1E98_DF25
    return x ^ (x >> 28)
  }

  /// Up to eight bytes as one little-endian word, zero-padded above them (0 for no bytes). Two
  /// overlapping loads (or three bytes) and no loop: where they overlap, a byte is or-ed with
  /// itself.
  @inline(__always) @usableFromInline
  static func shortWord(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
    let raw = UnsafeRawPointer(p)
    if n >= 4 {
      return UInt64(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
        | UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))) << UInt64(8 * (n - 4))
    }
    if n == 0 { return 0 }
    return UInt64(p[0]) | UInt64(p[n >> 1]) << UInt64(8 * (n >> 1)) | UInt64(p[n - 1]) << UInt64(8 * (n - 1))
  }

  static func hash(_ key: [UInt8]) -> UInt64 {
    key.withUnsafeBufferPointer { b in
      guard let base = b.baseAddress else { return hash(Vocabulary.noKeys, 0) }
      return hash(base, b.count)
    }
  }

  @inline(__always) @usableFromInline
  func index(_ h: UInt64) -> Int { Vocabulary.index(h, mask) }

  /// The first slot to probe for hash `h` in a table of `mask + 1` slots (this table's, and the
  /// tokenizer's `VocabularyIndex`).
  @inline(__always) @usableFromInline
  static func index(_ h: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: h ^ (h >> 31)) & mask }

  // MARK: Lookup

  /// A stand-in for an empty key store: one byte.
  nonisolated(unsafe) static let noKeys: UnsafePointer<UInt8> = UnsafePointer(UnsafeMutablePointer<UInt8>.allocate(capacity: 1))

  /// The encoded value and origin for already-folded bytes, or nil when the key is absent.
  ///
  /// - Complexity: O(key length) expected.
  @inline(__always) @usableFromInline
  func lookup(_ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64) -> (Int32, UInt8)? {
    var i = index(h)
    return slots.withUnsafeBufferPointer { s in
      while true {
        let slot = s[i]
        if !slot.used { return nil }
        if slot.hash == h && Int(slot.keyLength) == n
          && keyBytes.withUnsafeBufferPointer({ k in
            guard let base = k.baseAddress else { return n == 0 }
            return memoryEquals(base + Int(slot.keyOffset), p, n)
          })
        {
          return (slot.value, slot.origin)
        }
        i = (i + 1) & mask
      }
    }
  }

  /// The value of a word given as text (folded here), for tests and tools.
  public func value(of word: String) -> (value: Value, origin: Origin)? {
    let key = Vocabulary.fold(word)
    let h = Vocabulary.hash(key)
    guard
      let (raw, origin) = key.withUnsafeBufferPointer({ b -> (Int32, UInt8)? in
        guard let base = b.baseAddress else { return nil }
        return lookup(base, b.count, hash: h)
      })
    else { return nil }
    return (Vocabulary.decode(raw), Origin(rawValue: origin) ?? .exact)
  }

  @inline(__always) @usableFromInline
  static func decode(_ raw: Int32) -> Value {
    if raw > 0 { return .term(raw) }
    if raw == skipValue { return .skip }
    if raw == breakValue { return .clauseBreak }
    return .shorthand(shorthandBase - raw)
  }

  static func encode(_ value: Value) -> Int32 {
    switch value {
    case .term(let id): id
    case .skip: skipValue
    case .clauseBreak: breakValue
    case .shorthand(let i): shorthandBase - i
    }
  }

  // MARK: Building

  /// ASCII-lowercases a word and turns curly apostrophes into `'`, as the tokenizer does.
  public static func fold(_ word: String) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(word.utf8.count)
    let bytes = Array(word.utf8)
    var i = 0
    while i < bytes.count {
      if bytes[i] == 0xE2 && i + 2 < bytes.count && bytes[i + 1] == 0x80
        && (bytes[i + 2] == 0x98 || bytes[i + 2] == 0x99)
      {
        out.append(ASCII.apostrophe)
        i += 3
        continue
      }
      out.append(ASCII.lower(bytes[i]))
      i += 1
    }
    return out
  }

  /// The term id of a canonical word, adding it when new.
  public mutating func termID(for word: String) -> Int32 {
    let key = Vocabulary.fold(word)
    let existing = rawLookup(key)
    if let (raw, origin) = existing, raw > 0, origin == Origin.exact.rawValue {
      return raw
    }
    let id = Int32(termText.count)
    termText.append(String(decoding: key, as: UTF8.self))
    var alt: Int32 = 0
    if let (raw, origin) = existing, raw > 0, origin == Origin.inflection.rawValue { alt = raw }
    altTerm.append(alt)
    insert(key, raw: id, origin: .exact, replacing: true)
    return id
  }

  /// The id of a word already in the table as an exact term, if it is one.
  public func existingTermID(for word: String) -> Int32? {
    guard let (raw, origin) = rawLookup(Vocabulary.fold(word)), raw > 0,
      origin == Origin.exact.rawValue
    else { return nil }
    return raw
  }

  /// Adds a generated surface form (inflection, typo, joined compound) for an existing term.
  /// An existing key always wins: a generated form never shadows a real word or an earlier form.
  /// An inflection that is itself a lexicon word becomes that word's `altTerm`, so the token
  /// stands for both.
  public mutating func addVariant(_ surface: [UInt8], term: Int32, origin: Origin) {
    guard !surface.isEmpty else { return }
    if let (raw, rawOrigin) = rawLookup(surface) {
      if origin == .inflection, raw > 0, raw != term, rawOrigin == Origin.exact.rawValue,
        altTerm[Int(raw)] == 0
      {
        altTerm[Int(raw)] = term
      }
      return
    }
    insert(surface, raw: term, origin: origin, replacing: false)
  }

  /// Adds a skip word or a break word. A word that is also a lexicon term stays a term.
  public mutating func addSpecial(_ word: String, _ value: Value) {
    let key = Vocabulary.fold(word)
    if let (raw, origin) = rawLookup(key), origin == Origin.exact.rawValue, raw > 0 { return }
    insert(key, raw: Vocabulary.encode(value), origin: .exact, replacing: true)
  }

  /// Adds a shorthand key and its expansion; returns the shorthand index.
  @discardableResult
  public mutating func addShorthand(_ key: String, expansion: [Int32]) -> Int32 {
    let index = Int32(expansions.count)
    expansions.append(expansion)
    insert(
      Vocabulary.fold(key), raw: Vocabulary.encode(.shorthand(index)), origin: .shorthand,
      replacing: true)
    return index
  }

  /// Adds another key for an existing shorthand expansion (a generated plural), unless taken.
  public mutating func addShorthandAlias(_ key: String, index: Int32) {
    let folded = Vocabulary.fold(key)
    guard rawLookup(folded) == nil else { return }
    insert(folded, raw: Vocabulary.encode(.shorthand(index)), origin: .shorthand, replacing: false)
  }

  func rawLookup(_ key: [UInt8]) -> (Int32, UInt8)? {
    let h = Vocabulary.hash(key)
    return key.withUnsafeBufferPointer { b in
      guard let base = b.baseAddress else { return nil }
      return lookup(base, b.count, hash: h)
    }
  }

  mutating func insert(_ key: [UInt8], raw: Int32, origin: Origin, replacing: Bool) {
    if (count + 1) * 2 > slots.count { grow() }
    let h = Vocabulary.hash(key)
    var i = index(h)
    while slots[i].used {
      if slots[i].hash == h && Int(slots[i].keyLength) == key.count
        && Array(keyBytes[Int(slots[i].keyOffset)..<Int(slots[i].keyOffset) + key.count]) == key
      {
        if replacing {
          slots[i].value = raw
          slots[i].origin = origin.rawValue
        }
        return
      }
      i = (i + 1) & mask
    }
    slots[i] = Slot(
      hash: h, keyOffset: UInt32(keyBytes.count), keyLength: UInt32(key.count), value: raw,
      origin: origin.rawValue, used: true,
      short: key.count <= 8 ? key.withUnsafeBufferPointer { Vocabulary.shortWord($0.baseAddress ?? Vocabulary.noKeys, $0.count) } : 0)
    keyBytes.append(contentsOf: key)
    count += 1
  }

  mutating func grow() {
    let old = slots
    slots = [Slot](repeating: Slot(), count: old.count * 2)
    mask = slots.count - 1
    for slot in old where slot.used {
      var i = index(slot.hash)
      while slots[i].used { i = (i + 1) & mask }
      slots[i] = slot
    }
  }

  /// Every key with its decoded value and origin, sorted by key (for dumps and tests).
  public func entries() -> [(key: String, value: Value, origin: Origin)] {
    slots.filter(\.used).map { s in
      let key = String(
        decoding: keyBytes[Int(s.keyOffset)..<Int(s.keyOffset + s.keyLength)], as: UTF8.self)
      return (key, Vocabulary.decode(s.value), Origin(rawValue: s.origin) ?? .exact)
    }.sorted { $0.key < $1.key }
  }
}

@inline(__always) @usableFromInline
func memoryEquals(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
  let ra = UnsafeRawPointer(a)
  let rb = UnsafeRawPointer(b)
  if n >= 8 {
    var i = 0
    while i + 8 <= n {
      if ra.loadUnaligned(fromByteOffset: i, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
        return false
      }
      i += 8
    }
    return i == n
      || ra.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == rb.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
  }
  if n >= 4 {
    return ra.loadUnaligned(as: UInt32.self) == rb.loadUnaligned(as: UInt32.self)
      && ra.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self) == rb.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
  }
  var i = 0
  while i < n {
    if a[i] != b[i] { return false }
    i += 1
  }
  return true
}
