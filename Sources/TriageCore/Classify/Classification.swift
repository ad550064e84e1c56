/// Open or resolved: whether a note raises a problem or says it is over (TAXONOMY.md).
public enum ReasonStatus: String, Sendable, Codable, Hashable {
  case open, resolved
}

/// One piece of evidence: a lexicon entry that counted toward a code.
public struct Evidence: Sendable, Hashable {
  /// The spelling that matched, in the lexicon's words (`short pick`, `picked {n} of {m}`,
  /// `hold … payment`); `entry` leads to the lexicon line.
  public var term: String
  /// In hundredths.
  public var weight: Int32
  /// Byte range of the matched text in the note.
  public var span: Range<Int>
  /// Entry id in `Lexicon.entries`.
  public var entry: Int
  /// The resolution cue that resolved this match, when one did.
  public var resolvedBy: String?
}

/// A reason code that passed its threshold in one note.
public struct Reason: Sendable, Hashable {
  public var code: String
  public var codeIndex: Int
  /// In hundredths.
  public var score: Int32
  public var status: ReasonStatus
  public var evidence: [Evidence]
}

/// The classification of one note, as owned values (the batch path writes from the scratch
/// directly instead).
public struct Classification: Sendable, Hashable {
  public var reasons: [Reason]
  public var orderRefs: [String]
  public var skus: [String]
  public var locations: [String]
  public var truncated: Bool

  public var codes: [String] { reasons.map(\.code) }
}

extension Classifier {
  /// Classifies a string and returns owned results.
  public func classify(_ text: String) -> Classification {
    var scratch = ClassifierScratch()
    return classify(text, scratch: &scratch)
  }

  /// Classifies a string reusing a scratch, and returns owned results.
  public func classify(_ text: String, scratch: inout ClassifierScratch) -> Classification {
    var copy = text
    return copy.withUTF8 { p in
      classify(p, into: &scratch)
      return classification(from: scratch, text: p)
    }
  }

  /// Copies the scratch's result into owned values.
  public func classification(from s: ClassifierScratch, text: UnsafeBufferPointer<UInt8>)
    -> Classification
  {
    let toks = s.tokens.tokens
    // One copy of each view (each is built on access).
    let matches = s.matches
    let outcome = s.outcome
    let resolvedByMatch = s.resolvedBy
    var reasons: [Reason] = []
    for r in s.reasons {
      var evidence: [Evidence] = []
      for k in 0..<matches.count where outcome[k] == MatchOutcome.counted.rawValue {
        let m = matches[k]
        let entry = lexicon.entries[entryIndex(m.entry)]
        guard entry.code == Int(r.code) else { continue }
        let resolvedBy = resolvedByMatch[k] >= 0
          ? lexicon.entries[entryIndex(matches[Int(resolvedByMatch[k])].entry)].text : nil
        evidence.append(
          Evidence(
            term: matchedText(s, k), weight: entry.weight,
            span: Int(toks[Int(m.first)].start)..<Int(toks[Int(m.last)].end), entry: Int(m.entry),
            resolvedBy: resolvedBy))
      }
      evidence.sort { $0.span.lowerBound != $1.span.lowerBound ? $0.span.lowerBound < $1.span.lowerBound : $0.entry < $1.entry }
      reasons.append(
        Reason(
          code: lexicon.codes[Int(r.code)].code, codeIndex: Int(r.code), score: r.score,
          status: r.resolved ? .resolved : .open, evidence: evidence))
    }
    var orders: [String] = []
    var skus: [String] = []
    var locations: [String] = []
    for id in s.identifiers {
      let t = id.text(in: text, rules: lexicon.identifiers)
      switch id.kind {
      case .order: orders.append(t)
      case .sku: skus.append(t)
      case .location: locations.append(t)
      }
    }
    return Classification(
      reasons: reasons, orderRefs: orders, skus: skus, locations: locations, truncated: s.truncated)
  }

  // MARK: JSON Lines

