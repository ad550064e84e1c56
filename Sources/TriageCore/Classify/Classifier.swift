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
/// scratch owns and reuses, so classifying allocates nothing per note or per token.
public struct ClassifierScratch: Sendable {
  public var tokens = TokenScratch()
  let states = RawBuffer<MatchState>(capacity: 64)
  let cueList = RawBuffer<Int32>(capacity: 16)
  /// Indexes of the matches by role, so the rules loop over the few that matter.
  let partList = RawBuffer<Int32>(capacity: 32)
  let phraseList = RawBuffer<Int32>(capacity: 32)
  let reasonIdx = RawBuffer<Int32>(capacity: 32)
  let reasonList = RawBuffer<ScoredReason>(capacity: 8)
  let scoredList = RawBuffer<ScoredReason>(capacity: 8)
  let identifierList = RawBuffer<FoundIdentifier>(capacity: 8)
  /// Per code: score, open weight, resolved weight, last mention (4 × codes Int32s).
  let perCode = RawBuffer<Int32>(capacity: 128)
  let touched = RawBuffer<Int32>(capacity: 16)
  /// True when the note was longer than the classifier's limit and only its start was matched.
  public internal(set) var truncated = false
  /// How many bytes of the note were matched.
  public internal(set) var matchedBytes = 0

  public init() {}

