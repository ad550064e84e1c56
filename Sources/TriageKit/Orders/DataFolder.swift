import Foundation
import TriageCore

/// A data folder of exports (DATA.md): notes.csv (or notes.jsonl) required; orders.csv,
/// lines.csv, inventory.csv and events.csv when present; and our optional triage.conf.
public struct DataFolder: Sendable {
  public let path: String
  /// The notes file: notes.csv, else notes.jsonl.
  public let notesPath: String
  /// When the export was taken (triage.conf `as_of`): the default for --now with this folder.
  public let asOf: Int64?

  public init(path: String) throws(TriageError) {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
      throw TriageError(.noInput, "data folder '\(path)' does not exist")
    }
    guard isDir.boolValue else {
      throw TriageError(
        .noInput, "'\(path)' is a file, not a data folder: give the folder that holds notes.csv")
    }
    self.path = path
    let csv = (path as NSString).appendingPathComponent("notes.csv")
    let jsonl = (path as NSString).appendingPathComponent("notes.jsonl")
    if FileManager.default.fileExists(atPath: csv) {
      notesPath = csv
    } else if FileManager.default.fileExists(atPath: jsonl) {
      notesPath = jsonl
    } else {
      throw TriageError(.noInput, "data folder '\(path)' has no notes.csv (or notes.jsonl); it is the one file a data folder needs")
    }
    asOf = try DataFolder.readConf((path as NSString).appendingPathComponent("triage.conf"))
  }

  public func file(_ name: String) -> String? {
    let p = (path as NSString).appendingPathComponent(name)
    return FileManager.default.fileExists(atPath: p) ? p : nil
  }

  /// Reads triage.conf: `key = value` lines, `#` comments; only `as_of` so far.
  static func readConf(_ path: String) throws(TriageError) -> Int64? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    guard let text = String(data: data, encoding: .utf8) else {
      throw TriageError.data("triage.conf is not valid UTF-8", at: SourceLocation(file: path))
    }
    var asOf: Int64?
    for (n, raw) in TextLines.split(text).enumerated() {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") { continue }
      let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
      guard parts.count == 2 else {
        throw .data("expected 'key = value', found '\(SafeText.escape(line))'", at: SourceLocation(file: path, line: n + 1, column: 1))
      }
      switch parts[0] {
      case "as_of":
        do {
          asOf = try Timestamp(parts[1]).seconds
        } catch {
          throw .data("invalid as_of '\(SafeText.escape(parts[1]))': \(error.message)", at: SourceLocation(file: path, line: n + 1, column: 1))
        }
      default:
        throw .data("unknown setting '\(SafeText.escape(parts[0]))'; triage.conf knows 'as_of'", at: SourceLocation(file: path, line: n + 1, column: 1))
      }
    }
    return asOf
  }

  // MARK: Reading the enrichment files

  /// Reads orders.csv; each row validated (statuses, priority, times, dates).
  public func orders(onReject: ((Rejection) -> Void)?) throws(TriageError) -> [OrderRecord] {
    guard let path = file("orders.csv") else { return [] }
    let known = [
      "order_id", "customer", "channel", "priority", "placed_at", "promise_date", "cutoff_at",
      "erp_status", "wms_status", "storefront_status", "carrier", "tracking",
    ]
    var seen: [String: Int] = [:]
    return try TableReader.read(path, required: ["order_id"], known: known, onReject: onReject) { row throws(TriageError) in
      var o = OrderRecord(orderID: try row.nonEmpty("order_id"))
      if let first = seen[o.orderID] {
        throw row.error("order_id", "duplicate order '\(o.orderID)' (first at line \(first))")
      }
      seen[o.orderID] = row.line
      o.customer = row["customer"]
      o.channel = row["channel"]
      o.priority = try row.choice("priority", OrderRecord.priorities, allowEmpty: true)
      o.placedAt = try row.time("placed_at")
      o.promiseDate = try row.date("promise_date")
      o.cutoffAt = try row.time("cutoff_at")
      o.erpStatus = try row.choice("erp_status", OrderRecord.erpStatuses, allowEmpty: true)
      o.wmsStatus = try row.choice("wms_status", OrderRecord.wmsStatuses, allowEmpty: true)
      o.storefrontStatus = try row.choice("storefront_status", OrderRecord.storefrontStatuses, allowEmpty: true)
      o.carrier = row["carrier"]
      o.tracking = row["tracking"]
      o.extra = row.extra
      return o
    }
  }

  /// Reads lines.csv; quantities are whole numbers ≥ 0, empty meaning "not reported yet".
  public func lines(onReject: ((Rejection) -> Void)?) throws(TriageError) -> [LineRecord] {
    guard let path = file("lines.csv") else { return [] }
    let known = ["order_id", "line_no", "sku", "qty_ordered", "qty_allocated", "qty_picked", "qty_packed", "qty_shipped"]
    var seen: [LineKey: Int] = [:]
    return try TableReader.read(path, required: ["order_id", "line_no", "sku"], known: known, onReject: onReject) { row throws(TriageError) in
      let order = try row.nonEmpty("order_id")
      guard let no = try row.quantity("line_no"), no >= 1 else {
        throw row.error("line_no", "expected a line number of 1 or more, found '\(row["line_no"])'")
      }
      let key = LineKey(order: order, no: no)
      if let first = seen[key] { throw row.error("line_no", "duplicate line \(order)/\(no) (first at line \(first))") }
      seen[key] = row.line
      return LineRecord(
        orderID: order, lineNo: no, sku: try row.nonEmpty("sku"), ordered: try row.quantity("qty_ordered"),
        allocated: try row.quantity("qty_allocated"), picked: try row.quantity("qty_picked"),
        packed: try row.quantity("qty_packed"), shipped: try row.quantity("qty_shipped"))
    }
  }

  /// Reads inventory.csv; counts are whole numbers (a negative count is a real drift signal and
  /// is kept).
  public func inventory(onReject: ((Rejection) -> Void)?) throws(TriageError) -> [InventoryRecord] {
    guard let path = file("inventory.csv") else { return [] }
    let known = ["sku", "location", "wms_on_hand", "erp_on_hand", "storefront_available", "as_of"]
    var seen: [InventoryKey: Int] = [:]
    return try TableReader.read(path, required: ["sku"], known: known, onReject: onReject) { row throws(TriageError) in
      let sku = try row.nonEmpty("sku")
      let loc = row["location"]
      let key = InventoryKey(sku: sku, location: loc)
      if let first = seen[key] {
        throw row.error("sku", "duplicate inventory row for '\(sku)' at '\(loc)' (first at line \(first))")
      }
      seen[key] = row.line
      return InventoryRecord(
        sku: sku, location: loc, wms: try row.count("wms_on_hand"), erp: try row.count("erp_on_hand"),
        storefront: try row.count("storefront_available"), asOf: try row.time("as_of"))
    }
  }

  /// The keys duplicates are found by: the fields themselves, not a string joining them (one
  /// allocation less per row, and a SKU holding '@' cannot pass for another SKU's location).
  struct LineKey: Hashable {
    var order: String
    var no: Int
  }
  struct InventoryKey: Hashable {
    var sku: String
    var location: String
  }

  /// Reads events.csv; type and status from DATA.md's sets, `at` a timestamp.
  public func events(onReject: ((Rejection) -> Void)?) throws(TriageError) -> [EventRecord] {
    guard let path = file("events.csv") else { return [] }
    let known = ["event_id", "at", "type", "from_system", "to_system", "ref", "qty", "status", "message", "idempotency_key"]
    var seen: [String: Int] = [:]
    return try TableReader.read(path, required: ["event_id", "at", "type", "status"], known: known, onReject: onReject) { row throws(TriageError) in
      let id = try row.nonEmpty("event_id")
      if let first = seen[id] { throw row.error("event_id", "duplicate event '\(id)' (first at line \(first))") }
      seen[id] = row.line
      guard let at = try row.time("at") else { throw row.error("at", "missing time: every event needs 'at'") }
      var e = EventRecord(
        eventID: id, at: at, type: try row.choice("type", EventRecord.types, allowEmpty: false),
        status: try row.choice("status", EventRecord.statuses, allowEmpty: false))
      e.fromSystem = row["from_system"]
      e.toSystem = row["to_system"]
      e.ref = row["ref"]
      e.qty = try row.count("qty")
      e.message = row["message"]
      e.idempotencyKey = row["idempotency_key"]
      return e
    }
  }
}

