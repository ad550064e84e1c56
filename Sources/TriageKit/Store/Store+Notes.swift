import Dispatch
import Foundation
import TriageCore

/// What the classifier found in one batch of notes, in flat arrays the writer reads without
/// allocating: per note, its reasons and its references (keys, as the store matches them).
///
/// Filled on one thread while the writer stores the previous batch on another: classifying and
/// writing SQLite rows cost about the same, so a two-core machine ingests about twice as fast.
struct ClassifiedBatch: Sendable {
  struct Reason: Sendable {
    var code: Int32
    var score: Int32
    var resolved: Bool
  }
  struct Ref: Sendable {
    var kind: UInt8
    /// The key's bytes in `keys`.
    var start: Int32
    var end: Int32
  }

  var reasons: [Reason] = []
  var refs: [Ref] = []
  var keys: [UInt8] = []
  /// Note i's reasons are `reasons[reasonStart[i]..<reasonStart[i + 1]]`; the same for refs.
  var reasonStart: [Int32] = [0]
  var refStart: [Int32] = [0]

  mutating func removeAll() {
    reasons.removeAll(keepingCapacity: true)
    refs.removeAll(keepingCapacity: true)
    keys.removeAll(keepingCapacity: true)
    reasonStart.removeAll(keepingCapacity: true)
    refStart.removeAll(keepingCapacity: true)
    reasonStart.append(0)
    refStart.append(0)
  }

  /// Classifies every note of `batch`.
  mutating func classify(_ batch: NoteBatch, _ classifier: Classifier, _ scratch: inout ClassifierScratch) {
    removeAll()
    let rules = classifier.lexicon.identifiers
    let prefix = Array(Store.key(rules.orderPrefix).utf8)
    batch.bytes.withUnsafeBufferPointer { all in
      for r in batch.records {
        let text = UnsafeBufferPointer(rebasing: all[Int(r.text.lowerBound)..<Int(r.text.upperBound)])
        classifier.classify(text, into: &scratch)
        for res in scratch.reasonBuffer {
          reasons.append(Reason(code: res.code, score: res.score, resolved: res.resolved))
        }
        for id in scratch.identifierBuffer {
          let start = Int32(keys.count)
          // FoundIdentifier.text(in:rules:), upper-cased: orders as prefix + digits, SKUs and
          // locations as written.
          if id.kind == .order {
            keys += prefix
            keys += text[Int(id.digitsStart)..<Int(id.end)]
          } else {
            for b in text[Int(id.start)..<Int(id.end)] { keys.append(ASCII.isLetter(b) ? b & ~0x20 : b) }
          }
          refs.append(Ref(kind: id.kind.rawValue, start: start, end: Int32(keys.count)))
        }
        reasonStart.append(Int32(reasons.count))
        refStart.append(Int32(refs.count))
      }
    }
  }
}

/// The notes side of `ingest`: a reader, the classifier on a second thread, and the writer.
extension Store {
  /// One batch in flight: the notes read and what the classifier found in them. A class, so
  /// the two threads each hold their own slot and never touch a shared array.
  final class IngestSlot: @unchecked Sendable {
    var batch = NoteBatch()
    var classified = ClassifiedBatch()
    var more = false
    /// The rows the reader rejected in this batch, handed on by the calling thread.
    var rejected: [Rejection] = []
  }

  /// What the two threads of one ingest step share. The classifying thread owns the reader, the
  /// scratch and the next slot; the writing thread reads the current slot only.
  final class IngestPipeline: @unchecked Sendable {
    var reader: NoteBatchReader
    let slots = [IngestSlot(), IngestSlot()]
    var scratch = ClassifierScratch()
    var readError: TriageError?
    var writeError: TriageError?

    init(reader: NoteBatchReader) { self.reader = reader }

    /// Reads and classifies the next batch into slot `i`.
    func fill(_ i: Int, _ classifier: Classifier) {
      let slot = slots[i]
      slot.rejected.removeAll()
      if reader.onReject != nil { reader.onReject = { slot.rejected.append($0) } }
      do throws(TriageError) {
        slot.more = try reader.next(into: &slot.batch, maxNotes: Store.ingestBatch)
        if slot.more { slot.classified.classify(slot.batch, classifier, &scratch) }
      } catch {
        slot.more = false
        readError = error
      }
    }
  }

