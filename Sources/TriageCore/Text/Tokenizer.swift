/// Reused buffers for tokenizing; one per thread, cleared (not freed) between notes.
public final class TokenScratch: @unchecked Sendable {
  /// The tokens of the last note, in memory the scratch owns.
  let store = RawBuffer<Token>(capacity: 256)
  /// Folded bytes of the compound being scanned (only the first `maxKey` bytes matter), and
  /// its joined form.
  let folded = RawBuffer<UInt8>(capacity: Tokenizer.maxKey + 8)
  let joined = RawBuffer<UInt8>(capacity: Tokenizer.maxKey + 8)
  /// Parts of the compound being scanned: byte start/end and start in `folded`.
  let parts = RawBuffer<Int>(capacity: Tokenizer.maxParts * 3 + 3)

  public init() {}

  /// The tokens of the last note (a copy; hot paths use `withTokens`).
  public var tokens: [Token] { store.array }

  public var count: Int { store.count }

  /// Calls `body` with the tokens of the last note.
  @inline(__always)
  public func withTokens<R>(_ body: (UnsafeBufferPointer<Token>) -> R) -> R { body(store.buffer) }
}

/// Splits a note's UTF-8 bytes into tokens and maps each to a vocabulary term.
///
/// Folds ASCII case; keeps identifiers whole (`SO-10023`, `#10023`, `B-14-02`, `C0412`), reads
/// quantities (`2/6`, `x3`), expands shorthand (`dmg` → `damaged`), drops skip words ("the"),
/// turns break words ("but") and punctuation into boundary flags, and keeps the byte span of
/// every token. Any bytes are accepted: invalid UTF-8, NUL and control bytes are separators or
/// word bytes, never an error.
public struct Tokenizer: Sendable {
  public let vocabulary: Vocabulary

  /// Keys longer than this cannot be lexicon words, so longer tokens are never looked up.
  public static let maxKey = 96
  /// A compound with more parts than this is cut there (`a-b-c-d-…`).
  public static let maxParts = 12

  /// The vocabulary's lookup tables for the scan (built here, once per tokenizer), and their
  /// pointers (`vocab`), which the index keeps valid while this tokenizer lives.
  let index: VocabularyIndex
  let vocab: Vocabulary.View
  /// `ByteTables.classes` and `.fold`, read once here: a global's lazy-initialisation check cost
  /// a call a note.
  nonisolated(unsafe) let classes: UnsafePointer<ByteClass>
  nonisolated(unsafe) let fold: UnsafePointer<UInt8>

  public init(vocabulary: Vocabulary) {
    self.vocabulary = vocabulary
    index = VocabularyIndex(vocabulary)
    vocab = index.view
    classes = ByteTables.classes
    fold = ByteTables.fold
  }

  /// Tokenizes `text` into `scratch`.
  ///
  /// - Complexity: O(n) in the note's bytes; one vocabulary lookup per token.
  public func tokenize(_ text: UnsafeBufferPointer<UInt8>, into scratch: inout TokenScratch) {
    tokenize(text, into: scratch)
  }

  /// `tokenize` into a scratch held by reference (it is a class): the classifier's call, which
  /// inlined into another module was an access to check for exclusivity at run time per note.
  @inline(__always)
  func tokenize(_ text: UnsafeBufferPointer<UInt8>, into scratch: TokenScratch) {
    let out = scratch.store
    out.removeAll()
    out.reserve(text.count / 2 + 16)
    let (folded, joined, parts) = (scratch.folded.base, scratch.joined.base, scratch.parts.base)
    var state = ScanState(
      out: out.appender(), folded: folded, joined: joined, parts: parts, classes: classes,
      fold: fold, pending: 0, vocab: vocab)
    scan(text, &state)
    state.out.close()
  }

  /// Convenience for tests and tools: the tokens of a string.
  public func tokens(of text: String) -> [Token] {
    var scratch = TokenScratch()
    var copy = text
    copy.withUTF8 { tokenize($0, into: &scratch) }
    return scratch.tokens
  }

