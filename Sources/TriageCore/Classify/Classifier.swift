/// One entry found in a note: which entry, over which tokens.
public struct RawMatch: Sendable, Equatable, BitwiseCopyable {
  public var entry: Int32
  /// Index of the first and last token the entry covers.
  public var first: Int32
  public var last: Int32
  /// The trie output slot that matched (it names the spelling); for a near match, its first
  /// part's slot, and `output2` the second's. -1 when not known.
  public var output: Int32 = -1
  public var output2: Int32 = -1

  public init(entry: Int32, first: Int32, last: Int32, output: Int32 = -1, output2: Int32 = -1) {
    self.entry = entry
    self.first = first
    self.last = last
    self.output = output
    self.output2 = output2
  }
}

/// What became of a reason match (see `Classifier` for the rules).
public enum MatchOutcome: UInt8, Sendable {
  /// Counted toward its code's score.
  case counted = 0
  /// Cancelled by a negation cue ("no damage found").
  case negated
  /// Inside a longer match ("wrong" inside "wrong address").
  case subsumed
  /// A pattern whose condition did not hold (`picked 6 of 6` for `n < m`).
  case conditionFailed
  /// The same entry already counted earlier in the note.
  case repeated
  /// One part of a `near` entry; it counts only through the pair it forms.
  case part
}

/// A match and what the rules decided about it.
struct MatchState: BitwiseCopyable {
  var match: RawMatch
  var outcome: UInt8
  /// The match that caused the outcome (negation cue, longer match, earlier repeat), or -1.
  var cause: Int32 = -1
  /// The resolution cue match that resolves it, or -1.
  var resolvedBy: Int32 = -1
  /// The pending cue match that kept it (or its resolution cue) open, or -1.
  var keptOpenBy: Int32 = -1
  /// For a near match, the tokens strictly between its parts (`gapFrom...gapTo`); -1 otherwise.
  var gapFrom: Int32 = -1
  var gapTo: Int32 = -1

  /// A near part as the explanations list it (the walk records parts as bare matches: about ten
  /// a note, most never paired).
  static func part(_ m: RawMatch) -> MatchState { MatchState(match: m, outcome: MatchOutcome.part.rawValue) }
}

/// A code's score in one note.
public struct ScoredReason: Sendable, Equatable, BitwiseCopyable {
  public var code: Int32
  /// In hundredths.
  public var score: Int32
  public var resolved: Bool
}

/// Reused buffers for classifying; one per thread. After `classify`, it holds the note's tokens,
/// matches, outcomes, reasons and identifiers until the next call. All of it lives in memory the
/// scratch owns and reuses, so classifying allocates nothing per note or per token. A class, so
/// handing it to the stages of a note costs one reference, not a copy of every buffer.
public final class ClassifierScratch: @unchecked Sendable {
  public let tokens = TokenScratch()
  let states = RawBuffer<MatchState>(capacity: 64)
  let cueList = RawBuffer<Int32>(capacity: 16)
  /// The parts of `near` entries found in the note, in order of their first token, kept apart
  /// from `states`: most never pair, so the rules never loop over them.
  let parts = RawBuffer<RawMatch>(capacity: 64)
  /// Per near entry: which sides (bit 0 first part, bit 1 second) occur in the note; and the
  /// entries set, to reset them for the next note.
  let ownerSides = RawBuffer<UInt8>(capacity: 0)
  let touchedOwners = RawBuffer<Int32>(capacity: 16)
  /// True when some near entry has both sides in the note.
  var pairable = false
  /// Indexes of the matches by role, so the rules loop over the few that matter.
  let phraseList = RawBuffer<Int32>(capacity: 32)
  let reasonIdx = RawBuffer<Int32>(capacity: 32)
  let reasonList = RawBuffer<ScoredReason>(capacity: 8)
  let scoredList = RawBuffer<ScoredReason>(capacity: 8)
  let identifierList = RawBuffer<FoundIdentifier>(capacity: 8)
  /// Per code: score, open weight, resolved weight, last mention (4 × codes Int32s).
  let perCode = RawBuffer<Int32>(capacity: 128)
  let touched = RawBuffer<Int32>(capacity: 16)
  /// Every cue match before cues inside longer cues are dropped.
  let allCues = RawBuffer<Int32>(capacity: 16)
  /// Per entry: the match that counts for it this note (repeats and near pairs), or -1; and the
  /// entries set, to reset them for the next note.
  let entryFirst = RawBuffer<Int32>(capacity: 0)
  let touchedEntries = RawBuffer<Int32>(capacity: 16)
  /// Trie walks still to follow when a token stands for two terms (see `Vocabulary.altTerm`):
  /// node and token index, packed.
  let walkStack = RawBuffer<Int64>(capacity: 8)
  /// True when the note was longer than the classifier's limit and only its start was matched.
  public internal(set) var truncated = false
  /// How many notes were truncated since the last `takeTruncatedCount` (counted here, so a
  /// batch loop in another module reads it once a batch rather than `truncated` once a note:
  /// each read there was an exclusivity check at run time).
  var truncatedCount = 0

  /// The number of truncated notes classified since the last call, and zero again.
  public func takeTruncatedCount() -> Int {
    defer { truncatedCount = 0 }
    return truncatedCount
  }
  /// How many bytes of the note were matched.
  public internal(set) var matchedBytes = 0

