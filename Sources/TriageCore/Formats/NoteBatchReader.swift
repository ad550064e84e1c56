import Foundation

/// The input formats notes come in (DATA.md).
public enum NoteFormat: String, Sendable, CaseIterable {
  /// notes.csv: a header row, columns found by name.
  case csv
  /// JSON Lines: one object a line with the same field names as notes.csv.
  case jsonl
  /// Plain text: one note a line (classify only); the id is the line number.
  case lines
}

/// A batch of notes as byte ranges into one buffer: reading copies each note once, and the
/// classifier works on the ranges without making a `String` per note.
public struct NoteBatch: Sendable {
  /// One note's fields as ranges into `bytes` (an absent field is an empty range).
  public struct Record: Sendable {
    public var id: Range<Int32>
    public var source: Range<Int32>
    public var text: Range<Int32>
    public var createdAt: Range<Int32>
    public var orderID: Range<Int32>
    public var author: Range<Int32>
    /// The line where the note starts in its file.
    public var line: Int32
  }

  /// The fields' bytes: `bytes[0..<used]` (the array's tail is spare room, so appending a field
  /// is one `memcpy`, not a generic append).
  public private(set) var bytes: [UInt8] = []
  public private(set) var used = 0
  public var records: [Record] = []

  public init() {}

  public var count: Int { records.count }
  public var isEmpty: Bool { records.isEmpty }

  public mutating func removeAll() {
    used = 0
    records.removeAll(keepingCapacity: true)
  }

  /// Calls `body` with the bytes of a field.
  @inline(__always)
  public func withField<R>(_ range: Range<Int32>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    bytes.withUnsafeBufferPointer { b in
      body(UnsafeBufferPointer(rebasing: b[Int(range.lowerBound)..<Int(range.upperBound)]))
    }
  }

  public func string(_ range: Range<Int32>) -> String {
    withField(range) { String(decoding: $0, as: UTF8.self) }
  }

  @inline(__always)
  mutating func append(_ p: UnsafeBufferPointer<UInt8>) -> Range<Int32> {
    let start = used
    let n = p.count
    if n == 0 { return Int32(start)..<Int32(start) }
    if start + n > bytes.count {
      bytes.append(contentsOf: repeatElement(0, count: max(start + n, 2 * bytes.count, 1 << 16) - bytes.count))
    }
    bytes.withUnsafeMutableBufferPointer { b in
      (b.baseAddress! + start).update(from: p.baseAddress!, count: n)
    }
    used = start + n
    return Int32(start)..<Int32(used)
  }

  /// Drops the bytes appended after `mark` (a rejected record's fields).
  mutating func truncate(to mark: Int) { used = min(used, mark) }

  mutating func append(_ s: String) -> Range<Int32> {
    var copy = s
    return copy.withUTF8 { append($0) }
  }
}

/// A row that could not be read, for `--skip-bad`: reported, counted and written to a rejects
/// file, never dropped silently.
public struct Rejection: Sendable {
  public var diagnostic: Diagnostic
  /// The row's raw bytes (a CSV record or a JSON line) when they are known.
  public var raw: [UInt8]

  public init(diagnostic: Diagnostic, raw: [UInt8]) {
    self.diagnostic = diagnostic
    self.raw = raw
  }
}

/// Reads notes in batches from notes.csv, JSON Lines or plain lines, streaming: memory grows
/// with the batch, not with the file.
public struct NoteBatchReader {
  public enum Requirement: Sendable {
    /// `text` is required; `note_id` (or `id`) and `source` are read when present (classify).
    case textOnly
    /// `note_id`, `created_at`, `source` and `text` are required (DATA.md: ingest, load).
    case full
  }

  public let name: String
  public let format: NoteFormat
  public let requirement: Requirement
  /// Called for a bad row instead of throwing; nil means the first bad row stops the read.
  public var onReject: ((Rejection) -> Void)?