  static let ingestBatch = 8192

  /// Stores new notes with their classification, references and theme rows. Notes already
  /// stored with the same text are counted unchanged; the same id with another text is an
  /// error (or, with `skipBad`, a rejection).
  func insertNotes(
    _ reader: inout NoteBatchReader, classifier: Classifier, ingest: Int64, skipBad: Bool,
    reject: @escaping (Rejection) -> Void
  ) throws(TriageError) -> IngestCounts {
    var writer = try NoteWriter(store: self, classifier: classifier, ingest: ingest, skipBad: skipBad, reject: reject)
    // Rejections reach `reject` on the calling thread, or on the writing thread while the
    // calling thread waits for it: a batch's rejected rows first, then its reused note ids.
    let forward = reader.onReject
    let p = IngestPipeline(reader: reader)
    defer {
      p.reader.onReject = forward
      reader = p.reader
    }
    let name = reader.name
    p.fill(0, classifier)
    var cur = 0
    while p.slots[cur].more {
      if let e = p.readError { throw e }
      let next = 1 - cur
      let slot = p.slots[cur]
      if let forward { for r in slot.rejected { forward(r) } }
      let w = UncheckedBox(writer)
      // Classify the next batch while this one is written (the connection stays on one
      // thread at a time: only the writing side touches it).
      DispatchQueue.concurrentPerform(iterations: 2) { k in
        if k == 0 {
          p.fill(next, classifier)
        } else {
          do throws(TriageError) {
            try w.value.write(slot.batch, slot.classified, name: name)
          } catch {
            p.writeError = error
          }
        }
      }
      writer = w.value
      if let e = p.writeError { throw e }
      cur = next
    }
    if let e = p.readError { throw e }
    return writer.counts
  }
}

/// A value handed to one other thread and back (the ingest step's writer).
final class UncheckedBox<T>: @unchecked Sendable {
  var value: T
  init(_ v: T) { value = v }
}

/// Writes classified notes: the note row, its reasons, its references and its `theme_refs`
/// rows (ThemeSchema), through statements prepared once.
struct NoteWriter {
  let store: Store
  let classifier: Classifier
  let ingest: Int64
  let skipBad: Bool
  let reject: (Rejection) -> Void
  let insert: Statement
  let existing: Statement
  let reason: ChunkedInsert
  let ref: ChunkedInsert
  let theme: ChunkedInsert
  let orderFacts: Statement
  /// Each code's name as bytes, by code index; its rank in name order, and back.
  let codeNames: [[UInt8]]
  /// The names end to end, code i's at `codeSpans[i]` (bound without a copy).
  let codeBytes: [UInt8]
  let codeSpans: [Range<Int>]
  let codeRank: [Int]
  let codeByRank: [Int]
  /// The batch's mentions per (day, code, status) for `reason_days`.
  var dayCounts: [DayCode: Int64] = [:]
  let dayCount: Statement
  /// The batch's reasons and references, written after its notes (their keys are in the
  /// batch's `ClassifiedBatch.keys`).
  var reasonRows: [(note: Int64, reason: ClassifiedBatch.Reason, day: Int64)] = []
  var refRows: [(note: Int64, ref: ClassifiedBatch.Ref)] = []
  /// The batch's `theme_refs` rows, values in `themeBytes`.
  var themeRows: [ThemeRow] = []
  var themeBytes: [UInt8] = []
  var counts = IngestCounts()
  /// Customer and carrier of the orders seen, read once per order (the orders were written
  /// first), found by the key's FNV-1a hash and checked byte for byte.
  var factIndex: [UInt64: Int32] = [:]
  var facts: [(key: [UInt8], found: Bool, customer: [UInt8], carrier: [UInt8])] = []
  /// Scratch: the note's order key, and its entities as (kind, range in `entityBytes`).
  var orderKey: [UInt8] = []
  var entityBytes: [UInt8] = []
  var entities: [(kind: Int64, start: Int, end: Int)] = []

