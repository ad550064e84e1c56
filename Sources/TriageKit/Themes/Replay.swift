import TriageCore

/// What a lexicon edit would change on real history: the stored notes of a window classified
/// with the edited lexicons and compared with the classification the store holds.
public struct ReplayReport: Sendable {
  public var window: ThemeWindow
  public var lexiconDirectory: String
  public var notes: Int
  /// Notes whose codes or statuses would change.
  public var changedNotes: Int
  /// Per code, largest change first.
  public var codes: [CodeChange]

  /// How one reason code's mentions would move.
  public struct CodeChange: Sendable, Equatable {
    public var code: String
    /// Notes that would gain the code, lose it, or keep it with the other status.
    public var gained: Int
    public var lost: Int
    public var toResolved: Int
    public var toOpen: Int
    public var examples: [Example]

    public var total: Int { gained + lost + toResolved + toOpen }
  }

  public struct Example: Sendable, Equatable {
    public enum Kind: String, Sendable { case gained, lost, toResolved = "open→resolved", toOpen = "resolved→open" }
    public var kind: Kind
    public var noteID: String
    public var text: String
    /// The note's codes before and after (`code` or `code/resolved`).
    public var before: [String]
    public var after: [String]
  }

  /// Examples kept per code and kind of change.
  public static let examplesPerKind = 2

  /// Classifies `notes` (with their stored reasons) with `classifier` and compares.
  public static func compare(
    _ notes: [(note: StoredNote, stored: [StoredReason])], classifier: Classifier, window: ThemeWindow, directory: String
  ) -> ReplayReport {
    var changes: [String: CodeChange] = [:]
    var changed = 0
    var scratch = ClassifierScratch()
    let lexicon = classifier.lexicon
    for (note, stored) in notes {
      var copy = note.text
      copy.withUTF8 { classifier.classify($0, into: &scratch) }
      var after: [String: Bool] = [:]
      for r in scratch.reasons { after[lexicon.codes[Int(r.code)].code] = r.resolved }
      var before: [String: Bool] = [:]
      for r in stored { before[r.code] = r.resolved }
      guard after != before else { continue }
      changed += 1
      let describe = { (m: [String: Bool]) in m.keys.sorted().map { m[$0] == true ? "\($0)/resolved" : $0 } }
      for code in Set(after.keys).union(before.keys).sorted() {
        let kind: Example.Kind
        switch (before[code], after[code]) {
        case (nil, .some): kind = .gained
        case (.some, nil): kind = .lost
        case (.some(false), .some(true)): kind = .toResolved
        case (.some(true), .some(false)): kind = .toOpen
        default: continue
        }
        var c = changes[code] ?? CodeChange(code: code, gained: 0, lost: 0, toResolved: 0, toOpen: 0, examples: [])
        switch kind {
        case .gained: c.gained += 1
        case .lost: c.lost += 1
        case .toResolved: c.toResolved += 1
        case .toOpen: c.toOpen += 1
        }
        if c.examples.filter({ $0.kind == kind }).count < examplesPerKind {
          c.examples.append(Example(kind: kind, noteID: note.noteID, text: note.text, before: describe(before), after: describe(after)))
        }
        changes[code] = c
      }
    }
    let order = { (code: String) in lexicon.code(named: code)?.index ?? Int.max }
    let list = changes.values.sorted { $0.total != $1.total ? $0.total > $1.total : order($0.code) < order($1.code) }
    return ReplayReport(window: window, lexiconDirectory: directory, notes: notes.count, changedNotes: changed, codes: list)
  }

  public func render(width: Int?) -> String {
    var out = "Replay of \(SafeText.escape(lexiconDirectory)) on \(notes) stored note(s), \(window)\n"
    if codes.isEmpty {
      out += "no note would change code or status\n"
      return out
    }
    out += "\(changedNotes) note(s) would change; compared with the classification in the store\n\n"
    var t = Table([
      .init("code"), .init("gained", alignRight: true), .init("lost", alignRight: true),
      .init("open→resolved", alignRight: true), .init("resolved→open", alignRight: true),
    ])
    for c in codes {
      t.add([c.code, c.gained > 0 ? "+\(c.gained)" : "0", c.lost > 0 ? "-\(c.lost)" : "0", String(c.toResolved), String(c.toOpen)])
    }
    out += t.render(width: width)
    let textWidth = max(40, (width ?? 100) - 8)
    for c in codes {
      out += "\n\(c.code)\n"
      for e in c.examples {
        out += "  \(e.kind.rawValue)  \(SafeText.escape(e.noteID))  [\(e.before.joined(separator: ", "))] → [\(e.after.joined(separator: ", "))]\n"
        out += TextLayout.wrap(SafeText.escape(e.text), width: textWidth, indent: "      ") + "\n"
      }
    }
    return out
  }

  public func json() -> [UInt8] {
    var w = JSONWriter()
    w.raw("{\"window\":")
    ThemeSummary.window(&w, window)
    w.raw(",\"lexicons\":")
    w.string(lexiconDirectory)
    w.raw(",\"notes\":")
    w.int(notes)
    w.raw(",\"changed_notes\":")
    w.int(changedNotes)
    w.raw(",\"codes\":[")
    for (i, c) in codes.enumerated() {
      if i > 0 { w.raw(",") }
      w.raw("\n{\"code\":")
      w.string(c.code)
      w.raw(",\"gained\":")
      w.int(c.gained)
      w.raw(",\"lost\":")
      w.int(c.lost)
      w.raw(",\"open_to_resolved\":")
      w.int(c.toResolved)
      w.raw(",\"resolved_to_open\":")
      w.int(c.toOpen)
      w.raw(",\"examples\":[")
      for (k, e) in c.examples.enumerated() {
        if k > 0 { w.raw(",") }
        w.raw("{\"change\":")
        w.string(e.kind.rawValue)
        w.raw(",\"note_id\":")
        w.string(e.noteID)
        w.raw(",\"before\":")
        w.strings(e.before)
        w.raw(",\"after\":")
        w.strings(e.after)
        w.raw(",\"text\":")
        w.string(e.text)
        w.raw("}")
      }
      w.raw("]}")
    }
    w.raw("]}\n")
    return w.bytes
  }
}

extension Store {
  /// The notes of a window with their stored reasons, oldest first.
  func notesWithReasons(in w: ThemeWindow) throws(TriageError) -> [(note: StoredNote, stored: [StoredReason])] {
    let notes = try statement(
      """
      SELECT \(Store.noteColumns) FROM notes WHERE day >= ?1 AND day <= ?2 AND created_at >= ?3 AND created_at < ?4
      ORDER BY created_at, note_id
      """
    ).rows([.int(w.firstDay), .int(w.lastDay), .int(w.start), .int(w.end)]) { Store.note(from: $0) }
    var byNote: [Int64: [StoredReason]] = [:]
    let reasons = try statement(
      """
      SELECT r.note, r.code, r.status, r.score FROM note_reasons r JOIN notes n ON n.id = r.note
      WHERE r.day >= ?1 AND r.day <= ?2 AND n.created_at >= ?3 AND n.created_at < ?4
      """
    ).rows([.int(w.firstDay), .int(w.lastDay), .int(w.start), .int(w.end)]) {
      StoredReason(note: $0.int(0), code: $0.text(1), resolved: $0.int(2) == 1, score: Int32($0.int(3)))
    }
    for r in reasons { byNote[r.note, default: []].append(r) }
    return notes.map { ($0, byNote[$0.rowID] ?? []) }
  }
}
