import Foundation
import TriageCore

/// What one ingest did to one kind of record.
public struct IngestCounts: Sendable, Equatable {
  public var new = 0
  public var changed = 0
  public var unchanged = 0
  public var rejected = 0
}

/// The outcome of `triage ingest`: per file, what was new, changed, unchanged and rejected.
public struct IngestReport: Sendable {
  public var notes = IngestCounts()
  public var orders = IngestCounts()
  public var lines = IngestCounts()
  public var inventory = IngestCounts()
  public var events = IngestCounts()
  public var rejections: [Rejection] = []
  public var ingestID: Int64 = 0

  /// True when the run changed nothing (a repeat of an earlier ingest).
  public var changedNothing: Bool {
    [notes, orders, lines, inventory, events].allSatisfy { $0.new == 0 && $0.changed == 0 }
  }
}

/// A note as stored.
public struct StoredNote: Sendable, Equatable {
  public var rowID: Int64
  public var noteID: String
  public var createdAt: Int64
  public var source: String
  public var text: String
  public var orderID: String
  public var author: String
}

/// The SQLite store: notes with their classification, orders, lines, inventory and the event
/// log, with change history. A class: it owns the connection and its prepared statements.
///
/// Without `--db`, commands use an in-memory store loaded from a data folder, so the two paths
/// answer questions the same way.
public final class Store: @unchecked Sendable {
  public let db: Database
  /// The `as_of` of the last data folder loaded (triage.conf), the default for --now.
  public private(set) var asOf: Int64?
  private var statements: [String: Statement] = [:]