  init(store: Store, classifier: Classifier, ingest: Int64, skipBad: Bool, reject: @escaping (Rejection) -> Void) throws(TriageError) {
    self.store = store
    self.classifier = classifier
    self.ingest = ingest
    self.skipBad = skipBad
    self.reject = reject
    insert = try store.statement(
      """
      INSERT INTO notes(note_id, created_at, day, source, text, order_id, author, ingest)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(note_id) DO NOTHING
      """)
    existing = try store.statement("SELECT text, ingest FROM notes WHERE note_id = ?")
    reason = try ChunkedInsert(store, "INSERT INTO note_reasons(note, code, status, score, day)", columns: 5)
    ref = try ChunkedInsert(store, "INSERT OR IGNORE INTO note_refs(note, kind, value)", columns: 3)
    theme = try ChunkedInsert(store, "INSERT OR IGNORE INTO theme_refs(code, status, kind, day, value, note)", columns: 6)
    orderFacts = try store.statement("SELECT customer, carrier FROM orders WHERE order_key = ?")
    dayCount = try store.statement(
      """
      INSERT INTO reason_days(day, code, status, n) VALUES (?, ?, ?, ?)
      ON CONFLICT(day, code, status) DO UPDATE SET n = n + excluded.n
      """)
    codeNames = classifier.lexicon.codes.map { Array($0.code.utf8) }
    var bytes: [UInt8] = []
    var spans: [Range<Int>] = []
    for n in codeNames {
      spans.append(bytes.count..<(bytes.count + n.count))
      bytes += n
    }
    codeBytes = bytes
    codeSpans = spans
    let names = codeNames
    codeByRank = names.indices.sorted { names[$0].lexicographicallyPrecedes(names[$1]) }
    var rank = [Int](repeating: 0, count: names.count)
    for (r, i) in codeByRank.enumerated() { rank[i] = r }
    codeRank = rank
  }

