import Foundation
import Testing
import TriageKit

/// What ingest writes for themes (`theme_refs`, `reason_days`), against the same rows derived
/// in SQL from the stored notes, and migration 4 on a store written before it.
@Suite struct StoreIngestTests {
  typealias N = ThemeFixture.Note

  /// The rows `theme_refs` must hold, derived set-wise from notes, reasons, references and
  /// orders (the definition in ThemeSchema, written as the migrations' backfill).
  static let expectedThemeRows = """
    SELECT r.code, r.status, 0, r.day, n.order_id, r.note FROM note_reasons r JOIN notes n ON n.id = r.note
      WHERE n.order_id <> ''
    UNION SELECT r.code, r.status, f.kind, r.day, f.value, r.note FROM note_refs f JOIN note_reasons r ON r.note = f.note
      WHERE f.kind <> 0 OR NOT EXISTS (SELECT 1 FROM notes n WHERE n.id = f.note AND n.order_id <> '')
    UNION SELECT r.code, r.status, 3, r.day, s.value || ' @ ' || l.value, r.note FROM note_refs s
      JOIN note_refs l ON l.note = s.note AND l.kind = 2 JOIN note_reasons r ON r.note = s.note WHERE s.kind = 1
    UNION SELECT r.code, r.status, 4, r.day, o.customer, r.note FROM note_reasons r JOIN notes n ON n.id = r.note
      JOIN orders o ON o.order_key IN (SELECT n.order_id WHERE n.order_id <> ''
        UNION SELECT f.value FROM note_refs f WHERE f.note = n.id AND f.kind = 0 AND n.order_id = '')
      WHERE o.customer <> ''
    UNION SELECT r.code, r.status, 5, r.day, o.carrier, r.note FROM note_reasons r JOIN notes n ON n.id = r.note
      JOIN orders o ON o.order_key IN (SELECT n.order_id WHERE n.order_id <> ''
        UNION SELECT f.value FROM note_refs f WHERE f.note = n.id AND f.kind = 0 AND n.order_id = '')
      WHERE o.carrier <> ''
    """

  static func count(_ store: Store, _ sql: String) throws -> Int {
    Int(try store.db.prepare(sql).first { $0.int(0) } ?? -1)
  }

  /// Rows in one set and not the other, both ways, plus the reason_days drift.
  static func differences(_ store: Store) throws -> (missing: Int, extra: Int, days: Int, rows: Int) {
    let missing = try count(store, "SELECT count(*) FROM (\(expectedThemeRows) EXCEPT SELECT code, status, kind, day, value, note FROM theme_refs)")
    let extra = try count(
      store, "SELECT count(*) FROM (SELECT code, status, kind, day, value, note FROM theme_refs EXCEPT SELECT * FROM (\(expectedThemeRows)))")
    let days = try count(
      store,
      """
      SELECT count(*) FROM (SELECT day, code, status, count(*) AS n FROM note_reasons GROUP BY 1, 2, 3
        EXCEPT SELECT day, code, status, n FROM reason_days WHERE n > 0)
      """)
    let rows = try count(store, "SELECT count(*) FROM theme_refs")
    return (missing, extra, days, rows)
  }

  static let demo = ThemeFixture.root.appendingPathComponent("Corpus/demo").path

  @Test func ingestWritesTheThemeRowsTheSchemaDefines() throws {
    let db = ThemeFixture.tempDirectory() + "/demo.db"
    #expect(ThemeFixture.run(["ingest", Self.demo, "--db", db]).0 == 0)
    let store = try Store(path: db)
    let d = try Self.differences(store)
    #expect(d.missing == 0 && d.extra == 0 && d.days == 0)
    #expect(d.rows > 1000, "the demo has customers, carriers, SKUs and locations to join")
    for kind in 0...5 {
      #expect(try Self.count(store, "SELECT count(*) FROM theme_refs WHERE kind = \(kind)") > 0, "kind \(kind)")
    }
  }

  /// The indexes and triggers and their definitions, by name.
  static func indexes(_ store: Store) throws -> [String] {
    try store.db.prepare(
      "SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY name"
    ).rows { $0.text(0) }
  }

  static func journalMode(_ db: Database) throws -> String? {
    try db.prepare("PRAGMA journal_mode").first { $0.text(0) }
  }

