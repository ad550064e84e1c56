import TriageCore

/// Mentions of one reason code on one day, for one value of a grouping (a SKU, a customer...).
struct MentionCount: Sendable, Equatable {
  var value: String
  var day: Int64
  var code: String
  var status: Int
  var n: Int
}

/// The theme queries. All of them aggregate in SQL and read whole days through day-keyed
/// indexes; only the first and last day of a window, when it cuts through them, are read note
/// by note to compare `created_at` (see `ThemeWindow.partialDays`).
extension Store {
  /// Runs `body` once for the window's whole days and once per partial day, with the day range
  /// (`?3`, `?4`) and, for a partial day, the time range (`?5`, `?6`) to bind.
  private func perSpan(
    _ w: ThemeWindow, _ body: (_ days: Range<Int64>, _ time: Range<Int64>?) throws(TriageError) -> Void
  ) throws(TriageError) {
    if !w.fullDays.isEmpty { try body(w.fullDays, nil) }
    for p in w.partialDays { try body(p.day..<(p.day + 1), p.from..<p.to) }
  }

  /// Open and resolved mentions per (day, code) in the window: whole days from `reason_days`
  /// (ThemeSchema), a partial first or last day from the notes.
  ///
  /// - Complexity: one row per (day, code, status) for whole days; the mentions of a partial
  ///   day are read note by note.
  func reasonCounts(in w: ThemeWindow) throws(TriageError) -> [MentionCount] {
    var out: [MentionCount] = []
    let full = try statement(
      "SELECT day, code, status, n FROM reason_days WHERE day >= ?1 AND day < ?2 AND n > 0 ORDER BY day, code, status")
    let partial = try statement(
      """
      SELECT r.day, r.code, r.status, count(*) FROM note_reasons r JOIN notes n ON n.id = r.note
      WHERE r.day >= ?1 AND r.day < ?2 AND n.created_at >= ?3 AND n.created_at < ?4
      GROUP BY r.day, r.code, r.status
      """)
    try perSpan(w) { (days, time) throws(TriageError) in
      var args: [SQLValue] = [.int(days.lowerBound), .int(days.upperBound)]
      if let time { args += [.int(time.lowerBound), .int(time.upperBound)] }
      out += try (time == nil ? full : partial).rows(args) {
        MentionCount(value: $0.text(1), day: $0.int(0), code: $0.text(1), status: Int($0.int(2)), n: Int($0.int(3)))
      }
    }
    return out
  }

  /// Mentions per (value, day, code) for a grouping that is not made of codes: SKU, location,
  /// SKU at location, order, customer, carrier or source.
  ///
  /// SKUs, locations, orders, customers and carriers come from `theme_refs` (one range per
  /// code); source joins the notes (every mention in the window is read).
  func mentionCounts(
    _ dimension: ThemeDimension, in w: ThemeWindow, status: Int, codes: [String]
  ) throws(TriageError) -> [MentionCount] {
    var out: [MentionCount] = []
    if dimension == .source {
      let sql = { (partial: Bool) in
        """
        SELECT n.source, r.day, r.code, count(*) FROM note_reasons r JOIN notes n ON n.id = r.note
        WHERE r.day >= ?1 AND r.day < ?2 AND r.status = ?3\(partial ? " AND n.created_at >= ?4 AND n.created_at < ?5" : "")
        GROUP BY 1, 2, 3
        """
      }
      try perSpan(w) { (days, time) throws(TriageError) in
        var args: [SQLValue] = [.int(days.lowerBound), .int(days.upperBound), .int(Int64(status))]
        if let time { args += [.int(time.lowerBound), .int(time.upperBound)] }
        out += try statement(sql(time != nil)).rows(args) {
          MentionCount(value: $0.text(0), day: $0.int(1), code: $0.text(2), status: status, n: Int($0.int(3)))
        }
      }
      return out
    }
    let kind = Store.refKind(dimension)
    let sql = { (partial: Bool) in
      """
      SELECT t.value, t.day, count(*) FROM theme_refs t\(partial ? " JOIN notes n ON n.id = t.note" : "")
      WHERE t.code = ?1 AND t.status = ?2 AND t.kind = \(kind) AND t.day >= ?3 AND t.day < ?4\
      \(partial ? " AND n.created_at >= ?5 AND n.created_at < ?6" : "")
      GROUP BY 1, 2
      """
    }
    for code in codes {
      try perSpan(w) { (days, time) throws(TriageError) in
        var args: [SQLValue] = [.text(code), .int(Int64(status)), .int(days.lowerBound), .int(days.upperBound)]
        if let time { args += [.int(time.lowerBound), .int(time.upperBound)] }
        out += try statement(sql(time != nil)).rows(args) {
          MentionCount(value: $0.text(0), day: $0.int(1), code: code, status: status, n: Int($0.int(2)))
        }
      }
    }
    return out
  }

