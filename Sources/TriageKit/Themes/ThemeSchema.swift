/// The store's additions for themes and recurrence: a table that joins each reason a note raises
/// to the things the note is about, kept up to date by triggers, and an index on failed events.
///
/// Counting blocker mentions per theme or reason reads `note_reasons` through its covering index
/// (day, code, status) and needs nothing new. Recurrence asks another question ("which SKU, at
/// which location, for which order, hit short_pick five times this week"), which over
/// `note_reasons` ⋈ `note_refs` costs two lookups per mention: 1.8 s for one rule over 90 days at
/// 50,000 notes a day. `theme_refs` holds that join ready-made, ordered so a rule reads one range:
///
///     (code, status, kind, day, value, note)
///
/// with kind 0 the note's order (its `order_id`, else the order references in its text), 1 a
/// SKU, 2 a location, 3 a SKU at a location (`88213 @ B-14-02`), 4 the customer and 5 the
/// carrier of the note's orders (migration 4; triggers on `orders` keep them current).
///
/// `Store.insertNotes` writes a new note's rows with the note; triggers keep the table in step
/// when reasons, references or a note's order change or go. Migrations 3 and 4 fill it for the
/// notes already stored.
enum ThemeSchema {
  static let migration = """
    CREATE TABLE theme_refs (
      code TEXT NOT NULL,
      status INTEGER NOT NULL,
      kind INTEGER NOT NULL,
      day INTEGER NOT NULL,
      value TEXT NOT NULL,
      note INTEGER NOT NULL,
      PRIMARY KEY (code, status, kind, day, value, note)
    ) WITHOUT ROWID;
    CREATE INDEX theme_refs_note ON theme_refs(note);

    -- Failed hand-offs are few; recurrence reads them by time.
    CREATE INDEX events_failed ON events(at) WHERE status IN ('rejected', 'error', 'duplicate');

    \(backfill)

    CREATE TRIGGER theme_reason_insert AFTER INSERT ON note_reasons BEGIN
      \(insert(code: "NEW.code", status: "NEW.status", day: "NEW.day", note: "NEW.note"))
    END;
    CREATE TRIGGER theme_reason_delete AFTER DELETE ON note_reasons BEGIN
      DELETE FROM theme_refs WHERE note = OLD.note AND code = OLD.code;
    END;
    CREATE TRIGGER theme_reason_update AFTER UPDATE ON note_reasons BEGIN
      DELETE FROM theme_refs WHERE note = OLD.note AND code = OLD.code;
      \(insert(code: "NEW.code", status: "NEW.status", day: "NEW.day", note: "NEW.note"))
    END;
    -- A new reference joins the reasons already stored (ingest writes reasons first).
    CREATE TRIGGER theme_ref_insert AFTER INSERT ON note_refs BEGIN
      INSERT OR IGNORE INTO theme_refs(code, status, kind, day, value, note)
        SELECT r.code, r.status, NEW.kind, r.day, NEW.value, r.note FROM note_reasons r
        WHERE r.note = NEW.note
          AND (NEW.kind <> 0 OR NOT EXISTS (SELECT 1 FROM notes WHERE id = NEW.note AND order_id <> ''))
        UNION ALL
        SELECT r.code, r.status, 3, r.day,
          CASE NEW.kind WHEN 1 THEN NEW.value || ' @ ' || o.value ELSE o.value || ' @ ' || NEW.value END,
          r.note
        FROM note_reasons r JOIN note_refs o ON o.note = NEW.note AND o.kind = 3 - NEW.kind
        WHERE r.note = NEW.note AND NEW.kind IN (1, 2);
    END;
    CREATE TRIGGER theme_ref_delete AFTER DELETE ON note_refs BEGIN
      \(rebuild("OLD.note"))
    END;
    CREATE TRIGGER theme_note_order AFTER UPDATE OF order_id ON notes BEGIN
      \(rebuild("NEW.id"))
    END;
    CREATE TRIGGER theme_note_delete AFTER DELETE ON notes BEGIN
      DELETE FROM theme_refs WHERE note = OLD.id;
    END;
    """