  public init() {}

  // Views for explanations, tests and tools (copies; the hot path reads the buffers). Matches
  // are numbered: first `states` (phrases, patterns, cues, near pairs), then the near parts.
  var allStates: [MatchState] { Array(states.buffer) + parts.buffer.map(MatchState.part) }
  public var matches: [RawMatch] { allStates.map(\.match) }
  /// Per match: its `MatchOutcome` raw value.
  public var outcome: [UInt8] { allStates.map(\.outcome) }
  public var cause: [Int32] { allStates.map(\.cause) }
  public var resolvedBy: [Int32] { allStates.map(\.resolvedBy) }
  public var keptOpenBy: [Int32] { allStates.map(\.keptOpenBy) }

  /// Match `k` in the numbering above.
  func state(_ k: Int) -> MatchState { k < states.count ? states[k] : MatchState.part(parts[k - states.count]) }
  /// The reasons that passed their threshold, sorted by score then taxonomy order.
  public var reasons: [ScoredReason] { reasonList.array }
  /// Every code's score this note, including those below threshold (for explanations).
  public var scored: [ScoredReason] { scoredList.array }
  public var identifiers: [FoundIdentifier] { identifierList.array }
  var cues: [Int32] { cueList.array }

  /// The reasons without copying them.
  public var reasonBuffer: UnsafeBufferPointer<ScoredReason> { reasonList.buffer }
  public var identifierBuffer: UnsafeBufferPointer<FoundIdentifier> { identifierList.buffer }
}

/// Classifies notes into reason codes with the compiled lexicon.
///
/// For each note:
/// 1. tokenize (`Tokenizer`), then walk the trie from every token: all reason entries and cues
///    that occur, in one pass whatever the lexicon's size;
/// 2. pair the parts of near entries; a pattern whose `where` condition fails is dropped; a match
///    inside a strictly longer match is subsumed; of two matches of a code over the same tokens
///    the heavier counts; an entry counts once per note;
/// 3. a match is negated when a negation cue reaches it: the cue lies outside the match, within
///    the cue's window (in tokens) in the cue's direction, with no comma or clause boundary in
///    between;
/// 4. a counted match is resolved when a resolution cue for its code reaches it (before it,
///    stopping at a clause boundary; after it, reading on, since notes tell a problem and then
///    its fix; inside it; in a near match's gap; or as the whole match), unless a pending cue
///    ("awaiting", "until", "still") or a negation ("not released") reaches that cue or the
///    match first;
/// 5. a code's score is the sum of its counted matches' weights; it is reported when the score
///    reaches its threshold, `resolved` when its last-mentioned match is resolved (a note tells
///    a problem and then its fix, or the fix and then what is still wrong). Reasons are sorted
///    by score, ties by taxonomy order.
public struct Classifier: Sendable {
  public let lexicon: Lexicon
  public let tokenizer: Tokenizer
  /// Notes longer than this many bytes are matched on their first `maxNoteBytes` only.
  public var maxNoteBytes: Int

  @usableFromInline let info: [EntryInfo]
  /// Each entry's capture names, in order (patterns only).
  let captureNames: [[String]]
  let thresholds: [Int32]
  /// The widest window of any cue, in tokens: how far from a match a cue can act.
  let maxCueWindow: Int32
  /// Per term id, the second term its tokens also stand for, or 0.
  let altTerm: [Int32]
  /// The trie and per-entry tables as raw memory for the hot loop.
  let tables: MatchTables
  /// Per code, the start of its classify record: `{"code":"…","score":` (built once).
  let codeJSON: PreparedBytes
  /// Per trie output slot, its spelling (`PhraseTrie.outputText`), for evidence in JSON.
  let spellings: PreparedBytes
  /// The site's order prefix (`SO-`), the one string of this table.
  let orderPrefix: PreparedBytes
  /// The identifier rules and cue terms, for `IdentifierExtractor`.
  let identifierContext: IdentifierExtractor.Context

  @usableFromInline
  struct EntryInfo: Sendable, BitwiseCopyable {
    /// Reason code index, or -1 for a cue.
    var code: Int32
    var weight: Int32
    var kind: EntryKind
    var direction: CueDirection
    var window: Int32
    /// Bit i set when the cue acts on code i; all ones for every code.
    var scope: UInt64
    var hasConditions: Bool
    /// For a near part: the near entry it belongs to, and which side; -1 otherwise.
    var partOf: Int32 = -1
    var side: UInt8 = 0
    /// For a near entry: how many tokens may separate its parts, and whether the first part
    /// must come first.
    var nearWindow: Int32 = 0
    var nearOrdered = false
    /// A negation cue that reaches past commas.
    var acrossCommas = false

    var isReason: Bool { code >= 0 && partOf < 0 }
    var isCue: Bool { code < 0 }
  }

  /// The lexicon entry a match id stands for (a near part stands for its near entry).
  @inline(__always)
  public func entryIndex(_ id: Int32) -> Int {
    let i = info[Int(id)]
    return i.partOf >= 0 ? Int(i.partOf) : Int(id)
  }

  public static let defaultMaxNoteBytes = 1 << 20

