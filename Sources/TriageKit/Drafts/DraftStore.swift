import TriageCore

/// The drafts tables (DraftSchema): rows in and out. The review rules live in `DraftReview`.
extension Store {
  static let draftColumns =
    "id, order_id, audience, version, parent, status, text, edited, fingerprint, composed_for, created_at, created_by, updated_at, updated_by"

  /// Inserts a draft row with its statements and sources, and the `created` audit step.
  func insertDraft(
    _ d: Draft, text: String, version: Int, parent: Int64?, edited: Bool, by: String, at: Int64,
    note: String
  ) throws(TriageError) -> Int64 {
    try statement(
      """
      INSERT INTO drafts(order_id, audience, version, parent, status, text, edited, fingerprint, composed_for,
        created_at, created_by, updated_at, updated_by)
      VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?)
      """
    ).run([
      .text(d.orderID), .text(d.audience.rawValue), .of(version), .of(parent), .text(text),
      .of(edited ? 1 : 0),
      .text(d.fingerprint.description), .int(d.composedFor), .int(at), .text(by), .int(at),
      .text(by),
    ])
    let id = db.lastInsertRowID
    let st = try statement(
      "INSERT INTO draft_statements(draft, position, topic, layout, text) VALUES (?, ?, ?, ?, ?)")
    let src = try statement(
      "INSERT INTO draft_sources(draft, statement, position, ref, detail) VALUES (?, ?, ?, ?, ?)")
    for (i, s) in d.statements.enumerated() {
      try st.run([.int(id), .of(i), .text(s.topic), .text(s.layout.rawValue), .text(s.text)])
      for (k, source) in s.sources.enumerated() {
        try src.run([.int(id), .of(i), .of(k), .text(source.ref), .text(source.detail)])
      }
    }
    try addDraftAudit(
      id, at: at, who: by, action: "created", from: nil, to: DraftStatus.draft.rawValue, note: note,
      text: text)
    return id
  }

  func addDraftAudit(
    _ draft: Int64, at: Int64, who: String, action: String, from: String?, to: String?,
    note: String, text: String?
  ) throws(TriageError) {
    try statement(
      "INSERT INTO draft_audit(draft, at, who, action, from_status, to_status, note, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    ).run([
      .int(draft), .int(at), .text(who), .text(action), .of(from), .of(to), .text(note), .of(text),
    ])
  }

  func updateDraft(_ id: Int64, status: DraftStatus, text: String? = nil, by: String, at: Int64)
    throws(TriageError)
  {
    if let text {
      try statement(
        "UPDATE drafts SET status = ?, text = ?, edited = 1, updated_at = ?, updated_by = ? WHERE id = ?"
      )
      .run([.text(status.rawValue), .text(text), .int(at), .text(by), .int(id)])
    } else {
      try statement("UPDATE drafts SET status = ?, updated_at = ?, updated_by = ? WHERE id = ?")
        .run([.text(status.rawValue), .int(at), .text(by), .int(id)])
    }
  }

  /// A stored draft (its staleness not yet checked).
  public func storedDraft(id: Int64) throws(TriageError) -> StoredDraft? {
    guard
      var d = try statement("SELECT \(Store.draftColumns) FROM drafts WHERE id = ?").first(
        [.int(id)], Store.draft(from:))
    else {
      return nil
    }
    d.statements = try draftStatements(id)
    return d
  }

  /// Stored drafts, newest first, by status and order when given.
  public func storedDrafts(status: DraftStatus? = nil, order: String? = nil) throws(TriageError)
    -> [StoredDraft]
  {
    var rows = try statement(
      """
      SELECT \(Store.draftColumns) FROM drafts
      WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR order_id = ?2)
      ORDER BY id DESC
      """
    ).rows([.of(status?.rawValue), .of(order)], Store.draft(from:))
    for i in rows.indices { rows[i].statements = try draftStatements(rows[i].id) }
    return rows
  }

  func draftStatements(_ id: Int64) throws(TriageError) -> [DraftStatement] {
    var out = try statement(
      "SELECT topic, layout, text FROM draft_statements WHERE draft = ? ORDER BY position"
    ).rows([.int(id)]) {
      DraftStatement(
        topic: $0.text(0), text: $0.text(2), layout: DraftLayout(rawValue: $0.text(1)) ?? .paragraph
      )
    }
    let sources = try statement(
      "SELECT statement, ref, detail FROM draft_sources WHERE draft = ? ORDER BY statement, position"
    )
    .rows([.int(id)]) { (Int($0.int(0)), DraftSource(ref: $0.text(1), detail: $0.text(2))) }
    for (i, s) in sources where i < out.count { out[i].sources.append(s) }
    return out
  }

  /// The review trail of a draft, oldest first.
  public func draftTrail(id: Int64) throws(TriageError) -> [DraftAuditEntry] {
    try statement(
      "SELECT draft, at, who, action, from_status, to_status, note, text FROM draft_audit WHERE draft = ? ORDER BY id"
    ).rows([.int(id)]) {
      DraftAuditEntry(
        draft: $0.int(0), at: $0.int(1), who: $0.text(2), action: $0.text(3),
        fromStatus: $0.optionalText(4),
        toStatus: $0.optionalText(5), note: $0.text(6), text: $0.optionalText(7))
    }
  }

  /// The highest version in the chain a draft belongs to (its ancestors and descendants).
  func latestVersion(order: String, audience: DraftAudience) throws(TriageError) -> Int {
    Int(
      try statement("SELECT max(version) FROM drafts WHERE order_id = ? AND audience = ?").first([
        .text(order), .text(audience.rawValue),
      ]) {
        $0.int(0)
      } ?? 0)
  }

  static func draft(from s: Statement) -> StoredDraft {
    StoredDraft(
      id: s.int(0), orderID: s.text(1), audience: DraftAudience(rawValue: s.text(2)) ?? .support,
      version: Int(s.int(3)),
      parent: s.optionalInt(4), status: DraftStatus(rawValue: s.text(5)) ?? .draft, text: s.text(6),
      statements: [],
      fingerprint: OrderFingerprint(stored: s.text(8))
        ?? OrderFingerprint(promise: "", blockers: []),
      composedFor: s.int(9), createdAt: s.int(10), createdBy: s.text(11), updatedAt: s.int(12),
      updatedBy: s.text(13),
      edited: s.int(7) != 0, staleBecause: nil)
  }
}
