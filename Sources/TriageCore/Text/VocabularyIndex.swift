/// The vocabulary as the tokenizer reads it: built once from a `Vocabulary` for a tokenizer and
/// shared read-only by every thread.
///
/// The builder's table keeps everything about a key (32-byte slots, 79k keys in 262k slots: 8
/// MB), and nine keys in ten are typo variants that notes rarely use. One lookup per token into
/// it was a cache miss per token. Here the keys are split by how often a note meets them:
/// - the *words* (the lexicon's words, inflections, joined forms, shorthand, skip and break
///   words: about 9k) in a table of 16-byte slots small enough to stay in the core's cache;
/// - the *typo variants* in a table of their own, reached only by a token that is not a word,
///   is as long as some typo variant, and passes a Bloom filter of them (a few bits a key, one
///   64-bit word a lookup), so nearly every unknown word stops at the filter.
/// A key is in one table only, so the order of the two lookups decides nothing.
final class VocabularyIndex: @unchecked Sendable {
  /// One key: a key of up to eight bytes is its folded bytes as one zero-padded word
  /// (`Vocabulary.shortWord`), compared as an integer; a longer key is its hash, and a match is
  /// confirmed against the key's bytes (`Table.offsets`). `value` 0 is an empty slot (no key
  /// encodes to 0: terms are positive, the rest negative).
  struct Slot {
    var tag: UInt64 = 0
    var value: Int32 = 0
    var length: UInt8 = 0
    var origin: UInt8 = 0
    var pad: UInt16 = 0
  }

  struct Table {
    var slots: UnsafeMutableBufferPointer<Slot>
    /// Per slot: where a key of more than eight bytes starts in `keys`.
    var offsets: UnsafeMutableBufferPointer<UInt32>
    var mask: Int
  }

  let words: Table
  let typos: Table
  /// A blocked Bloom filter over the typo variants' hashes: two bits in one word a key.
  let filter: UnsafeMutableBufferPointer<UInt64>
  let filterMask: Int
  /// The shortest and longest typo variant: other lengths skip the filter too (none: an
  /// empty range, `Int.max` to 0).
  let typoMin: Int
  let typoMax: Int
  /// Every key's bytes (the builder's), for confirming long keys.
  let keys: UnsafeMutableBufferPointer<UInt8>

  init(_ vocabulary: Vocabulary) {
    let typo = Vocabulary.Origin.typo.rawValue
    var typoCount = 0
    var wordCount = 0
    var shortest = Int.max
    var longest = 0
    // A key longer than the tokenizer ever looks up (`Tokenizer.maxKey`) is left out.
    let kept = { (s: Vocabulary.Slot) in s.used && Int(s.keyLength) <= Tokenizer.maxKey }
    for s in vocabulary.slots where kept(s) {
      if s.origin == typo {
        typoCount += 1
        shortest = min(shortest, Int(s.keyLength))
        longest = max(longest, Int(s.keyLength))
      } else {
        wordCount += 1
      }
    }
    words = VocabularyIndex.table(capacity: wordCount)
    typos = VocabularyIndex.table(capacity: typoCount)
    var bits = 64
    while bits < typoCount * 16 { bits <<= 1 }
    filter = .allocate(capacity: bits / 64)
    filter.initialize(repeating: 0)
    filterMask = bits / 64 - 1
    for s in vocabulary.slots where kept(s) {
      if s.origin == typo {
        VocabularyIndex.insert(s, into: typos)
        let (at, pattern) = VocabularyIndex.filterBits(s.hash, filterMask)
        filter[at] |= pattern
      } else {
        VocabularyIndex.insert(s, into: words)
      }
    }
    typoMin = shortest
    typoMax = longest
    keys = .allocate(capacity: max(1, vocabulary.keyBytes.count))
    _ = keys.initialize(from: vocabulary.keyBytes)
  }

  deinit {
    for t in [words, typos] {
      t.slots.deallocate()
      t.offsets.deallocate()
    }
    filter.deallocate()
    keys.deallocate()
  }