  mutating func write(_ batch: NoteBatch, _ c: ClassifiedBatch, name: String) throws(TriageError) {
    try batch.bytes.withUnsafeBufferPointer { (all: UnsafeBufferPointer<UInt8>) throws(TriageError) in
      try c.keys.withUnsafeBufferPointer { (keys: UnsafeBufferPointer<UInt8>) throws(TriageError) in
        for (i, r) in batch.records.enumerated() {
          func field(_ range: Range<Int32>) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: all[Int(range.lowerBound)..<Int(range.upperBound)])
          }
          let created: Int64
          do throws(Timestamp.ParseError) {
            created = try Timestamp.parse(field(r.createdAt)).seconds
          } catch {
            throw TriageError.data("invalid created_at: \(error.message)", at: SourceLocation(file: name, line: Int(r.line)))
          }
          let day = Timestamp.day(ofSeconds: created)
          Store.key(field(r.orderID), into: &orderKey)
          insert.rewind()
          // The batch's bytes stay put until the next batch: bound without a copy.
          insert.bind(1, borrowing: field(r.id))
          insert.bind(2, created)
          insert.bind(3, day)
          insert.bind(4, borrowing: field(r.source))
          insert.bind(5, borrowing: field(r.text))
          orderKey.withUnsafeBufferPointer { insert.bind(6, bytes: $0) }
          insert.bind(7, borrowing: field(r.author))
          insert.bind(8, ingest)
          try insert.step()
          if store.db.changes == 0 {
            existing.reset()
            existing.bind(1, bytes: field(r.id))
            let found = try existing.step()
            let same = found && existing.text(0).utf8.elementsEqual(field(r.text))
            // Stored by this very run: the id is repeated within the file.
            let repeated = found && existing.int(1) == ingest
            existing.reset()
            if same {
              counts.unchanged += 1
              continue
            }
            let id = SafeText.escape(String(decoding: field(r.id), as: UTF8.self))
            let d = Diagnostic.error(
              repeated
                ? "duplicate note id '\(id)' with different text: an earlier row of this file has the same id; note ids must be unique"
                : "note '\(id)' is already stored with different text; note ids must not be reused",
              at: SourceLocation(file: name, line: Int(r.line), column: 1))
            guard skipBad else { throw TriageError(.dataError, [d]) }
            reject(Rejection(diagnostic: d, raw: []))
            counts.rejected += 1
            continue
          }
          let note = store.db.lastInsertRowID
          counts.new += 1
          let reasons = c.reasons[Int(c.reasonStart[i])..<Int(c.reasonStart[i + 1])]
          let refs = c.refs[Int(c.refStart[i])..<Int(c.refStart[i + 1])]
          for res in reasons {
            reasonRows.append((note, res, day))
            dayCounts[DayCode(day: day, code: res.code, resolved: res.resolved), default: 0] += 1
          }
          for f in refs { refRows.append((note, f)) }
          guard !reasons.isEmpty else { continue }
          try entities(orderKey: orderKey, refs: refs, keys: keys)
          for e in entities {
            let start = Int32(themeBytes.count)
            themeBytes += entityBytes[e.start..<e.end]
            for res in reasons {
              themeRows.append(ThemeRow(
                code: Int16(codeRank[Int(res.code)]), status: res.resolved ? 1 : 0, kind: Int8(e.kind), day: day,
                start: start, end: Int32(themeBytes.count), note: note))
            }
          }
        }
        try flushReasonsAndRefs(keys)
      }
    }
    try flushThemeRows()
    try flushDayCounts()
  }

  /// Writes the batch's reasons and references, many rows a statement.
  mutating func flushReasonsAndRefs(_ keys: UnsafeBufferPointer<UInt8>) throws(TriageError) {
    defer {
      reasonRows.removeAll(keepingCapacity: true)
      refRows.removeAll(keepingCapacity: true)
    }
    let spans = codeSpans
    let reasons = reasonRows
    let reason = reason
    try codeBytes.withUnsafeBufferPointer { (names: UnsafeBufferPointer<UInt8>) throws(TriageError) in
      try reason.run(count: reasons.count) { s, b, i in
        let r = reasons[i]
        s.bind(b + 1, r.note)
        s.bind(b + 2, borrowing: UnsafeBufferPointer(rebasing: names[spans[Int(r.reason.code)]]))
        s.bind(b + 3, Int64(r.reason.resolved ? 1 : 0))
        s.bind(b + 4, Int64(r.reason.score))
        s.bind(b + 5, r.day)
      }
    }
    let refs = refRows
    try ref.run(count: refs.count) { s, b, i in
      let f = refs[i]
      s.bind(b + 1, f.note)
      s.bind(b + 2, Int64(f.ref.kind))
      s.bind(b + 3, borrowing: UnsafeBufferPointer(rebasing: keys[Int(f.ref.start)..<Int(f.ref.end)]))
    }
  }

  struct DayCode: Hashable {
    var day: Int64
    var code: Int32
    var resolved: Bool
  }

  /// Adds the batch's mentions to `reason_days`, in key order.
  mutating func flushDayCounts() throws(TriageError) {
    let names = codeNames
    for (k, n) in dayCounts.sorted(by: { a, b in
      a.key.day != b.key.day ? a.key.day < b.key.day : names[Int(a.key.code)].lexicographicallyPrecedes(names[Int(b.key.code)])
    }) {
      dayCount.rewind()
      dayCount.bind(1, k.day)
      codeNames[Int(k.code)].withUnsafeBufferPointer { dayCount.bind(2, bytes: $0) }
      dayCount.bind(3, Int64(k.resolved ? 1 : 0))
      dayCount.bind(4, n)
      try dayCount.step()
    }
    dayCounts.removeAll(keepingCapacity: true)
  }

  /// A `theme_refs` row waiting to be written; `code` is the code's rank in name order.
  struct ThemeRow {
    /// (code, status, kind, day) packed so that one integer comparison orders rows as the four
    /// fields do, and the sort compares that: code and the two small fields are never
    /// negative, and a day (±25 million years of days fit in 32 bits) is offset into an
    /// unsigned range. Computing it per comparison instead cost 0.5% of an ingest.
    let key: UInt64
    let start: Int32
    let end: Int32
    let note: Int64

    init(code: Int16, status: Int8, kind: Int8, day: Int64, start: Int32, end: Int32, note: Int64) {
      key =
        UInt64(UInt16(bitPattern: code)) << 48 | UInt64(UInt8(bitPattern: status)) << 40
        | UInt64(UInt8(bitPattern: kind)) << 32 | UInt64(UInt32(truncatingIfNeeded: day &+ 0x8000_0000))
      (self.start, self.end, self.note) = (start, end, note)
    }

    var code: Int16 { Int16(truncatingIfNeeded: key >> 48) }
    var status: Int8 { Int8(truncatingIfNeeded: key >> 40) }
    var kind: Int8 { Int8(truncatingIfNeeded: key >> 32) }
    var day: Int64 { Int64(UInt32(truncatingIfNeeded: key)) - 0x8000_0000 }
  }

  /// Writes a batch's `theme_refs` rows in key order: the table is keyed by (code, status,
  /// kind, day, value, note), so rows in note order land all over it, and sorted they land
  /// side by side (about three times faster at a million notes).
  mutating func flushThemeRows() throws(TriageError) {
    defer {
      themeRows.removeAll(keepingCapacity: true)
      themeBytes.removeAll(keepingCapacity: true)
    }
    try themeBytes.withUnsafeBufferPointer { (tb: UnsafeBufferPointer<UInt8>) throws(TriageError) in
      func value(_ r: ThemeRow) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: tb[Int(r.start)..<Int(r.end)])
      }
      // One memcmp for the values (generic comparisons of buffer slices were a tenth of the
      // writer's instructions).
      themeRows.sort { a, b in
        if a.key != b.key { return a.key < b.key }
        let n = Int(a.end - a.start)
        let m = Int(b.end - b.start)
        if let base = tb.baseAddress {
          let c = memcmp(base + Int(a.start), base + Int(b.start), min(n, m))
          if c != 0 { return c < 0 }
        }
        if n != m { return n < m }
        return a.note < b.note
      }
      let rows = themeRows
      let spans = codeSpans
      let byRank = codeByRank
      let theme = theme
      try codeBytes.withUnsafeBufferPointer { (names: UnsafeBufferPointer<UInt8>) throws(TriageError) in
        try theme.run(count: rows.count) { s, b, i in
          let r = rows[i]
          s.bind(b + 1, borrowing: UnsafeBufferPointer(rebasing: names[spans[byRank[Int(r.code)]]]))
          s.bind(b + 2, Int64(r.status))
          s.bind(b + 3, Int64(r.kind))
          s.bind(b + 4, r.day)
          s.bind(b + 5, borrowing: value(r))
          s.bind(b + 6, r.note)
        }
      }
    }
  }

  /// What a note is about, for `theme_refs` (ThemeSchema): its order (the `order_id`, else the
  /// order references in its text), SKUs, locations, each SKU at each location, and the
  /// customer and carrier of its orders.
  mutating func entities(
    orderKey: [UInt8], refs: ArraySlice<ClassifiedBatch.Ref>, keys: UnsafeBufferPointer<UInt8>
  ) throws(TriageError) {
    entities.removeAll(keepingCapacity: true)
    entityBytes.removeAll(keepingCapacity: true)
    func add(_ kind: Int64, _ parts: UnsafeBufferPointer<UInt8>...) {
      let start = entityBytes.count
      for (i, p) in parts.enumerated() {
        if i > 0 { entityBytes += [ASCII.space, UInt8(ascii: "@"), ASCII.space] }
        entityBytes.append(contentsOf: p)
      }
      entities.append((kind, start, entityBytes.count))
    }
    func key(_ f: ClassifiedBatch.Ref) -> UnsafeBufferPointer<UInt8> {
      UnsafeBufferPointer(rebasing: keys[Int(f.start)..<Int(f.end)])
    }
    orderKey.withUnsafeBufferPointer { if !orderKey.isEmpty { add(0, $0) } }
    for f in refs where f.kind != 0 || orderKey.isEmpty { add(Int64(f.kind), key(f)) }
    for s in refs where s.kind == 1 {
      for l in refs where l.kind == 2 { add(3, key(s), key(l)) }
    }
    let orders = entities.count
    for i in 0..<orders where entities[i].kind == 0 {
      let e = entities[i]
      guard let f = try facts(Array(entityBytes[e.start..<e.end])) else { continue }
      f.customer.withUnsafeBufferPointer { if !$0.isEmpty { add(4, $0) } }
      f.carrier.withUnsafeBufferPointer { if !$0.isEmpty { add(5, $0) } }
    }
  }

  /// The customer and carrier of the order with this key; nil when no such order is stored.
  mutating func facts(_ key: [UInt8]) throws(TriageError) -> (customer: [UInt8], carrier: [UInt8])? {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in key { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
    if let i = factIndex[h], facts[Int(i)].key == key {
      let f = facts[Int(i)]
      return f.found ? (f.customer, f.carrier) : nil
    }
    orderFacts.reset()
    key.withUnsafeBufferPointer { orderFacts.bind(1, bytes: $0) }
    defer { orderFacts.reset() }
    let found: (customer: [UInt8], carrier: [UInt8])? =
      try orderFacts.step() ? (Array(orderFacts.text(0).utf8), Array(orderFacts.text(1).utf8)) : nil
    if factIndex[h] == nil {
      factIndex[h] = Int32(facts.count)
      facts.append((key, found != nil, found?.customer ?? [], found?.carrier ?? []))
    }
    return found
  }
}