  public init(lexicon: Lexicon, maxNoteBytes: Int = Classifier.defaultMaxNoteBytes) {
    self.lexicon = lexicon
    self.tokenizer = Tokenizer(vocabulary: lexicon.vocabulary)
    self.maxNoteBytes = maxNoteBytes
    let entries = lexicon.entries
    info =
      entries.map { e in
        var scope: UInt64 = e.scope.isEmpty ? ~0 : 0
        for c in e.scope where c < 64 { scope |= 1 << UInt64(c) }
        return EntryInfo(
          code: Int32(e.code ?? -1), weight: e.weight, kind: e.kind, direction: e.direction,
          window: Int32(e.window), scope: scope, hasConditions: !e.conditions.isEmpty,
          nearWindow: Int32(e.nearWindow), nearOrdered: e.nearOrdered, acrossCommas: e.acrossCommas)
      }
      + lexicon.nearParts.map { part in
        let e = entries[Int(part.entry)]
        return EntryInfo(
          code: Int32(e.code ?? -1), weight: 0, kind: .near, direction: .both, window: 0,
          scope: 0, hasConditions: false, partOf: part.entry, side: part.side)
      }
    captureNames = entries.map(\.captureNames)
    thresholds = lexicon.codes.map(\.threshold)
    maxCueWindow = info.lazy.filter(\.isCue).map(\.window).max() ?? 0
    altTerm = lexicon.vocabulary.altTerm
    tables = MatchTables(
      trie: lexicon.trie, altTerm: altTerm, partOwner: info.map(\.partOf), partSide: info.map(\.side))
    identifierContext = IdentifierExtractor.Context(lexicon)
    codeJSON = PreparedBytes(
      lexicon.codes.map { code in
        var w = JSONWriter(capacity: 64)
        w.raw("{\"code\":")
        w.string(code.code)
        w.raw(",\"score\":")
        return w.bytes
      })
    spellings = PreparedBytes(bytes: lexicon.trie.outputTextBytes, starts: lexicon.trie.outputTextStart)
    orderPrefix = PreparedBytes([Array(lexicon.identifiers.orderPrefix.utf8)])
  }

  // MARK: Classify

  /// Classifies one note's bytes into `scratch`.
  ///
  /// - Complexity: O(n) in the note's bytes, times the longest entry (in tokens); independent of
  ///   the number of entries.
  public func classify(_ text: UnsafeBufferPointer<UInt8>, into s: inout ClassifierScratch) {
    classify(text, in: s)
  }

  /// `classify(_:into:)` with the scratch held by reference, not `inout`: its buffers are `let`
  /// properties, so handing them on costs nothing, where through the `inout` reference each
  /// hand-off was a retain and a release (the reference could have been replaced meanwhile).
  @inline(__always)
  func classify(_ text: UnsafeBufferPointer<UInt8>, in s: ClassifierScratch) {
    let limit = min(text.count, maxNoteBytes)
    s.truncated = text.count > maxNoteBytes
    if s.truncated { s.truncatedCount += 1 }
    s.matchedBytes = limit
    let body = UnsafeBufferPointer(rebasing: text[0..<limit])
    tokenizer.tokenize(body, into: s.tokens)
    let toks = s.tokens.store.buffer
    info.withUnsafeBufferPointer { info in
      findMatches(toks, s)
      decide(toks, info, s)
      score(info, s)
    }
    IdentifierExtractor.extract(body, toks, identifierContext, into: s.identifierList)
  }