  /// An empty table at most half full with `capacity` keys (fuller, the longer probes cost
  /// more per note than the smaller table saves at start-up).
  static func table(capacity: Int) -> Table {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    let slots = UnsafeMutableBufferPointer<Slot>.allocate(capacity: size)
    slots.initialize(repeating: Slot())
    let offsets = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: size)
    offsets.initialize(repeating: 0)
    return Table(slots: slots, offsets: offsets, mask: size - 1)
  }

  /// Adds one of the builder's keys (with its hash) to a table.
  static func insert(_ s: Vocabulary.Slot, into t: Table) {
    var i = Vocabulary.index(s.hash, t.mask)
    while t.slots[i].value != 0 { i = (i + 1) & t.mask }
    t.slots[i] = Slot(tag: s.keyLength <= 8 ? s.short : s.hash, value: s.value, length: UInt8(s.keyLength), origin: s.origin)
    t.offsets[i] = s.keyOffset
  }

  /// The filter word and the two bits of a hash (bits of it the table index does not use).
  @inline(__always)
  static func filterBits(_ h: UInt64, _ mask: Int) -> (Int, UInt64) {
    let at = Int(truncatingIfNeeded: h >> 40) & mask
    return (at, 1 << ((h >> 20) & 63) | 1 << ((h >> 26) & 63))
  }

  /// The tables as a value for the scan; valid while this index lives.
  var view: Vocabulary.View {
    Vocabulary.View(
      words: words, typos: typos, filter: UnsafePointer(filter.baseAddress!), filterMask: filterMask,
      typoMin: typoMin, typoMax: typoMax, keys: UnsafePointer(keys.baseAddress!))
  }
}

extension Vocabulary {
  /// The tokenizer's lookups (`VocabularyIndex`) as plain values and pointers: a hash, a probe
  /// and a compare, with no reference counting.
  struct View: @unchecked Sendable {
    let words: VocabularyIndex.Table
    let typos: VocabularyIndex.Table
    let filter: UnsafePointer<UInt64>
    let filterMask: Int
    let typoMin: Int
    let typoMax: Int
    let keys: UnsafePointer<UInt8>

    /// The encoded value and origin of already-folded bytes, or nil.
    @inline(__always)
    func lookup(_ p: UnsafePointer<UInt8>, _ n: Int) -> (Int32, UInt8)? {
      guard n > 0 else { return nil }
      if n <= 8 { return lookupShort(Vocabulary.shortWord(p, n), n) }
      let h = Vocabulary.hash(p, n)
      if let hit = probeLong(words, h, n, p) { return hit }
      return mayBeTypo(h, n) ? probeLong(typos, h, n, p) : nil
    }

    /// `lookup` for a key of one to eight bytes given as `shortWord`: the hash and the compare
    /// are on the word itself.
    @inline(__always)
    func lookupShort(_ w: UInt64, _ n: Int) -> (Int32, UInt8)? {
      let h = Vocabulary.hashShort(w, n)
      if let hit = probeShort(words, h, w, n) { return hit }
      return mayBeTypo(h, n) ? probeShort(typos, h, w, n) : nil
    }

    /// `probe` for a key of up to eight bytes: the word is the whole key.
    @inline(__always)
    func probeShort(_ t: VocabularyIndex.Table, _ h: UInt64, _ w: UInt64, _ n: Int) -> (Int32, UInt8)? {
      var i = Vocabulary.index(h, t.mask)
      while true {
        let s = t.slots[i]
        if s.value == 0 { return nil }
        if s.tag == w && Int(s.length) == n { return (s.value, s.origin) }
        i = (i + 1) & t.mask
      }
    }

    @inline(__always)
    func mayBeTypo(_ h: UInt64, _ n: Int) -> Bool {
      guard n >= typoMin && n <= typoMax else { return false }
      let (at, pattern) = VocabularyIndex.filterBits(h, filterMask)
      return filter[at] & pattern == pattern
    }

    /// Looks for the key of more than eight bytes at `p` with hash `h` (its tag): a tag that
    /// matches is confirmed against the key's bytes.
    @inline(__always)
    func probeLong(_ t: VocabularyIndex.Table, _ h: UInt64, _ n: Int, _ p: UnsafePointer<UInt8>) -> (Int32, UInt8)? {
      var i = Vocabulary.index(h, t.mask)
      while true {
        let s = t.slots[i]
        if s.value == 0 { return nil }
        if s.tag == h && Int(s.length) == n && memoryEquals(keys + Int(t.offsets[i]), p, n) {
          return (s.value, s.origin)
        }
        i = (i + 1) & t.mask
      }
    }
  }
}
