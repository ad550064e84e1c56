import TriageCore

/// The recurrence queries: distinct notes per SKU, location, order, customer or carrier for a
/// rule's codes, read from `theme_refs` one range per code.
extension Store {
  /// Distinct notes with an open mention of any of `codes` in the window, per value of `kind`
  /// (0 order, 1 SKU, 2 location, 3 SKU at location, 4 customer, 5 carrier of the order).
  ///
  /// - Complexity: one range of `theme_refs` per code and span.
  func ruleCounts(codes: [String], kind: RecurrenceKind, in w: ThemeWindow) throws(TriageError) -> [String: Int] {
    guard !codes.isEmpty else { return [:] }
    guard let refKind = Store.refKind(kind) else { return [:] }
    let list = codes.indices.map { "?\($0 + 1)" }.joined(separator: ", ")
    let p = codes.count
    var out: [String: Int] = [:]
    let sql = { (partial: Bool) in
      """
      SELECT t.value, \(codes.count == 1 ? "count(*)" : "count(DISTINCT t.note)") FROM theme_refs t\(partial ? " JOIN notes n ON n.id = t.note" : "")
      WHERE t.code IN (\(list)) AND t.status = 0 AND t.kind = \(refKind) AND t.day >= ?\(p + 1) AND t.day < ?\(p + 2)\
      \(partial ? " AND n.created_at >= ?\(p + 3) AND n.created_at < ?\(p + 4)" : "")
      GROUP BY 1
      """
    }
    var spans: [(Range<Int64>, Range<Int64>?)] = []
    if !w.fullDays.isEmpty { spans.append((w.fullDays, nil)) }
    for d in w.partialDays { spans.append((d.day..<(d.day + 1), d.from..<d.to)) }
    for (days, time) in spans {
      var args: [SQLValue] = codes.map { .text($0) } + [.int(days.lowerBound), .int(days.upperBound)]
      if let time { args += [.int(time.lowerBound), .int(time.upperBound)] }
      for (v, n) in try statement(sql(time != nil)).rows(args, { ($0.text(0), Int($0.int(1))) }) {
        out[v, default: 0] += n
      }
    }
    return out
  }