  /// Walks the trie from every token and records every entry that ends along the way. A token
  /// whose term has an alternative (`Vocabulary.altTerm`) is followed both ways; matches stay in
  /// order of their first token.
  @inline(__always)
  func findMatches(_ toks: UnsafeBufferPointer<Token>, _ s: ClassifierScratch) {
    let states = s.states
    let parts = s.parts
    let stack = s.walkStack
    states.removeAll()
    parts.removeAll()
    let t = tables
    // Which sides of which near entries occur (reset for the entries the last note touched).
    let sides = s.ownerSides
    if sides.count != t.entryCount {
      sides.removeAll()
      sides.reserve(t.entryCount)
      for _ in 0..<t.entryCount { sides.append(0) }
    } else {
      let base = sides.base
      for o in s.touchedOwners.buffer { base[Int(o)] = 0 }
    }
    s.touchedOwners.removeAll()
    s.pairable = false
    let sideBase = sides.base
    let n = toks.count
    // Follows one path from `node` (which token `j` reached), pushing the branches an alternative
    // term opens. A second walk from the same token (`since` ≥ 0) skips what an earlier one found:
    // "picked complete" is one match of `(picked|pick) complete`. `alts` marks the positions
    // (from `start`) where the path took a token's alternative term, an inflection: an exact
    // word (`=delivery`) is not matched there even when the word ("deliveries") is spelled
    // elsewhere in the lexicons.
    @inline(__always) func walk(_ start: Int, _ node0: Int32, _ j0: Int, since: Int, sinceParts: Int, alts: UInt64) {
      var node = node0
      var j = j0
      while true {
        let rec = t.nodes[Int(node)]
        var k = Int(rec.outputStart)
        let hi = k + Int(rec.outputCount)
        while k < hi {
          let out = t.outputs[k]
          k += 1
          let entry = out.entry
          let slot = out.slot
          if out.hasExact != 0 {
            let mask = t.exact[Int(slot)]
            if mask & alts != 0 || !spelledAsWritten(mask, start) { continue }
          }
          if out.part >= 0 {
            if since >= 0 && found(parts, { $0 }, entry, Int32(j), sinceParts) { continue }
            parts.append(RawMatch(entry: entry, first: Int32(start), last: Int32(j), output: slot))
            let owner = Int(out.part >> 1)
            let before = sideBase[owner]
            if before == 0 { s.touchedOwners.append(Int32(owner)) }
            let after = before | (UInt8(1) << UInt8(truncatingIfNeeded: out.part & 1))
            sideBase[owner] = after
            if after == 3 { s.pairable = true }
          } else {
            if since >= 0 && found(states, { $0.match }, entry, Int32(j), since) { continue }
            states.append(MatchState(
              match: RawMatch(entry: entry, first: Int32(start), last: Int32(j), output: slot),
              outcome: MatchOutcome.counted.rawValue))
          }
        }
        j += 1
        // A phrase never runs across a boundary.
        if j >= n || rec.childCount == 0 || toks[j].flags & TokenFlags.anyBreak != 0 {
          break
        }
        let term = toks[j].term
        let a = t.alternative(term)
        if a != 0 {
          let other = t.child(rec, a)
          if other != 0 {
            stack.append(Int64(other) << 32 | Int64(j))
            stack.append(Int64(bitPattern: alts | (j - start < 64 ? 1 << UInt64(j - start) : 0)))
          }
        }
        node = t.child(rec, term)
        if node == 0 { break }
      }
    }
    // The tokens at the exact positions of a path are not generated forms.
    @inline(__always) func spelledAsWritten(_ mask: UInt64, _ start: Int) -> Bool {
      var m = mask
      while m != 0 {
        let p = m.trailingZeroBitCount
        if toks[start + p].flags & (TokenFlags.inflected | TokenFlags.typo) != 0 { return false }
        m &= m - 1
      }
      return true
    }
    @inline(__always) func found<T>(
      _ list: RawBuffer<T>, _ match: (T) -> RawMatch, _ entry: Int32, _ last: Int32, _ since: Int
    ) -> Bool {
      var q = since
      while q < list.count {
        let m = match(list[q])
        if m.entry == entry && m.last == last { return true }
        q += 1
      }
      return false
    }
    var i = 0
    while i < n {
      let term = toks[i].term
      let node = t.root(term)
      let since = states.count
      let sinceParts = parts.count
      if node != 0 { walk(i, node, i, since: -1, sinceParts: -1, alts: 0) }
      let a = t.alternative(term)
      if a != 0 || stack.count > 0 {
        if a != 0 {
          let other = t.root(a)
          if other != 0 { walk(i, other, i, since: since, sinceParts: sinceParts, alts: 1) }
        }
        // Each branch is two entries: node and token, then the alternatives taken.
        while stack.count > 0 {
          stack.count -= 2
          let top = stack[stack.count]
          let alts = UInt64(bitPattern: stack[stack.count + 1])
          walk(
            i, Int32(truncatingIfNeeded: top >> 32), Int(truncatingIfNeeded: top & 0xFFFF_FFFF),
            since: since, sinceParts: sinceParts, alts: alts)
        }
      }
      i += 1
    }
  }

  /// True when no token in `(from, to]` starts after a boundary in `mask`.
  @inline(__always)
  func clear(_ toks: UnsafeBufferPointer<Token>, _ from: Int32, _ to: Int32, _ mask: UInt8) -> Bool {
    var k = Int(from) + 1
    while k <= Int(to) {
      if toks[k].flags & mask != 0 { return false }
      k += 1
    }
    return true
  }

  /// Whether cue match `c` reaches match `m` (direction, window, boundaries) from outside it.
  @inline(__always)
  func reaches(
    _ c: RawMatch, _ ci: EntryInfo, _ m: RawMatch, _ toks: UnsafeBufferPointer<Token>,
    stops: UInt8
  ) -> Bool {
    if c.first <= m.last && c.last >= m.first { return false }  // part of the match itself
    if c.last < m.first {
      guard ci.direction != .after, m.first - c.last <= ci.window else { return false }
      return clear(toks, c.last, m.first, stops)
    }
    guard ci.direction != .before, c.first - m.last <= ci.window else { return false }
    return clear(toks, m.last, c.first, stops)
  }

  /// Whether resolution cue `c` reaches match `m`. Unlike negation, a resolution may be part of
  /// the phrase it resolves ("hold released", "customs cleared"): what counts is which side of
  /// the rest of the match the cue stands on. A cue that starts before the match (or starts with
  /// it and ends first) acts as a 'before' cue and stops at a clause boundary; a cue that ends
  /// after it (or ends with it and starts later) acts as an 'after' cue and reads on; a cue
  /// strictly inside acts either way. A cue that is the whole match resolves it: the term itself
  /// says the problem is over ("redelivered", "reprinted").
  @inline(__always)
  func resolutionReaches(_ c: RawMatch, _ ci: EntryInfo, _ m: RawMatch, _ toks: UnsafeBufferPointer<Token>)
    -> Bool
  {
    if c.first == m.first && c.last == m.last { return true }
    if c.first < m.first || (c.first == m.first && c.last < m.last) {
      guard ci.direction != .after, m.first - c.last <= ci.window else { return false }
      return c.last >= m.first || clear(toks, c.last, m.first, TokenFlags.clauseBefore)
    }
    if c.last > m.last || (c.last == m.last && c.first > m.first) {
      guard ci.direction != .before else { return false }
      return c.first - m.last <= ci.window
    }
    return true
  }