  /// Everything the scan needs, as raw pointers loaded once per note.
  struct ScanState {
    /// The tokens, appended through a value held here (the buffer class's fields were loaded and
    /// stored again for every token) and closed at the end.
    var out: RawBuffer<Token>.Appender
    let folded: UnsafeMutablePointer<UInt8>
    let joined: UnsafeMutablePointer<UInt8>
    /// partStart[k] = parts[k], partEnd[k] = parts[maxParts + k], partFold[k] = parts[2*maxParts + k]
    let parts: UnsafeMutablePointer<Int>
    let classes: UnsafePointer<ByteClass>
    /// `ByteTables.fold`, read once a note (a global's lazy-initialisation check per run cost a
    /// call).
    let fold: UnsafePointer<UInt8>
    var pending: UInt8
    let vocab: Vocabulary.View
  }

  @inline(__always)
  func emit(_ st: inout ScanState, _ token: Token) {
    st.out.append(token)
    st.pending = 0
  }

  func scan(_ text: UnsafeBufferPointer<UInt8>, _ st: inout ScanState) {
    let n = text.count
    var i = 0
    while i < n {
      let b = text[i]
      var cls = st.classes[Int(b)]
      var width = 1
      if b >= 0x80, let (c, w) = WidePunctuation.classify(text, i) {
        cls = c
        width = w
      }
      switch cls {
      case .space:
        i += width
      case .clause:
        st.pending |= TokenFlags.clauseBefore
        i += width
      case .comma:
        st.pending |= TokenFlags.commaBefore
        i += width
      case .dotColon:
        st.pending |= b == ASCII.period ? TokenFlags.clauseBefore : TokenFlags.commaBefore
        i += 1
      case .joiner, .slash:
        // A dash standing alone ("B-14-02 - short 2") separates like a comma.
        if b == ASCII.hyphen { st.pending |= TokenFlags.commaBefore }
        i += 1
      case .apostrophe:
        i += width
      case .hash:
        if i + 1 < n && ASCII.isDigit(text[i + 1]) {
          var j = i + 1
          var value = 0
          while j < n && ASCII.isDigit(text[j]) {
            if j - i <= 9 { value = value &* 10 &+ Int(text[j] &- ASCII.zero) }
            j += 1
          }
          emit(&st, Token(
            start: Int32(i), end: Int32(j), term: Term.unknown, kind: .hashRef, flags: st.pending,
            n: j - i <= 10 ? Int32(value) : 0))
          i = j
        } else {
          i += 1
        }
      case .at:
        var j = i + 1
        while j < n
          && (ASCII.isLetter(text[j]) || ASCII.isDigit(text[j]) || text[j] == ASCII.underscore)
        {
          j += 1
        }
        if j > i + 1 {
          emit(&st, Token(start: Int32(i), end: Int32(j), term: Term.unknown, kind: .mention, flags: st.pending))
        }
        i = j
      case .letter, .digit:
        if let end = shortWord(text, i, &st) {
          i = end
        } else if let end = plainRun(text, i, &st) {
          i = end
        } else if let end = urlEnd(text, i) {
          emit(&st, Token(start: Int32(i), end: Int32(end), term: Term.unknown, kind: .url, flags: st.pending))
          i = end
        } else {
          i = scanCompound(text, i, &st)
        }
      }
    }
  }

  /// The most common token of all, in registers: a word of one to fifteen ASCII letters that
  /// `plainRun` would emit (no digit; it ends at the note's end, a space, a comma, a full stop or
  /// another plain separator, not at a joiner, a byte ≥ 0x80 or a URL's `:`/`.`). Eight-byte
  /// loads find its end and fold it; a word of up to eight letters is hashed and compared as one
  /// integer (`Vocabulary.View.lookupShort`). Returns the offset after it, or nil for the other
  /// paths.
  @_transparent
  func shortWord(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ st: inout ScanState) -> Int? {
    let n = p.count
    guard let base = p.baseAddress else { return nil }
    // The eight bytes from `start`; near the note's end, the last eight shifted down, so the
    // bytes past the end read as zeros (not letters).
    let raw: UInt64
    if start + 8 <= n {
      raw = ByteScan.load(base, start)
    } else if n >= 8 {
      raw = ByteScan.load(base, n - 8) >> UInt64(8 * (start + 8 - n))
    } else {
      return nil
    }
    guard let (folded, k) = letterRun(raw), k > 0 else { return nil }
    if k < 8 {
      let end = start + k
      guard let next = plainEnd(p, start, end) else { return nil }
      emitWord(st.vocab.lookupShort(folded, k), start, end, &st)
      return next
    }
    // Eight letters: the next eight bytes may finish the word.
    guard start + 16 <= n else { return nil }
    guard let (folded2, k2) = letterRun(ByteScan.load(base, start + 8)), k2 < 8 else { return nil }
    let end = start + 8 + k2
    guard let next = plainEnd(p, start, end) else { return nil }
    if k2 == 0 {
      emitWord(st.vocab.lookupShort(folded, 8), start, end, &st)
    } else {
      let out = UnsafeMutableRawPointer(st.folded)
      out.storeBytes(of: folded.littleEndian, as: UInt64.self)
      out.storeBytes(of: folded2.littleEndian, toByteOffset: 8, as: UInt64.self)
      emitWord(st.vocab.lookup(st.folded, 8 + k2), start, end, &st)
    }
    return next
  }