  /// The things note `note` is about, as (kind, value) rows.
  static func entities(_ note: String) -> String {
    """
    SELECT 0 AS kind, order_id AS value FROM notes WHERE id = \(note) AND order_id <> ''
          UNION ALL
          SELECT f.kind, f.value FROM note_refs f WHERE f.note = \(note)
            AND (f.kind <> 0 OR NOT EXISTS (SELECT 1 FROM notes WHERE id = \(note) AND order_id <> ''))
          UNION ALL
          SELECT 3, s.value || ' @ ' || l.value FROM note_refs s
            JOIN note_refs l ON l.note = s.note AND l.kind = 2 WHERE s.note = \(note) AND s.kind = 1
    """
  }

  /// Rows for one reason of a note.
  static func insert(code: String, status: String, day: String, note: String) -> String {
    """
    INSERT OR IGNORE INTO theme_refs(code, status, kind, day, value, note)
          SELECT \(code), \(status), e.kind, \(day), e.value, \(note) FROM (\(entities(note))) e;
    """
  }

  /// Rows for every reason of a note, from scratch.
  static func rebuild(_ note: String) -> String {
    """
    DELETE FROM theme_refs WHERE note = \(note);
          INSERT OR IGNORE INTO theme_refs(code, status, kind, day, value, note)
          SELECT r.code, r.status, e.kind, r.day, e.value, r.note FROM note_reasons r,
            (\(entities(note))) e WHERE r.note = \(note);
    """
  }

  /// The rows of every note already stored, set at a time.
  static let backfill = """
    INSERT OR IGNORE INTO theme_refs(code, status, kind, day, value, note)
      SELECT r.code, r.status, 0, r.day, n.order_id, r.note FROM note_reasons r
      JOIN notes n ON n.id = r.note WHERE n.order_id <> '';
    INSERT OR IGNORE INTO theme_refs(code, status, kind, day, value, note)
      SELECT r.code, r.status, f.kind, r.day, f.value, r.note FROM note_refs f
      JOIN note_reasons r ON r.note = f.note
      WHERE f.kind <> 0 OR NOT EXISTS (SELECT 1 FROM notes n WHERE n.id = f.note AND n.order_id <> '');
    INSERT OR IGNORE INTO theme_refs(code, status, kind, day, value, note)
      SELECT r.code, r.status, 3, r.day, s.value || ' @ ' || l.value, r.note FROM note_refs s
      JOIN note_refs l ON l.note = s.note AND l.kind = 2
      JOIN note_reasons r ON r.note = s.note WHERE s.kind = 1;
    """