extension Store {
  /// `key(_:)` over bytes: ASCII spaces and tabs trimmed, ASCII letters upper-cased; anything
  /// else goes through `key(_:)` so both always agree.
  static func key(_ p: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
    out.removeAll(keepingCapacity: true)
    var lo = 0
    var hi = p.count
    while lo < hi && (p[lo] == ASCII.space || p[lo] == ASCII.tab) { lo += 1 }
    while hi > lo && (p[hi - 1] == ASCII.space || p[hi - 1] == ASCII.tab) { hi -= 1 }
    for i in lo..<hi {
      let b = p[i]
      guard b < 0x80 && b >= 0x20 else {
        out = Array(key(String(decoding: p, as: UTF8.self)).utf8)
        return
      }
      out.append(b >= 0x61 && b <= 0x7A ? b - 0x20 : b)
    }
  }
}

/// An INSERT of many rows a statement: `chunk` rows through one multi-row VALUES statement, the
/// rest one by one. Each statement run costs SQLite a reset, a program start and a journal
/// check; sixteen rows a run took `theme_refs`' 2.8 million rows at a million notes from 4.5 s
/// to 3.5 s (the same rows, in the same order).
struct ChunkedInsert {
  static let chunk = 16
  let many: Statement
  let one: Statement
  let columns: Int32

  /// `head` is the statement up to VALUES: `INSERT INTO t(a, b)`.
  init(_ store: Store, _ head: String, columns: Int) throws(TriageError) {
    let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
    many = try store.statement(head + " VALUES " + Array(repeating: row, count: ChunkedInsert.chunk).joined(separator: ", "))
    one = try store.statement(head + " VALUES " + row)
    self.columns = Int32(columns)
  }

  /// Inserts rows `0..<count`; `bind(statement, base, i)` binds row `i`'s columns at
  /// `base + 1`, `base + 2`...
  func run(count: Int, bind: (Statement, Int32, Int) -> Void) throws(TriageError) {
    var i = 0
    while count - i >= ChunkedInsert.chunk {
      many.rewind()
      for k in 0..<ChunkedInsert.chunk { bind(many, Int32(k) * columns, i + k) }
      try many.step()
      i += ChunkedInsert.chunk
    }
    while i < count {
      one.rewind()
      bind(one, 0, i)
      try one.step()
      i += 1
    }
  }
}