  /// Opens (creating and migrating when needed) a store file, or ":memory:".
  public init(path: String) throws(TriageError) {
    if path != ":memory:" {
      let dir = (path as NSString).deletingLastPathComponent
      if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
        do {
          try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
          throw TriageError(.cannotCreate, "cannot create the folder '\(dir)' for the store")
        }
      }
    }
    db = try Database(path: path)
    try Schema.migrate(db)
    asOf = try meta("as_of").flatMap { Int64($0) }
  }

  /// The store's default location: $XDG_DATA_HOME/triage/triage.db (~/.local/share/triage/...).
  public static func defaultPath(environment: [String: String]) -> String {
    let base =
      environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
      ?? ((environment["HOME"] ?? NSHomeDirectory()) as NSString).appendingPathComponent(".local/share")
    return ((base as NSString).appendingPathComponent("triage") as NSString).appendingPathComponent("triage.db")
  }

  /// A cached prepared statement.
  func statement(_ sql: String) throws(TriageError) -> Statement {
    if let s = statements[sql] { return s }
    let s = try db.prepare(sql)
    statements[sql] = s
    return s
  }

  public func meta(_ key: String) throws(TriageError) -> String? {
    try statement("SELECT value FROM meta WHERE key = ?").first([.text(key)]) { $0.text(0) }
  }

  public func setMeta(_ key: String, _ value: String) throws(TriageError) {
    try statement("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)").run([.text(key), .text(value)])
  }

  // MARK: Ingest

  /// Adds a data folder's exports in one transaction: all of it or nothing.
  ///
  /// Notes and events are keyed by their ids (a repeat changes nothing; the same id with other
  /// content is an error). Orders, lines and inventory rows are updated when they changed, and
  /// each changed field is kept in `history`. New notes are classified as they are stored.
  /// With `skipBad`, bad rows are rejected (reported, counted) and the rest is ingested.
  public func ingest(
    _ folder: DataFolder, classifier: Classifier, skipBad: Bool, clock: Int64
  ) throws(TriageError) -> IngestReport {
    var report = IngestReport()
    var rejections: [Rejection] = []
    let reject: ((Rejection) -> Void)? = skipBad ? { rejections.append($0) } : nil
    // Validate the enrichment files before taking the write lock.
    let orders = try folder.orders(onReject: reject)
    report.orders.rejected = rejections.count
    let lines = try folder.lines(onReject: reject)
    report.lines.rejected = rejections.count - report.orders.rejected
    let inventory = try folder.inventory(onReject: reject)
    report.inventory.rejected = rejections.count - report.orders.rejected - report.lines.rejected
    let events = try folder.events(onReject: reject)
    report.events.rejected = rejections.count - report.orders.rejected - report.lines.rejected - report.inventory.rejected
    var reader = try NoteBatchReader(path: folder.notesPath, requirement: .full)
    reader.onReject = reject

    try db.transaction { () throws(TriageError) in
      try statement(
        "INSERT INTO ingests(folder, started_at, as_of, lexicon) VALUES (?, ?, ?, ?)"
      ).run([.text(folder.path), .int(clock), .of(folder.asOf), .text(classifier.lexicon.fingerprint)])
      let ingest = db.lastInsertRowID
      report.ingestID = ingest
      report.orders = try upsertOrders(orders, ingest: ingest, counts: report.orders)
      report.lines = try upsertLines(lines, ingest: ingest, counts: report.lines)
      report.inventory = try upsertInventory(inventory, ingest: ingest, counts: report.inventory)
      report.events = try insertEvents(events, ingest: ingest, counts: report.events, skipBad: skipBad, reject: { rejections.append($0) })
      // Every note rejected from here on (by the reader or as a reused id) is one more entry.
      let notesBefore = rejections.count
      report.notes = try insertNotes(&reader, classifier: classifier, ingest: ingest, skipBad: skipBad, reject: { rejections.append($0) })
      report.notes.rejected = rejections.count - notesBefore
      if let asOf = folder.asOf {
        try setMeta("as_of", String(asOf))
        self.asOf = asOf
      }
      try setMeta("lexicon", classifier.lexicon.fingerprint)
      if report.changedNothing && rejections.isEmpty {
        // A repeat of an earlier ingest leaves the store exactly as it was, log included.
        try statement("DELETE FROM ingests WHERE id = ?").run([.int(ingest)])
      } else {
        try statement("UPDATE ingests SET summary = ? WHERE id = ?").run([.text(IngestCommand.summary(report)), .int(ingest)])
      }
    }
    report.rejections = rejections
    return report
  }

  func upsertOrders(_ rows: [OrderRecord], ingest: Int64, counts: IngestCounts) throws(TriageError) -> IngestCounts {
    var c = counts
    let find = try statement("SELECT * FROM orders WHERE order_id = ?")
    let insert = try statement(
      """
      INSERT INTO orders(order_id, order_key, customer, channel, priority, placed_at, promise_date, cutoff_at,
        erp_status, wms_status, storefront_status, carrier, tracking, extra, ingest)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(order_id) DO UPDATE SET customer = excluded.customer, channel = excluded.channel,
        priority = excluded.priority, placed_at = excluded.placed_at, promise_date = excluded.promise_date,
        cutoff_at = excluded.cutoff_at, erp_status = excluded.erp_status, wms_status = excluded.wms_status,
        storefront_status = excluded.storefront_status, carrier = excluded.carrier,
        tracking = excluded.tracking, extra = excluded.extra, ingest = excluded.ingest
      """)
    for o in rows {
      let old = try find.first([.text(o.orderID)]) { Store.order(from: $0) }
      if let old {
        if old == o {
          c.unchanged += 1
          continue
        }
        try recordChanges("order", o.orderID, old.fields, o.fields, ingest: ingest)
        c.changed += 1
      } else {
        c.new += 1
      }
      try insert.run([
        .text(o.orderID), .text(Store.key(o.orderID)), .text(o.customer), .text(o.channel), .text(o.priority),
        .of(o.placedAt), .of(o.promiseDate), .of(o.cutoffAt), .text(o.erpStatus), .text(o.wmsStatus),
        .text(o.storefrontStatus), .text(o.carrier), .text(o.tracking), .text(o.extra), .int(ingest),
      ])
    }
    return c
  }

  func upsertLines(_ rows: [LineRecord], ingest: Int64, counts: IngestCounts) throws(TriageError) -> IngestCounts {
    var c = counts
    let find = try statement("SELECT * FROM lines WHERE order_id = ? AND line_no = ?")
    let insert = try statement(
      """
      INSERT INTO lines(order_id, line_no, sku, qty_ordered, qty_allocated, qty_picked, qty_packed, qty_shipped, ingest)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(order_id, line_no) DO UPDATE SET sku = excluded.sku, qty_ordered = excluded.qty_ordered,
        qty_allocated = excluded.qty_allocated, qty_picked = excluded.qty_picked,
        qty_packed = excluded.qty_packed, qty_shipped = excluded.qty_shipped, ingest = excluded.ingest
      """)
    for l in rows {
      let old = try find.first([.text(l.orderID), .of(l.lineNo)]) { Store.line(from: $0) }
      if let old {
        if old == l {
          c.unchanged += 1
          continue
        }
        try recordChanges("line", "\(l.orderID)/\(l.lineNo)", old.fields, l.fields, ingest: ingest)
        c.changed += 1
      } else {
        c.new += 1
      }
      try insert.run([
        .text(l.orderID), .of(l.lineNo), .text(l.sku), .of(l.ordered), .of(l.allocated), .of(l.picked),
        .of(l.packed), .of(l.shipped), .int(ingest),
      ])
    }
    return c
  }

  func upsertInventory(_ rows: [InventoryRecord], ingest: Int64, counts: IngestCounts) throws(TriageError) -> IngestCounts {
    var c = counts
    let find = try statement("SELECT sku, location, wms_on_hand, erp_on_hand, storefront_available, as_of FROM inventory WHERE sku = ? AND location = ?")
    let insert = try statement(
      """
      INSERT INTO inventory(sku, location, wms_on_hand, erp_on_hand, storefront_available, as_of, ingest)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(sku, location) DO UPDATE SET wms_on_hand = excluded.wms_on_hand,
        erp_on_hand = excluded.erp_on_hand, storefront_available = excluded.storefront_available,
        as_of = excluded.as_of, ingest = excluded.ingest
      """)
    for r in rows {
      let old = try find.first([.text(r.sku), .text(r.location)]) { Store.inventory(from: $0) }
      if let old {
        // A newer as_of alone is not a change: the counts are what matter.
        if old.fields.map(\.1) == r.fields.map(\.1) {
          c.unchanged += 1
          if old.asOf != r.asOf {
            try statement("UPDATE inventory SET as_of = ? WHERE sku = ? AND location = ?").run([.of(r.asOf), .text(r.sku), .text(r.location)])
          }
          continue
        }
        try recordChanges("inventory", "\(r.sku)@\(r.location)", old.fields, r.fields, ingest: ingest)
        c.changed += 1
      } else {
        c.new += 1
      }
      try insert.run([.text(r.sku), .text(r.location), .of(r.wms), .of(r.erp), .of(r.storefront), .of(r.asOf), .int(ingest)])
    }
    return c
  }

  func insertEvents(
    _ rows: [EventRecord], ingest: Int64, counts: IngestCounts, skipBad: Bool, reject: (Rejection) -> Void
  ) throws(TriageError) -> IngestCounts {
    var c = counts
    let find = try statement("SELECT event_id, at, type, from_system, to_system, ref, qty, status, message, idempotency_key FROM events WHERE event_id = ?")
    let insert = try statement(
      """
      INSERT INTO events(event_id, at, type, from_system, to_system, ref, ref_key, qty, status, message, idempotency_key, ingest)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """)
    for e in rows {
      if let old = try find.first([.text(e.eventID)], { Store.event(from: $0) }) {
        if old == e {
          c.unchanged += 1
          continue
        }
        let d = Diagnostic.error(
          "event '\(e.eventID)' is already stored with different content; event ids must not be reused",
          at: SourceLocation(file: "events.csv"))
        guard skipBad else { throw TriageError(.dataError, [d]) }
        reject(Rejection(diagnostic: d, raw: []))
        c.rejected += 1
        continue
      }
      try insert.run([
        .text(e.eventID), .int(e.at), .text(e.type), .text(e.fromSystem), .text(e.toSystem), .text(e.ref),
        .text(Store.key(e.ref)), .of(e.qty), .text(e.status), .text(e.message), .text(e.idempotencyKey), .int(ingest),
      ])
      c.new += 1
    }
    return c
  }

  func insertNotes(
    _ reader: inout NoteBatchReader, classifier: Classifier, ingest: Int64, skipBad: Bool,
    reject: @escaping (Rejection) -> Void
  ) throws(TriageError) -> IngestCounts {
    var c = IngestCounts()
    let insert = try statement(
      """
      INSERT INTO notes(note_id, created_at, day, source, text, order_id, author, ingest)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(note_id) DO NOTHING
      """)
    let existing = try statement("SELECT text, ingest FROM notes WHERE note_id = ?")
    let reason = try statement("INSERT INTO note_reasons(note, code, status, score, day) VALUES (?, ?, ?, ?, ?)")
    let ref = try statement("INSERT OR IGNORE INTO note_refs(note, kind, value) VALUES (?, ?, ?)")
    var batch = NoteBatch()
    var scratch = ClassifierScratch()
    while try reader.next(into: &batch, maxNotes: 4096) {
      try batch.bytes.withUnsafeBufferPointer { (all: UnsafeBufferPointer<UInt8>) throws(TriageError) in
        for r in batch.records {
          func field(_ range: Range<Int32>) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: all[Int(range.lowerBound)..<Int(range.upperBound)])
          }
          let created: Int64
          do throws(Timestamp.ParseError) {
            created = try Timestamp.parse(field(r.createdAt)).seconds
          } catch {
            throw TriageError.data("invalid created_at: \(error.message)", at: SourceLocation(file: reader.name, line: Int(r.line)))
          }
          let day = Timestamp.day(ofSeconds: created)
          insert.reset()
          insert.bind(1, bytes: field(r.id))
          insert.bind(2, created)
          insert.bind(3, day)
          insert.bind(4, bytes: field(r.source))
          insert.bind(5, bytes: field(r.text))
          insert.bind(6, Store.key(String(decoding: field(r.orderID), as: UTF8.self)))
          insert.bind(7, bytes: field(r.author))
          insert.bind(8, ingest)
          try insert.step()
          if db.changes == 0 {
            existing.reset()
            existing.bind(1, bytes: field(r.id))
            let found = try existing.step()
            let same = found && existing.text(0).utf8.elementsEqual(field(r.text))
            // Stored by this very run: the id is repeated within the file.
            let repeated = found && existing.int(1) == ingest
            existing.reset()
            if same {
              c.unchanged += 1
              continue
            }
            let id = SafeText.escape(String(decoding: field(r.id), as: UTF8.self))
            let d = Diagnostic.error(
              repeated
                ? "duplicate note id '\(id)' with different text: an earlier row of this file has the same id; note ids must be unique"
                : "note '\(id)' is already stored with different text; note ids must not be reused",
              at: SourceLocation(file: reader.name, line: Int(r.line), column: 1))
            guard skipBad else { throw TriageError(.dataError, [d]) }
            reject(Rejection(diagnostic: d, raw: []))
            c.rejected += 1
            continue
          }
          let note = db.lastInsertRowID
          c.new += 1
          let text = field(r.text)
          classifier.classify(text, into: &scratch)
          for res in scratch.reasonBuffer {
            try reason.run([
              .int(note), .text(classifier.lexicon.codes[Int(res.code)].code), .int(res.resolved ? 1 : 0),
              .int(Int64(res.score)), .int(day),
            ])
          }
          for id in scratch.identifierBuffer {
            let value = id.text(in: text, rules: classifier.lexicon.identifiers)
            try ref.run([.int(note), .int(Int64(id.kind.rawValue)), .text(Store.key(value))])
          }
        }
      }
    }
    return c
  }

  /// Writes one history row per field that changed.
  func recordChanges(_ entity: String, _ key: String, _ old: [(String, String)], _ new: [(String, String)], ingest: Int64) throws(TriageError) {
    let insert = try statement("INSERT INTO history(ingest, entity, key, field, old, new) VALUES (?, ?, ?, ?, ?, ?)")
    for ((name, a), (_, b)) in zip(old, new) where a != b {
      try insert.run([.int(ingest), .text(entity), .text(key), .text(name), .text(a), .text(b)])
    }
  }

  /// The key orders and references are matched by: trimmed, upper-cased.
  public static func key(_ id: String) -> String { id.trimmingCharacters(in: .whitespaces).uppercased() }

  // MARK: Row decoding

  static func order(from s: Statement) -> OrderRecord {
    var o = OrderRecord(orderID: s.text(0))
    o.customer = s.text(2)
    o.channel = s.text(3)
    o.priority = s.text(4)
    o.placedAt = s.optionalInt(5)
    o.promiseDate = s.optionalInt(6)
    o.cutoffAt = s.optionalInt(7)
    o.erpStatus = s.text(8)
    o.wmsStatus = s.text(9)
    o.storefrontStatus = s.text(10)
    o.carrier = s.text(11)
    o.tracking = s.text(12)
    o.extra = s.text(13)
    return o
  }

  static func line(from s: Statement) -> LineRecord {
    func q(_ i: Int32) -> Int? { s.optionalInt(i).map { Int($0) } }
    return LineRecord(
      orderID: s.text(0), lineNo: Int(s.int(1)), sku: s.text(2), ordered: q(3), allocated: q(4), picked: q(5),
      packed: q(6), shipped: q(7))
  }

  static func inventory(from s: Statement) -> InventoryRecord {
    func q(_ i: Int32) -> Int? { s.optionalInt(i).map { Int($0) } }
    return InventoryRecord(sku: s.text(0), location: s.text(1), wms: q(2), erp: q(3), storefront: q(4), asOf: s.optionalInt(5))
  }

  static func event(from s: Statement) -> EventRecord {
    var e = EventRecord(eventID: s.text(0), at: s.int(1), type: s.text(2), status: s.text(7))
    e.fromSystem = s.text(3)
    e.toSystem = s.text(4)
    e.ref = s.text(5)
    e.qty = s.optionalInt(6).map { Int($0) }
    e.message = s.text(8)
    e.idempotencyKey = s.text(9)
    return e
  }
}