  /// The notes behind one value of a rule: open mentions of `codes` in the window naming it
  /// (kind 0 to 3), with their times, newest first.
  ///
  /// - Complexity: one index seek per code and day of the window.
  func ruleNotes(codes: [String], refKind: Int, value: String, in w: ThemeWindow) throws(TriageError) -> [(note: Int64, at: Int64)] {
    let q = try statement(
      """
      SELECT t.note, n.created_at FROM theme_refs t JOIN notes n ON n.id = t.note
      WHERE t.code = ?1 AND t.status = 0 AND t.kind = ?2 AND t.day = ?3 AND t.value = ?4
        AND n.created_at >= ?5 AND n.created_at < ?6
      """)
    var seen = Set<Int64>()
    var out: [(Int64, Int64)] = []
    for day in w.days {
      for code in codes {
        for (note, at) in try q.rows([.text(code), .int(Int64(refKind)), .int(day), .text(value), .int(w.start), .int(w.end)], { ($0.int(0), $0.int(1)) })
        where seen.insert(note).inserted {
          out.append((note, at))
        }
      }
    }
    return out.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 > $1.0 }
  }

  /// The newest notes with an open mention of `codes` in the window naming this value (kind 0
  /// to 5), reading back day by day until `limit` are found.
  func ruleNotes(codes: [String], refKind: Int, value: String, in w: ThemeWindow, limit: Int) throws(TriageError) -> [(note: Int64, at: Int64)] {
    let q = try statement(
      """
      SELECT t.note, n.created_at FROM theme_refs t JOIN notes n ON n.id = t.note
      WHERE t.code = ?1 AND t.status = 0 AND t.kind = ?2 AND t.day = ?3 AND t.value = ?4
        AND n.created_at >= ?5 AND n.created_at < ?6
      """)
    var seen = Set<Int64>()
    var out: [(Int64, Int64)] = []
    for day in w.days.reversed() where out.count < limit {
      for code in codes {
        for (note, at) in try q.rows([.text(code), .int(Int64(refKind)), .int(day), .text(value), .int(w.start), .int(w.end)], { ($0.int(0), $0.int(1)) })
        where seen.insert(note).inserted {
          out.append((note, at))
        }
      }
    }
    return Array(out.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 > $1.0 }.prefix(limit))
  }

  /// The kind of `theme_refs` row a recurrence grouping reads; nil for places (read from text).
  static func refKind(_ kind: RecurrenceKind) -> Int? {
    switch kind {
    case .order: 0
    case .sku: 1
    case .location: 2
    case .skuLocation: 3
    case .customer: 4
    case .carrier: 5
    case .place: nil
    }
  }

  /// Open mentions of `code` in the window with the note's text, read day by day (for rules
  /// that look for places in the text). SQL keeps only notes whose text contains, case ignored,
  /// the longest word of some spelling, so Swift sees the few candidates.
  ///
  /// - Parameter withoutOrder: only notes that belong to no order.
  func openMentionTexts(
    code: String, in w: ThemeWindow, withoutOrder: Bool = false, containing places: [RecurrencePlace]
  ) throws(TriageError) -> [(note: Int64, at: Int64, text: String)] {
    var needles: [String] = []
    for p in places {
      for s in p.spellings {
        if let longest = s.split(separator: " ").max(by: { $0.count < $1.count }), !needles.contains(String(longest)) {
          needles.append(String(longest))
        }
      }
    }
    guard !needles.isEmpty else { return [] }
    // LIKE folds ASCII case as lower() does, without making a lowered copy of each text per
    // needle; needles are letters, digits and spaces (PlaceMatcher.normalize), never % or _.
    let like = needles.indices.map { "n.text LIKE ?\($0 + 5)" }.joined(separator: " OR ")
    let q = try statement(
      """
      SELECT r.note, n.created_at, n.text FROM note_reasons r JOIN notes n ON n.id = r.note
      WHERE r.day = ?1 AND r.code = ?2 AND r.status = 0 AND n.created_at >= ?3 AND n.created_at < ?4\
      \(withoutOrder ? " AND n.order_id = '' AND NOT EXISTS (SELECT 1 FROM note_refs f WHERE f.note = r.note AND f.kind = 0)" : "")
        AND (\(like))
      """)
    var out: [(Int64, Int64, String)] = []
    for day in w.days {
      out += try q.rows([.int(day), .text(code), .int(w.start), .int(w.end)] + needles.map { .text("%\($0)%") }) {
        ($0.int(0), $0.int(1), $0.text(2))
      }
    }
    return out
  }

  /// The carriers orders name, in order.
  ///
  /// - Complexity: one seek of `orders_carrier` per carrier (DISTINCT read every order: 0.4 s
  ///   at 900,000 orders, twice per themes run).
  func carriers() throws(TriageError) -> [String] {
    try statement(
      """
      WITH RECURSIVE c(v) AS (
        SELECT min(carrier) FROM orders WHERE carrier > ''
        UNION ALL SELECT (SELECT min(carrier) FROM orders WHERE carrier > c.v) FROM c WHERE c.v IS NOT NULL)
      SELECT v FROM c WHERE v IS NOT NULL
      """
    ).rows { $0.text(0) }
  }

  /// A failed hand-off (events.csv status rejected, error or duplicate) in the window.
  struct FailedEvent: Sendable {
    var eventID: String
    var at: Int64
    var ref: String
    var type: String
    var status: String
    var message: String
    /// The order the ref names, with its customer and carrier; nil when the ref is not an
    /// order (a SKU).
    var order: (customer: String, carrier: String)?
  }

  func failedEvents(in w: ThemeWindow) throws(TriageError) -> [FailedEvent] {
    try statement(
      """
      SELECT e.event_id, e.at, e.ref_key, e.type, e.status, e.message, o.customer, o.carrier, o.order_key IS NOT NULL
      FROM events e LEFT JOIN orders o ON o.order_key = e.ref_key
      WHERE e.status IN ('rejected', 'error', 'duplicate') AND e.at >= ?1 AND e.at < ?2 AND e.ref_key <> ''
      ORDER BY e.at, e.event_id
      """
    ).rows([.int(w.start), .int(w.end)]) {
      FailedEvent(
        eventID: $0.text(0), at: $0.int(1), ref: $0.text(2), type: $0.text(3), status: $0.text(4), message: $0.text(5),
        order: $0.int(8) == 1 ? ($0.text(6), $0.text(7)) : nil)
    }
  }
}