  @Test func aFirstIngestLeavesTheIndexesTheSchemaCreates() throws {
    let dir = ThemeFixture.tempDirectory()
    let schema = try Self.indexes(try Store(path: dir + "/empty.db"))
    #expect(schema.contains { $0.hasPrefix("index notes_day: CREATE INDEX") }, "the note indexes are listed")
    #expect(schema.contains { $0.hasPrefix("index events_failed: CREATE INDEX") }, "and the events' indexes")
    #expect(schema.contains { $0.hasPrefix("trigger theme_order_insert: CREATE TRIGGER") }, "and the triggers")
    // The first ingest builds the note indexes after the notes; the second writes through them.
    let db = dir + "/twice.db"
    #expect(ThemeFixture.run(["ingest", Self.demo, "--db", db]).0 == 0)
    #expect(try Self.indexes(try Store(path: db)) == schema)
    #expect(ThemeFixture.run(["ingest", Self.demo, "--db", db]).0 == 0)
    let store = try Store(path: db)
    #expect(try Self.indexes(store) == schema)
    #expect(try store.db.prepare("PRAGMA integrity_check").first { $0.text(0) } == "ok")
  }

  /// A first ingest writes a new store through a rollback journal (every page once, not to the
  /// WAL and again at the checkpoint) and leaves it in WAL mode; with another connection open it
  /// cannot leave WAL, and ingests the same rows through it.
  @Test func aFirstIngestLeavesTheStoreInWALWithOrWithoutAnotherConnection() throws {
    let dir = ThemeFixture.tempDirectory()
    let alone = dir + "/alone.db"
    #expect(ThemeFixture.run(["ingest", Self.demo, "--db", alone]).0 == 0)
    #expect(try Self.journalMode(try Database(path: alone)) == "wal")
    #expect(!FileManager.default.fileExists(atPath: alone + "-journal"))

    let shared = dir + "/shared.db"
    let other = try Store(path: shared)
    #expect(try other.meta("as_of") == nil)
    #expect(ThemeFixture.run(["ingest", Self.demo, "--db", shared]).0 == 0)
    #expect(try Self.journalMode(other.db) == "wal")
    let a = try Store(path: alone)
    let b = try Store(path: shared)
    for table in ["notes", "note_reasons", "note_refs", "theme_refs", "reason_days", "orders", "lines", "events"] {
      #expect(try Self.count(a, "SELECT count(*) FROM \(table)") == Self.count(b, "SELECT count(*) FROM \(table)"), "\(table)")
    }
    let d = try Self.differences(b)
    #expect(d.missing == 0 && d.extra == 0)
  }

  /// While a writer holds a store in rollback mode (as a new store's first ingest does), a
  /// reader that is still locked out after its busy timeout is told who holds the store and
  /// what to do, and the writer's work is not disturbed.
  @Test func aStoreLockedByAWriterSaysSo() throws {
    let path = ThemeFixture.tempDirectory() + "/locked.db"
    let writer = try Database(path: path)
    try writer.execute("PRAGMA journal_mode=DELETE; CREATE TABLE t(x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);")
    let reader = try Database(path: path, busyMilliseconds: 50)
    var message = ""
    do {
      _ = try reader.prepare("SELECT count(*) FROM t").first { $0.int(0) }
    } catch {
      message = error.diagnostics.map(\.message).joined()
    }
    #expect(message.contains("database is locked"), "\(message)")
    #expect(message.contains("another triage is writing it"), "\(message)")
    try writer.execute("COMMIT")
    #expect(try reader.prepare("SELECT count(*) FROM t").first { $0.int(0) } == 1)
  }