  /// The ASCII letters at the start of eight bytes: their folded bytes (zero above them) and
  /// how many (8 when all are); nil when a digit follows them, so no word of letters ends there.
  @inline(__always)
  func letterRun(_ raw: UInt64) -> (folded: UInt64, count: Int)? {
    let (w, letters, digits) = ByteScan.alphanumeric(raw)
    let notLetter = ~letters & ByteScan.highs
    if digits & (notLetter & (0 &- notLetter)) != 0 { return nil }
    let k = notLetter.trailingZeroBitCount >> 3
    return ((w | letters >> 2) & ByteScan.lowBytes(k), k)
  }

  /// Where scanning goes on when the alphanumeric run `start..<end` is one token by itself
  /// (past one space after it: a space only separates), or nil when what follows may join it to
  /// more (a joiner, a byte ≥ 0x80, `.`/`:` after a digit or in a URL): `scanCompound` and
  /// `urlEnd` read those.
  @inline(__always)
  func plainEnd(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
    guard end < p.count else { return end }
    switch p[end] {
    case ASCII.space:
      return end + 1
    case ASCII.hyphen, ASCII.underscore, ASCII.slash, ASCII.apostrophe, 0x80...:
      return nil
    case ASCII.period, ASCII.colon:
      // Between digits they join (`12.5`); after `http`/`www` a URL may start.
      if ASCII.isDigit(p[end - 1]) { return nil }
      let first = p[start] | 0x20
      return first != ASCII.lowerA + 7 && first != ASCII.lowerA + 22 ? end : nil
    default:
      return end
    }
  }

  /// Emits a word of letters from its vocabulary lookup (an unknown word when it missed).
  @inline(__always)
  func emitWord(_ found: (Int32, UInt8)?, _ start: Int, _ end: Int, _ st: inout ScanState) {
    if let (raw, origin) = found {
      emitValue(raw, origin, start, end, st.pending, &st)
    } else {
      emit(&st, Token(start: Int32(start), end: Int32(end), term: Term.unknown, kind: .word, flags: st.pending))
    }
  }

  /// The common case first: an alphanumeric run that nothing joins to another (it ends at a
  /// space, a comma or a full stop, not at a joiner, a multi-byte character or a URL's `:`/`.`)
  /// is emitted here in one pass, and the offset after it returned; nil sends it to `urlEnd` and
  /// `scanCompound`, which find the same tokens the long way.
  @_transparent
  func plainRun(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ st: inout ScanState) -> Int? {
    var j = start
    var foldLen = 0
    var hasDigit = false
    var hasLetter = false
    foldRun(p, &j, st.folded, st.fold, &foldLen, &hasDigit, &hasLetter)
    guard j > start, let next = plainEnd(p, start, j) else { return nil }
    emitSingle(p, start, j, 0, foldLen, hasDigit: hasDigit, hasLetter: hasLetter, &st)
    return next
  }

