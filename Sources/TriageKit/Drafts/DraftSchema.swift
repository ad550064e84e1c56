/// The store tables of drafts, their review trail and the cutoff reviews, appended to
/// `Schema.migrations` as one migration.
enum DraftSchema {
  static let migration = """
    -- Drafts of customer (support) and account (sales) messages. A draft is 'draft' until it is
    -- approved or rejected; approved and rejected drafts are frozen (an edit makes a new version,
    -- parent names the draft it came from). 'superseded': an approved draft that a later approval
    -- for the same order and audience replaced. The fingerprint (promise status and open blocker
    -- codes when it was composed) tells when the order has moved on and the draft is stale.
    CREATE TABLE drafts (
      id INTEGER PRIMARY KEY,
      order_id TEXT NOT NULL,
      audience TEXT NOT NULL,
      version INTEGER NOT NULL DEFAULT 1,
      parent INTEGER REFERENCES drafts(id),
      status TEXT NOT NULL,
      text TEXT NOT NULL,
      edited INTEGER NOT NULL DEFAULT 0,
      fingerprint TEXT NOT NULL,
      composed_for INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      created_by TEXT NOT NULL,
      updated_at INTEGER NOT NULL,
      updated_by TEXT NOT NULL
    );
    CREATE INDEX drafts_order ON drafts(order_id, audience);
    CREATE INDEX drafts_status ON drafts(status);

    -- The statements of a draft as composed, and the sources behind each.
    CREATE TABLE draft_statements (
      draft INTEGER NOT NULL REFERENCES drafts(id),
      position INTEGER NOT NULL,
      topic TEXT NOT NULL,
      layout TEXT NOT NULL,
      text TEXT NOT NULL,
      PRIMARY KEY (draft, position)
    ) WITHOUT ROWID;
    CREATE TABLE draft_sources (
      draft INTEGER NOT NULL REFERENCES drafts(id),
      statement INTEGER NOT NULL,
      position INTEGER NOT NULL,
      ref TEXT NOT NULL,
      detail TEXT NOT NULL,
      PRIMARY KEY (draft, statement, position)
    ) WITHOUT ROWID;

    -- Every change to a draft: who, when, what (created, edited, approved, rejected, revised,
    -- superseded), the status before and after, a note (the reason of a rejection) and the text
    -- after the step.
    CREATE TABLE draft_audit (
      id INTEGER PRIMARY KEY,
      draft INTEGER NOT NULL REFERENCES drafts(id),
      at INTEGER NOT NULL,
      who TEXT NOT NULL,
      action TEXT NOT NULL,
      from_status TEXT,
      to_status TEXT,
      note TEXT NOT NULL DEFAULT '',
      text TEXT
    );
    CREATE INDEX draft_audit_draft ON draft_audit(draft);

    -- Cutoff reviews: a snapshot of every live order's state, promise status and open blocker
    -- codes, so 'changes' can say what moved since.
    CREATE TABLE reviews (
      id INTEGER PRIMARY KEY,
      data_at INTEGER NOT NULL,
      marked_at INTEGER NOT NULL,
      who TEXT NOT NULL,
      note TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE review_orders (
      review INTEGER NOT NULL REFERENCES reviews(id),
      order_id TEXT NOT NULL,
      priority TEXT NOT NULL,
      customer TEXT NOT NULL,
      state TEXT NOT NULL,
      promise TEXT NOT NULL,
      blockers TEXT NOT NULL,
      PRIMARY KEY (review, order_id)
    ) WITHOUT ROWID;
    """
}
