import Foundation

extension EvalReport {
  static func pct(_ v: Double) -> String {
    let x = (v * 1000).rounded() / 10
    return String(format: "%5.1f", x)
  }

  public static func f3(_ v: Double) -> String { String(format: "%.3f", v) }

  /// The report for people: per-code table, averages, status accuracy, none false positives,
  /// confusions, misleading entries and (up to `maxMisses`) the notes it got wrong.
  public func render(maxMisses: Int = 40) -> String {
    var out = "code                    prec   recall  f1     support  tp   fp   fn\n"
    for (code, c) in perCode {
      out += code.padding(toLength: 22, withPad: " ", startingAt: 0)
      out += "  \(Self.f3(c.precision))  \(Self.f3(c.recall))   \(Self.f3(c.f1))"
      out += String(format: "  %7d  %-4d %-4d %-4d\n", c.support, c.tp, c.fp, c.fn)
    }
    out += "\n"
    out += "micro   precision \(Self.f3(micro.precision))  recall \(Self.f3(micro.recall))  f1 \(Self.f3(micro.f1))\n"
    out += "macro   precision \(Self.f3(macroPrecision))  recall \(Self.f3(macroRecall))  f1 \(Self.f3(macroF1))\n"
    out += "notes   \(notes), all codes right: \(exactMatches) (\(Self.pct(Double(exactMatches) / Double(max(1, notes))).trimmingCharacters(in: .whitespaces))%)\n"
    out += "none    \(noneFalsePositives) of \(noneNotes) 'none' notes got a code: false-positive rate \(Self.pct(noneFalsePositiveRate).trimmingCharacters(in: .whitespaces))%\n"
    out += "status  resolved labels with the right status: \(resolvedCorrect) of \(resolvedLabels) (\(Self.pct(resolvedAccuracy).trimmingCharacters(in: .whitespaces))%); "
    out += "all found labels: \(matchedStatusCorrect) of \(matchedLabels) (\(Self.pct(statusAccuracy).trimmingCharacters(in: .whitespaces))%)\n"

    let pairs = confusion.flatMap { g, row in row.map { (g, $0.key, $0.value) } }
      .sorted { $0.2 != $1.2 ? $0.2 > $1.2 : ($0.0, $0.1) < ($1.0, $1.1) }
    if !pairs.isEmpty {
      out += "\nconfusions (gold → predicted, 'none' = no code)\n"
      for (g, p, n) in pairs.prefix(20) {
        out += "  \(String(n).padding(toLength: 4, withPad: " ", startingAt: 0)) \(g) → \(p)\n"
      }
    }
    if !misleadingEntries.isEmpty {
      out += "\nentries firing most often on wrong codes\n"
      for e in misleadingEntries.prefix(15) {
        out += "  \(String(e.count).padding(toLength: 4, withPad: " ", startingAt: 0)) \(e.code): '\(e.entry)'  \(e.location)\n"
      }
    }
    if !misses.isEmpty {
      out += "\nnotes it got wrong (\(misses.count)\(misses.count > maxMisses ? ", first \(maxMisses)" : ""))\n"
      for m in misses.prefix(maxMisses) {
        let gold = m.note.labels.isEmpty ? "none" : m.note.labels.sorted { $0.key < $1.key }
          .map { $0.value == .resolved ? "\($0.key)/resolved" : $0.key }.joined(separator: ",")
        let got = m.predicted.isEmpty ? "none" : m.predicted.sorted { $0.key < $1.key }
          .map { $0.value == .resolved ? "\($0.key)/resolved" : $0.key }.joined(separator: ",")
        out += "  \(m.note.id) [\(m.note.source)] \"\(SafeText.escape(m.note.text))\"\n"
        out += "      gold \(gold)   got \(got)\n"
        for r in m.classification.reasons where m.note.labels[r.code] != r.status {
          let ev = r.evidence.map { "'\($0.term)' \(Weight.format($0.weight))\($0.resolvedBy.map { " (resolved by '\($0)')" } ?? "")" }
          out += "      \(r.code) \(Weight.format(r.score)): \(ev.joined(separator: ", "))\n"
        }
        for (code, score) in m.partialScores.sorted(by: { $0.key < $1.key }) {
          out += "      missed \(code): scored \(Weight.format(score)), below threshold\n"
        }
      }
    }
    return out
  }

  /// The report as one JSON object: `micro`, `macro`, `per_code`, and the other figures.
  public func json() -> String {
    var w = JSONWriter()
    func counts(_ c: Counts) {
      w.raw("{\"precision\":")
      w.number(Self.f3(c.precision))
      w.raw(",\"recall\":"); w.number(Self.f3(c.recall))
      w.raw(",\"f1\":"); w.number(Self.f3(c.f1))
      w.raw(",\"support\":"); w.int(c.support)
      w.raw(",\"tp\":"); w.int(c.tp)
      w.raw(",\"fp\":"); w.int(c.fp)
      w.raw(",\"fn\":"); w.int(c.fn)
      w.raw("}")
    }
    w.raw("{\"notes\":"); w.int(notes)
    w.raw(",\"micro\":"); counts(micro)
    w.raw(",\"macro\":{\"precision\":"); w.number(Self.f3(macroPrecision))
    w.raw(",\"recall\":"); w.number(Self.f3(macroRecall))
    w.raw(",\"f1\":"); w.number(Self.f3(macroF1))
    w.raw("},\"per_code\":{")
    for (i, (code, c)) in perCode.enumerated() {
      if i > 0 { w.byte(ASCII.comma) }
      w.string(code)
      w.byte(ASCII.colon)
      counts(c)
    }
    w.raw("},\"none_false_positive_rate\":"); w.number(Self.f3(noneFalsePositiveRate))
    w.raw(",\"none_notes\":"); w.int(noneNotes)
    w.raw(",\"resolved_accuracy\":"); w.number(Self.f3(resolvedAccuracy))
    w.raw(",\"resolved_labels\":"); w.int(resolvedLabels)
    w.raw(",\"status_accuracy\":"); w.number(Self.f3(statusAccuracy))
    w.raw(",\"exact_match\":"); w.int(exactMatches)
    w.raw(",\"misses\":[")
    for (i, m) in misses.enumerated() {
      if i > 0 { w.byte(ASCII.comma) }
      w.raw("{\"id\":"); w.string(m.note.id)
      w.raw(",\"gold\":[")
      for (k, l) in m.note.labels.sorted(by: { $0.key < $1.key }).enumerated() {
        if k > 0 { w.byte(ASCII.comma) }
        w.string(l.value == .resolved ? "\(l.key)/resolved" : l.key)
      }
      w.raw("],\"predicted\":[")
      for (k, l) in m.predicted.sorted(by: { $0.key < $1.key }).enumerated() {
        if k > 0 { w.byte(ASCII.comma) }
        w.string(l.value == .resolved ? "\(l.key)/resolved" : l.key)
      }
      w.raw("]}")
    }
    w.raw("]}\n")
    return String(decoding: w.bytes, as: UTF8.self)
  }
}
