extension Classifier {
  /// A readable account of how a note was classified: its tokens, every entry and cue found
  /// with weight, span and outcome (counted, negated by…, resolved by…, inside a longer match,
  /// condition failed), each code's score against its threshold, and how ties were broken.
  ///
  /// Note text is escaped (`SafeText`), so the result is safe to print to a terminal.
  public func explain(_ text: String) -> String {
    var scratch = ClassifierScratch()
    var copy = text
    return copy.withUTF8 { p in
      classify(p, into: &scratch)
      return explanation(of: scratch, text: p)
    }
  }

  public func explanation(of s: ClassifierScratch, text: UnsafeBufferPointer<UInt8>) -> String {
    func slice(_ a: Int, _ b: Int) -> String {
      SafeText.escape(bytes: text[max(0, a)..<min(b, text.count)])
    }
    var out = "note     \"\(slice(0, text.count))\" (\(text.count) bytes)\n"
    if s.truncated {
      out += "         truncated: only the first \(s.matchedBytes) bytes were matched\n"
    }
    let toks = s.tokens.tokens
    var parts: [String] = []
    for t in toks {
      var p = slice(Int(t.start), Int(t.end))
      if t.kind != .word { p += ":\(t.kind)" }
      if t.term >= Term.firstWord {
        let canon = lexicon.vocabulary.termText[Int(t.term)]
        if canon != p.lowercased() {
          let how =
            t.has(TokenFlags.expanded)
            ? "shorthand" : t.has(TokenFlags.typo) ? "typo" : t.has(TokenFlags.inflected) ? "form" : "as"
          p += "→\(canon)(\(how))"
        }
      }
      if t.has(TokenFlags.clauseBefore) { p = "| " + p } else if t.has(TokenFlags.commaBefore) { p = ", " + p }
      parts.append(p)
    }
    out += "tokens   \(parts.joined(separator: " "))\n"
    out += "matches\n"
    if s.matches.isEmpty { out += "  (none: no lexicon entry occurs in this note)\n" }
    let order = (0..<s.matches.count).sorted { a, b in
      let ma = s.matches[a]
      let mb = s.matches[b]
      return ma.first != mb.first ? ma.first < mb.first : (ma.last != mb.last ? ma.last > mb.last : ma.entry < mb.entry)
    }
    for k in order {
      let m = s.matches[k]
      let e = lexicon.entries[entryIndex(m.entry)]
      let a = Int(toks[Int(m.first)].start)
      let b = Int(toks[Int(m.last)].end)
      var line = "  [\(a),\(b))".padding(toLength: 12, withPad: " ", startingAt: 0)
      line += " \"\(slice(a, b))\""
      if let c = e.code {
        line += "  \(lexicon.codes[c].code) \(e.weight > 0 ? "+" : "")\(Weight.format(e.weight))"
        line += "  (\(e.kind == .pattern ? "pattern" : "entry") '\(e.text)'"
        if e.kind == .pattern {
          let values = s.tokens.tokens.withUnsafeBufferPointer { captures(m, $0) }
          let names = captureNames[Int(m.entry)]
          if names.count == values.count {
            line += ", " + zip(names, values).map { "\($0)=\($1)" }.joined(separator: " ")
          }
        }
        line += ")  \(outcomeText(s, k))"
      } else {
        line += "  \(e.kind.rawValue) cue '\(e.text)' (\(e.direction.rawValue), \(e.window) tokens"
        if e.acrossCommas { line += " across commas" }
        line += e.scope.isEmpty ? ")" : ", codes \(e.scope.map { lexicon.codes[$0].code }.joined(separator: ","))"
          + ")"
        if !s.cues.contains(Int32(k)) { line += "  dropped: inside a longer cue" }
      }
      line += "  \(e.location)"
      out += line + "\n"
    }
    out += "scores\n"
    if s.scored.isEmpty { out += "  (no code scored)\n" }
    for r in s.scored {
      let code = lexicon.codes[Int(r.code)]
      let passed = r.score >= code.threshold
      var line = "  \(code.code.padding(toLength: 22, withPad: " ", startingAt: 0))"
      line += "\(Weight.format(r.score)) \(passed ? "≥" : "<") threshold \(Weight.format(code.threshold))"
      if passed {
        line += "  → \(r.resolved ? "resolved" : "open")"
        let w = openAndResolvedWeight(s, code: Int(r.code))
        line += " (its last mention is \(r.resolved ? "resolved" : "open"); open weight \(Weight.format(w.open)), resolved weight \(Weight.format(w.resolved)))"
      } else {
        line += "  → not reported"
      }
      out += line + "\n"
    }
    var i = 0
    while i < s.reasons.count {
      var j = i
      while j + 1 < s.reasons.count && s.reasons[j + 1].score == s.reasons[i].score { j += 1 }
      if j > i {
        let names = s.reasons[i...j].map { lexicon.codes[Int($0.code)].code }
        out += "tie      \(names.joined(separator: ", ")) all score \(Weight.format(s.reasons[i].score)): ordered by taxonomy order (codes.txt)\n"
      }
      i = j + 1
    }
    let result = s.reasons.map { "\(lexicon.codes[Int($0.code)].code)\($0.resolved ? "/resolved" : "")" }
    out += "result   \(result.isEmpty ? "none" : result.joined(separator: ", "))\n"
    let ids = s.identifiers.map { id -> String in
      let kind = id.kind == .order ? "order" : id.kind == .sku ? "sku" : "location"
      return "\(kind) \(SafeText.escape(id.text(in: text, rules: lexicon.identifiers)))"
    }
    if !ids.isEmpty { out += "refs     \(ids.joined(separator: ", "))\n" }
    return out
  }
}
