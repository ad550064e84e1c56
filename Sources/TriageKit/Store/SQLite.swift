import CSQLite
import TriageCore

/// A connection to an SQLite database (the system libsqlite3).
///
/// A class: it owns the connection handle and closes it once. Every value reaches SQL through
/// bound parameters (`?`), never through string interpolation.
public final class Database: @unchecked Sendable {
  let handle: OpaquePointer
  public let path: String

  /// Process-wide SQLite settings, made once before the first connection: no memory
  /// statistics (their mutex cost ingest about 5%; triage never reads them).
  private static let configured: Bool = triage_sqlite3_disable_memstatus() == SQLITE_OK

  /// Opens (creating when missing) a database; ":memory:" opens a private in-memory one. A
  /// statement that finds the store locked by another writer retries for `busyMilliseconds`.
  public init(path: String, readOnly: Bool = false, busyMilliseconds: Int32 = 10_000) throws(TriageError) {
    _ = Database.configured
    var db: OpaquePointer?
    let flags =
      (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
      | SQLITE_OPEN_NOMUTEX
    let rc = sqlite3_open_v2(path, &db, flags, nil)
    guard rc == SQLITE_OK, let db else {
      let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
      if let db { sqlite3_close_v2(db) }
      throw TriageError(.cannotCreate, "cannot open the store '\(path)': \(message)")
    }
    handle = db
    self.path = path
    sqlite3_extended_result_codes(db, 1)
    sqlite3_busy_timeout(db, busyMilliseconds)
  }

  deinit { sqlite3_close_v2(handle) }

  /// Runs one or more statements that take no parameters (schema, pragmas).
  public func execute(_ sql: String) throws(TriageError) {
    var error: UnsafeMutablePointer<CChar>?
    let rc = sqlite3_exec(handle, sql, nil, nil, &error)
    if rc != SQLITE_OK {
      let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
      sqlite3_free(error)
      throw failure(message, sql: sql)
    }
  }

  /// Prepares a statement for repeated use.
  public func prepare(_ sql: String) throws(TriageError) -> Statement {
    var stmt: OpaquePointer?
    let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
    guard rc == SQLITE_OK, let stmt else {
      throw failure(String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
    return Statement(stmt, db: self)
  }

  /// Runs `body` in one transaction (BEGIN IMMEDIATE … COMMIT); rolls back when it throws, so
  /// a failed run leaves the database as it was.
  public func transaction<R>(_ body: () throws(TriageError) -> R) throws(TriageError) -> R {
    try execute("BEGIN IMMEDIATE")
    do {
      let result = try body()
      try execute("COMMIT")
      return result
    } catch {
      try? execute("ROLLBACK")
      throw error
    }
  }

  /// Runs `body` in a read transaction, so every query in it sees one snapshot (WAL).
  public func read<R>(_ body: () throws(TriageError) -> R) throws(TriageError) -> R {
    try execute("BEGIN")
    do {
      let result = try body()
      try execute("COMMIT")
      return result
    } catch {
      try? execute("ROLLBACK")
      throw error
    }
  }

  /// Sets the journal mode (`PRAGMA journal_mode`) and returns the mode in effect afterwards,
  /// or nil when the change needs access another connection holds (leaving WAL needs the
  /// database to itself; SQLite refuses at once rather than waiting).
  func setJournalMode(_ mode: String) -> String? {
    var stmt: OpaquePointer?
    guard sqlite3_prepare_v2(handle, "PRAGMA journal_mode=\(mode)", -1, &stmt, nil) == SQLITE_OK, let stmt else { return nil }
    defer { sqlite3_finalize(stmt) }
    guard sqlite3_step(stmt) == SQLITE_ROW, let text = sqlite3_column_text(stmt, 0) else { return nil }
    return String(cString: text)
  }

  public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
  public var changes: Int { Int(sqlite3_changes(handle)) }

  func failure(_ message: String, sql: String) -> TriageError {
    let code = sqlite3_extended_errcode(handle)
    let status: ExitStatus = code == SQLITE_CORRUPT || code == SQLITE_NOTADB ? .dataError : .failure
    let hint: String
    if code == SQLITE_NOTADB {
      hint = "'\(path)' is not a triage store (not an SQLite database)"
    } else if code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED {
      // Still locked after the busy timeout: another process holds a write lock (the first
      // ingest into a new store holds it until it commits).
      hint =
        "store '\(path)': \(message): another triage is writing it (an ingest into a new store "
        + "locks it until it commits); try again when that has finished"
    } else {
      hint = "store '\(path)': \(message)"
    }
    return TriageError(status, hint)
  }
}

/// A prepared statement: bind, step, read columns, reset, repeat.
///
/// A class: it owns the statement handle and finalizes it once.
public final class Statement {
  let stmt: OpaquePointer
  unowned let db: Database

  init(_ stmt: OpaquePointer, db: Database) {
    self.stmt = stmt
    self.db = db
  }

  deinit { sqlite3_finalize(stmt) }

  /// SQLITE_TRANSIENT: SQLite copies bound text and blobs.
  static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

  // MARK: Binding (1-based indexes, as SQLite counts them)

  public func bind(_ i: Int32, _ value: String?) {
    guard let value else {
      sqlite3_bind_null(stmt, i)
      return
    }
    var copy = value
    copy.withUTF8 { bind(i, bytes: $0) }
  }

  /// Binds UTF-8 bytes as text without making a String.
  public func bind(_ i: Int32, bytes p: UnsafeBufferPointer<UInt8>) {
    guard let base = p.baseAddress, p.count > 0 else {
      sqlite3_bind_text(stmt, i, "", 0, Statement.transient)
      return
    }
    base.withMemoryRebound(to: CChar.self, capacity: p.count) {
      _ = sqlite3_bind_text(stmt, i, $0, Int32(p.count), Statement.transient)
    }
  }

  /// Binds UTF-8 bytes as text without a copy (SQLITE_STATIC): for bytes that stay where they
  /// are, unchanged, until the statement has been stepped. Ingest binds each theme row's code
  /// and value and each note's fields this way (a copy was a `malloc`, a `memcpy` and a `free`
  /// per value).
  public func bind(_ i: Int32, borrowing p: UnsafeBufferPointer<UInt8>) {
    guard let base = p.baseAddress, p.count > 0 else {
      sqlite3_bind_text(stmt, i, "", 0, nil)
      return
    }
    base.withMemoryRebound(to: CChar.self, capacity: p.count) {
      _ = sqlite3_bind_text(stmt, i, $0, Int32(p.count), nil)
    }
  }

  public func bind(_ i: Int32, _ value: Int64?) {
    guard let value else {
      sqlite3_bind_null(stmt, i)
      return
    }
    sqlite3_bind_int64(stmt, i, value)
  }

  public func bind(_ i: Int32, _ value: Int?) { bind(i, value.map(Int64.init)) }

  public func bind(_ i: Int32, _ value: Double?) {
    guard let value else {
      sqlite3_bind_null(stmt, i)
      return
    }
    sqlite3_bind_double(stmt, i, value)
  }

  /// Binds values in order from index 1.
  public func bindAll(_ values: [SQLValue]) {
    for (k, v) in values.enumerated() {
      let i = Int32(k + 1)
      switch v {
      case .null: sqlite3_bind_null(stmt, i)
      case .int(let x): sqlite3_bind_int64(stmt, i, x)
      case .double(let x): sqlite3_bind_double(stmt, i, x)
      case .text(let s): bind(i, s)
      }
    }
  }

  // MARK: Stepping

  /// Advances to the next row; false when the statement is done.
  @discardableResult
  public func step() throws(TriageError) -> Bool {
    let rc = sqlite3_step(stmt)
    if rc == SQLITE_ROW { return true }
    if rc == SQLITE_DONE { return false }
    throw db.failure(String(cString: sqlite3_errmsg(db.handle)), sql: sqlString)
  }

  /// Resets for another run and clears the bindings.
  public func reset() {
    sqlite3_reset(stmt)
    sqlite3_clear_bindings(stmt)
  }

  /// Resets for another run keeping the bindings: for a statement whose every parameter is
  /// bound again before each step (clearing them cost ingest about 500 instructions a row).
  public func rewind() {
    sqlite3_reset(stmt)
  }

  /// Binds, runs to completion and resets (an INSERT, UPDATE or DELETE).
  public func run(_ values: [SQLValue] = []) throws(TriageError) {
    try run { $0.bindAll(values) }
  }

  /// `run(_:)` with the values bound by `bind` instead of an array of `SQLValue`s (ingest runs
  /// statements per row of the enrichment files; the array and its boxed strings were most of
  /// the cost outside SQLite).
  public func run(binding bind: (Statement) -> Void) throws(TriageError) {
    reset()
    bind(self)
    while try step() {}
    sqlite3_reset(stmt)
  }

  /// Binds, runs and collects every row with `row`.
  public func rows<R>(_ values: [SQLValue] = [], _ row: (Statement) -> R) throws(TriageError) -> [R] {
    reset()
    bindAll(values)
    var out: [R] = []
    while try step() { out.append(row(self)) }
    sqlite3_reset(stmt)
    return out
  }

  /// The first row, if any.
  public func first<R>(_ values: [SQLValue] = [], _ row: (Statement) -> R) throws(TriageError) -> R? {
    reset()
    bindAll(values)
    defer { sqlite3_reset(stmt) }
    return try step() ? row(self) : nil
  }

  var sqlString: String { sqlite3_sql(stmt).map { String(cString: $0) } ?? "" }

  // MARK: Columns (0-based)

  public func isNull(_ i: Int32) -> Bool { sqlite3_column_type(stmt, i) == SQLITE_NULL }
  public func int(_ i: Int32) -> Int64 { sqlite3_column_int64(stmt, i) }
  public func optionalInt(_ i: Int32) -> Int64? { isNull(i) ? nil : sqlite3_column_int64(stmt, i) }
  public func double(_ i: Int32) -> Double { sqlite3_column_double(stmt, i) }

  public func text(_ i: Int32) -> String {
    guard let p = sqlite3_column_text(stmt, i) else { return "" }
    let n = Int(sqlite3_column_bytes(stmt, i))
    return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
  }

  public func optionalText(_ i: Int32) -> String? { isNull(i) ? nil : text(i) }
}

/// A value bound to a statement.
public enum SQLValue: Sendable, Hashable {
  case null
  case int(Int64)
  case double(Double)
  case text(String)

  public static func of(_ s: String?) -> SQLValue { s.map { .text($0) } ?? .null }
  public static func of(_ i: Int64?) -> SQLValue { i.map { .int($0) } ?? .null }
  public static func of(_ i: Int?) -> SQLValue { i.map { .int(Int64($0)) } ?? .null }
}