  /// Reads one alphanumeric run from `j` (ASCII letters and digits, and bytes ≥ 0x80 that are
  /// not punctuation), appending its folded bytes at `folded[foldLen...]`; bytes past `maxKey`
  /// land on `folded[maxKey]`, which no lookup reads.
  @inline(__always)
  func foldRun(
    _ p: UnsafeBufferPointer<UInt8>, _ j: inout Int, _ folded: UnsafeMutablePointer<UInt8>,
    _ fold: UnsafePointer<UInt8>, _ foldLen: inout Int, _ hasDigit: inout Bool, _ hasLetter: inout Bool
  ) {
    let n = p.count
    // Eight bytes a step while they are ASCII letters and digits (nearly every word): where the
    // eight are not all such, the run's alphanumeric start is kept and the byte loop below
    // takes over at the first other byte (a separator, or a byte ≥ 0x80 it classifies).
    if let base = p.baseAddress {
      while j + 8 <= n {
        let (word, letters, digits) = ByteScan.alphanumeric(ByteScan.load(base, j))
        let alnum = letters | digits
        let k = alnum == ByteScan.highs ? 8 : (~alnum & ByteScan.highs).trailingZeroBitCount >> 3
        if k == 0 { break }
        // Only the first k bytes: a mask of their high bits.
        let keep = ByteScan.highs & ByteScan.lowBytes(k)
        if letters & keep != 0 { hasLetter = true }
        if digits & keep != 0 { hasDigit = true }
        // Letters to lower case (their 0x20 bit); the bytes past k are overwritten or unread.
        if foldLen <= Tokenizer.maxKey {
          UnsafeMutableRawPointer(folded + foldLen).storeBytes(of: (word | letters >> 2).littleEndian, as: UInt64.self)
        }
        foldLen += k
        j += k
        if k < 8 { break }
      }
    }
    while j < n {
      let c = p[j]
      var f = fold[Int(c)]
      if f == 0 {
        if c < 0x80 || WidePunctuation.classify(p, j) != nil { break }
        f = c
      }
      if f <= ASCII.nine { hasDigit = true } else { hasLetter = true }
      folded[min(foldLen, Tokenizer.maxKey)] = f
      foldLen += 1
      j += 1
    }
  }

  /// If a URL starts at `i`, the offset where it ends: the next space or control byte, less any
  /// punctuation that ends the sentence around it ("see https://x.example/t." keeps its full
  /// stop, so the clause still ends there).
  @inline(__always)
  func urlEnd(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
    let b = p[i] | 0x20
    guard b == ASCII.lowerA + 7 || b == ASCII.lowerA + 22 else { return nil }  // 'h' or 'w'
    func matches(_ s: StaticString) -> Bool {
      let len = s.utf8CodeUnitCount
      guard i + len <= p.count else { return false }
      let sp = s.utf8Start
      for k in 0..<len where ASCII.lower(p[i + k]) != sp[k] { return false }
      return true
    }
    guard matches("http://") || matches("https://") || matches("www.") else { return nil }
    var j = i
    var open = 0
    while j < p.count && p[j] > ASCII.space && p[j] != ASCII.del {
      if p[j] == ASCII.openParen { open += 1 } else if p[j] == ASCII.closeParen { open -= 1 }
      j += 1
    }
    while j > i {
      switch p[j - 1] {
      case ASCII.period, ASCII.comma, ASCII.semicolon, ASCII.colon, ASCII.bang, ASCII.question,
        ASCII.quote, ASCII.apostrophe, ASCII.closeBracket:
        j -= 1
      case ASCII.closeParen where open < 0:
        // More closing brackets than opening ones: the last belongs to the sentence.
        open += 1
        j -= 1
      default:
        return j
      }
    }
    return j
  }

  /// True when the byte at `j` can continue a word (ASCII letter or digit, or a non-punctuation
  /// byte ≥ 0x80).
  @inline(__always)
  func isWordByte(_ p: UnsafeBufferPointer<UInt8>, _ j: Int, _ classes: UnsafePointer<ByteClass>) -> Bool {
    let c = p[j]
    if c < 0x80 {
      let cls = classes[Int(c)]
      return cls == .letter || cls == .digit
    }
    return WidePunctuation.classify(p, j) == nil
  }