  /// Migration 4: customer (kind 4) and carrier (kind 5) rows, and `ingest` writes the rows.
  ///
  /// A recurrence rule by carrier read the orders once per mention (about 2 s over 90 days at
  /// 50,000 notes a day); with the order's customer and carrier in `theme_refs` it reads one
  /// range. Triggers on `orders` keep those rows current: an order that arrives after its notes
  /// adds them, an order whose customer or carrier changes replaces them.
  ///
  /// The insert triggers on `note_reasons` and `note_refs` are dropped: `Store.insertNotes`, the
  /// one writer of those tables, writes a note's rows itself (a trigger per row cost ingest about
  /// a third of its time). The triggers for updates and deletes stay, rebuilding kinds 0 to 5.
  ///
  /// `reason_days` holds the mentions per (day, code, status): counting a 90-day window read 4.5
  /// million index entries (0.85 s) and now reads a few thousand rows. `insertNotes` adds to it;
  /// triggers follow deletes and updates of reasons.
  static let customerCarrier = """
    CREATE TABLE reason_days (
      day INTEGER NOT NULL,
      code TEXT NOT NULL,
      status INTEGER NOT NULL,
      n INTEGER NOT NULL,
      PRIMARY KEY (day, code, status)
    ) WITHOUT ROWID;
    INSERT INTO reason_days(day, code, status, n)
      SELECT day, code, status, count(*) FROM note_reasons GROUP BY day, code, status;
    CREATE TRIGGER reason_days_delete AFTER DELETE ON note_reasons BEGIN
      UPDATE reason_days SET n = n - 1 WHERE day = OLD.day AND code = OLD.code AND status = OLD.status;
    END;
    CREATE TRIGGER reason_days_update AFTER UPDATE OF day, code, status ON note_reasons BEGIN
      UPDATE reason_days SET n = n - 1 WHERE day = OLD.day AND code = OLD.code AND status = OLD.status;
      INSERT INTO reason_days(day, code, status, n) VALUES (NEW.day, NEW.code, NEW.status, 1)
        ON CONFLICT(day, code, status) DO UPDATE SET n = n + 1;
    END;

    -- The carriers orders name, found by seeks (Store.carriers).
    CREATE INDEX orders_carrier ON orders(carrier);

    DROP TRIGGER theme_reason_insert;
    DROP TRIGGER theme_ref_insert;
    DROP TRIGGER theme_reason_update;
    DROP TRIGGER theme_ref_delete;
    DROP TRIGGER theme_note_order;

    INSERT OR IGNORE INTO theme_refs(code, status, kind, day, value, note)
      SELECT t.code, t.status, 4, t.day, o.customer, t.note FROM theme_refs t
      JOIN orders o ON o.order_key = t.value WHERE t.kind = 0 AND o.customer <> '';
    INSERT OR IGNORE INTO theme_refs(code, status, kind, day, value, note)
      SELECT t.code, t.status, 5, t.day, o.carrier, t.note FROM theme_refs t
      JOIN orders o ON o.order_key = t.value WHERE t.kind = 0 AND o.carrier <> '';

    CREATE TRIGGER theme_reason_update AFTER UPDATE ON note_reasons BEGIN
      DELETE FROM theme_refs WHERE note = OLD.note AND code = OLD.code;
      INSERT OR IGNORE INTO theme_refs(code, status, kind, day, value, note)
        SELECT NEW.code, NEW.status, e.kind, NEW.day, e.value, NEW.note FROM (\(allEntities("NEW.note"))) e;
    END;
    CREATE TRIGGER theme_ref_delete AFTER DELETE ON note_refs BEGIN
      \(rebuildAll("OLD.note"))
    END;
    CREATE TRIGGER theme_note_order AFTER UPDATE OF order_id ON notes BEGIN
      \(rebuildAll("NEW.id"))
    END;
    CREATE TRIGGER theme_order_insert AFTER INSERT ON orders BEGIN
      \(orderRows("NEW", column: "customer", kind: 4))
      \(orderRows("NEW", column: "carrier", kind: 5))
    END;
    CREATE TRIGGER theme_order_update AFTER UPDATE OF customer, carrier ON orders
      WHEN OLD.customer IS NOT NEW.customer OR OLD.carrier IS NOT NEW.carrier BEGIN
      DELETE FROM theme_refs WHERE kind IN (4, 5)
        AND note IN (SELECT id FROM notes WHERE order_id = NEW.order_key AND order_id <> '');
      DELETE FROM theme_refs WHERE kind IN (4, 5)
        AND note IN (SELECT f.note FROM note_refs f WHERE f.kind = 0 AND f.value = NEW.order_key);
      \(orderRows("NEW", column: "customer", kind: 4))
      \(orderRows("NEW", column: "carrier", kind: 5))
      -- A note without an order_id may name other orders too: their rows come back.
      INSERT OR IGNORE INTO theme_refs(code, status, kind, day, value, note)
        SELECT r.code, r.status, 4, r.day, o.customer, r.note FROM note_refs f
        JOIN notes n ON n.id = f.note AND n.order_id = '' JOIN note_refs g ON g.note = f.note AND g.kind = 0
        JOIN orders o ON o.order_key = g.value JOIN note_reasons r ON r.note = f.note
        WHERE f.kind = 0 AND f.value = NEW.order_key AND o.customer <> '';
      INSERT OR IGNORE INTO theme_refs(code, status, kind, day, value, note)
        SELECT r.code, r.status, 5, r.day, o.carrier, r.note FROM note_refs f
        JOIN notes n ON n.id = f.note AND n.order_id = '' JOIN note_refs g ON g.note = f.note AND g.kind = 0
        JOIN orders o ON o.order_key = g.value JOIN note_reasons r ON r.note = f.note
        WHERE f.kind = 0 AND f.value = NEW.order_key AND o.carrier <> '';
    END;
    """