  /// The kind of `theme_refs` row a dimension reads (ThemeSchema).
  static func refKind(_ d: ThemeDimension) -> Int {
    switch d {
    case .sku: 1
    case .location: 2
    case .customer: 4
    case .carrier: 5
    default: 0
    }
  }

  /// Open mentions in the window whose note names something of this dimension (a note naming
  /// two SKUs counts once).
  func attributedMentions(_ dimension: ThemeDimension, in w: ThemeWindow, codes: [String]) throws(TriageError) -> Int {
    let kind = Store.refKind(dimension)
    var total = 0
    let sql = { (partial: Bool) in
      """
      SELECT count(DISTINCT t.note) FROM theme_refs t\(partial ? " JOIN notes n ON n.id = t.note" : "")
      WHERE t.code = ?1 AND t.status = 0 AND t.kind = \(kind) AND t.day >= ?2 AND t.day < ?3\
      \(partial ? " AND n.created_at >= ?4 AND n.created_at < ?5" : "")
      """
    }
    for code in codes {
      try perSpan(w) { (days, time) throws(TriageError) in
        var args: [SQLValue] = [.text(code), .int(days.lowerBound), .int(days.upperBound)]
        if let time { args += [.int(time.lowerBound), .int(time.upperBound)] }
        total += Int(try statement(sql(time != nil)).first(args) { $0.int(0) } ?? 0)
      }
    }
    return total
  }

  // MARK: Notes for examples

  /// A mention with what ranks it as an example.
  struct MentionNote: Sendable {
    var note: Int64
    var code: String
    var score: Int
    var createdAt: Int64
    /// How many reasons the note raises: a note about one thing is the clearer example.
    var reasonCount: Int
  }

  /// Open mentions of `code` on `day` inside the window, with their score and time.
  func openMentions(code: String, day: Int64, in w: ThemeWindow) throws(TriageError) -> [MentionNote] {
    try statement(
      """
      SELECT r.note, r.score, n.created_at, (SELECT count(*) FROM note_reasons x WHERE x.note = r.note)
      FROM note_reasons r JOIN notes n ON n.id = r.note
      WHERE r.day = ?1 AND r.code = ?2 AND r.status = 0 AND n.created_at >= ?3 AND n.created_at < ?4
      """
    ).rows([.int(day), .text(code), .int(w.start), .int(w.end)]) {
      MentionNote(note: $0.int(0), code: code, score: Int($0.int(1)), createdAt: $0.int(2), reasonCount: Int($0.int(3)))
    }
  }

  /// Open mentions of `code` on `day` inside the window whose note names `value` (a SKU,
  /// location, `SKU @ location` or order key: `kind` 1, 2, 3 or 0).
  func openMentions(code: String, day: Int64, kind: Int, value: String, in w: ThemeWindow) throws(TriageError) -> [MentionNote] {
    try statement(
      """
      SELECT t.note, r.score, n.created_at, (SELECT count(*) FROM note_reasons x WHERE x.note = t.note)
      FROM theme_refs t JOIN note_reasons r ON r.note = t.note AND r.code = t.code JOIN notes n ON n.id = t.note
      WHERE t.code = ?1 AND t.status = 0 AND t.kind = ?2 AND t.day = ?3 AND t.value = ?4
        AND n.created_at >= ?5 AND n.created_at < ?6
      """
    ).rows([.text(code), .int(Int64(kind)), .int(day), .text(value), .int(w.start), .int(w.end)]) {
      MentionNote(note: $0.int(0), code: code, score: Int($0.int(1)), createdAt: $0.int(2), reasonCount: Int($0.int(3)))
    }
  }