  /// Appends one classify record (DATA.md) for the note just classified into `scratch`.
  ///
  /// `{"id":…,"source":…,"order_refs":[…],"skus":[…],"locations":[…],"reasons":[{"code":…,
  /// "score":…,"status":…,"evidence":[{"term":…,"weight":…,"span":[a,b]}]}]}`; with `explain`,
  /// also `"matches"`: every entry found, with its outcome.
  ///
  /// `orderID` is the note's `order_id` field: when it is not blank, it is the note's order
  /// reference and the text is not searched for one (DATA.md).
  public func writeJSON(
    id: UnsafeBufferPointer<UInt8>, source: UnsafeBufferPointer<UInt8>,
    text: UnsafeBufferPointer<UInt8>, scratch s: ClassifierScratch, explain: Bool = false,
    orderID: UnsafeBufferPointer<UInt8> = UnsafeBufferPointer(start: nil, count: 0),
    into w: inout JSONWriter
  ) {
    w.raw("{\"id\":")
    w.string(id)
    w.raw(",\"source\":")
    w.string(source)
    let ids = s.identifierList.buffer
    let order = Classifier.trimmed(orderID)
    w.raw(",\"order_refs\":[")
    if order.count > 0 { w.string(order) } else if ids.count > 0 { writeIdentifiers(ids, .order, text, &w) }
    if ids.count == 0 {
      // Most notes name no SKU or location: the empty lists in one piece.
      w.raw("],\"skus\":[],\"locations\":[],\"reasons\":[")
    } else {
      w.raw("],\"skus\":[")
      writeIdentifiers(ids, .sku, text, &w)
      w.raw("],\"locations\":[")
      writeIdentifiers(ids, .location, text, &w)
      w.raw("],\"reasons\":[")
    }
    let toks = s.tokens.store.buffer
    let states = s.states.buffer
    for (ri, r) in s.reasonList.buffer.enumerated() {
      if ri > 0 { w.byte(ASCII.comma) }
      w.append(codeJSON[Int(r.code)])  // a prepared slice: no array retained
      w.weight(r.score)
      w.raw(r.resolved ? ",\"status\":\"resolved\",\"evidence\":[" : ",\"status\":\"open\",\"evidence\":[")
      var first = true
      for st in states where st.outcome == MatchOutcome.counted.rawValue {
        let m = st.match
        guard info[Int(m.entry)].code == r.code else { continue }
        if !first { w.byte(ASCII.comma) }
        first = false
        w.raw("{\"term\":")
        writeMatchedText(m, &w)
        w.raw(",\"weight\":")
        w.weight(info[Int(m.entry)].weight)
        w.raw(",\"span\":[")
        w.int(Int(toks[Int(m.first)].start))
        w.byte(ASCII.comma)
        w.int(Int(toks[Int(m.last)].end))
        w.raw("]}")
      }
      w.raw("]}")
    }
    w.byte(ASCII.closeBracket)
    if explain {
      w.raw(",\"matches\":[")
      for k in 0..<states.count {
        if k > 0 { w.byte(ASCII.comma) }
        let m = states[k].match
        let e = lexicon.entries[entryIndex(m.entry)]
        w.raw("{\"entry\":")
        w.string(e.text)
        w.raw(",\"term\":")
        w.string(matchedText(m))
        w.raw(",\"kind\":")
        w.string(e.kind.rawValue)
        if let c = e.code {
          w.raw(",\"code\":")
          w.string(lexicon.codes[c].code)
          w.raw(",\"weight\":")
          w.weight(e.weight)
        }
        w.raw(",\"span\":[")
        w.int(Int(toks[Int(m.first)].start))
        w.byte(ASCII.comma)
        w.int(Int(toks[Int(m.last)].end))
        w.raw("],\"outcome\":")
        w.string(outcomeText(s, k))
        w.raw(",\"source\":")
        w.string("\(e.location)")
        w.byte(ASCII.closeBrace)
      }
      w.byte(ASCII.closeBracket)
    }
    if s.truncated { w.raw(",\"truncated\":true") }
    w.raw("}\n")
  }

  /// Writes the identifiers of one kind as JSON strings: orders as prefix + digits, the others
  /// upper-cased as written.
  @inline(__always)
  func writeIdentifiers(
    _ ids: UnsafeBufferPointer<FoundIdentifier>, _ kind: FoundIdentifier.Kind,
    _ text: UnsafeBufferPointer<UInt8>, _ w: inout JSONWriter
  ) {
    var first = true
    for id in ids where id.kind == kind {
      if !first { w.byte(ASCII.comma) }
      first = false
      let bytes = text[Int(id.start)..<Int(id.end)]
      if kind != .order && bytes.contains(where: { $0 >= 0x80 }) {
        // Bytes of other scripts, or invalid UTF-8 (plain-text input is not validated): the
        // escaping writer keeps the output valid JSON.
        w.string(String(decoding: bytes.map { ASCII.isLetter($0) ? $0 & ~0x20 : $0 }, as: UTF8.self))
        continue
      }
      w.byte(ASCII.quote)
      if kind == .order {
        w.append(orderPrefix[0])
        w.append(UnsafeBufferPointer(rebasing: text[Int(id.digitsStart)..<Int(id.end)]))
      } else {
        for b in bytes { w.byte(ASCII.isLetter(b) ? b & ~0x20 : b) }
      }
      w.byte(ASCII.quote)
    }
  }

  /// Bytes without leading and trailing spaces and tabs.
  static func trimmed(_ p: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
    var lo = 0
    var hi = p.count
    while lo < hi && (p[lo] == ASCII.space || p[lo] == ASCII.tab) { lo += 1 }
    while hi > lo && (p[hi - 1] == ASCII.space || p[hi - 1] == ASCII.tab) { hi -= 1 }
    return lo == 0 && hi == p.count ? p : UnsafeBufferPointer(rebasing: p[lo..<hi])
  }

  /// A short description of what happened to match `k`, for explanations.
  public func outcomeText(_ s: ClassifierScratch, _ k: Int) -> String {
    let e = lexicon.entries[entryIndex(s.matches[k].entry)]
    if e.code == nil {
      let inCues = s.cues.contains(Int32(k))
      return inCues ? "\(e.kind.rawValue) cue" : "cue inside a longer cue"
    }
    func cueText(_ i: Int32) -> String { "'\(lexicon.entries[entryIndex(s.matches[Int(i)].entry)].text)'" }
    func status(_ head: String) -> String {
      if s.resolvedBy[k] >= 0 { return "\(head), resolved by \(cueText(s.resolvedBy[k]))" }
      if s.keptOpenBy[k] >= 0 { return "\(head), kept open by \(cueText(s.keptOpenBy[k]))" }
      return head
    }
    switch MatchOutcome(rawValue: s.outcome[k]) ?? .counted {
    case .counted: return status("counted")
    case .negated: return "negated by \(cueText(s.cause[k]))"
    case .subsumed: return "inside the longer match \(cueText(s.cause[k]))"
    case .conditionFailed:
      return "condition failed (\(e.conditions.map(\.description).joined(separator: " and ")))"
    case .repeated: return status("repeat of an entry already counted (not scored; a mention for the status)")
    case .part: return "part of near entry '\(e.text)'"
    }
  }
}
