/// One entry found in a note: which entry, over which tokens.
public struct RawMatch: Sendable, Equatable {
  public var entry: Int32
  /// Index of the first and last token the entry covers.
  public var first: Int32
  public var last: Int32
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

/// Reused buffers for classifying; one per thread. After `classify`, it holds the note's tokens,
/// matches, outcomes, reasons and identifiers until the next call.
public struct ClassifierScratch: Sendable {
  public var tokens = TokenScratch()
  public internal(set) var matches: [RawMatch] = []
  /// Per match: its `MatchOutcome` raw value.
  public internal(set) var outcome: [UInt8] = []
  /// Per match: the match that caused the outcome (negation cue, longer match, earlier repeat),
  /// or -1.
  public internal(set) var cause: [Int32] = []
  /// Per match: the resolution cue match that resolves it, or -1.
  public internal(set) var resolvedBy: [Int32] = []
  /// Per match: the pending cue match that kept it (or its resolution cue) open, or -1.
  public internal(set) var keptOpenBy: [Int32] = []
  /// Per match: for a near match, the tokens strictly between its two parts (`gapFrom...gapTo`,
  /// empty when the parts touch); -1 otherwise. A cue there acts on the match.
  var gapFrom: [Int32] = []
  var gapTo: [Int32] = []
  /// The reasons that passed their threshold, sorted by score then taxonomy order.
  public internal(set) var reasons: [ScoredReason] = []
  /// Every code's score this note, including those below threshold (for explanations).
  public internal(set) var scored: [ScoredReason] = []
  public internal(set) var identifiers: [FoundIdentifier] = []
  /// True when the note was longer than the classifier's limit and only its start was matched.
  public internal(set) var truncated = false
  /// How many bytes of the note were matched.
  public internal(set) var matchedBytes = 0

  var score: [Int32] = []
  var openWeight: [Int32] = []
  var resolvedWeight: [Int32] = []
  var touched: [Int32] = []
  var cues: [Int32] = []
  /// Per code: the counted match mentioned last in the note (it decides the status).
  var lastMention: [Int32] = []

  public init() {
    matches.reserveCapacity(64)
    outcome.reserveCapacity(64)
  }
}

/// A code's score in one note.
public struct ScoredReason: Sendable, Equatable {
  public var code: Int32
  /// In hundredths.
  public var score: Int32
  public var resolved: Bool
}

/// Classifies notes into reason codes with the compiled lexicon.
///
/// For each note:
/// 1. tokenize (`Tokenizer`), then walk the trie from every token: all reason entries and cues
///    that occur, in one pass whatever the lexicon's size;
/// 2. a pattern whose `where` condition fails is dropped; a match inside a strictly longer match
///    is subsumed; an entry counts once per note;
/// 3. a match is negated when a negation cue reaches it: the cue lies outside the match, within
///    the cue's window (in tokens) in the cue's direction, with no comma or clause boundary in
///    between;
/// 4. a counted match is resolved when a resolution cue for its code reaches it (direction and
///    window as above; a `before` cue stops at a clause boundary, an `after` cue reads on, since
///    notes tell a problem and then its fix), unless a pending cue ("awaiting", "until", "still")
///    or a negation ("not released") reaches that cue or the match first;
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