  /// Open mentions on `day` inside the window from notes of one source.
  func openMentions(source: String, day: Int64, in w: ThemeWindow) throws(TriageError) -> [MentionNote] {
    try statement(
      """
      SELECT r.note, r.code, r.score, n.created_at, (SELECT count(*) FROM note_reasons x WHERE x.note = r.note)
      FROM note_reasons r JOIN notes n ON n.id = r.note
      WHERE r.day = ?1 AND r.status = 0 AND n.source = ?2 AND n.created_at >= ?3 AND n.created_at < ?4
      """
    ).rows([.int(day), .text(source), .int(w.start), .int(w.end)]) {
      MentionNote(note: $0.int(0), code: $0.text(1), score: Int($0.int(2)), createdAt: $0.int(3), reasonCount: Int($0.int(4)))
    }
  }

  /// The stored note behind a row id.
  func note(row: Int64) throws(TriageError) -> StoredNote? {
    try statement("SELECT \(Store.noteColumns) FROM notes WHERE id = ?").first([.int(row)]) { Store.note(from: $0) }
  }

  // MARK: Time to resolve

  /// A resolved mention: the note, its time and the order it is about.
  struct Resolution: Sendable {
    var note: Int64
    var code: String
    var at: Int64
    var order: String
  }

  /// The most recent resolved mentions of `code` in the window that belong to an order, newest
  /// day first, at most `limit` (whole days are taken, so a few more may come back).
  func resolutions(code: String, in w: ThemeWindow, limit: Int) throws(TriageError) -> [Resolution] {
    let q = try statement(
      """
      SELECT t.note, n.created_at, t.value FROM theme_refs t JOIN notes n ON n.id = t.note
      WHERE t.code = ?1 AND t.status = 1 AND t.kind = 0 AND t.day = ?2 AND n.created_at >= ?3 AND n.created_at < ?4
      """)
    var out: [Resolution] = []
    var day = w.lastDay
    while day >= w.firstDay && out.count < limit {
      out += try q.rows([.text(code), .int(day), .int(w.start), .int(w.end)]) {
        Resolution(note: $0.int(0), code: code, at: $0.int(1), order: $0.text(2))
      }
      day -= 1
    }
    return out
  }

  /// The mentions of `code` on an order's notes up to a time: (time, resolved), oldest first.
  func mentions(code: String, order: String, upTo t: Int64) throws(TriageError) -> [(note: Int64, at: Int64, resolved: Bool)] {
    try statement(
      """
      SELECT n.created_at, r.status, n.note_id, n.id FROM notes n JOIN note_reasons r ON r.note = n.id AND r.code = ?1
      WHERE n.order_id = ?2 AND n.order_id <> '' AND n.created_at <= ?3
      UNION ALL
      SELECT n.created_at, r.status, n.note_id, n.id FROM note_refs f JOIN notes n ON n.id = f.note AND n.order_id = ''
      JOIN note_reasons r ON r.note = n.id AND r.code = ?1
      WHERE f.kind = 0 AND f.value = ?2 AND n.created_at <= ?3
      ORDER BY 1, 3
      """
    ).rows([.text(code), .text(order), .int(t)]) { ($0.int(3), $0.int(0), $0.int(1) == 1) }
  }

  /// The SKUs (kind 1) and locations (kind 2) a note names.
  func refs(note: Int64, kind: Int) throws(TriageError) -> [String] {
    try statement("SELECT value FROM note_refs WHERE note = ?1 AND kind = ?2 ORDER BY value")
      .rows([.int(note), .int(Int64(kind))]) { $0.text(0) }
  }

  // MARK: Orders for the report

  /// The carrier and customer of orders by key.
  func orderFacts(_ keys: [String]) throws(TriageError) -> [String: (customer: String, carrier: String)] {
    var out: [String: (String, String)] = [:]
    let q = try statement("SELECT customer, carrier FROM orders WHERE order_key = ?")
    for k in keys {
      if let r = try q.first([.text(k)], { ($0.text(0), $0.text(1)) }) { out[k] = r }
    }
    return out
  }
}