  /// Whether a cue lies in the gap between the two parts of a near match.
  @inline(__always)
  func inGap(_ c: RawMatch, _ st: MatchState) -> Bool {
    st.gapFrom >= 0 && c.first >= st.gapFrom && c.last <= st.gapTo
  }

  /// The first position in `list` (match indexes sorted by first token) whose match starts at or
  /// after token `first`.
  @inline(__always)
  func lowerBound(_ list: UnsafeBufferPointer<Int32>, _ st: UnsafeMutablePointer<MatchState>, _ first: Int32) -> Int {
    var lo = 0
    var hi = list.count
    while lo < hi {
      let mid = (lo + hi) >> 1
      if st[Int(list[mid])].match.first < first { lo = mid + 1 } else { hi = mid }
    }
    return lo
  }

  /// The spans a note's matches reach, which bound every search below to a window around a match.
  struct Spans {
    /// The longest phrase or pattern match, near part and cue, in tokens minus one.
    var phrase: Int32 = 0
    var part: Int32 = 0
    var cue: Int32 = 0
  }

  /// Applies pairing, conditions, subsumption, repeats, negation, resolution and pending cues.
  ///
  /// Matches come from `findMatches` in order of their first token, so every rule looks only at
  /// the matches and cues whose first token lies within reach (the longest match of the note, the
  /// widest cue window): the work is linear in the matches, not quadratic, however long the note.
  func decide(_ toks: UnsafeBufferPointer<Token>, _ info: UnsafeBufferPointer<EntryInfo>, _ s: ClassifierScratch) {
    s.cueList.removeAll()
    s.allCues.removeAll()
    s.phraseList.removeAll()
    s.reasonIdx.removeAll()
    resetEntries(s, entryCount: info.count)
    if s.states.count == 0 && s.parts.count == 0 { return }
    // Index the matches by role once (each list stays sorted by first token), note the longest
    // spans, and settle pattern conditions.
    var spans = Spans()
    do {
      let st = s.states.base
      for k in 0..<s.states.count {
        let m = st[k].match
        let mi = info[Int(m.entry)]
        let span = m.last - m.first
        if mi.isReason {
          s.phraseList.append(Int32(k))
          spans.phrase = max(spans.phrase, span)
          if mi.hasConditions && !conditionsHold(m, toks) { st[k].outcome = MatchOutcome.conditionFailed.rawValue }
        } else {
          s.allCues.append(Int32(k))
          spans.cue = max(spans.cue, span)
        }
      }
    }
    // Near pairs go after the phrases (unsorted, at most one per near entry).
    let pairStart = s.states.count
    if s.parts.count > 1 { pairNearParts(toks, info, s, &spans) }
    let st = s.states.base
    for k in s.phraseList.buffer { s.reasonIdx.append(k) }
    let pairsFrom = s.reasonIdx.count
    for k in pairStart..<s.states.count {
      s.reasonIdx.append(Int32(k))
      spans.phrase = max(spans.phrase, st[k].match.last - st[k].match.first)
    }
    dropNestedCues(st, info, s, spans)
    let cues = s.cueList.buffer
    let reasons = s.reasonIdx.buffer
    let phrases = UnsafeBufferPointer(rebasing: reasons[0..<pairsFrom])
    let pairs = UnsafeBufferPointer(rebasing: reasons[pairsFrom...])
    let entryFirst = s.entryFirst.base
    let reach = maxCueWindow + spans.cue
    for k32 in reasons {
      let k = Int(k32)
      if st[k].outcome == MatchOutcome.conditionFailed.rawValue { continue }
      let m = st[k].match
      let mi = info[Int(m.entry)]
      // Subsumed by a longer reason match around it, or a heavier one over the same tokens.
      if let o = subsumer(of: k, st, info, phrases, from: lowerBound(phrases, st, m.first - spans.phrase), sorted: true)
        ?? subsumer(of: k, st, info, pairs, from: 0, sorted: false)
      {
        st[k].outcome = MatchOutcome.subsumed.rawValue
        st[k].cause = o
        continue
      }
      let bit: UInt64 = 1 << UInt64(mi.code)
      var c = lowerBound(cues, st, m.first - reach)
      while c < cues.count {
        let cm = st[Int(cues[c])].match
        if cm.first > m.last + maxCueWindow { break }
        let ci = info[Int(cm.entry)]
        if ci.kind == .negate, ci.scope & bit != 0,
          inGap(cm, st[k])
            || reaches(cm, ci, m, toks, stops: ci.acrossCommas ? TokenFlags.clauseBefore : TokenFlags.anyBreak)
        {
          st[k].outcome = MatchOutcome.negated.rawValue
          st[k].cause = cues[c]
          break
        }
        c += 1
      }
      if st[k].outcome != MatchOutcome.counted.rawValue { continue }
      // An entry counts once per note; a later mention still decides the status, so it is
      // resolved (or not) like the first.
      let first = entryFirst[Int(m.entry)]
      if first >= 0 && first != k32 {
        st[k].outcome = MatchOutcome.repeated.rawValue
        st[k].cause = first
      } else if first < 0 {
        entryFirst[Int(m.entry)] = k32
        s.touchedEntries.append(m.entry)
      }
      resolve(k, mi, toks, info, st, cues, reach)
    }
  }