  private var csv: CSVReader?
  private var header: CSVHeader?
  private var json: JSONLinesReader?
  private var lines: LineReader?
  private var columns: [String: Int] = [:]
  /// Column indexes of the fields a note has, resolved once from the header.
  private var idColumn = -1, sourceColumn = -1, textColumn = -1, createdColumn = -1, orderColumn = -1, authorColumn = -1
  /// Notes read so far.
  public private(set) var notesRead = 0

  /// Opens `path` (`-` for standard input). The format is `format`, else the extension
  /// (.csv, .jsonl, .ndjson, .txt), else what the first line looks like.
  public init(
    path: String, format: NoteFormat? = nil, requirement: Requirement = .textOnly,
    maxRecordBytes: Int = 64 << 20
  ) throws(TriageError) {
    var source = try ByteSource(path: path)
    try self.init(source: &source, format: format, requirement: requirement, maxRecordBytes: maxRecordBytes)
  }

  public init(
    source: inout ByteSource, format: NoteFormat? = nil, requirement: Requirement = .textOnly,
    maxRecordBytes: Int = 64 << 20
  ) throws(TriageError) {
    name = source.name
    self.requirement = requirement
    let lower = source.name.lowercased()
    var chosen = format
    if chosen == nil {
      if lower.hasSuffix(".csv") {
        chosen = .csv
      } else if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") {
        chosen = .jsonl
      } else if lower.hasSuffix(".txt") {
        chosen = .lines
      } else {
        chosen = NoteBatchReader.sniff(try source.peek(4096))
      }
    }
    self.format = chosen ?? .lines
    if requirement == .full && self.format == .lines {
      throw TriageError(
        .usage, "'\(name)': plain text lines carry no note ids or times; give notes.csv or JSON Lines")
    }
    switch self.format {
    case .csv:
      var reader = CSVReader(source: source, options: CSVReader.Options(maxRecordBytes: maxRecordBytes))
      let required = requirement == .full ? ["note_id", "created_at", "source", "text"] : ["text"]
      let header = try CSVHeader(reading: &reader, expecting: required)
      _ = try header.require(required)
      for (k, n) in header.names.enumerated() where columns[n.lowercased()] == nil {
        columns[n.lowercased()] = k
      }
      if columns["note_id"] == nil, let id = columns["id"] { columns["note_id"] = id }
      idColumn = columns["note_id"] ?? -1
      sourceColumn = columns["source"] ?? -1
      textColumn = columns["text"] ?? -1
      createdColumn = columns["created_at"] ?? -1
      orderColumn = columns["order_id"] ?? -1
      authorColumn = columns["author"] ?? -1
      self.header = header
      csv = reader
    case .jsonl:
      json = JSONLinesReader(source: source, maxLineBytes: maxRecordBytes)
    case .lines:
      lines = LineReader(source: source, maxLineBytes: maxRecordBytes)
    }
  }

  /// The format a file's first bytes suggest: `{` → JSON Lines; a first line with a comma and a
  /// `text` column → CSV; anything else → plain lines.
  public static func sniff(_ bytes: [UInt8]) -> NoteFormat {
    var start = 0
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
    while start < bytes.count && (bytes[start] == ASCII.space || bytes[start] == ASCII.tab) { start += 1 }
    if start < bytes.count && bytes[start] == ASCII.openBrace { return .jsonl }
    let firstLine = bytes[start...].prefix { $0 != ASCII.lf && $0 != ASCII.cr }
    let header = String(decoding: firstLine, as: UTF8.self).lowercased()
    let names = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
    if names.count > 1 && names.contains("text") { return .csv }
    return .lines
  }

  /// Fills `batch` with up to `maxNotes` notes; false when the input is exhausted and the batch
  /// is empty.
  public mutating func next(into batch: inout NoteBatch, maxNotes: Int) throws(TriageError) -> Bool {
    batch.removeAll()
    while batch.count < maxNotes {
      let more: Bool
      switch format {
      case .csv: more = try nextCSV(&batch, upTo: maxNotes)
      case .jsonl: more = try nextJSON(&batch)
      case .lines: more = try nextLine(&batch)
      }
      if !more { break }
    }
    return !batch.isEmpty
  }

  // MARK: CSV

  /// Reads notes into `batch` until it holds `limit`; false at the end of the input.
  mutating func nextCSV(_ batch: inout NoteBatch, upTo limit: Int) throws(TriageError) -> Bool {
    // Moved out and back (not copied), so the reader's buffers stay uniquely referenced and
    // are mutated in place; once per batch, not per note.
    guard var reader = csv.take() else { return false }
    defer { csv = reader }
    while true {
      do throws(TriageError) {
        guard try reader.next() else { return false }
      } catch {
        guard reader.canContinue, let onReject else { throw error }
        onReject(Rejection(diagnostic: error.diagnostics[0], raw: reader.recordBytes))
        continue
      }
      do throws(TriageError) {
        if let header, header.count != reader.fieldCount { try header.checkFieldCount(of: reader) }
      } catch {
        guard let onReject else { throw error }
        onReject(Rejection(diagnostic: error.diagnostics[0], raw: reader.recordBytes))
        continue
      }
      // The record is copied once; its fields are ranges into the copy (a field that held
      // doubled quotes is copied undone).
      let mark = batch.used
      let base = reader.withRecordBytes { batch.append($0) }.lowerBound
      func field(_ k: Int) -> Range<Int32> {
        guard k >= 0 else { return 0..<0 }
        // Within the record's copy, which `append` placed below Int32.max (it traps otherwise),
        // so the sums cannot overflow and start ≤ end holds.
        if let (start, end) = reader.fieldOffsetsInRecord(k) {
          return Range(uncheckedBounds: (base &+ start, base &+ end))
        }
        return reader.withField(k) { batch.append($0) }
      }
      let record = NoteBatch.Record(
        id: field(idColumn), source: field(sourceColumn), text: field(textColumn),
        createdAt: field(createdColumn), orderID: field(orderColumn), author: field(authorColumn),
        line: Int32(reader.line))
      if requirement == .full, let (name, message) = validate(record, batch) {
        let problem = Diagnostic.error(message, at: reader.location(ofField: columns[name] ?? 0))
        batch.truncate(to: mark)
        guard let onReject else { throw TriageError(.dataError, [problem]) }
        onReject(Rejection(diagnostic: problem, raw: reader.recordBytes))
        continue
      }
      batch.records.append(record)
      notesRead += 1
      if batch.count >= limit { return true }
    }
  }

  // MARK: JSON Lines

  mutating func nextJSON(_ batch: inout NoteBatch) throws(TriageError) -> Bool {
    guard var reader = json.take() else { return false }
    defer { json = reader }
    while true {
      do throws(TriageError) {
        guard try reader.next() else { return false }
      } catch {
        guard reader.canContinue, let onReject else { throw error }
        onReject(Rejection(diagnostic: error.diagnostics[0], raw: reader.lineBytes))
        continue
      }
      do throws(TriageError) {
        let text = try reader.requireString("text")
        var id: String
        if requirement == .full {
          id = try reader.requireString("note_id", acceptingNumber: true)
        } else if let given = try reader.optionalString("note_id", acceptingNumber: true) {
          id = given
        } else {
          id = try reader.optionalString("id", acceptingNumber: true) ?? String(reader.line)
        }
        let source = requirement == .full
          ? try reader.requireString("source") : try reader.optionalString("source") ?? ""
        let created = requirement == .full
          ? try reader.requireString("created_at") : try reader.optionalString("created_at") ?? ""
        let order = try reader.optionalString("order_id", acceptingNumber: true) ?? ""
        let author = try reader.optionalString("author") ?? ""
        let record = NoteBatch.Record(
          id: batch.append(id), source: batch.append(source), text: batch.append(text),
          createdAt: batch.append(created), orderID: batch.append(order), author: batch.append(author),
          line: Int32(reader.line))
        if let (name, message) = validate(record, batch) {
          throw TriageError(.dataError, [Diagnostic.error(message, at: reader.location(ofField: name))])
        }
        batch.records.append(record)
        notesRead += 1
        return true
      } catch {
        guard let onReject else { throw error }
        onReject(Rejection(diagnostic: error.diagnostics[0], raw: reader.lineBytes))
        continue
      }
    }
  }

  // MARK: Lines

  mutating func nextLine(_ batch: inout NoteBatch) throws(TriageError) -> Bool {
    guard var reader = lines.take() else { return false }
    defer { lines = reader }
    while let line = try reader.next() {
      if line.isEmpty { continue }
      let id = batch.append(String(reader.line))
      let text = reader.buffer.withUnsafeBufferPointer { batch.append(UnsafeBufferPointer(rebasing: $0[line])) }
      batch.records.append(
        NoteBatch.Record(
          id: id, source: 0..<0, text: text, createdAt: 0..<0, orderID: 0..<0, author: 0..<0,
          line: Int32(reader.line)))
      notesRead += 1
      return true
    }
    return false
  }

  /// Checks what DATA.md requires of a note; returns the problem and the field it is in, if
  /// any. The caller locates the field only then, so a good note costs no location closure.
  func validate(_ r: NoteBatch.Record, _ batch: NoteBatch) -> (field: String, message: String)? {
    guard requirement == .full else { return nil }
    if r.id.isEmpty { return ("note_id", "empty note_id: every note needs an id") }
    if r.text.isEmpty { return ("text", "empty text in note '\(SafeText.escape(batch.string(r.id)))'") }
    let source = batch.string(r.source)
    if !NoteBatchReader.sources.contains(source) {
      return (
        "source",
        "unknown source '\(SafeText.escape(source))'; expected one of \(NoteBatchReader.sources.joined(separator: ", "))\(Suggest.didYouMean(source, in: NoteBatchReader.sources))"
      )
    }
    let created = batch.string(r.createdAt)
    do {
      _ = try Timestamp(created)
    } catch {
      return ("created_at", "invalid created_at '\(SafeText.escape(created))': \(error.message)")
    }
    return nil
  }

  /// The note sources DATA.md defines.
  public static let sources = ["wms", "order", "support", "carrier"]
}