  /// Rows of one kind (4 customer, 5 carrier) for the reasons of an order's notes: those whose
  /// `order_id` is the order, and those without one that name it in their text. Plain joins
  /// through the order indexes: an order arriving before its notes (every order of a first
  /// ingest) costs two index probes.
  static func orderRows(_ row: String, column: String, kind: Int) -> String {
    """
    INSERT OR IGNORE INTO theme_refs(code, status, kind, day, value, note)
            SELECT r.code, r.status, \(kind), r.day, \(row).\(column), r.note FROM notes n JOIN note_reasons r ON r.note = n.id
            WHERE n.order_id = \(row).order_key AND n.order_id <> '' AND \(row).\(column) <> '';
          INSERT OR IGNORE INTO theme_refs(code, status, kind, day, value, note)
            SELECT r.code, r.status, \(kind), r.day, \(row).\(column), r.note FROM note_refs f
            JOIN notes n ON n.id = f.note AND n.order_id = '' JOIN note_reasons r ON r.note = f.note
            WHERE f.kind = 0 AND f.value = \(row).order_key AND \(row).\(column) <> '';
    """
  }

  /// `entities(_:)` and the customer and carrier of the note's orders.
  static func allEntities(_ note: String) -> String {
    let orders = """
      SELECT order_id FROM notes WHERE id = \(note) AND order_id <> ''
              UNION ALL SELECT f.value FROM note_refs f WHERE f.note = \(note) AND f.kind = 0
                AND NOT EXISTS (SELECT 1 FROM notes WHERE id = \(note) AND order_id <> '')
      """
    return """
      \(entities(note))
            UNION ALL
            SELECT 4, o.customer FROM orders o WHERE o.customer <> '' AND o.order_key IN (\(orders))
            UNION ALL
            SELECT 5, o.carrier FROM orders o WHERE o.carrier <> '' AND o.order_key IN (\(orders))
      """
  }

  /// Rows for every reason of a note, kinds 0 to 5, from scratch.
  static func rebuildAll(_ note: String) -> String {
    """
    DELETE FROM theme_refs WHERE note = \(note);
          INSERT OR IGNORE INTO theme_refs(code, status, kind, day, value, note)
          SELECT r.code, r.status, e.kind, r.day, e.value, r.note FROM note_reasons r,
            (\(allEntities(note))) e WHERE r.note = \(note);
    """
  }
}

extension ThemeSchema {
  /// Migration 5: `theme_refs` without its index by note.
  ///
  /// `theme_refs_note` held every key column again (an index of a `WITHOUT ROWID` table carries
  /// the whole key), so it was as large as the table: 2.8 million entries at a million notes,
  /// 2.5 s of a first ingest's 24 s to build and a fifth of the store's pages. No query reads a
  /// note's rows by note alone; only the triggers that delete them did. They now delete by key:
  /// the rows of one reason are one seek of (code, status, kind, day) per kind, and the
  /// customer and carrier rows of an order are deleted by their full key.
  static let withoutNoteIndex = """
    DROP INDEX IF EXISTS theme_refs_note;
    DROP TRIGGER theme_reason_delete;
    DROP TRIGGER theme_reason_update;
    DROP TRIGGER theme_ref_delete;
    DROP TRIGGER theme_note_order;
    DROP TRIGGER theme_note_delete;
    DROP TRIGGER theme_order_update;

    CREATE TRIGGER theme_reason_delete AFTER DELETE ON note_reasons BEGIN
      \(deleteReason("OLD"))
    END;
    CREATE TRIGGER theme_reason_update AFTER UPDATE ON note_reasons BEGIN
      \(deleteReason("OLD"))
      INSERT OR IGNORE INTO theme_refs(code, status, kind, day, value, note)
        SELECT NEW.code, NEW.status, e.kind, NEW.day, e.value, NEW.note FROM (\(allEntities("NEW.note"))) e;
    END;
    CREATE TRIGGER theme_ref_delete AFTER DELETE ON note_refs BEGIN
      \(rebuildByKey("OLD.note"))
    END;
    CREATE TRIGGER theme_note_order AFTER UPDATE OF order_id ON notes BEGIN
      \(rebuildByKey("NEW.id"))
    END;
    CREATE TRIGGER theme_note_delete AFTER DELETE ON notes BEGIN
      \(deleteNote("OLD.id"))
    END;
    CREATE TRIGGER theme_order_update AFTER UPDATE OF customer, carrier ON orders
      WHEN OLD.customer IS NOT NEW.customer OR OLD.carrier IS NOT NEW.carrier BEGIN
      \(deleteOrderRows("OLD.customer", kind: 4))
      \(deleteOrderRows("OLD.carrier", kind: 5))
      \(orderRows("NEW", column: "customer", kind: 4))
      \(orderRows("NEW", column: "carrier", kind: 5))
      -- A note without an order_id may name other orders too: their rows come back. CROSS
      -- JOIN keeps SQLite starting from this order's references (left to choose, it read every
      -- order reference of the store, 0.3 s per changed order at a million notes).
      INSERT OR IGNORE INTO theme_refs(code, status, kind, day, value, note)
        SELECT r.code, r.status, 4, r.day, o.customer, r.note FROM note_refs f
        CROSS JOIN notes n CROSS JOIN note_refs g CROSS JOIN orders o CROSS JOIN note_reasons r
        WHERE f.kind = 0 AND f.value = NEW.order_key AND n.id = f.note AND n.order_id = ''
          AND g.note = f.note AND g.kind = 0 AND o.order_key = g.value AND r.note = f.note AND o.customer <> '';
      INSERT OR IGNORE INTO theme_refs(code, status, kind, day, value, note)
        SELECT r.code, r.status, 5, r.day, o.carrier, r.note FROM note_refs f
        CROSS JOIN notes n CROSS JOIN note_refs g CROSS JOIN orders o CROSS JOIN note_reasons r
        WHERE f.kind = 0 AND f.value = NEW.order_key AND n.id = f.note AND n.order_id = ''
          AND g.note = f.note AND g.kind = 0 AND o.order_key = g.value AND r.note = f.note AND o.carrier <> '';
    END;
    """

