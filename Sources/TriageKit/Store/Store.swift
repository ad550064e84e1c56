import Dispatch
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

  /// Another connection to the same store file, for reading on another thread (a connection
  /// serves one thread at a time), with the first one's settings; nil for an in-memory store,
  /// which no other connection can see, or when the file cannot be opened again.
  ///
  /// The two connections read separate snapshots: an ingest that commits between their reads
  /// shows in one and not the other.
  func secondReader() -> Store? {
    guard db.path != ":memory:", let other = try? Database(path: db.path, readOnly: true),
      // Opening is lazy: read once, so a connection that cannot read (a WAL store whose
      // shared-memory file it may not create, say) is found here, not in the middle of a query.
      (try? other.prepare("SELECT count(*) FROM meta").first([], { $0.int(0) })) != nil
    else { return nil }
    let store = Store(connection: other, asOf: asOf)
    for pragma in ["cache_size", "mmap_size"] {
      if let value = try? db.prepare("PRAGMA \(pragma)").first([], { $0.int(0) }) {
        try? other.execute("PRAGMA \(pragma) = \(value)")
      }
    }
    return store
  }

  private init(connection: Database, asOf: Int64?) {
    db = connection
    self.asOf = asOf
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
    let started = ThemeTrace.now()
    var report = IngestReport()
    var rejections: [Rejection] = []
    let reject: ((Rejection) -> Void)? = skipBad ? { rejections.append($0) } : nil
    // Validate the enrichment files before taking the write lock (read side by side; errors
    // and rejections are reported in file order).
    let files = EnrichmentFiles(folder, skipBad: skipBad)
    let orders = try files.orders.get()
    rejections += files.orders.rejected
    report.orders.rejected = files.orders.rejected.count
    let lines = try files.lines.get()
    rejections += files.lines.rejected
    report.lines.rejected = files.lines.rejected.count
    let inventory = try files.inventory.get()
    rejections += files.inventory.rejected
    report.inventory.rejected = files.inventory.rejected.count
    let events = try files.events.get()
    rejections += files.events.rejected
    report.events.rejected = files.events.rejected.count
    ThemeTrace.log("ingest: read the enrichment files", since: started)
    var reader = try NoteBatchReader(path: folder.notesPath, requirement: .full)
    reader.onReject = reject

    try db.execute("PRAGMA cache_size = -262144")
    var committing = started
    try withBulkJournal { () throws(TriageError) in try db.transaction { () throws(TriageError) in
      try statement(
        "INSERT INTO ingests(folder, started_at, as_of, lexicon) VALUES (?, ?, ?, ?)"
      ).run([.text(folder.path), .int(clock), .of(folder.asOf), .text(classifier.lexicon.fingerprint)])
      let ingest = db.lastInsertRowID
      report.ingestID = ingest
      var t0 = ThemeTrace.now()
      let deferred = try deferIndexes()
      report.orders = try upsertOrders(orders, ingest: ingest, counts: report.orders)
      ThemeTrace.log("ingest orders", since: t0)
      t0 = ThemeTrace.now()
      report.lines = try upsertLines(lines, ingest: ingest, counts: report.lines)
      report.inventory = try upsertInventory(inventory, ingest: ingest, counts: report.inventory)
      ThemeTrace.log("ingest lines, inventory", since: t0)
      t0 = ThemeTrace.now()
      report.events = try insertEvents(events, ingest: ingest, counts: report.events, skipBad: skipBad, reject: { rejections.append($0) })
      ThemeTrace.log("ingest events", since: t0)
      t0 = ThemeTrace.now()
      // Every note rejected from here on (by the reader or as a reused id) is one more entry.
      let notesBefore = rejections.count
      report.notes = try insertNotes(&reader, classifier: classifier, ingest: ingest, skipBad: skipBad, reject: { rejections.append($0) })
      ThemeTrace.log("ingest notes", since: t0)
      t0 = ThemeTrace.now()
      for sql in deferred { try db.execute(sql) }
      ThemeTrace.log("ingest: deferred indexes", since: t0)
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
      committing = ThemeTrace.now()
    } }
    ThemeTrace.log("ingest: commit", since: committing)
    ThemeTrace.log("ingest: total", since: started)
    report.rejections = rejections
    return report
  }

  /// Runs a first ingest into a new store through a rollback journal instead of the WAL.
  ///
  /// In WAL mode every page is written twice: to the WAL during the transaction, then into the
  /// database by the checkpoint after the commit (3.5 to 4 s of a first ingest of a million
  /// notes, nearly all of it the checkpoint's copying, not `fsync`). A rollback journal keeps
  /// the old content of pages the transaction changes, and a new store has none: every page is
  /// appended and written once, and a failed or killed ingest still leaves the store as it was
  /// (the journal is rolled back when the store is next opened).
  ///
  /// Only for a store that holds nothing yet: in rollback mode a session cannot read while the
  /// ingest writes, and a new store has nothing to read. Leaving WAL needs the store to itself,
  /// so with another connection open the ingest stays in WAL. `synchronous=FULL` meanwhile (the
  /// setting that keeps a rollback journal safe against power loss; it costs a few `fsync`s);
  /// WAL and NORMAL come back after the commit, or at the next open if a session holds the
  /// store then.
  func withBulkJournal<R>(_ body: () throws(TriageError) -> R) throws(TriageError) -> R {
    guard db.path != ":memory:", try holdsNothing(), db.setJournalMode("DELETE") == "delete" else { return try body() }
    defer {
      try? db.execute("PRAGMA synchronous=NORMAL")
      _ = db.setJournalMode("WAL")
    }
    try db.execute("PRAGMA synchronous=FULL")
    return try body()
  }

  /// Whether the store holds no notes, orders, lines, inventory, events or drafts.
  func holdsNothing() throws(TriageError) -> Bool {
    for table in ["notes", "orders", "lines", "inventory", "events", "drafts"] where !(try isEmpty(table)) { return false }
    return true
  }

  /// The enrichment files of a folder, read on two threads: each file's records (or its
  /// error) and its rejected rows.
  final class EnrichmentFiles: @unchecked Sendable {
    final class File<R> {
      var result: Result<[R], TriageError> = .success([])
      var rejected: [Rejection] = []
      func get() throws(TriageError) -> [R] { try result.get() }
      func read(_ skipBad: Bool, _ body: (((Rejection) -> Void)?) throws(TriageError) -> [R]) {
        do throws(TriageError) {
          result = .success(try body(skipBad ? { self.rejected.append($0) } : nil))
        } catch {
          result = .failure(error)
        }
      }
    }
    let orders = File<OrderRecord>()
    let lines = File<LineRecord>()
    let inventory = File<InventoryRecord>()
    let events = File<EventRecord>()

    init(_ folder: DataFolder, skipBad: Bool) {
      DispatchQueue.concurrentPerform(iterations: 4) { k in
        switch k {
        case 0: orders.read(skipBad) { r throws(TriageError) in try folder.orders(onReject: r) }
        case 1: lines.read(skipBad) { r throws(TriageError) in try folder.lines(onReject: r) }
        case 2: inventory.read(skipBad) { r throws(TriageError) in try folder.inventory(onReject: r) }
        default: events.read(skipBad) { r throws(TriageError) in try folder.events(onReject: r) }
        }
      }
    }
  }

  func upsertOrders(_ rows: [OrderRecord], ingest: Int64, counts: IngestCounts) throws(TriageError) -> IngestCounts {
    var c = counts
    let find = try statement("SELECT * FROM orders WHERE order_id = ?")
    // An INSERT or an UPDATE, never an upsert: an upsert's conflict policy would override the
    // OR IGNORE of the theme triggers on orders (ThemeSchema) and fail on their duplicates.
    let insert = try statement(
      """
      INSERT INTO orders(order_id, order_key, customer, channel, priority, placed_at, promise_date, cutoff_at,
        erp_status, wms_status, storefront_status, carrier, tracking, extra, ingest)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """)
    let update = try statement(
      """
      UPDATE orders SET order_key = ?2, customer = ?3, channel = ?4, priority = ?5, placed_at = ?6,
        promise_date = ?7, cutoff_at = ?8, erp_status = ?9, wms_status = ?10, storefront_status = ?11,
        carrier = ?12, tracking = ?13, extra = ?14, ingest = ?15
      WHERE order_id = ?1
      """)
    // A first ingest finds nothing to compare with: no lookup per row.
    let fresh = try isEmpty("orders")
    for o in rows {
      let old = fresh ? nil : try find.first([.text(o.orderID)]) { Store.order(from: $0) }
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
      try (old == nil ? insert : update).run { s in
        s.bind(1, o.orderID)
        s.bind(2, Store.key(o.orderID))
        s.bind(3, o.customer)
        s.bind(4, o.channel)
        s.bind(5, o.priority)
        s.bind(6, o.placedAt)
        s.bind(7, o.promiseDate)
        s.bind(8, o.cutoffAt)
        s.bind(9, o.erpStatus)
        s.bind(10, o.wmsStatus)
        s.bind(11, o.storefrontStatus)
        s.bind(12, o.carrier)
        s.bind(13, o.tracking)
        s.bind(14, o.extra)
        s.bind(15, ingest)
      }
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
    let fresh = try isEmpty("lines")
    for l in rows {
      let old = fresh ? nil : try find.first([.text(l.orderID), .of(l.lineNo)]) { Store.line(from: $0) }
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
      try insert.run { s in
        s.bind(1, l.orderID)
        s.bind(2, l.lineNo)
        s.bind(3, l.sku)
        s.bind(4, l.ordered)
        s.bind(5, l.allocated)
        s.bind(6, l.picked)
        s.bind(7, l.packed)
        s.bind(8, l.shipped)
        s.bind(9, ingest)
      }
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
    let fresh = try isEmpty("inventory")
    for r in rows {
      let old = fresh ? nil : try find.first([.text(r.sku), .text(r.location)]) { Store.inventory(from: $0) }
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
      try insert.run { s in
        s.bind(1, r.sku)
        s.bind(2, r.location)
        s.bind(3, r.wms)
        s.bind(4, r.erp)
        s.bind(5, r.storefront)
        s.bind(6, r.asOf)
        s.bind(7, ingest)
      }
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
    let fresh = try isEmpty("events")
    for e in rows {
      if !fresh, let old = try find.first([.text(e.eventID)], { Store.event(from: $0) }) {
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
      try insert.run { s in
        s.bind(1, e.eventID)
        s.bind(2, e.at)
        s.bind(3, e.type)
        s.bind(4, e.fromSystem)
        s.bind(5, e.toSystem)
        s.bind(6, e.ref)
        s.bind(7, Store.key(e.ref))
        s.bind(8, e.qty)
        s.bind(9, e.status)
        s.bind(10, e.message)
        s.bind(11, e.idempotencyKey)
        s.bind(12, ingest)
      }
      c.new += 1
    }
    return c
  }

  /// Drops what a first ingest would keep up to date row by row for nothing, and returns the
  /// statements that bring it back (run in the same transaction once the rows are in):
  ///
  /// - the secondary indexes of every table the ingest writes that is still empty (the note
  ///   tables together, when there are no notes). Inserting into an index row by row is random
  ///   access; building it at the end is one sort (a first ingest of 200,000 notes: 3.1 s of
  ///   note writing became 1.9 s plus 0.5 s of index builds). `events_failed` matters most: its
  ///   `status IN (...)` condition builds a temporary table for every row inserted, which
  ///   doubled the time of the events. Unique indexes stay: they are constraints ingest relies
  ///   on.
  /// - the `theme_order_insert` trigger while there are no notes: it joins a new order to the
  ///   notes about it, so before the notes it finds nothing, at the price of a trigger program
  ///   per order.
  func deferIndexes() throws(TriageError) -> [String] {
    let notes = try isEmpty("notes")
    var tables = ["orders", "lines", "inventory", "events"].filter { (try? isEmpty($0)) ?? false }
    if notes { tables += ["notes", "note_reasons", "note_refs", "theme_refs"] }
    guard !tables.isEmpty else { return [] }
    let list = tables.map { "'\($0)'" }.joined(separator: ", ")
    let indexes = try db.prepare(
      """
      SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
        AND tbl_name IN (\(list)) AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name
      """
    ).rows { ($0.text(0), $0.text(1)) }
    for (name, _) in indexes { try db.execute("DROP INDEX \"\(name)\"") }
    var restore = indexes.map(\.1)
    let trigger = try statement("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'theme_order_insert'")
      .first([]) { $0.text(0) }
    if notes, let trigger {
      try db.execute("DROP TRIGGER theme_order_insert")
      restore.append(trigger)
    }
    return restore
  }

  /// Whether a table has no rows (the files were checked for duplicate keys, so every row of a
  /// first ingest is new).
  func isEmpty(_ table: String) throws(TriageError) -> Bool {
    try statement("SELECT NOT EXISTS (SELECT 1 FROM \(table))").first { $0.int(0) == 1 } ?? false
  }

  /// Writes one history row per field that changed.
  func recordChanges(_ entity: String, _ key: String, _ old: [(String, String)], _ new: [(String, String)], ingest: Int64) throws(TriageError) {
    let insert = try statement("INSERT INTO history(ingest, entity, key, field, old, new) VALUES (?, ?, ?, ?, ?, ?)")
    for ((name, a), (_, b)) in zip(old, new) where a != b {
      try insert.run([.int(ingest), .text(entity), .text(key), .text(name), .text(a), .text(b)])
    }
  }

  /// The key orders and references are matched by: trimmed, upper-cased.
  public static func key(_ id: String) -> String {
    // Ingest computes a key per order, line and event: ASCII without surrounding blanks (nearly
    // every id) skips Foundation's trimming, with the same result.
    var ascii = true
    var upper = false
    for b in id.utf8 where b >= 0x80 || b < 0x20 || (b >= 0x61 && b <= 0x7A) {
      if b >= 0x80 || b < 0x20 {
        ascii = false
        break
      }
      upper = true
    }
    if ascii, let first = id.utf8.first, let last = id.utf8.last, first != ASCII.space, last != ASCII.space {
      return upper ? String(decoding: id.utf8.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self) : id
    }
    return id.trimmingCharacters(in: .whitespaces).uppercased()
  }

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