  /// The reason match in `list[from...]` that subsumes match `k`: strictly longer around it, or
  /// over the same tokens for the same code and heavier (the earlier entry on a tie). A pattern
  /// whose condition failed subsumes nothing.
  @inline(__always)
  func subsumer(
    of k: Int, _ st: UnsafeMutablePointer<MatchState>, _ info: UnsafeBufferPointer<EntryInfo>,
    _ list: UnsafeBufferPointer<Int32>, from: Int, sorted: Bool
  ) -> Int32? {
    let m = st[k].match
    let mi = info[Int(m.entry)]
    var i = from
    while i < list.count {
      let o = Int(list[i])
      i += 1
      if o == k { continue }
      let other = st[o].match
      if other.first > m.first {
        // In a sorted list nothing further on starts at or before `m`.
        if sorted { break }
        continue
      }
      guard other.last >= m.last, st[o].outcome != MatchOutcome.conditionFailed.rawValue else { continue }
      let oi = info[Int(other.entry)]
      let longer = other.last - other.first > m.last - m.first
      let sameSpan = other.first == m.first && other.last == m.last
      if longer || (sameSpan && oi.code == mi.code
          && (oi.weight > mi.weight || (oi.weight == mi.weight && other.entry < m.entry)))
      {
        return Int32(o)
      }
    }
    return nil
  }

  /// Keeps the cues that are not inside a longer cue ("no" inside "no longer").
  @inline(__always)
  func dropNestedCues(
    _ st: UnsafeMutablePointer<MatchState>, _ info: UnsafeBufferPointer<EntryInfo>, _ s: ClassifierScratch,
    _ spans: Spans
  ) {
    let all = s.allCues.buffer
    for (position, k32) in all.enumerated() {
      let m = st[Int(k32)].match
      var inside = false
      var o = lowerBound(all, st, m.first - spans.cue)
      while o < all.count {
        let other = st[Int(all[o])].match
        if other.first > m.first { break }
        if o != position && other.last >= m.last && other.last - other.first > m.last - m.first {
          inside = true
          break
        }
        o += 1
      }
      if !inside { s.cueList.append(k32) }
    }
  }

  /// Sets every entry's slot in `entryFirst` back to -1 (only those the last note touched).
  @inline(__always)
  func resetEntries(_ s: ClassifierScratch, entryCount: Int) {
    let table = s.entryFirst
    if table.count != entryCount {
      table.removeAll()
      table.reserve(entryCount)
      for _ in 0..<entryCount { table.append(-1) }
    } else {
      for e in s.touchedEntries.buffer { table[Int(e)] = -1 }
    }
    s.touchedEntries.removeAll()
  }

  /// Marks a counted match resolved when a live resolution cue for its code reaches it. `reach`
  /// is how far before a match a cue may start and still act on it.
  @_transparent
  func resolve(
    _ k: Int, _ mi: EntryInfo, _ toks: UnsafeBufferPointer<Token>,
    _ info: UnsafeBufferPointer<EntryInfo>, _ st: UnsafeMutablePointer<MatchState>,
    _ cues: UnsafeBufferPointer<Int32>, _ reach: Int32
  ) {
    let m = st[k].match
    let bit: UInt64 = 1 << UInt64(mi.code)
    let from = lowerBound(cues, st, m.first - reach)
    // A pending cue that reaches the match keeps it open ("still short").
    var p = from
    while p < cues.count {
      let pm = st[Int(cues[p])].match
      if pm.first >= m.first { break }
      let pi = info[Int(pm.entry)]
      if pi.kind == .pending, pi.scope & bit != 0, pm.last < m.first,
        reaches(pm, pi, m, toks, stops: TokenFlags.clauseBefore)
      {
        st[k].keptOpenBy = cues[p]
        return
      }
      p += 1
    }
    var r = from
    while r < cues.count {
      let rIndex = cues[r]
      r += 1
      let rm = st[Int(rIndex)].match
      if rm.first > m.last + maxCueWindow { break }
      let ri = info[Int(rm.entry)]
      guard ri.kind == .resolve, ri.scope & bit != 0 else { continue }
      guard inGap(rm, st[k]) || resolutionReaches(rm, ri, m, toks) else { continue }
      // The resolution itself may be pending or negated: "until received", "not released".
      var live = true
      var q = lowerBound(cues, st, rm.first - reach)
      while q < cues.count {
        let qIndex = cues[q]
        q += 1
        let pm = st[Int(qIndex)].match
        if pm.first > rm.last + maxCueWindow { break }
        if qIndex == rIndex { continue }
        let pi = info[Int(pm.entry)]
        guard pi.kind == .pending || pi.kind == .negate else { continue }
        guard pi.scope & bit != 0 || pi.kind == .negate else { continue }
        if reaches(pm, pi, rm, toks, stops: TokenFlags.clauseBefore) {
          st[k].keptOpenBy = qIndex
          live = false
          break
        }
      }
      if live {
        st[k].resolvedBy = rIndex
        st[k].keptOpenBy = -1
        return
      }
    }
  }