  /// The kinds of `theme_refs` rows, as a table to join.
  static let kinds = "(SELECT 0 AS kind UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5)"

  /// Deletes the rows of one reason (`row` is OLD or NEW of `note_reasons`): a seek of
  /// (code, status, kind, day) per kind, the note compared in that day's rows.
  static func deleteReason(_ row: String) -> String {
    """
    DELETE FROM theme_refs WHERE code = \(row).code AND status = \(row).status AND kind IN (0, 1, 2, 3, 4, 5)
            AND day = \(row).day AND note = \(row).note;
    """
  }

  /// Deletes the rows of every reason note `note` has stored.
  static func deleteNote(_ note: String) -> String {
    """
    DELETE FROM theme_refs WHERE (code, status, kind, day, note) IN (
            SELECT r.code, r.status, k.kind, r.day, r.note FROM note_reasons r, \(kinds) k WHERE r.note = \(note));
    """
  }

  /// `rebuildAll(_:)` without the index by note.
  static func rebuildByKey(_ note: String) -> String {
    """
    \(deleteNote(note))
          INSERT OR IGNORE INTO theme_refs(code, status, kind, day, value, note)
          SELECT r.code, r.status, e.kind, r.day, e.value, r.note FROM note_reasons r,
            (\(allEntities(note))) e WHERE r.note = \(note);
    """
  }

  /// Deletes an order's rows of one kind (4 customer, 5 carrier) holding `value`, by full key:
  /// the reasons of the notes whose `order_id` is the order, and of those without one that
  /// name it. Two statements: SQLite seeks the keys of one SELECT, but scans the table for a
  /// compound one.
  static func deleteOrderRows(_ value: String, kind: Int) -> String {
    """
    DELETE FROM theme_refs WHERE (code, status, kind, day, value, note) IN (
            SELECT r.code, r.status, \(kind), r.day, \(value), r.note FROM notes n JOIN note_reasons r ON r.note = n.id
            WHERE n.order_id = NEW.order_key AND n.order_id <> '');
          DELETE FROM theme_refs WHERE (code, status, kind, day, value, note) IN (
            SELECT r.code, r.status, \(kind), r.day, \(value), r.note FROM note_refs f
            JOIN notes n ON n.id = f.note AND n.order_id = '' JOIN note_reasons r ON r.note = f.note
            WHERE f.kind = 0 AND f.value = NEW.order_key);
    """
  }
}
