import TriageCore

/// The store's schema and its migrations. `meta.schema_version` says which migrations ran; a
/// store opened by a newer triage is migrated forward in one transaction, and a store newer than
/// this triage is refused rather than guessed at.
enum Schema {
  /// Migration `i` moves a store from version `i` to `i + 1`.
  static let migrations: [String] = [
    // 1: notes, their classification and references; orders, lines, inventory, events with
    //    change history; ingest runs.
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

    CREATE TABLE ingests (
      id INTEGER PRIMARY KEY,
      folder TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      as_of INTEGER,
      lexicon TEXT NOT NULL,
      summary TEXT NOT NULL DEFAULT ''
    );

    CREATE TABLE notes (
      id INTEGER PRIMARY KEY,
      note_id TEXT NOT NULL UNIQUE,
      created_at INTEGER NOT NULL,
      day INTEGER NOT NULL,
      source TEXT NOT NULL,
      text TEXT NOT NULL,
      order_id TEXT NOT NULL DEFAULT '',
      author TEXT NOT NULL DEFAULT '',
      ingest INTEGER NOT NULL
    );
    CREATE INDEX notes_order ON notes(order_id) WHERE order_id <> '';
    CREATE INDEX notes_day ON notes(day);

    -- The reasons the classifier found in each note (status 0 open, 1 resolved; score in
    -- hundredths). Day is repeated here so theme queries read one table.
    CREATE TABLE note_reasons (
      note INTEGER NOT NULL,
      code TEXT NOT NULL,
      status INTEGER NOT NULL,
      score INTEGER NOT NULL,
      day INTEGER NOT NULL,
      PRIMARY KEY (note, code)
    ) WITHOUT ROWID;
    CREATE INDEX note_reasons_day ON note_reasons(day, code, status);

    -- Order references (kind 0, canonical and upper-cased), SKUs (1) and locations (2) found in
    -- a note's text.
    CREATE TABLE note_refs (
      note INTEGER NOT NULL,
      kind INTEGER NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (note, kind, value)
    ) WITHOUT ROWID;
    CREATE INDEX note_refs_value ON note_refs(kind, value);

    CREATE TABLE orders (
      order_id TEXT PRIMARY KEY,
      order_key TEXT NOT NULL,
      customer TEXT NOT NULL DEFAULT '',
      channel TEXT NOT NULL DEFAULT '',
      priority TEXT NOT NULL DEFAULT '',
      placed_at INTEGER,
      promise_date INTEGER,
      cutoff_at INTEGER,
      erp_status TEXT NOT NULL DEFAULT '',
      wms_status TEXT NOT NULL DEFAULT '',
      storefront_status TEXT NOT NULL DEFAULT '',
      carrier TEXT NOT NULL DEFAULT '',
      tracking TEXT NOT NULL DEFAULT '',
      extra TEXT NOT NULL DEFAULT '',
      ingest INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE UNIQUE INDEX orders_key ON orders(order_key);

    CREATE TABLE lines (
      order_id TEXT NOT NULL,
      line_no INTEGER NOT NULL,
      sku TEXT NOT NULL,
      qty_ordered INTEGER,
      qty_allocated INTEGER,
      qty_picked INTEGER,
      qty_packed INTEGER,
      qty_shipped INTEGER,
      ingest INTEGER NOT NULL,
      PRIMARY KEY (order_id, line_no)
    ) WITHOUT ROWID;
    CREATE INDEX lines_sku ON lines(sku);

    CREATE TABLE inventory (
      sku TEXT NOT NULL,
      location TEXT NOT NULL,
      wms_on_hand INTEGER,
      erp_on_hand INTEGER,
      storefront_available INTEGER,
      as_of INTEGER,
      ingest INTEGER NOT NULL,
      PRIMARY KEY (sku, location)
    ) WITHOUT ROWID;

    CREATE TABLE events (
      event_id TEXT PRIMARY KEY,
      at INTEGER NOT NULL,
      type TEXT NOT NULL,
      from_system TEXT NOT NULL DEFAULT '',
      to_system TEXT NOT NULL DEFAULT '',
      ref TEXT NOT NULL DEFAULT '',
      ref_key TEXT NOT NULL DEFAULT '',
      qty INTEGER,
      status TEXT NOT NULL,
      message TEXT NOT NULL DEFAULT '',
      idempotency_key TEXT NOT NULL DEFAULT '',
      ingest INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX events_ref ON events(ref_key);

    -- Every change to an order, line or inventory row: which field, from what, to what, and in
    -- which ingest (so a blocker found in the data can show as resolved when the gap closes).
    CREATE TABLE history (
      id INTEGER PRIMARY KEY,
      ingest INTEGER NOT NULL,
      entity TEXT NOT NULL,
      key TEXT NOT NULL,
      field TEXT NOT NULL,
      old TEXT,
      new TEXT
    );
    CREATE INDEX history_key ON history(entity, key);
    """,
    // 2: drafts with their statements, sources and review trail; cutoff reviews.
    DraftSchema.migration,
    // 3: themes and recurrence (Themes/ThemeSchema.swift).
    ThemeSchema.migration,
    // 4: the customer and carrier of a note's orders in theme_refs; ingest writes theme_refs.
    ThemeSchema.customerCarrier,
    // 5: theme_refs without its index by note; its triggers delete by key.
    ThemeSchema.withoutNoteIndex,
  ]

  static var version: Int { migrations.count }

  /// Brings a database to the current schema; refuses one written by a newer triage.
  static func migrate(_ db: Database) throws(TriageError) {
    // WAL, so sessions read while an ingest writes. A store in the middle of its first ingest
    // is in rollback mode (`Store.ingest`) and cannot switch while that ingest holds it: it is
    // opened as it is, and the next open switches.
    _ = db.setJournalMode("WAL")
    try db.execute("PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;")
    let hasMeta = try db.prepare(
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
    ).first { $0.int(0) } ?? 0
    var current = 0
    if hasMeta > 0 {
      current = Int(
        try db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").first { Int($0.text(0)) ?? 0 } ?? 0)
    } else {
      let tables = try db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").first { $0.int(0) } ?? 0
      if tables > 0 {
        throw TriageError(.dataError, "'\(db.path)' is an SQLite database but not a triage store")
      }
    }
    if current > version {
      throw TriageError(
        .dataError,
        "the store '\(db.path)' has schema version \(current), newer than this triage (\(version)); use a newer triage")
    }
    if current == version { return }
    try db.transaction { () throws(TriageError) in
      for v in current..<version { try db.execute(migrations[v]) }
      try db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)").run([.text(String(version))])
    }
  }
}