/// Splits a byte stream into lines (LF or CRLF), streaming.
struct LineReader {
  var source: ByteSource
  let maxLineBytes: Int
  var buffer: [UInt8] = []
  var start = 0
  var eof = false
  private(set) var line = 0
  /// The read buffer; shared by copies of the reader, which read one stream anyway.
  let chunk = ChunkBuffer(size: 1 << 16)

  init(source: ByteSource, maxLineBytes: Int) {
    self.source = source
    self.maxLineBytes = maxLineBytes
  }

  /// Where the next line is in `buffer` (without its line end; valid until the next call), or
  /// nil at the end of the input. No copy: a line is read where it lies.
  mutating func next() throws(TriageError) -> Range<Int>? {
    while true {
      let from = start
      let nl = buffer.withUnsafeBufferPointer { p -> Int? in
        guard from < p.count, let base = p.baseAddress,
          let hit = memchr(base + from, Int32(ASCII.lf), p.count - from)
        else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
      }
      if let nl {
        var end = nl
        if end > start && buffer[end - 1] == ASCII.cr { end -= 1 }
        let out = start..<end
        start = nl + 1
        line += 1
        return out
      }
      if eof {
        guard start < buffer.count else { return nil }
        let out = start..<buffer.count
        start = buffer.count
        line += 1
        return out
      }
      if buffer.count - start > maxLineBytes {
        throw .data("line longer than \(maxLineBytes) bytes", at: SourceLocation(file: source.name, line: line + 1))
      }
      if start > 0 {
        buffer.removeSubrange(0..<start)
        start = 0
      }
      let n = try source.read(into: chunk.raw)
      if n == 0 { eof = true } else { buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk.raw[0..<n])) }
    }
  }
}

/// A fixed block of memory to read into, freed with its last reference.
final class ChunkBuffer: @unchecked Sendable {
  let raw: UnsafeMutableRawBufferPointer

  init(size: Int) { raw = .allocate(byteCount: size, alignment: 16) }

  deinit { raw.deallocate() }
}