  /// Scans one compound (alphanumeric runs joined by `-` `_` `/` `'`, or `.` `:` between digits)
  /// starting at `start`, emits its tokens, and returns the offset after it.
  @inline(__always)
  func scanCompound(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ st: inout ScanState) -> Int {
    let n = p.count
    let maxKey = Tokenizer.maxKey
    let maxParts = Tokenizer.maxParts
    let folded = st.folded
    let partStart = st.parts
    let partEnd = st.parts + maxParts
    let partFold = st.parts + 2 * maxParts
    var j = start
    var parts = 0
    var foldLen = 0
    var hasDigit = false
    var hasLetter = false
    var joinerSeen: UInt8 = 0  // the last joiner byte ('-', '/', '\'', '.', ':', '_')
    var mixedJoiners = false
    while true {
      // One alphanumeric run.
      let runStart = j
      partFold[parts] = foldLen
      foldRun(p, &j, folded, st.fold, &foldLen, &hasDigit, &hasLetter)
      partStart[parts] = runStart
      partEnd[parts] = j
      parts += 1
      if j >= n || parts == maxParts { break }
      // A joiner continues the compound only between two word bytes.
      let c = p[j]
      var width = 1
      var join: UInt8 = 0
      switch c {
      case ASCII.hyphen, ASCII.underscore, ASCII.slash:
        join = c
      case ASCII.period, ASCII.colon:
        if ASCII.isDigit(p[j - 1]) && j + 1 < n && ASCII.isDigit(p[j + 1]) { join = c }
      case ASCII.apostrophe:
        if ASCII.isLetter(p[j - 1]) { join = ASCII.apostrophe }
      case 0xE2:
        if let (cls, w) = WidePunctuation.classify(p, j), cls == .apostrophe, ASCII.isLetter(p[j - 1]) {
          join = ASCII.apostrophe
          width = w
        }
      default:
        break
      }
      guard join != 0, j + width < n, isWordByte(p, j + width, st.classes) else { break }
      if join == ASCII.apostrophe && !ASCII.isLetter(p[j + width]) { break }
      if joinerSeen != 0 && joinerSeen != join { mixedJoiners = true }
      joinerSeen = join
      if foldLen < maxKey { folded[foldLen] = join }
      foldLen += 1
      j += width
    }
    partFold[parts] = foldLen + 1

    let end = j
    let flags = st.pending
    // A single run: a word, a number, a quantity or an identifier.
    if parts == 1 {
      emitSingle(p, start, end, 0, foldLen, hasDigit: hasDigit, hasLetter: hasLetter, &st)
      return end
    }
    // The whole compound may be a lexicon key ("mis-pk", "w/o", "isn't", "no-show").
    if foldLen <= maxKey, let (raw, origin) = st.vocab.lookup(folded, foldLen) {
      emitValue(raw, origin, start, end, flags, &st)
      return end
    }
    if hasDigit {
      let (k, nv, mv) = numericCompound(p, partStart, partEnd, parts, joinerSeen, mixedJoiners, hasLetter)
      let term: Int32 = (k == .ratio) ? Term.ratio : (k == .number ? Term.number : Term.unknown)
      emit(&st, Token(start: Int32(start), end: Int32(end), term: term, kind: k, flags: flags, n: nv, m: mv))
      return end
    }
    // Letters only: the joined form ("short-pick" → "shortpick"), a possessive, or the parts.
    if parts == 2 && joinerSeen != ASCII.apostrophe && foldLen <= maxKey {
      var len = 0
      for k in 0..<foldLen where folded[k] != joinerSeen {
        st.joined[len] = folded[k]
        len += 1
      }
      if let (raw, origin) = st.vocab.lookup(st.joined, len) {
        emitValue(raw, origin, start, end, flags, &st)
        return end
      }
    }
    var last = parts
    if joinerSeen == ASCII.apostrophe && parts == 2 {
      let s = partStart[1]
      let e = partEnd[1]
      if e - s == 1 && (p[s] | 0x20) == 0x73 { last = 1 }  // customer's → customer
    }
    for k in 0..<last {
      let s = partStart[k]
      let e = partEnd[k]
      let fs = partFold[k]
      let fe = partFold[k + 1] - 1
      var partDigit = false
      var partLetter = false
      for q in s..<e {
        if ASCII.isDigit(p[q]) { partDigit = true } else { partLetter = true }
      }
      // A part whose folded bytes run past `maxKey` is never looked up (emitSingle checks).
      emitSingle(p, s, e, fs, fe - fs, hasDigit: partDigit, hasLetter: partLetter, &st)
    }
    return end
  }