  /// Pairs the parts of `near` entries: a first and a second part of the same entry that do not
  /// overlap, at most the entry's window apart, with no clause boundary between them, become one
  /// match spanning both (one per entry and note). A part inside a strictly longer phrase or
  /// pattern match is used up by it: "weight missing" and "item master" do not pair into
  /// "missing … item"; a pattern whose condition failed uses up nothing.
  @_transparent
  func pairNearParts(
    _ toks: UnsafeBufferPointer<Token>, _ info: UnsafeBufferPointer<EntryInfo>, _ s: ClassifierScratch,
    _ spans: inout Spans
  ) {
    let states = s.states
    let parts = s.parts.base
    let partCount = s.parts.count
    let phrases = s.phraseList.buffer
    let entryFirst = s.entryFirst.base
    // Only near entries with both sides in the note can pair (findMatches noted the sides).
    let sides = s.ownerSides
    // Most notes have parts but no entry with both sides: nothing to pair, nothing to measure.
    if !s.pairable { return }
    for k in 0..<partCount { spans.part = max(spans.part, parts[k].last - parts[k].first) }
    func usedUp(_ p: RawMatch) -> Bool {
      var i = lowerBound(phrases, states.base, p.first - spans.phrase)
      while i < phrases.count {
        let st = states[Int(phrases[i])]
        i += 1
        let m = st.match
        if m.first > p.first { break }
        if m.last >= p.last && m.last - m.first > p.last - p.first
          && st.outcome != MatchOutcome.conditionFailed.rawValue
        {
          return true
        }
      }
      return false
    }
    // The first part in the note of an entry with both sides.
    func firstPart(atOrAfter first: Int32) -> Int {
      var lo = 0
      var hi = partCount
      while lo < hi {
        let mid = (lo + hi) >> 1
        if parts[mid].first < first { lo = mid + 1 } else { hi = mid }
      }
      return lo
    }
    for ia in 0..<partCount {
      let a = parts[ia]
      let ai = info[Int(a.entry)]
      guard ai.side == 0 else { continue }
      let owner = ai.partOf
      guard sides[Int(owner)] == 3 else { continue }
      // Only one pair per near entry and note: an earlier first part that paired wins.
      if entryFirst[Int(owner)] >= 0 { continue }
      let window = info[Int(owner)].nearWindow
      let ordered = info[Int(owner)].nearOrdered
      var checkedA = false
      // Second parts that can lie within the window on either side of `a`.
      var ib = firstPart(atOrAfter: ordered ? a.last + 1 : a.first - window - spans.part)
      while ib < partCount {
        let b = parts[ib]
        ib += 1
        if b.first > a.last + window { break }
        let bi = info[Int(b.entry)]
        guard bi.partOf == owner, bi.side == 1 else { continue }
        guard a.last < b.first || (b.last < a.first && !ordered) else { continue }
        let (left, right) = a.last < b.first ? (a, b) : (b, a)
        guard right.first - left.last <= window, clear(toks, left.last, right.first, TokenFlags.clauseBefore)
        else { continue }
        if !checkedA {
          if usedUp(a) { break }
          checkedA = true
        }
        if usedUp(b) { continue }
        entryFirst[Int(owner)] = Int32(states.count)
        s.touchedEntries.append(owner)
        states.append(MatchState(
          match: RawMatch(entry: owner, first: left.first, last: right.last, output: a.output, output2: b.output),
          outcome: MatchOutcome.counted.rawValue, gapFrom: left.last + 1, gapTo: right.first - 1))
        break
      }
    }
  }

  /// The spelling a match stands for, as the lexicon reads it: canonical words of the trie path
  /// that matched, captures by name, and `…` between the parts of a near match (`short pick`,
  /// `picked {n} of {m}`, `hold … payment`). Precomputed per trie output when the lexicon
  /// compiles, so evidence costs nothing per note.
  public func matchedText(_ s: ClassifierScratch, _ k: Int) -> String {
    matchedText(s.state(k).match)
  }

  func matchedText(_ m: RawMatch) -> String {
    let trie = lexicon.trie
    guard m.output >= 0, Int(m.output) < trie.outputCount else { return lexicon.entries[entryIndex(m.entry)].text }
    if m.output2 >= 0, Int(m.output2) < trie.outputCount {
      return trie.outputText(Int(m.output)) + " … " + trie.outputText(Int(m.output2))
    }
    return trie.outputText(Int(m.output))
  }

  /// Writes the spelling of a match as a JSON string, straight from the trie's bytes.
  @inline(__always)
  func writeMatchedText(_ m: RawMatch, _ w: inout JSONWriter) {
    guard m.output >= 0, Int(m.output) < spellings.count else {
      w.string(lexicon.entries[entryIndex(m.entry)].text)
      return
    }
    w.byte(ASCII.quote)
    w.append(spellings[Int(m.output)])
    if m.output2 >= 0, Int(m.output2) < spellings.count {
      w.raw(" … ")
      w.append(spellings[Int(m.output2)])
    }
    w.byte(ASCII.quote)
  }

  /// The captured numbers of a pattern match, in the order of its captures.
  func captures(_ m: RawMatch, _ toks: UnsafeBufferPointer<Token>) -> [Int32] {
    var values: [Int32] = []
    for t in Int(m.first)...Int(m.last) {
      switch toks[t].kind {
      case .number, .quantity: values.append(toks[t].n)
      case .ratio: values += [toks[t].n, toks[t].m]
      default: break
      }
    }
    return values
  }