  @Test func anOrderThatArrivesAfterItsNotesOrChangesCarrierKeepsTheRowsCurrent() throws {
    let db = ThemeFixture.tempDirectory() + "/late.db"
    let notes = [
      N(id: "n1", at: "2026-11-20T10:00:00Z", text: "short pick 88213 at B-14-02, bin empty", order: "SO-1001"),
      N(id: "n2", at: "2026-11-21T10:00:00Z", source: "carrier", text: "missed pickup again for order SO-1002, trailer no-show"),
    ]
    // Notes first, with no orders: no customer or carrier yet.
    #expect(ThemeFixture.run(["ingest", ThemeFixture.folder(notes: notes), "--db", db]).0 == 0)
    var store = try Store(path: db)
    #expect(try Self.count(store, "SELECT count(*) FROM theme_refs WHERE kind IN (4, 5)") == 0)
    // The orders arrive: their customer and carrier join the notes already stored.
    let orders = [("SO-1001", "Larkspur Living", "UPS"), ("SO-1002", "Web customer", "Ridgeline Freight")]
    #expect(ThemeFixture.run(["ingest", ThemeFixture.folder(notes: notes, orders: orders), "--db", db]).0 == 0)
    store = try Store(path: db)
    var d = try Self.differences(store)
    #expect(d.missing == 0 && d.extra == 0)
    #expect(try Self.count(store, "SELECT count(*) FROM theme_refs WHERE kind = 5 AND value = 'Ridgeline Freight'") > 0)
    // SO-1002 changes carrier: the old carrier's rows go.
    let changed = [("SO-1001", "Larkspur Living", "UPS"), ("SO-1002", "Web customer", "FedEx")]
    #expect(ThemeFixture.run(["ingest", ThemeFixture.folder(notes: notes, orders: changed), "--db", db]).0 == 0)
    store = try Store(path: db)
    d = try Self.differences(store)
    #expect(d.missing == 0 && d.extra == 0)
    #expect(try Self.count(store, "SELECT count(*) FROM theme_refs WHERE kind = 5 AND value = 'Ridgeline Freight'") == 0)
    #expect(try Self.count(store, "SELECT count(*) FROM theme_refs WHERE kind = 5 AND value = 'FedEx'") > 0)
  }

  @Test func migrationFourFillsCustomerCarrierAndDayCountsOfAnOlderStore() throws {
    let db = ThemeFixture.tempDirectory() + "/old.db"
    #expect(ThemeFixture.run(["ingest", Self.demo, "--db", db]).0 == 0)
    let expected = try Self.differences(try Store(path: db)).rows
    // Take the store back to what schema 3 wrote: no customer or carrier rows, no day counts.
    do {
      let raw = try Database(path: db)
      try raw.execute(
        """
        DELETE FROM theme_refs WHERE kind IN (4, 5);
        CREATE INDEX theme_refs_note ON theme_refs(note);
        DROP TABLE reason_days;
        DROP TRIGGER reason_days_delete; DROP TRIGGER reason_days_update;
        DROP TRIGGER theme_order_insert; DROP TRIGGER theme_order_update; DROP INDEX orders_carrier;
        DROP TRIGGER theme_reason_update; DROP TRIGGER theme_ref_delete; DROP TRIGGER theme_note_order;
        CREATE TRIGGER theme_reason_insert AFTER INSERT ON note_reasons BEGIN SELECT 1; END;
        CREATE TRIGGER theme_ref_insert AFTER INSERT ON note_refs BEGIN SELECT 1; END;
        CREATE TRIGGER theme_reason_update AFTER UPDATE ON note_reasons BEGIN SELECT 1; END;
        CREATE TRIGGER theme_ref_delete AFTER DELETE ON note_refs BEGIN SELECT 1; END;
        CREATE TRIGGER theme_note_order AFTER UPDATE OF order_id ON notes BEGIN SELECT 1; END;
        UPDATE meta SET value = '3' WHERE key = 'schema_version';
        """)
    }
    let store = try Store(path: db)
    #expect(try store.meta("schema_version") == "5")
    let d = try Self.differences(store)
    #expect(d.missing == 0 && d.extra == 0 && d.days == 0)
    #expect(d.rows == expected)
    // A reason deleted after the migration leaves the counts right (the triggers follow it).
    try store.db.execute("DELETE FROM note_reasons WHERE note = (SELECT min(note) FROM note_reasons)")
    let after = try Self.differences(store)
    #expect(after.days == 0 && after.missing == 0 && after.extra == 0)
  }

