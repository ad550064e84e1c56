/// Reused buffers for tokenizing; one per thread, cleared (not freed) between notes.
public struct TokenScratch: Sendable {
  public internal(set) var tokens: [Token] = []
  /// Folded bytes of the compound being scanned (only the first `maxKey` bytes matter).
  @usableFromInline var folded: [UInt8] = Array(repeating: 0, count: Tokenizer.maxKey + 8)
  @usableFromInline var joined: [UInt8] = Array(repeating: 0, count: Tokenizer.maxKey + 8)
  /// Parts of the compound being scanned: byte start/end and start in `folded`.
  @usableFromInline var partStart: [Int] = Array(repeating: 0, count: Tokenizer.maxParts)
  @usableFromInline var partEnd: [Int] = Array(repeating: 0, count: Tokenizer.maxParts)
  @usableFromInline var partFold: [Int] = Array(repeating: 0, count: Tokenizer.maxParts + 1)

  public init() { tokens.reserveCapacity(256) }
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

  public init(vocabulary: Vocabulary) { self.vocabulary = vocabulary }

  /// Tokenizes `text` into `scratch.tokens`.
  ///
  /// - Complexity: O(n) in the note's bytes; one vocabulary lookup per token.
  public func tokenize(_ text: UnsafeBufferPointer<UInt8>, into scratch: inout TokenScratch) {
    scratch.tokens.removeAll(keepingCapacity: true)
    let n = text.count
    var i = 0
    var pending: UInt8 = 0
    while i < n {
      let b = text[i]
      var cls = byteClassTable[Int(b)]
      var width = 1
      if b >= 0x80, let (c, w) = WidePunctuation.classify(text, i) {
        cls = c
        width = w
      }
      switch cls {
      case .space:
        i += width
      case .clause:
        pending |= TokenFlags.clauseBefore
        i += width
      case .comma:
        pending |= TokenFlags.commaBefore
        i += width
      case .dotColon:
        pending |= b == ASCII.period ? TokenFlags.clauseBefore : TokenFlags.commaBefore
        i += 1
      case .joiner, .slash:
        // A dash standing alone ("B-14-02 - short 2") separates like a comma.
        if b == ASCII.hyphen { pending |= TokenFlags.commaBefore }
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
          append(
            &scratch, Token(
              start: Int32(i), end: Int32(j), term: Term.unknown, kind: .hashRef, flags: pending,
              n: j - i <= 10 ? Int32(value) : 0), &pending)
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
          append(
            &scratch,
            Token(start: Int32(i), end: Int32(j), term: Term.unknown, kind: .mention, flags: pending),
            &pending)
        }
        i = j
      case .letter, .digit:
        if let end = urlEnd(text, i) {
          append(
            &scratch,
            Token(start: Int32(i), end: Int32(end), term: Term.unknown, kind: .url, flags: pending),
            &pending)
          i = end
        } else {
          i = scanCompound(text, i, &scratch, &pending)
        }
      }
    }
  }

  /// Convenience for tests and tools: the tokens of a string.
  public func tokens(of text: String) -> [Token] {
    var scratch = TokenScratch()
    var copy = text
    copy.withUTF8 { tokenize($0, into: &scratch) }
    return scratch.tokens
  }

  @inline(__always)
  func append(_ scratch: inout TokenScratch, _ token: Token, _ pending: inout UInt8) {
    scratch.tokens.append(token)
    pending = 0
  }

  /// If a URL starts at `i`, the offset where it ends (the next space or control byte).
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
    while j < p.count && p[j] > ASCII.space && p[j] != ASCII.del { j += 1 }
    return j
  }

  /// True when the byte at `j` can continue a word (ASCII letter or digit, or a non-punctuation
  /// byte ≥ 0x80).
  @inline(__always)
  func isWordByte(_ p: UnsafeBufferPointer<UInt8>, _ j: Int) -> Bool {
    let c = p[j]
    if c < 0x80 {
      let cls = byteClassTable[Int(c)]
      return cls == .letter || cls == .digit
    }
    return WidePunctuation.classify(p, j) == nil
  }

  /// Scans one compound (alphanumeric runs joined by `-` `_` `/` `'`, or `.` `:` between digits)
  /// starting at `start`, emits its tokens, and returns the offset after it.
  @inline(__always)
  func scanCompound(
    _ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ scratch: inout TokenScratch,
    _ pending: inout UInt8
  ) -> Int {
    let n = p.count
    var j = start
    var parts = 0
    var foldLen = 0
    var hasDigit = false
    var hasLetter = false
    var joinerSeen: UInt8 = 0  // the last joiner byte ('-', '/', '\'', '.', ':', '_')
    var mixedJoiners = false
    let maxKey = Tokenizer.maxKey
    scratch.folded.withUnsafeMutableBufferPointer { folded in
      while true {
        // One alphanumeric run.
        let runStart = j
        scratch.partFold[parts] = foldLen
        while j < n {
          let c = p[j]
          if c < 0x80 {
            let cls = byteClassTable[Int(c)]
            if cls == .letter {
              hasLetter = true
              if foldLen < maxKey { folded[foldLen] = c | 0x20 }
            } else if cls == .digit {
              hasDigit = true
              if foldLen < maxKey { folded[foldLen] = c }
            } else {
              break
            }
          } else {
            if WidePunctuation.classify(p, j) != nil { break }
            hasLetter = true
            if foldLen < maxKey { folded[foldLen] = c }
          }
          foldLen += 1
          j += 1
        }
        scratch.partStart[parts] = runStart
        scratch.partEnd[parts] = j
        parts += 1
        if j >= n || parts == Tokenizer.maxParts { break }
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
          if let (cls, w) = WidePunctuation.classify(p, j), cls == .apostrophe,
            ASCII.isLetter(p[j - 1])
          {
            join = ASCII.apostrophe
            width = w
          }
        default:
          break
        }
        guard join != 0, j + width < n, isWordByte(p, j + width) else { break }
        if join == ASCII.apostrophe && !ASCII.isLetter(p[j + width]) { break }
        if joinerSeen != 0 && joinerSeen != join { mixedJoiners = true }
        joinerSeen = join
        if foldLen < maxKey { folded[foldLen] = join }
        foldLen += 1
        j += width
      }
    }
    scratch.partFold[parts] = foldLen + 1

    let end = j
    let flags = pending
    // A single run: a word, a number, a quantity or an identifier.
    if parts == 1 {
      emitSingle(
        p, start, end, 0, foldLen, hasDigit: hasDigit, hasLetter: hasLetter, &scratch, &pending)
      return end
    }
    // The whole compound may be a lexicon key ("mis-pk", "w/o", "isn't", "no-show").
    if foldLen <= maxKey, let (raw, origin) = lookupFolded(scratch.folded, 0, foldLen) {
      emitValue(raw, origin, start, end, flags, &scratch, &pending)
      return end
    }
    if hasDigit {
      let (k, nv, mv) = numericCompound(p, &scratch, parts, joinerSeen, mixedJoiners, hasLetter)
      let term: Int32 = (k == .ratio) ? Term.ratio : (k == .number ? Term.number : Term.unknown)
      append(
        &scratch,
        Token(
          start: Int32(start), end: Int32(end), term: term, kind: k, flags: flags, n: nv, m: mv),
        &pending)
      return end
    }
    // Letters only: the joined form ("short-pick" → "shortpick"), a possessive, or the parts.
    if parts == 2 && joinerSeen != ASCII.apostrophe && foldLen <= maxKey {
      var len = 0
      for k in 0..<foldLen where scratch.folded[k] != joinerSeen {
        scratch.joined[len] = scratch.folded[k]
        len += 1
      }
      if let (raw, origin) = lookupFolded(scratch.joined, 0, len) {
        emitValue(raw, origin, start, end, flags, &scratch, &pending)
        return end
      }
    }
    var last = parts
    if joinerSeen == ASCII.apostrophe && parts == 2 {
      let s = scratch.partStart[1]
      let e = scratch.partEnd[1]
      if e - s == 1 && (p[s] | 0x20) == 0x73 { last = 1 }  // customer's → customer
    }
    for k in 0..<last {
      let s = scratch.partStart[k]
      let e = scratch.partEnd[k]
      let fs = scratch.partFold[k]
      let fe = min(scratch.partFold[k + 1] - 1, maxKey)
      var partDigit = false
      var partLetter = false
      for q in s..<e {
        if ASCII.isDigit(p[q]) { partDigit = true } else { partLetter = true }
      }
      if fs >= maxKey {
        append(
          &scratch,
          Token(start: Int32(s), end: Int32(e), term: Term.unknown, kind: .word, flags: pending),
          &pending)
        continue
      }
      emitSingle(
        p, s, e, fs, fe - fs, hasDigit: partDigit, hasLetter: partLetter, &scratch, &pending)
    }
    return end
  }

  /// The kind and values of a compound that contains digits.
  func numericCompound(
    _ p: UnsafeBufferPointer<UInt8>, _ scratch: inout TokenScratch, _ parts: Int,
    _ joiner: UInt8, _ mixed: Bool, _ hasLetter: Bool
  ) -> (TokenKind, Int32, Int32) {
    if parts == 2 && !mixed && !hasLetter && (joiner == ASCII.slash || joiner == ASCII.period) {
      let a = digitsValue(p, scratch.partStart[0], scratch.partEnd[0])
      let b = digitsValue(p, scratch.partStart[1], scratch.partEnd[1])
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
  @inline(__always)
  func emitSingle(
    _ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, _ foldFrom: Int, _ foldLen: Int,
    hasDigit: Bool,
    hasLetter: Bool, _ scratch: inout TokenScratch, _ pending: inout UInt8
  ) {
    let flags = pending
    if hasDigit && !hasLetter {
      if let v = digitsValue(p, s, e) {
        append(
          &scratch,
          Token(
            start: Int32(s), end: Int32(e), term: Term.number, kind: .number, flags: flags,
            n: Int32(v)), &pending)
      } else {
        append(
          &scratch,
          Token(start: Int32(s), end: Int32(e), term: Term.unknown, kind: .identifier, flags: flags),
          &pending)
      }
      return
    }
    if foldFrom + foldLen <= Tokenizer.maxKey,
      let (raw, origin) = lookupFolded(scratch.folded, foldFrom, foldLen)
    {
      emitValue(raw, origin, s, e, flags, &scratch, &pending)
      return
    }
    if hasDigit {
      // x3 / 3x: a quantity.
      let first = p[s] | 0x20
      let lastByte = p[e - 1] | 0x20
      if e - s >= 2 && e - s <= 7 {
        if first == 0x78, let v = digitsValue(p, s + 1, e) {
          append(
            &scratch,
            Token(
              start: Int32(s), end: Int32(e), term: Term.number, kind: .quantity, flags: flags,
              n: Int32(v)), &pending)
          return
        }
        if lastByte == 0x78, let v = digitsValue(p, s, e - 1) {
          append(
            &scratch,
            Token(
              start: Int32(s), end: Int32(e), term: Term.number, kind: .quantity, flags: flags,
              n: Int32(v)), &pending)
          return
        }
      }
      append(
        &scratch,
        Token(start: Int32(s), end: Int32(e), term: Term.unknown, kind: .identifier, flags: flags),
        &pending)
      return
    }
    append(
      &scratch,
      Token(start: Int32(s), end: Int32(e), term: Term.unknown, kind: .word, flags: flags),
      &pending)
  }

  @inline(__always)
  func lookupFolded(_ buffer: [UInt8], _ from: Int, _ len: Int) -> (Int32, UInt8)? {
    buffer.withUnsafeBufferPointer { b -> (Int32, UInt8)? in
      guard let base = b.baseAddress, len > 0 else { return nil }
      let h = Vocabulary.hash(base + from, len)
      return vocabulary.lookup(base + from, len, hash: h)
    }
  }

  /// Emits the token(s) for a vocabulary value over the span `s..<e`.
  @inline(__always)
  func emitValue(
    _ raw: Int32, _ origin: UInt8, _ s: Int, _ e: Int, _ flags: UInt8,
    _ scratch: inout TokenScratch, _ pending: inout UInt8
  ) {
    if raw > 0 {
      var f = flags
      switch origin {
      case Vocabulary.Origin.inflection.rawValue: f |= TokenFlags.inflected
      case Vocabulary.Origin.typo.rawValue: f |= TokenFlags.typo
      case Vocabulary.Origin.joined.rawValue: f |= TokenFlags.joined
      default: break
      }
      append(
        &scratch, Token(start: Int32(s), end: Int32(e), term: raw, kind: .word, flags: f),
        &pending)
    } else if raw == Vocabulary.skipValue {
      // Dropped; pending boundary flags carry over to the next token.
    } else if raw == Vocabulary.breakValue {
      pending |= TokenFlags.clauseBefore
    } else {
      let expansion = vocabulary.expansions[Int(Vocabulary.shorthandBase - raw)]
      for term in expansion {
        append(
          &scratch,
          Token(
            start: Int32(s), end: Int32(e), term: term, kind: .word,
            flags: pending | TokenFlags.expanded), &pending)
      }
    }
  }
}