  @usableFromInline
  struct EntryInfo: Sendable {
    /// Reason code index, or -1 for a cue.
    var code: Int32
    var weight: Int32
    var kind: EntryKind
    var direction: CueDirection
    var window: Int32
    /// Bit i set when the cue acts on code i; all ones for every code.
    var scope: UInt64
    var hasConditions: Bool
    var captureNames: [String]
    /// For a near part: the near entry it belongs to, and which side; -1 otherwise.
    var partOf: Int32 = -1
    var side: UInt8 = 0
    /// For a near entry: how many tokens may separate its parts, and whether the first part
    /// must come first.
    var nearWindow: Int32 = 0
    var nearOrdered = false
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
          captureNames: e.captureNames, nearWindow: Int32(e.nearWindow), nearOrdered: e.nearOrdered)
      }
      + lexicon.nearParts.map { part in
        let e = entries[Int(part.entry)]
        return EntryInfo(
          code: Int32(e.code ?? -1), weight: 0, kind: .near, direction: .both, window: 0,
          scope: 0, hasConditions: false, captureNames: [], partOf: part.entry, side: part.side)
      }
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
    findMatches(&s)
    decide(&s)
    score(&s)
    IdentifierExtractor.extract(body, lexicon: lexicon, into: &s)
  }

  /// Walks the trie from every token and records every entry that ends along the way.
  @inline(__always)
  func findMatches(_ s: inout ClassifierScratch) {
    s.matches.removeAll(keepingCapacity: true)
    let trie = lexicon.trie
    s.tokens.tokens.withUnsafeBufferPointer { toks in
      let n = toks.count
      var i = 0
      while i < n {
        var node = trie.root(toks[i].term)
        if node != 0 {
          var j = i
          while true {
            let lo = trie.outputStart[Int(node)]
            let hi = trie.outputStart[Int(node) + 1]
            var k = lo
            while k < hi {
              s.matches.append(RawMatch(entry: trie.outputs[Int(k)], first: Int32(i), last: Int32(j)))
              k += 1
            }
            j += 1
            // A phrase never runs across a boundary.
            if j >= n || !trie.hasChildren[Int(node)] || toks[j].flags & TokenFlags.anyBreak != 0 {
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

  /// Whether cue match `c` reaches match `m` (direction, window, boundaries).
  @inline(__always)
  func reaches(
    _ c: RawMatch, _ ci: EntryInfo, _ m: RawMatch, _ toks: UnsafeBufferPointer<Token>,
    beforeStops: UInt8, afterStops: UInt8
  ) -> Bool {
    if c.first <= m.last && c.last >= m.first { return false }  // part of the match itself
    if c.last < m.first {
      guard ci.direction != .after, m.first - c.last <= ci.window else { return false }
      return clear(toks, c.last, m.first, beforeStops)
    }
    guard ci.direction != .before, c.first - m.last <= ci.window else { return false }
    return clear(toks, m.last, c.first, afterStops)
  }

  /// Applies conditions, subsumption, repeats, negation, resolution and pending cues.
  @inline(__always)
  func decide(_ s: inout ClassifierScratch) {
    let partCount = s.matches.count
    s.outcome.removeAll(keepingCapacity: true)
    s.cause.removeAll(keepingCapacity: true)
    s.resolvedBy.removeAll(keepingCapacity: true)
    s.keptOpenBy.removeAll(keepingCapacity: true)
    s.gapFrom.removeAll(keepingCapacity: true)
    s.gapTo.removeAll(keepingCapacity: true)
    s.cues.removeAll(keepingCapacity: true)
    if partCount == 0 { return }
    for k in 0..<partCount {
      s.outcome.append(info[Int(s.matches[k].entry)].partOf >= 0 ? MatchOutcome.part.rawValue : MatchOutcome.counted.rawValue)
      s.cause.append(-1)
      s.resolvedBy.append(-1)
      s.keptOpenBy.append(-1)
      s.gapFrom.append(-1)
      s.gapTo.append(-1)
    }
    pairNearParts(&s)
    let count = s.matches.count
    // Cues; a cue inside a longer cue is dropped ("no" inside "no longer").
    for k in 0..<count where info[Int(s.matches[k].entry)].code < 0 {
      let m = s.matches[k]
      var inside = false
      for o in 0..<count where o != k && info[Int(s.matches[o].entry)].code < 0 {
        let other = s.matches[o]
        if other.first <= m.first && other.last >= m.last
          && other.last - other.first > m.last - m.first
        {
          inside = true
          break
        }
      }
      if !inside { s.cues.append(Int32(k)) }
    }
    s.tokens.tokens.withUnsafeBufferPointer { toks in
      for k in 0..<count {
        let m = s.matches[k]
        let mi = info[Int(m.entry)]
        guard mi.code >= 0, mi.partOf < 0 else { continue }
        if mi.hasConditions && !conditionsHold(m, toks) {
          s.outcome[k] = MatchOutcome.conditionFailed.rawValue
          continue
        }
        // Subsumed by a strictly longer reason match around it, or a repeat of an entry.
        var dropped = false
        for o in 0..<count where o != k {
          let other = s.matches[o]
          let oi = info[Int(other.entry)]
          guard oi.code >= 0, oi.partOf < 0 else { continue }
          // One mention counts once: of two matches of a code over the same tokens, the heavier
          // (then the earlier entry) stands.
          if other.first == m.first && other.last == m.last && oi.code == mi.code
            && (oi.weight > mi.weight || (oi.weight == mi.weight && other.entry < m.entry))
            && (!oi.hasConditions || conditionsHold(other, toks))
          {
            s.outcome[k] = MatchOutcome.subsumed.rawValue
            s.cause[k] = Int32(o)
            dropped = true
            break
          }
          if other.first <= m.first && other.last >= m.last
            && other.last - other.first > m.last - m.first
          {
            if !oi.hasConditions || conditionsHold(other, toks) {
              s.outcome[k] = MatchOutcome.subsumed.rawValue
              s.cause[k] = Int32(o)
              dropped = true
              break
            }
          }
          if o < k && other.entry == m.entry && s.outcome[o] == MatchOutcome.counted.rawValue {
            s.outcome[k] = MatchOutcome.repeated.rawValue
            s.cause[k] = Int32(o)
            dropped = true
            break
          }
        }
        if dropped { continue }
        for c in s.cues where info[Int(s.matches[Int(c)].entry)].kind == .negate {
          let cm = s.matches[Int(c)]
          let ci = info[Int(cm.entry)]
          guard ci.scope & (1 << UInt64(mi.code)) != 0 else { continue }
          if inGap(cm, k, s) || reaches(cm, ci, m, toks, beforeStops: TokenFlags.anyBreak, afterStops: TokenFlags.anyBreak) {
            s.outcome[k] = MatchOutcome.negated.rawValue
            s.cause[k] = c
            break
          }
        }
        if s.outcome[k] != MatchOutcome.counted.rawValue { continue }
        resolve(k, m, mi, toks, &s)
      }
    }
  }

  /// Pairs the parts of `near` entries: a first and a second part of the same entry that do not
  /// overlap, at most the entry's window apart, with no clause boundary between them, become one
  /// match spanning both (one per entry and note).
  @inline(__always)
  func pairNearParts(_ s: inout ClassifierScratch) {
    let count = s.matches.count
    // A part inside a strictly longer phrase or pattern match is used up by it: "weight
    // missing" and "item master" do not pair into "missing … item".
    func usedUp(_ p: RawMatch) -> Bool {
      for o in 0..<count {
        let m = s.matches[o]
        let mi = info[Int(m.entry)]
        if mi.code >= 0 && mi.partOf < 0 && mi.kind != .near && m.first <= p.first && m.last >= p.last
          && m.last - m.first > p.last - p.first
        {
          return true
        }
      }
      return false
    }
    var k = 0
    while k < count {
      let a = s.matches[k]
      let ai = info[Int(a.entry)]
      k += 1
      guard ai.partOf >= 0, ai.side == 0, !usedUp(a) else { continue }
      let owner = ai.partOf
      // Only one pair per near entry and note.
      if s.matches[count...].contains(where: { $0.entry == owner }) { continue }
      let window = info[Int(owner)].nearWindow
      for o in 0..<count {
        let b = s.matches[o]
        let bi = info[Int(b.entry)]
        guard bi.partOf == owner, bi.side == 1, !usedUp(b) else { continue }
        guard a.last < b.first || (b.last < a.first && !info[Int(owner)].nearOrdered) else { continue }
        let (left, right) = a.last < b.first ? (a, b) : (b, a)
        guard right.first - left.last <= window else { continue }
        let clear = s.tokens.tokens.withUnsafeBufferPointer {
          self.clear($0, left.last, right.first, TokenFlags.clauseBefore)
        }
        guard clear else { continue }
        s.matches.append(RawMatch(entry: owner, first: left.first, last: right.last))
        s.outcome.append(MatchOutcome.counted.rawValue)
        s.cause.append(-1)
        s.resolvedBy.append(-1)
        s.keptOpenBy.append(-1)
        s.gapFrom.append(left.last + 1)
        s.gapTo.append(right.first - 1)
        break
      }
    }
  }

  /// Marks a counted match resolved when a live resolution cue for its code reaches it.
  @inline(__always)
  func resolve(
    _ k: Int, _ m: RawMatch, _ mi: EntryInfo, _ toks: UnsafeBufferPointer<Token>,
    _ s: inout ClassifierScratch
  ) {
    // A pending cue that reaches the match keeps it open ("still short").
    for p in s.cues where info[Int(s.matches[Int(p)].entry)].kind == .pending {
      let pm = s.matches[Int(p)]
      let pi = info[Int(pm.entry)]
      guard pi.scope & (1 << UInt64(mi.code)) != 0, pm.last < m.first else { continue }
      if reaches(pm, pi, m, toks, beforeStops: TokenFlags.clauseBefore, afterStops: TokenFlags.clauseBefore) {
        s.keptOpenBy[k] = p
        return
      }
    }
    for r in s.cues {
      let rm = s.matches[Int(r)]
      let ri = info[Int(rm.entry)]
      guard ri.kind == .resolve, ri.scope & (1 << UInt64(mi.code)) != 0 else { continue }
      guard inGap(rm, k, s) || resolutionReaches(rm, ri, m, toks) else { continue }
      // The resolution itself may be pending or negated: "until received", "not released".
      var live = true
      for p in s.cues where p != r {
        let pm = s.matches[Int(p)]
        let pi = info[Int(pm.entry)]
        guard pi.kind == .pending || pi.kind == .negate else { continue }
        guard pi.scope & (1 << UInt64(mi.code)) != 0 || pi.kind == .negate else { continue }
        if reaches(pm, pi, rm, toks, beforeStops: TokenFlags.clauseBefore, afterStops: TokenFlags.clauseBefore) {
          s.keptOpenBy[k] = p
          live = false
          break
        }
      }
      if live {
        s.resolvedBy[k] = r
        s.keptOpenBy[k] = -1
        return
      }
    }
  }

  /// Whether a cue lies in the gap between the two parts of near match `k`.
  @inline(__always)
  func inGap(_ c: RawMatch, _ k: Int, _ s: ClassifierScratch) -> Bool {
    let from = s.gapFrom[k]
    return from >= 0 && c.first >= from && c.last <= s.gapTo[k]
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

  /// The spelling a match stands for, as the lexicon reads it: canonical words for the matched
  /// tokens (`picked` → `pick` stays as the entry's word), captures by name, and `…` for the gap
  /// of a near match. `short pick`, `picked {n} of {m}`, `hold … payment`.
  public func matchedText(_ s: ClassifierScratch, _ k: Int) -> String {
    let m = s.matches[k]
    let names = info[entryIndex(m.entry)].captureNames
    var capture = 0
    var words: [String] = []
    var inGap = false
    for t in Int(m.first)...Int(m.last) {
      if s.gapFrom.count > k, s.gapFrom[k] >= 0, t >= Int(s.gapFrom[k]), t <= Int(s.gapTo[k]) {
        if !inGap { words.append("…") }
        inGap = true
        continue
      }
      inGap = false
      let tok = s.tokens.tokens[t]
      switch tok.kind {
      case .number, .quantity:
        words.append(capture < names.count ? "{\(names[capture])}" : "{n}")
        capture += 1
      case .ratio:
        let a = capture < names.count ? names[capture] : "n"
        let b = capture + 1 < names.count ? names[capture + 1] : "m"
        words.append("{\(a)}/{\(b)}")
        capture += 2
      default:
        words.append(tok.term >= Term.firstWord ? lexicon.vocabulary.termText[Int(tok.term)] : "?")
      }
    }
    // Near matches whose parts touch have no gap token; mark the join anyway.
    if s.gapFrom.count > k, s.gapFrom[k] >= 0, s.gapFrom[k] > s.gapTo[k] {
      return words.joined(separator: " ")
    }
    return words.joined(separator: " ")
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
    let names = info[Int(m.entry)].captureNames
    let values = captures(m, toks)
    guard values.count == names.count else { return false }
    return lexicon.entries[entryIndex(m.entry)].conditions.allSatisfy { cond in
      cond.holds { name in names.firstIndex(of: name).map { values[$0] } }
    }
  }

  /// Sums counted weights per code and keeps the codes that reach their threshold.
  @inline(__always)
  func score(_ s: inout ClassifierScratch) {
    let codeCount = lexicon.codes.count
    if s.score.count != codeCount {
      s.score = Array(repeating: 0, count: codeCount)
      s.openWeight = s.score
      s.resolvedWeight = s.score
    }
    for c in s.touched {
      s.score[Int(c)] = 0
      s.openWeight[Int(c)] = 0
      s.resolvedWeight[Int(c)] = 0
    }
    s.touched.removeAll(keepingCapacity: true)
    s.reasons.removeAll(keepingCapacity: true)
    s.scored.removeAll(keepingCapacity: true)
    if s.lastMention.count != codeCount {
      s.lastMention = Array(repeating: -1, count: codeCount)
    }
    for k in 0..<s.matches.count where s.outcome[k] == MatchOutcome.counted.rawValue {
      let mi = info[Int(s.matches[k].entry)]
      guard mi.code >= 0 else { continue }
      let c = Int(mi.code)
      if s.score[c] == 0 && s.openWeight[c] == 0 && s.resolvedWeight[c] == 0 && s.lastMention[c] < 0 {
        s.touched.append(mi.code)
      }
      s.score[c] &+= mi.weight
      if mi.weight > 0 {
        if s.resolvedBy[k] >= 0 { s.resolvedWeight[c] &+= mi.weight } else { s.openWeight[c] &+= mi.weight }
        // The code's status is that of its last mention: a note tells the problem, then the fix
        // (or the fix, then what is still wrong). Ties on position go to the heavier match.
        let last = s.lastMention[c]
        if last < 0 || s.matches[k].last > s.matches[Int(last)].last
          || (s.matches[k].last == s.matches[Int(last)].last && mi.weight > info[Int(s.matches[Int(last)].entry)].weight)
        {
          s.lastMention[c] = Int32(k)
        }
      }
    }
    for c in s.touched {
      let last = s.lastMention[Int(c)]
      let r = ScoredReason(
        code: c, score: s.score[Int(c)], resolved: last >= 0 && s.resolvedBy[Int(last)] >= 0)
      s.lastMention[Int(c)] = -1
      s.scored.append(r)
      if r.score >= lexicon.codes[Int(c)].threshold { s.reasons.append(r) }
    }
    if s.reasons.count > 1 {
      s.reasons.sort { a, b in a.score != b.score ? a.score > b.score : a.code < b.code }
    }
    if s.scored.count > 1 {
      s.scored.sort { a, b in a.score != b.score ? a.score > b.score : a.code < b.code }
    }
  }
}