/// Reads a CSV export into records, one validated row at a time, with `path:line:col` errors
/// and `--skip-bad` rejections.
enum TableReader {
  /// Column indexes by (lower-cased) name, first occurrence first. Searched in place: a
  /// dictionary hashed the name at every field read (about 400 instructions, a twentieth of
  /// reading the enrichment files); here a name of another length costs a compare of two
  /// counts (a native string keeps its own), and files have a dozen columns.
  struct Columns {
    private var columns: [(name: String, index: Int)] = []

    init(_ header: [String]) {
      for (k, n) in header.enumerated() {
        let name = n.lowercased()
        if !columns.contains(where: { $0.name == name }) { columns.append((name, k)) }
      }
    }

    subscript(_ name: String) -> Int? {
      let length = name.utf8.count
      return columns.first { $0.name.utf8.count == length && $0.name == name }?.index
    }
  }

  /// A row of a CSV file, fields by column name.
  ///
  /// Fields are read from the reader's current record when asked for: a dictionary of every
  /// field per row cost more than everything else in reading the enrichment files (a hash, a
  /// `String` and a resize per column per row).
  struct Row {
    let columns: Columns
    let reader: CSVReader
    let line: Int
    let extraNames: [String]

    subscript(_ name: String) -> String {
      guard let k = columns[name], k < reader.fieldCount else { return "" }
      return reader.string(k)
    }