  /// The kind and values of a compound that contains digits.
  @inline(__always)
  func numericCompound(
    _ p: UnsafeBufferPointer<UInt8>, _ partStart: UnsafeMutablePointer<Int>,
    _ partEnd: UnsafeMutablePointer<Int>, _ parts: Int, _ joiner: UInt8, _ mixed: Bool,
    _ hasLetter: Bool
  ) -> (TokenKind, Int32, Int32) {
    if parts == 2 && !mixed && !hasLetter && (joiner == ASCII.slash || joiner == ASCII.period) {
      let a = digitsValue(p, partStart[0], partEnd[0])
      let b = digitsValue(p, partStart[1], partEnd[1])
      if let a, let b {
        if joiner == ASCII.slash && a <= 999_999 && b <= 999_999 {
          return (.ratio, Int32(a), Int32(b))
        }
        if joiner == ASCII.period { return (.number, Int32(min(a, Int(Int32.max))), 0) }
      }
    }
    return (.identifier, 0, 0)
  }

  @inline(__always)
  func digitsValue(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Int? {
    guard e > s, e - s <= 9 else { return nil }
    var v = 0
    for q in s..<e {
      guard ASCII.isDigit(p[q]) else { return nil }
      v = v * 10 + Int(p[q] - ASCII.zero)
    }
    return v
  }

  /// Emits a single alphanumeric run whose folded bytes are at `folded[foldFrom...]`.
  @_transparent
  func emitSingle(
    _ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, _ foldFrom: Int, _ foldLen: Int,
    hasDigit: Bool, hasLetter: Bool, _ st: inout ScanState
  ) {
    let flags = st.pending
    if hasDigit && !hasLetter {
      if let v = digitsValue(p, s, e) {
        emit(&st, Token(start: Int32(s), end: Int32(e), term: Term.number, kind: .number, flags: flags, n: Int32(v)))
      } else {
        emit(&st, Token(start: Int32(s), end: Int32(e), term: Term.unknown, kind: .identifier, flags: flags))
      }
      return
    }
    if foldFrom + foldLen <= Tokenizer.maxKey, let (raw, origin) = st.vocab.lookup(st.folded + foldFrom, foldLen) {
      emitValue(raw, origin, s, e, flags, &st)
      return
    }
    if hasDigit {
      // x3 / 3x: a quantity.
      let first = p[s] | 0x20
      let lastByte = p[e - 1] | 0x20
      if e - s >= 2 && e - s <= 7 {
        if first == 0x78, let v = digitsValue(p, s + 1, e) {
          emit(&st, Token(start: Int32(s), end: Int32(e), term: Term.number, kind: .quantity, flags: flags, n: Int32(v)))
          return
        }
        if lastByte == 0x78, let v = digitsValue(p, s, e - 1) {
          emit(&st, Token(start: Int32(s), end: Int32(e), term: Term.number, kind: .quantity, flags: flags, n: Int32(v)))
          return
        }
      }
      emit(&st, Token(start: Int32(s), end: Int32(e), term: Term.unknown, kind: .identifier, flags: flags))
      return
    }
    emit(&st, Token(start: Int32(s), end: Int32(e), term: Term.unknown, kind: .word, flags: flags))
  }

  /// Emits the token(s) for a vocabulary value over the span `s..<e`.
  @inline(__always)
  func emitValue(_ raw: Int32, _ origin: UInt8, _ s: Int, _ e: Int, _ flags: UInt8, _ st: inout ScanState) {
    if raw > 0 {
      var f = flags
      switch origin {
      case Vocabulary.Origin.inflection.rawValue: f |= TokenFlags.inflected
      case Vocabulary.Origin.typo.rawValue: f |= TokenFlags.typo
      case Vocabulary.Origin.joined.rawValue: f |= TokenFlags.joined
      default: break
      }
      emit(&st, Token(start: Int32(s), end: Int32(e), term: raw, kind: .word, flags: f))
    } else if raw == Vocabulary.skipValue {
      // Dropped; pending boundary flags carry over to the next token.
    } else if raw == Vocabulary.breakValue {
      st.pending |= TokenFlags.clauseBefore
    } else {
      for term in vocabulary.expansions[Int(Vocabulary.shorthandBase - raw)] {
        emit(&st, Token(
          start: Int32(s), end: Int32(e), term: term, kind: .word, flags: st.pending | TokenFlags.expanded))
      }
    }
  }
}