  /// Migration 5 drops `theme_refs_note` and gives the triggers that used it their new
  /// definitions; the rows stay as they were.
  @Test func migrationFiveDropsTheNoteIndexAndKeepsTheRows() throws {
    let dir = ThemeFixture.tempDirectory()
    let schema = try Self.indexes(try Store(path: dir + "/empty.db"))
    #expect(!schema.contains { $0.contains("theme_refs_note") })
    let db = dir + "/v4.db"
    #expect(ThemeFixture.run(["ingest", Self.demo, "--db", db]).0 == 0)
    let expected = try Self.differences(try Store(path: db)).rows
    // Back to what schema 4 had: the index, and triggers of the same names (placeholders:
    // the migration replaces them whatever they say).
    do {
      let raw = try Database(path: db)
      var sql = "CREATE INDEX theme_refs_note ON theme_refs(note);"
      for (name, event) in [
        ("theme_reason_delete", "DELETE ON note_reasons"), ("theme_reason_update", "UPDATE ON note_reasons"),
        ("theme_ref_delete", "DELETE ON note_refs"), ("theme_note_order", "UPDATE OF order_id ON notes"),
        ("theme_note_delete", "DELETE ON notes"), ("theme_order_update", "UPDATE OF customer, carrier ON orders"),
      ] {
        sql += "DROP TRIGGER \(name); CREATE TRIGGER \(name) AFTER \(event) BEGIN SELECT 1; END;"
      }
      try raw.execute(sql + "UPDATE meta SET value = '4' WHERE key = 'schema_version';")
    }
    let store = try Store(path: db)
    #expect(try store.meta("schema_version") == "5")
    #expect(try Self.indexes(store) == schema)
    let d = try Self.differences(store)
    #expect(d.missing == 0 && d.extra == 0 && d.days == 0)
    #expect(d.rows == expected)
  }

  /// Without an index by note, the triggers find a note's rows by key: a reason changed or
  /// deleted, a reference deleted, a note's order changed, a note deleted with its rows, each
  /// leaves exactly the rows the schema defines.
  @Test func theTriggersKeepTheRowsRightWithoutTheNoteIndex() throws {
    let db = ThemeFixture.tempDirectory() + "/edits.db"
    #expect(ThemeFixture.run(["ingest", Self.demo, "--db", db]).0 == 0)
    let store = try Store(path: db)
    func note(_ sql: String) throws -> Int {
      let n = try Self.count(store, sql)
      #expect(n > 0, "a demo note for: \(sql)")
      return n
    }
    // A note with reasons, a SKU and a location.
    let both = try note(
      """
      SELECT min(r.note) FROM note_reasons r WHERE EXISTS (SELECT 1 FROM note_refs f WHERE f.note = r.note AND f.kind = 1)
        AND EXISTS (SELECT 1 FROM note_refs f WHERE f.note = r.note AND f.kind = 2)
      """)
    // A note without an order_id that names an order, and one with an order_id.
    let named = try note(
      """
      SELECT min(r.note) FROM note_reasons r JOIN notes n ON n.id = r.note AND n.order_id = ''
        WHERE EXISTS (SELECT 1 FROM note_refs f WHERE f.note = r.note AND f.kind = 0)
      """)
    let owned = try note("SELECT max(r.note) FROM note_reasons r JOIN notes n ON n.id = r.note AND n.order_id <> ''")
    let edits = [
      "UPDATE note_reasons SET status = 1 - status WHERE note = \(both)",
      "UPDATE note_reasons SET day = day + 1 WHERE note = \(owned)",
      "DELETE FROM note_refs WHERE note = \(both) AND kind = 2",
      "DELETE FROM note_reasons WHERE note = \(owned) AND code = (SELECT min(code) FROM note_reasons WHERE note = \(owned))",
      "UPDATE notes SET order_id = (SELECT max(order_key) FROM orders) WHERE id = \(named)",
      "UPDATE notes SET order_id = '' WHERE id = \(owned)",
      "DELETE FROM notes WHERE id = \(both); DELETE FROM note_reasons WHERE note = \(both); DELETE FROM note_refs WHERE note = \(both)",
    ]
    for sql in edits {
      try store.db.execute(sql)
      let d = try Self.differences(store)
      #expect(d.missing == 0 && d.extra == 0 && d.days == 0, "after \(sql)")
    }
    #expect(try Self.count(store, "SELECT count(*) FROM theme_refs WHERE note = \(both)") == 0)
  }
}