    var extra: String {
      extraNames.compactMap { n in
        let v = self[n]
        return v.isEmpty ? nil : "\(n)=\(v)"
      }.joined(separator: "\n")
    }

    func location(_ name: String) -> SourceLocation {
      columns[name].map { reader.location(ofField: $0) } ?? reader.location
    }

    func error(_ name: String, _ message: String) -> TriageError {
      TriageError(.dataError, [Diagnostic.error(message, at: location(name))])
    }

    func nonEmpty(_ name: String) throws(TriageError) -> String {
      let v = TableReader.trimmed(self[name])
      if v.isEmpty { throw error(name, "empty \(name): every row needs one") }
      return v
    }

    func choice(_ name: String, _ allowed: [String], allowEmpty: Bool) throws(TriageError) -> String {
      let v = TableReader.trimmed(self[name]).lowercased()
      if v.isEmpty && allowEmpty { return "" }
      guard allowed.contains(v) else {
        let shown = allowed.filter { !$0.isEmpty }
        throw error(
          name,
          "invalid \(name) '\(SafeText.escape(self[name]))'; expected one of \(shown.joined(separator: ", "))\(allowEmpty ? " or empty" : "")\(Suggest.didYouMean(v, in: shown))")
      }
      return v
    }

    func time(_ name: String) throws(TriageError) -> Int64? {
      let v = TableReader.trimmed(self[name])
      if v.isEmpty { return nil }
      do { return try Timestamp(v).seconds } catch {
        throw self.error(name, "invalid \(name) '\(SafeText.escape(v))': \(error.message)")
      }
    }

    func date(_ name: String) throws(TriageError) -> Int64? {
      let v = TableReader.trimmed(self[name])
      if v.isEmpty { return nil }
      do {
        let t = try Timestamp(v)
        return t.localDay
      } catch {
        throw self.error(name, "invalid \(name) '\(SafeText.escape(v))': expected a date like 2026-11-23 (\(error.message))")
      }
    }

    /// A whole number ≥ 0, or nil when empty.
    func quantity(_ name: String) throws(TriageError) -> Int? {
      let v = TableReader.trimmed(self[name])
      if v.isEmpty { return nil }
      guard let n = Int(v) else {
        throw error(name, "invalid \(name) '\(SafeText.escape(v))': expected a whole number")
      }
      guard n >= 0 else { throw error(name, "invalid \(name) '\(v)': a quantity cannot be negative") }
      return n
    }

    /// A whole number that may be negative (inventory counts, adjustment quantities).
    func count(_ name: String) throws(TriageError) -> Int? {
      let v = TableReader.trimmed(self[name])
      if v.isEmpty { return nil }
      guard let n = Int(v) else {
        throw error(name, "invalid \(name) '\(SafeText.escape(v))': expected a whole number")
      }
      return n
    }
  }

  /// `s.trimmingCharacters(in: .whitespaces)`, without Foundation when nothing is to trim (an
  /// ingest trims every field of every row).
  static func trimmed(_ s: String) -> String {
    func plain(_ b: UInt8) -> Bool { b != ASCII.space && b != ASCII.tab && b < 0x80 }
    // The ends read from the string's bytes in place (`utf8.last` walked the generic
    // collection path, about a hundred instructions a field).
    var copy = s
    let plainEnds = copy.withUTF8 { b in b.isEmpty || (plain(b[0]) && plain(b[b.count - 1])) }
    return plainEnds ? s : s.trimmingCharacters(in: .whitespaces)
  }

  static func read<R>(
    _ path: String, required: [String], known: [String], onReject: ((Rejection) -> Void)?,
    _ make: (Row) throws(TriageError) -> R
  ) throws(TriageError) -> [R] {
    var reader = try CSVReader(path: path)
    let header = try CSVHeader(reading: &reader)
    _ = try header.require(required)
    let columns = Columns(header.names)
    let extraNames = header.names.map { $0.lowercased() }.filter { !known.contains($0) }
    var out: [R] = []
    while true {
      do throws(TriageError) {
        guard try reader.next() else { break }
        try header.checkFieldCount(of: reader)
        let row = Row(columns: columns, reader: reader, line: reader.line, extraNames: extraNames)
        out.append(try make(row))
      } catch {
        guard reader.canContinue, let onReject else { throw error }
        onReject(Rejection(diagnostic: error.diagnostics[0], raw: reader.recordBytes))
      }
    }
    return out
  }
}
