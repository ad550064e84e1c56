import TriageCore

/// A field change kept in the history table.
public struct HistoryRow: Sendable, Equatable {
  public var ingest: Int64
  public var field: String
  public var old: String
  public var new: String
  /// When that ingest ran (the clock) and the data's own as_of, if it had one.
  public var at: Int64
}

/// A stored classification of one note.
public struct StoredReason: Sendable, Equatable {
  public var note: Int64
  public var code: String
  public var resolved: Bool
  public var score: Int32
}

extension Store {
  static let orderColumns =
    "order_id, order_key, customer, channel, priority, placed_at, promise_date, cutoff_at, erp_status, wms_status, storefront_status, carrier, tracking, extra"
  static let noteColumns = "id, note_id, created_at, source, text, order_id, author"

  static func note(from s: Statement) -> StoredNote {
    StoredNote(
      rowID: s.int(0), noteID: s.text(1), createdAt: s.int(2), source: s.text(3), text: s.text(4),
      orderID: s.text(5), author: s.text(6))
  }

  /// The order with this id (matched by key: case and surrounding spaces ignored).
  public func order(_ id: String) throws(TriageError) -> OrderRecord? {
    try statement("SELECT \(Store.orderColumns) FROM orders WHERE order_key = ?").first([.text(Store.key(id))]) {
      Store.order(from: $0)
    }
  }

  public func orders() throws(TriageError) -> [OrderRecord] {
    try statement("SELECT \(Store.orderColumns) FROM orders ORDER BY order_id").rows { Store.order(from: $0) }
  }

  public func orderIDs() throws(TriageError) -> [String] {
    try statement("SELECT order_id FROM orders ORDER BY order_id").rows { $0.text(0) }
  }

  public func lines(order id: String) throws(TriageError) -> [LineRecord] {
    try statement("SELECT * FROM lines WHERE order_id = ? ORDER BY line_no").rows([.text(id)]) { Store.line(from: $0) }
  }

  public func lines(sku: String) throws(TriageError) -> [LineRecord] {
    try statement("SELECT * FROM lines WHERE sku = ? ORDER BY order_id, line_no").rows([.text(sku)]) { Store.line(from: $0) }
  }

  /// The notes that belong to an order: its `order_id`, else an order reference in the text.
  public func notes(forOrder id: String) throws(TriageError) -> [StoredNote] {
    let key = Store.key(id)
    return try statement(
      """
      SELECT \(Store.noteColumns) FROM notes WHERE order_id = ?1 AND order_id <> ''
      UNION
      SELECT \(Store.noteColumns) FROM notes WHERE order_id = '' AND id IN (SELECT note FROM note_refs WHERE kind = 0 AND value = ?1)
      ORDER BY 3, 2
      """
    ).rows([.text(key)]) { Store.note(from: $0) }
  }

  /// Notes that mention a SKU or a location in their text.
  public func notes(mentioning value: String, kind: FoundIdentifier.Kind) throws(TriageError) -> [StoredNote] {
    try statement(
      "SELECT \(Store.noteColumns) FROM notes WHERE id IN (SELECT note FROM note_refs WHERE kind = ? AND value = ?) ORDER BY created_at, note_id"
    ).rows([.int(Int64(kind.rawValue)), .text(Store.key(value))]) { Store.note(from: $0) }
  }

  public func note(id: String) throws(TriageError) -> StoredNote? {
    try statement("SELECT \(Store.noteColumns) FROM notes WHERE note_id = ?").first([.text(id)]) { Store.note(from: $0) }
  }

  public func noteIDs(limit: Int = 100_000) throws(TriageError) -> [String] {
    try statement("SELECT note_id FROM notes ORDER BY note_id LIMIT ?").rows([.int(Int64(limit))]) { $0.text(0) }
  }

  /// Events whose ref is this order id or SKU (matched by key).
  public func events(ref: String) throws(TriageError) -> [EventRecord] {
    try statement(
      "SELECT event_id, at, type, from_system, to_system, ref, qty, status, message, idempotency_key FROM events WHERE ref_key = ? ORDER BY at, event_id"
    ).rows([.text(Store.key(ref))]) { Store.event(from: $0) }
  }

  public func inventory(sku: String) throws(TriageError) -> [InventoryRecord] {
    try statement(
      "SELECT sku, location, wms_on_hand, erp_on_hand, storefront_available, as_of FROM inventory WHERE sku = ? ORDER BY location"
    ).rows([.text(sku)]) { Store.inventory(from: $0) }
  }

  public func skus() throws(TriageError) -> [String] {
    try statement("SELECT DISTINCT sku FROM inventory UNION SELECT DISTINCT sku FROM lines ORDER BY 1").rows { $0.text(0) }
  }

  /// The changes recorded for one order, line (`SO-1/2`) or inventory row (`SKU@LOC`).
  public func history(entity: String, key: String) throws(TriageError) -> [HistoryRow] {
    try statement(
      """
      SELECT h.ingest, h.field, h.old, h.new, COALESCE(i.as_of, i.started_at) FROM history h
      JOIN ingests i ON i.id = h.ingest WHERE h.entity = ? AND h.key = ? ORDER BY h.id
      """
    ).rows([.text(entity), .text(key)]) {
      HistoryRow(ingest: $0.int(0), field: $0.text(1), old: $0.text(2), new: $0.text(3), at: $0.int(4))
    }
  }

  /// The stored reasons of some notes.
  public func reasons(notes: [Int64]) throws(TriageError) -> [StoredReason] {
    var out: [StoredReason] = []
    let q = try statement("SELECT note, code, status, score FROM note_reasons WHERE note = ?")
    for n in notes {
      out += try q.rows([.int(n)]) {
        StoredReason(note: $0.int(0), code: $0.text(1), resolved: $0.int(2) == 1, score: Int32($0.int(3)))
      }
    }
    return out
  }

  /// Notes that name an order that is not known: an `order_id` no order has, or (with no
  /// `order_id`) order references none of which match. Counted and listable, never dropped.
  public func unmatchedNotes() throws(TriageError) -> [(note: StoredNote, refs: [String])] {
    let notes = try statement(
      """
      SELECT \(Store.noteColumns) FROM notes n
      WHERE (n.order_id <> '' AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.order_key = n.order_id))
         OR (n.order_id = '' AND EXISTS (SELECT 1 FROM note_refs r WHERE r.note = n.id AND r.kind = 0)
             AND NOT EXISTS (SELECT 1 FROM note_refs r JOIN orders o ON o.order_key = r.value WHERE r.note = n.id AND r.kind = 0))
      ORDER BY n.created_at, n.note_id
      """
    ).rows { Store.note(from: $0) }
    let refs = try statement("SELECT value FROM note_refs WHERE note = ? AND kind = 0 ORDER BY value")
    var out: [(StoredNote, [String])] = []
    for n in notes {
      let r = n.orderID.isEmpty ? try refs.rows([.int(n.rowID)]) { $0.text(0) } : [n.orderID]
      out.append((n, r))
    }
    return out
  }

  /// How many rows of each kind the store holds.
  public func counts() throws(TriageError) -> [(String, Int)] {
    var out: [(String, Int)] = []
    for table in ["notes", "orders", "lines", "inventory", "events"] {
      let n = try statement("SELECT count(*) FROM \(table)").first { $0.int(0) } ?? 0
      out.append((table, Int(n)))
    }
    return out
  }
}