  /// Whether a pattern match's captured numbers meet its conditions (`where n < m`). The
  /// numbers are gathered on the stack: classifying allocates nothing per note.
  func conditionsHold(_ m: RawMatch, _ toks: UnsafeBufferPointer<Token>) -> Bool {
    let names = captureNames[Int(m.entry)]
    return withUnsafeTemporaryAllocation(of: Int32.self, capacity: names.count + 2) { values in
      var count = 0
      for t in Int(m.first)...Int(m.last) {
        switch toks[t].kind {
        case .number, .quantity:
          guard count < names.count else { return false }
          values[count] = toks[t].n
          count += 1
        case .ratio:
          guard count + 2 <= names.count else { return false }
          values[count] = toks[t].n
          values[count + 1] = toks[t].m
          count += 2
        default: break
        }
      }
      guard count == names.count else { return false }
      return lexicon.entries[Int(m.entry)].conditions.allSatisfy { cond in
        cond.holds { name in names.firstIndex(of: name).map { values[$0] } }
      }
    }
  }

  /// Sums counted weights per code and keeps the codes that reach their threshold.
  @inline(__always)
  func score(_ info: UnsafeBufferPointer<EntryInfo>, _ s: ClassifierScratch) {
    let codeCount = thresholds.count
    let table = s.perCode
    if table.count != codeCount * 4 {
      table.removeAll()
      table.reserve(codeCount * 4)
      for _ in 0..<codeCount * 3 { table.append(0) }
      for _ in 0..<codeCount { table.append(-1) }
    }
    // Clear what the previous note touched (cheaper than clearing every code).
    resetPerCode(s)
    let score = table.base
    let openWeight = table.base + codeCount
    let resolvedWeight = table.base + 2 * codeCount
    let lastMention = table.base + 3 * codeCount
    s.touched.removeAll()
    s.reasonList.removeAll()
    s.scoredList.removeAll()
    let st = s.states.base
    for k in 0..<s.states.count {
      let outcome = st[k].outcome
      guard outcome == MatchOutcome.counted.rawValue || outcome == MatchOutcome.repeated.rawValue else { continue }
      let mi = info[Int(st[k].match.entry)]
      guard mi.code >= 0 else { continue }
      let c = Int(mi.code)
      if lastMention[c] < 0 && score[c] == 0 && openWeight[c] == 0 && resolvedWeight[c] == 0 {
        s.touched.append(mi.code)
      }
      // A repeat adds nothing to the score, but it is a mention: it can decide the status.
      if outcome == MatchOutcome.counted.rawValue {
        score[c] &+= mi.weight
        if mi.weight > 0 {
          if st[k].resolvedBy >= 0 { resolvedWeight[c] &+= mi.weight } else { openWeight[c] &+= mi.weight }
        }
      }
      if mi.weight > 0 {
        // The code's status is that of its last mention: a note tells the problem, then the fix
        // (or the fix, then what is still wrong). A mention that could raise the code alone
        // (weight at its threshold) outranks a weaker one that only names the topic again
        // ("box rules updated; now picks the right carton"). Ties on position go to the heavier.
        let last = lastMention[c]
        if last < 0 {
          lastMention[c] = Int32(k)
        } else {
          let threshold = thresholds[c]
          let lm = st[Int(last)].match
          let lw = info[Int(lm.entry)].weight
          let strong = mi.weight >= threshold
          let lastStrong = lw >= threshold
          if (strong && !lastStrong)
            || (strong == lastStrong
              && (st[k].match.last > lm.last || (st[k].match.last == lm.last && mi.weight > lw)))
          {
            lastMention[c] = Int32(k)
          }
        }
      }
    }
    thresholds.withUnsafeBufferPointer { thresholds in
      for c in s.touched.buffer {
        let ci = Int(c)
        let last = lastMention[ci]
        let r = ScoredReason(code: c, score: score[ci], resolved: last >= 0 && st[Int(last)].resolvedBy >= 0)
        s.scoredList.append(r)
        if r.score >= thresholds[ci] { s.reasonList.append(r) }
      }
    }
    sortReasons(s.reasonList)
    sortReasons(s.scoredList)
  }

  /// Keeps the explanation's per-code weights until the next note (reset lazily above).
  func openAndResolvedWeight(_ s: ClassifierScratch, code: Int) -> (open: Int32, resolved: Int32) {
    let n = thresholds.count
    guard s.perCode.count == n * 4 else { return (0, 0) }
    return (s.perCode[n + code], s.perCode[2 * n + code])
  }

  /// Insertion sort by score (descending), then taxonomy order: a handful of reasons.
  @inline(__always)
  func sortReasons(_ list: RawBuffer<ScoredReason>) {
    let p = list.base
    var i = 1
    while i < list.count {
      let x = p[i]
      var j = i - 1
      while j >= 0 && (p[j].score < x.score || (p[j].score == x.score && p[j].code > x.code)) {
        p[j + 1] = p[j]
        j -= 1
      }
      p[j + 1] = x
      i += 1
    }
  }

  /// Clears the per-code table entries this note touched (called at the start of the next).
  @inline(__always)
  func resetPerCode(_ s: ClassifierScratch) {
    let n = thresholds.count
    guard s.perCode.count == n * 4 else { return }
    for c in s.touched.buffer {
      let ci = Int(c)
      s.perCode[ci] = 0
      s.perCode[n + ci] = 0
      s.perCode[2 * n + ci] = 0
      s.perCode[3 * n + ci] = -1
    }
  }
}