  // Views for explanations, tests and tools (copies; the hot path reads the buffers).
  public var matches: [RawMatch] { states.buffer.map(\.match) }
  /// Per match: its `MatchOutcome` raw value.
  public var outcome: [UInt8] { states.buffer.map(\.outcome) }
  public var cause: [Int32] { states.buffer.map(\.cause) }
  public var resolvedBy: [Int32] { states.buffer.map(\.resolvedBy) }
  public var keptOpenBy: [Int32] { states.buffer.map(\.keptOpenBy) }
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
          nearWindow: Int32(e.nearWindow), nearOrdered: e.nearOrdered)
      }
      + lexicon.nearParts.map { part in
        let e = entries[Int(part.entry)]
        return EntryInfo(
          code: Int32(e.code ?? -1), weight: 0, kind: .near, direction: .both, window: 0,
          scope: 0, hasConditions: false, partOf: part.entry, side: part.side)
      }
    captureNames = entries.map(\.captureNames)
    thresholds = lexicon.codes.map(\.threshold)
  }

  // MARK: Classify

  /// Classifies one note's bytes into `scratch`.
  ///
  /// - Complexity: O(n) in the note's bytes, times the longest entry (in tokens); independent of
  ///   the number of entries.
  public func classify(_ text: UnsafeBufferPointer<UInt8>, into s: inout ClassifierScratch) {
    let limit = min(text.count, maxNoteBytes)
    s.truncated = text.count > maxNoteBytes
    s.matchedBytes = limit
    let body = UnsafeBufferPointer(rebasing: text[0..<limit])
    tokenizer.tokenize(body, into: &s.tokens)
    let toks = s.tokens.store.buffer
    info.withUnsafeBufferPointer { info in
      findMatches(toks, info, s.states)
      decide(toks, info, s)
      score(info, s)
    }
    IdentifierExtractor.extract(body, toks, lexicon: lexicon, into: s.identifierList)
  }

  /// Walks the trie from every token and records every entry that ends along the way.
  @inline(__always)
  func findMatches(
    _ toks: UnsafeBufferPointer<Token>, _ info: UnsafeBufferPointer<EntryInfo>,
    _ states: RawBuffer<MatchState>
  ) {
    states.removeAll()
    let trie = lexicon.trie
    trie.rootChild.withUnsafeBufferPointer { root in
      trie.outputStart.withUnsafeBufferPointer { starts in
        trie.outputs.withUnsafeBufferPointer { outputs in
          trie.hasChildren.withUnsafeBufferPointer { hasChildren in
            let n = toks.count
            var i = 0
            while i < n {
              let term = toks[i].term
              var node: Int32 = term >= 0 && Int(term) < root.count ? root[Int(term)] : 0
              if node != 0 {
                var j = i
                while true {
                  var k = starts[Int(node)]
                  let hi = starts[Int(node) + 1]
                  while k < hi {
                    let entry = outputs[Int(k)]
                    states.append(MatchState(
                      match: RawMatch(entry: entry, first: Int32(i), last: Int32(j), output: k),
                      outcome: info[Int(entry)].partOf >= 0 ? MatchOutcome.part.rawValue : MatchOutcome.counted.rawValue))
                    k += 1
                  }
                  j += 1
                  // A phrase never runs across a boundary.
                  if j >= n || !hasChildren[Int(node)] || toks[j].flags & TokenFlags.anyBreak != 0 {
                    break
                  }
                  node = trie.child(node, toks[j].term)
                  if node == 0 { break }
                }
              }
              i += 1
            }
          }
        }
      }
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

  /// Applies pairing, conditions, subsumption, repeats, negation, resolution and pending cues.
  func decide(_ toks: UnsafeBufferPointer<Token>, _ info: UnsafeBufferPointer<EntryInfo>, _ s: ClassifierScratch) {
    s.cueList.removeAll()
    s.partList.removeAll()
    s.phraseList.removeAll()
    s.reasonIdx.removeAll()
    if s.states.count == 0 { return }
    // Index the matches by role once: near parts, plain reason matches (phrases and patterns).
    for k in 0..<s.states.count {
      let mi = info[Int(s.states[k].match.entry)]
      if mi.partOf >= 0 { s.partList.append(Int32(k)) } else if mi.isReason { s.phraseList.append(Int32(k)) }
    }
    if s.partList.count > 0 { pairNearParts(toks, info, s) }
    let states = s.states
    let count = states.count
    let st = states.base
    for k in 0..<count where info[Int(st[k].match.entry)].isReason { s.reasonIdx.append(Int32(k)) }
    // Cues; a cue inside a longer cue is dropped ("no" inside "no longer").
    for k in 0..<count where info[Int(st[k].match.entry)].isCue {
      let m = st[k].match
      var inside = false
      for o in 0..<count where o != k && info[Int(st[o].match.entry)].isCue {
        let other = st[o].match
        if other.first <= m.first && other.last >= m.last && other.last - other.first > m.last - m.first {
          inside = true
          break
        }
      }
      if !inside { s.cueList.append(Int32(k)) }
    }
    let cues = s.cueList.buffer
    let reasons = s.reasonIdx.buffer
    for k32 in reasons {
      let k = Int(k32)
      let m = st[k].match
      let mi = info[Int(m.entry)]
      if mi.hasConditions && !conditionsHold(m, toks) {
        st[k].outcome = MatchOutcome.conditionFailed.rawValue
        continue
      }
      // Subsumed by a longer reason match around it, a heavier one over the same tokens, or a
      // repeat of an entry.
      var dropped = false
      for o32 in reasons where o32 != k32 {
        let o = Int(o32)
        let other = st[o].match
        let oi = info[Int(other.entry)]
        let sameSpan = other.first == m.first && other.last == m.last
        let longer = other.first <= m.first && other.last >= m.last && other.last - other.first > m.last - m.first
        if (longer || (sameSpan && oi.code == mi.code
              && (oi.weight > mi.weight || (oi.weight == mi.weight && other.entry < m.entry))))
          && (!oi.hasConditions || conditionsHold(other, toks))
        {
          st[k].outcome = MatchOutcome.subsumed.rawValue
          st[k].cause = Int32(o)
          dropped = true
          break
        }
        if o < k && other.entry == m.entry && st[o].outcome == MatchOutcome.counted.rawValue {
          st[k].outcome = MatchOutcome.repeated.rawValue
          st[k].cause = Int32(o)
          dropped = true
          break
        }
      }
      if dropped { continue }
      let bit: UInt64 = 1 << UInt64(mi.code)
      for c in cues {
        let cm = st[Int(c)].match
        let ci = info[Int(cm.entry)]
        guard ci.kind == .negate, ci.scope & bit != 0 else { continue }
        if inGap(cm, st[k]) || reaches(cm, ci, m, toks, stops: TokenFlags.anyBreak) {
          st[k].outcome = MatchOutcome.negated.rawValue
          st[k].cause = c
          break
        }
      }
      if st[k].outcome != MatchOutcome.counted.rawValue { continue }
      resolve(k, mi, toks, info, st, cues)
    }
  }

  /// Marks a counted match resolved when a live resolution cue for its code reaches it.
  @inline(__always)
  func resolve(
    _ k: Int, _ mi: EntryInfo, _ toks: UnsafeBufferPointer<Token>,
    _ info: UnsafeBufferPointer<EntryInfo>, _ st: UnsafeMutablePointer<MatchState>,
    _ cues: UnsafeBufferPointer<Int32>
  ) {
    let m = st[k].match
    let bit: UInt64 = 1 << UInt64(mi.code)
    // A pending cue that reaches the match keeps it open ("still short").
    for p in cues {
      let pm = st[Int(p)].match
      let pi = info[Int(pm.entry)]
      guard pi.kind == .pending, pi.scope & bit != 0, pm.last < m.first else { continue }
      if reaches(pm, pi, m, toks, stops: TokenFlags.clauseBefore) {
        st[k].keptOpenBy = p
        return
      }
    }
    for r in cues {
      let rm = st[Int(r)].match
      let ri = info[Int(rm.entry)]
      guard ri.kind == .resolve, ri.scope & bit != 0 else { continue }
      guard inGap(rm, st[k]) || resolutionReaches(rm, ri, m, toks) else { continue }
      // The resolution itself may be pending or negated: "until received", "not released".
      var live = true
      for p in cues where p != r {
        let pm = st[Int(p)].match
        let pi = info[Int(pm.entry)]
        guard pi.kind == .pending || pi.kind == .negate else { continue }
        guard pi.scope & bit != 0 || pi.kind == .negate else { continue }
        if reaches(pm, pi, rm, toks, stops: TokenFlags.clauseBefore) {
          st[k].keptOpenBy = p
          live = false
          break
        }
      }
      if live {
        st[k].resolvedBy = r
        st[k].keptOpenBy = -1
        return
      }
    }
  }

  /// Pairs the parts of `near` entries: a first and a second part of the same entry that do not
  /// overlap, at most the entry's window apart, with no clause boundary between them, become one
  /// match spanning both (one per entry and note). A part inside a strictly longer phrase or
  /// pattern match is used up by it: "weight missing" and "item master" do not pair into
  /// "missing … item".
  @inline(__always)
  func pairNearParts(
    _ toks: UnsafeBufferPointer<Token>, _ info: UnsafeBufferPointer<EntryInfo>, _ s: ClassifierScratch
  ) {
    let states = s.states
    let parts = s.partList.buffer
    let phrases = s.phraseList.buffer
    let count = states.count
    func usedUp(_ p: RawMatch) -> Bool {
      for o in phrases {
        let m = states[Int(o)].match
        if m.first <= p.first && m.last >= p.last && m.last - m.first > p.last - p.first { return true }
      }
      return false
    }
    for ia in parts {
      let a = states[Int(ia)].match
      let ai = info[Int(a.entry)]
      guard ai.side == 0 else { continue }
      let owner = ai.partOf
      let window = info[Int(owner)].nearWindow
      let ordered = info[Int(owner)].nearOrdered
      // Only one pair per near entry and note: an earlier first part of the same entry that
      // paired wins.
      var paired = false
      var q = count
      while q < states.count {
        if states[q].match.entry == owner {
          paired = true
          break
        }
        q += 1
      }
      if paired { continue }
      var checkedA = false
      for ib in parts {
        let b = states[Int(ib)].match
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
    matchedText(s.states[k].match)
  }

  func matchedText(_ m: RawMatch) -> String {
    let texts = lexicon.trie.outputText
    guard m.output >= 0, Int(m.output) < texts.count else { return lexicon.entries[entryIndex(m.entry)].text }
    if m.output2 >= 0, Int(m.output2) < texts.count { return texts[Int(m.output)] + " … " + texts[Int(m.output2)] }
    return texts[Int(m.output)]
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

  func conditionsHold(_ m: RawMatch, _ toks: UnsafeBufferPointer<Token>) -> Bool {
    let names = captureNames[Int(m.entry)]
    let values = captures(m, toks)
    guard values.count == names.count else { return false }
    return lexicon.entries[Int(m.entry)].conditions.allSatisfy { cond in
      cond.holds { name in names.firstIndex(of: name).map { values[$0] } }
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
    for k in 0..<s.states.count where st[k].outcome == MatchOutcome.counted.rawValue {
      let mi = info[Int(st[k].match.entry)]
      guard mi.code >= 0 else { continue }
      let c = Int(mi.code)
      if lastMention[c] < 0 && score[c] == 0 && openWeight[c] == 0 && resolvedWeight[c] == 0 {
        s.touched.append(mi.code)
      }
      score[c] &+= mi.weight
      if mi.weight > 0 {
        if st[k].resolvedBy >= 0 { resolvedWeight[c] &+= mi.weight } else { openWeight[c] &+= mi.weight }
        // The code's status is that of its last mention: a note tells the problem, then the fix
        // (or the fix, then what is still wrong). Ties on position go to the heavier match.
        let last = lastMention[c]
        if last < 0 || st[k].match.last > st[Int(last)].match.last
          || (st[k].match.last == st[Int(last)].match.last && mi.weight > info[Int(st[Int(last)].match.entry)].weight)
        {
          lastMention[c] = Int32(k)
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
