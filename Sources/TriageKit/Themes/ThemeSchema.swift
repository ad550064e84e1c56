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
/// SKU, 2 a location and 3 a SKU at a location (`88213 @ B-14-02`). Customer and carrier are
/// looked up from the orders at query time, so an order that changes carrier is never stale.
///
/// Triggers keep it in step with whatever writes `note_reasons` and `note_refs`, in either order;
/// they cost ingest about a third more time. The migration fills it for the notes already stored.
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
}
