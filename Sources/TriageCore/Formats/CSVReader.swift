/// A streaming RFC 4180 reader: one record at a time, fields as byte ranges into its buffer.
///
/// ```swift
/// var reader = try CSVReader(path: "notes.csv")
/// let header = try CSVHeader(reading: &reader, expecting: ["note_id", "text"])
/// let columns = try header.require(["note_id", "text"])
/// while try reader.next() {
///   try header.checkFieldCount(of: reader)
///   let id = reader.string(columns[0])
/// }
/// ```
///
/// Reads quoted fields with delimiters, doubled quotes and line breaks inside; a UTF-8 byte
/// order mark at the start; LF, CRLF and lone CR line ends; a last line without a line end.
/// Empty lines between records are skipped (and counted for line numbers).
///
/// Memory grows with the largest record, never with the input. A field is a range into the
/// reader's buffer unless it held doubled quotes, which are undone into a scratch buffer; no
/// `String` or `Array` is made per field unless asked for.
///
/// Errors: after a bad record (garbage after a closing quote, a stray quote in strict mode, a NUL
/// byte, invalid UTF-8) `next()` throws with that record current (`recordBytes`, `line`), and the
/// next call goes on with the record after it. After an unclosed quote or an over-long record
/// the rest of the input cannot be split into records: `canContinue` turns false and `next()`
/// returns false.
///
/// A reader is a cursor over a stream: copies of a reader over a file share the file, so advance
/// only one of them.
public struct CSVReader: Sendable {
  /// How to read the input.
  public struct Options: Sendable {
    /// The byte between fields: `,` by default, `\t` for TSV.
    public var delimiter: UInt8
    /// Whether `"` quotes fields; false reads every `"` as a plain character.
    public var quoting: Bool
    /// Whether a `"` inside an unquoted field (`5" box`) is an error; by default it is kept as a
    /// literal, as real exports write them.
    public var strictQuotes: Bool
    /// The largest record accepted, in bytes (at most 1 GiB); a longer one stops the reader
    /// with an error.
    public var maxRecordBytes: Int
    /// Whether every record is checked for NUL bytes and invalid UTF-8.
    public var validatesText: Bool

    /// Field offsets are kept in 32 bits; the reader lowers `maxRecordBytes` to this ceiling
    /// so records stay well under 4 GiB.
    static let recordBytesCeiling = 1 << 30

    public init(
      delimiter: UInt8 = 0x2C, quoting: Bool = true, strictQuotes: Bool = false,
      maxRecordBytes: Int = 64 << 20, validatesText: Bool = true
    ) {
      self.delimiter = delimiter
      self.quoting = quoting
      self.strictQuotes = strictQuotes
      self.maxRecordBytes = maxRecordBytes
      self.validatesText = validatesText
    }
  }

  /// The options the reader was made with.
  public let options: Options
  /// The physical line where the current record starts, 1-based.
  public private(set) var line = 0
  /// False after an error that leaves the rest of the input unreadable.
  public private(set) var canContinue = true

  @usableFromInline var window: InputWindow
  @usableFromInline var scanner: CSVScanner
  /// Where the current record starts and ends (before its line end) in `window.storage`.
  @usableFromInline var recordStart = 0
  var recordEnd = 0
  /// Where the search for the next record begins in `window.storage`.
  var nextStart = 0
  var nextLine = 1
  var sawStart = false

  /// Reads the file at `path` (`-` for standard input).
  ///
  /// Throws `.noInput` when the file cannot be opened.
  public init(
    path: String, options: Options = Options(), chunkSize: Int = ByteSource.defaultChunkSize
  ) throws(TriageError) {
    self.init(source: try ByteSource(path: path, chunkSize: chunkSize), options: options)
  }

  /// Reads bytes in memory; `name` labels them in messages.
  public init(
    bytes: [UInt8], name: String = "<bytes>", options: Options = Options(),
    chunkSize: Int = ByteSource.defaultChunkSize
  ) {
    self.init(source: ByteSource(bytes: bytes, name: name, chunkSize: chunkSize), options: options)
  }

  /// Reads from any byte source.
  public init(source: ByteSource, options: Options = Options()) {
    precondition(
      ![ASCII.quote, ASCII.lineFeed, ASCII.carriageReturn].contains(options.delimiter),
      "a CSV delimiter cannot be a quote or a line end")
    var options = options
    options.maxRecordBytes = min(options.maxRecordBytes, Options.recordBytesCeiling)
    self.options = options
    self.window = InputWindow(source)
    self.scanner = CSVScanner(options)
  }

  /// The input's name as messages show it.
  public var name: String { window.source.name }

  /// Advances to the next record; false at the end of the input.
  ///
  /// - Throws: `.dataError` for a malformed record. When `canContinue` is still true the bad
  ///   record is current and the next call reads the one after it.
  /// - Complexity: O(bytes of the record), plus reading from the source.
  public mutating func next() throws(TriageError) -> Bool {
    scanner.reset()
    recordStart = nextStart
    recordEnd = nextStart
    guard canContinue else { return false }
    if !sawStart {
      sawStart = true
      recordStart = try readingMore { (w) throws(TriageError) in try w.skipByteOrderMark() }
    }
    line = nextLine
    // Nearly always a record starts right here; only a line end at the start (an empty line) or
    // the end of the buffer needs the loop.
    let first = recordStart < window.count ? window.storage[recordStart] : ASCII.lineFeed
    if first == ASCII.lineFeed || first == ASCII.carriageReturn {
      guard try skipEmptyLines() else {
        recordEnd = recordStart
        return false
      }
    } else {
      recordEnd = recordStart
    }

    while true {
      let start = recordStart
      let atEnd = window.atEnd
      let count = window.count
      let step = window.storage.withUnsafeBufferPointer { buf -> CSVScanner.Step in
        guard let p = buf.baseAddress else { return .needMore }
        return scanner.scan(p, count: count, record: start, atEnd: atEnd)
      }
      switch step {
      case .record(let end, let next):
        recordEnd = recordStart + end
        nextStart = next
        nextLine = line + scanner.lineBreaks + 1
        if end > options.maxRecordBytes { throw recordTooLong() }
        if scanner.problem != nil || (options.validatesText && scanner.suspect != 0) { try checkRecord() }
        return true
      case .needMore:
        // One byte of slack: the last byte may be a CR that turns out to end the record.
        if window.count - recordStart > options.maxRecordBytes + 1 { throw recordTooLong() }
        try readMore()
      case .unclosedQuote(let open):
        if window.count - recordStart > options.maxRecordBytes { throw recordTooLong() }
        let error = TriageError.data(
          "unclosed quote: the quoted field that opens here never ends, so the rest of the file "
            + "cannot be read; add the missing closing '\"' (and double any '\"' inside the field)",
          at: location(atWindowOffset: recordStart + open))
        stop()
        throw error
      }
    }
  }

  // MARK: The current record

  /// The number of fields in the current record.
  public var fieldCount: Int { scanner.fieldCount }

  /// Calls `body` with the bytes of field `i` (0-based), without copying when the field held no
  /// doubled quotes. The buffer is valid only inside `body`.
  ///
  /// - Complexity: O(1) before `body`.
  @inlinable
  public func withField<R, E: Error>(
    _ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R
  ) throws(E) -> R {
    let f = scanner.field(i)
    if f.unescaped {
      return try scanner.scratch.withUnsafeBufferPointer { (b) throws(E) -> R in
        try body(UnsafeBufferPointer(rebasing: b[f.start..<f.end]))
      }
    }
    return try window.withBytes((recordStart + f.start)..<(recordStart + f.end), body)
  }

  /// Where field `i`'s content lies within the current record's raw bytes (`withRecordBytes`),
  /// or nil when it held doubled quotes and its content was undone elsewhere. As 32-bit
  /// offsets with one bounds check, for the batch reader's copy of each record (a `Range<Int>`
  /// made and converted back cost about 30 instructions a field).
  @inlinable
  func fieldOffsetsInRecord(_ i: Int) -> (start: Int32, end: Int32)? {
    precondition(i >= 0 && i < scanner.fieldCount, "Index out of range")
    let f = scanner.fields.withUnsafeBufferPointer { $0[i] }
    return f.unescaped ? nil : (Int32(bitPattern: f.start32), Int32(bitPattern: f.end32))
  }

  /// Field `i` (0-based) as a `String` (invalid UTF-8 becomes U+FFFD; see `validateField`).
  @inlinable
  public func string(_ i: Int) -> String {
    withField(i) { String(decoding: $0, as: UTF8.self) }
  }

  /// Calls `body` with the raw bytes of the current record, quotes included, line end excluded.
  public func withRecordBytes<R, E: Error>(
    _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R
  ) throws(E) -> R {
    try window.withBytes(recordStart..<recordEnd, body)
  }

  /// The raw bytes of the current record (for writing a rejects file), line end excluded.
  public var recordBytes: [UInt8] { withRecordBytes { Array($0) } }

  /// Offset in the whole input where the current record starts (after any byte order mark).
  public var byteOffset: Int { window.base + recordStart }

  /// Where the current record starts: the file and line.
  public var location: SourceLocation { SourceLocation(file: name, line: line) }

  /// Where field `i` starts (its opening quote, if quoted): file, line and column.
  ///
  /// - Complexity: O(bytes of the record before the field); computed only when asked.
  public func location(ofField i: Int) -> SourceLocation {
    location(atWindowOffset: recordStart + scanner.field(i).rawStart)
  }

  /// Checks field `i` for NUL bytes and invalid UTF-8 (for readers made without
  /// `validatesText`).
  ///
  /// - Throws: `.dataError` naming the line, column and bad byte.
  /// - Complexity: O(bytes of the field).
  public func validateField(_ i: Int) throws(TriageError) {
    let bad = withField(i) { b -> Int? in
      guard let p = b.baseAddress else { return nil }
      return ByteScan.firstInvalidText(in: p, from: 0, to: b.count)
    }
    guard let bad else { return }
    // The offset is in the field's content; find it in the record to place the column.
    let f = scanner.field(i)
    var offsetInRecord = f.start + bad
    if f.unescaped {
      let quotesBefore = withField(i) { b in
        b.baseAddress.map { ByteScan.count(ASCII.quote, in: $0, from: 0, to: bad) } ?? 0
      }
      offsetInRecord = f.rawStart + 1 + bad + quotesBefore
    }
    throw invalidTextError(atWindowOffset: recordStart + offsetInRecord, field: i)
  }

  /// Field `i` read as an ISO 8601 timestamp; a bad value is reported at the field.
  public func timestamp(_ i: Int) throws(TriageError) -> Timestamp {
    do {
      return try withField(i) { (b) throws(Timestamp.ParseError) in try Timestamp.parse(b) }
    } catch {
      throw TriageError.data(error.message, at: location(ofField: i))
    }
  }

  // MARK: Scanning helpers

  /// Moves the current record to the front of the buffer and reads more after it.
  mutating func readMore() throws(TriageError) {
    let keep = recordStart
    _ = try readingMore { (w) throws(TriageError) in try w.refill(keeping: keep) }
    recordStart = 0
  }

  /// Runs a read on the window; a read error stops the reader.
  mutating func readingMore<R>(_ read: (inout InputWindow) throws(TriageError) -> R)
    throws(TriageError) -> R
  {
    do {
      return try read(&window)
    } catch {
      stop()
      throw error
    }
  }

  /// Moves `recordStart` past empty lines, counting them; false at the end of the input.
  mutating func skipEmptyLines() throws(TriageError) -> Bool {
    while true {
      if recordStart == window.count {
        if window.atEnd {
          nextStart = recordStart
          return false
        }
        try readMore()
        continue
      }
      let b = window.storage[recordStart]
      if b == ASCII.lineFeed {
        recordStart += 1
      } else if b == ASCII.carriageReturn {
        if recordStart + 1 < window.count {
          recordStart += window.storage[recordStart + 1] == ASCII.lineFeed ? 2 : 1
        } else if window.atEnd {
          recordStart += 1
        } else {
          // Whether an LF follows is not known yet.
          try readMore()
          continue
        }
      } else {
        recordEnd = recordStart
        return true
      }
      line += 1
    }
  }

  /// Throws the error the scan noted in the record, then checks its text if asked.
  func checkRecord() throws(TriageError) {
    if let problem = scanner.problem {
      let at = location(atWindowOffset: recordStart + problem.offset)
      switch problem.kind {
      case .garbageAfterQuote(let byte):
        throw TriageError.data(
          "unexpected \(ByteScan.describe(byte)) after the closing quote of a quoted field; "
            + "expected '\(delimiterText)' or a line end (double a '\"' inside a quoted field)",
          at: at)
      case .strayQuote:
        throw TriageError.data(
          "unexpected '\"' inside an unquoted field; quote the whole field and double the "
            + "quote ('\"\"')",
          at: at)
      }
    }
    // A record the scan saw only ASCII without NUL in holds no invalid text; any other goes
    // through the full check, which finds (and reports) the first bad byte as it always did.
    guard options.validatesText, scanner.suspect != 0 else { return }
    let range = recordStart..<recordEnd
    let bad = window.storage.withUnsafeBufferPointer { b -> Int? in
      guard let p = b.baseAddress else { return nil }
      return ByteScan.firstInvalidText(in: p, from: range.lowerBound, to: range.upperBound)
    }
    if let bad {
      let field = scanner.currentFields.lastIndex { recordStart + $0.rawStart <= bad } ?? 0
      throw invalidTextError(atWindowOffset: bad, field: field)
    }
  }

  func invalidTextError(atWindowOffset offset: Int, field: Int) -> TriageError {
    let byte = window.storage[offset]
    let at = location(atWindowOffset: offset)
    if byte == ASCII.nul {
      return TriageError.data(
        "NUL byte (0x00) in field \(field + 1); expected UTF-8 text (is the file UTF-16 or "
          + "binary?)",
        at: at)
    }
    return TriageError.data(
      "invalid UTF-8 byte \(ByteScan.hex(byte)) in field \(field + 1); expected UTF-8 text "
        + "(re-export the file as UTF-8, or convert it with iconv)",
      at: at)
  }

  /// Stops the reader for a record over `maxRecordBytes`, pointing at the quoted field the
  /// limit was passed in, if any (the likely cause: a missing closing quote).
  mutating func recordTooLong() -> TriageError {
    defer { stop() }
    let limit = ByteCount(options.maxRecordBytes)
    // The field holding the first byte past the limit: the unfinished one, or a finished one.
    let crossing = options.maxRecordBytes
    let start =
      scanner.resumeAt <= crossing
      ? scanner.resumeAt : scanner.currentFields.last { $0.rawStart <= crossing }?.rawStart ?? 0
    if options.quoting && window.storage[recordStart + start] == ASCII.quote {
      return TriageError.data(
        "record longer than \(limit), the record size limit, in a quoted field that opens "
          + "here; is a closing '\"' missing? the rest of the file cannot be read",
        at: location(atWindowOffset: recordStart + start))
    }
    return TriageError.data(
      "record longer than \(limit), the record size limit; the rest of the file cannot be read",
      at: SourceLocation(file: name, line: line))
  }

  /// Ends reading after an error that leaves the rest of the input unreadable: no current
  /// record, and `next()` returns false from now on.
  mutating func stop() {
    canContinue = false
    scanner.reset()
    recordStart = window.count
    recordEnd = window.count
    nextStart = window.count
  }

  var delimiterText: String {
    options.delimiter == ASCII.tab ? "\\t" : String(Unicode.Scalar(options.delimiter))
  }

  /// The file, line and column of a byte of the current record.
  func location(atWindowOffset offset: Int) -> SourceLocation {
    let start = recordStart
    let p = window.storage.withUnsafeBufferPointer { b -> (line: Int, column: Int) in
      guard let base = b.baseAddress else { return (0, 0) }
      return ByteScan.position(of: offset, from: start, line: line, in: base)
    }
    return SourceLocation(file: name, line: p.line, column: p.column)
  }
}

/// A byte count as people read it: `64 MiB`, `512 KiB`, `100 bytes`.
struct ByteCount: CustomStringConvertible {
  var value: Int
  init(_ value: Int) { self.value = value }

  var description: String {
    if value >= 1 << 20 && value % (1 << 20) == 0 { return "\(value >> 20) MiB" }
    if value >= 1 << 10 && value % (1 << 10) == 0 { return "\(value >> 10) KiB" }
    return value == 1 ? "1 byte" : "\(value) bytes"
  }
}

// MARK: - The record scanner

/// Splits one record into fields; resumable when the record runs past the buffer.
///
/// Offsets are relative to the record's start, so they survive the window moving the record to
/// the front of its buffer between calls.
@usableFromInline
struct CSVScanner: Sendable {
  /// One field: its raw start and its content, in the record or in `scratch`.
  ///
  /// Offsets are 32-bit (records are at most 1 GiB), so a field takes 16 bytes: a line of a
  /// million empty fields costs 16 MB.
  @usableFromInline
  struct Field: Sendable {
    @usableFromInline let rawStart32: UInt32
    @usableFromInline let start32: UInt32
    @usableFromInline let end32: UInt32
    /// True when the content is in `scratch` (the field held doubled quotes).
    @usableFromInline let unescaped: Bool

    init(rawStart: Int, start: Int, end: Int, unescaped: Bool) {
      rawStart32 = UInt32(truncatingIfNeeded: rawStart)
      start32 = UInt32(truncatingIfNeeded: start)
      end32 = UInt32(truncatingIfNeeded: end)
      self.unescaped = unescaped
    }

    /// The field's first byte (its opening quote when quoted), relative to the record.
    @inlinable var rawStart: Int { Int(rawStart32) }
    /// The content: relative to the record, or into `scratch` when `unescaped`.
    @inlinable var start: Int { Int(start32) }
    @inlinable var end: Int { Int(end32) }
  }

  /// A problem noted in a record whose end is still found, reported once the record is read.
  struct Problem: Sendable {
    enum Kind: Sendable {
      case garbageAfterQuote(UInt8)
      case strayQuote
    }
    var kind: Kind
    /// Relative to the record.
    var offset: Int
  }

  enum Step {
    case record(end: Int, next: Int)
    case needMore
    /// The quoted field opening at this offset (relative to the record) never closes.
    case unclosedQuote(Int)
  }

  let delimiter: UInt8
  let quoting: Bool
  let strictQuotes: Bool
  /// The fourth byte an unquoted field's search stops at: `"`, or the delimiter again when
  /// quotes are plain text.
  let searchQuote: UInt8

  /// The record's fields are the first `fieldCount`; the ones after are left from longer
  /// records, kept so a record overwrites them instead of appending (an Array's `removeAll` and
  /// `append` per record cost more than the scan of a short field).
  @usableFromInline var fields: [Field] = []
  @usableFromInline var fieldCount = 0
  /// Fields that held doubled quotes, undone.
  @usableFromInline var scratch: [UInt8] = []
  /// Line breaks inside the quoted fields read so far.
  var lineBreaks = 0
  var problem: Problem?
  /// Where scanning resumes, relative to the record: the start of the first unfinished field.
  var resumeAt = 0
  /// Nonzero when the record may hold a NUL byte or invalid UTF-8: a byte the scan read was NUL
  /// or ≥ 0x80, or a byte it did not read could be (see `scan`). Zero means every byte of the
  /// record was seen to be ASCII without NUL, so `checkRecord` can skip decoding it.
  var suspect: UInt64 = 0
  /// Whether the delimiter itself could be bad text; then every record is suspect (the bytes
  /// after closing quotes are not examined).
  let delimiterSuspect: Bool
  /// Whether `unquotedFields` can search for the delimiter (it must be ASCII).
  let wordSearch: Bool

  init(_ options: CSVReader.Options) {
    delimiter = options.delimiter
    quoting = options.quoting
    strictQuotes = options.strictQuotes && options.quoting
    searchQuote = options.quoting ? ASCII.quote : options.delimiter
    delimiterSuspect = options.delimiter == ASCII.nul || options.delimiter >= 0x80
    wordSearch = options.delimiter < 0x80
  }

  /// The record's fields.
  var currentFields: ArraySlice<Field> { fields[..<fieldCount] }

  /// Field `i` of the record (0-based); traps when out of range, as an Array does.
  @inlinable
  func field(_ i: Int) -> Field {
    precondition(i >= 0 && i < fieldCount, "Index out of range")
    return fields[i]
  }

  mutating func reset() {
    fieldCount = 0
    if !scratch.isEmpty { scratch.removeAll(keepingCapacity: true) }
    lineBreaks = 0
    problem = nil
    resumeAt = 0
    suspect = delimiterSuspect ? ByteScan.highs : 0
  }

  /// Scans the record at `record` in `p[0..<count]`, from `resumeAt` on.
  ///
  /// - Complexity: O(bytes scanned): a word-at-a-time search for the next special byte in
  ///   unquoted fields, `memchr` for the closing quote in quoted ones.
  @inline(__always)
  mutating func scan(_ p: UnsafePointer<UInt8>, count: Int, record: Int, atEnd: Bool) -> Step {
    var pos = record + resumeAt
    while true {
      if wordSearch && pos + 8 <= count && !(quoting && p[pos] == ASCII.quote),
        let step = unquotedFields(p, count: count, record: record, pos: &pos)
      {
        return step
      }
      let fieldStart = pos
      let scratchMark = scratch.count
      var field: Field
      var breaks = 0
      var sep: Int
      if quoting && pos < count && p[pos] == ASCII.quote {
        // A quoted field: find the closing quote, undoing doubled quotes on the way.
        let contentStart = pos + 1
        var segment = contentStart
        var q = contentStart
        var unescaped = false
        while true {
          q = ByteScan.first(ASCII.quote, in: p, from: q, to: count)
          if q == count {
            if atEnd { return .unclosedQuote(fieldStart - record) }
            return needMore(at: fieldStart - record, scratchMark: scratchMark)
          }
          if q + 1 == count && !atEnd {
            return needMore(at: fieldStart - record, scratchMark: scratchMark)
          }
          if q + 1 < count && p[q + 1] == ASCII.quote {
            // Keep the content through the first quote of the pair.
            scratch.append(
              contentsOf: UnsafeBufferPointer(start: p + segment, count: q + 1 - segment))
            unescaped = true
            segment = q + 2
            q += 2
            continue
          }
          break
        }
        breaks = ByteScan.lineBreaks(in: p, from: contentStart, to: q)
        if ByteScan.hasNulOrNonASCII(in: p, from: contentStart, to: q) {
          suspect |= ByteScan.highs
        }
        if unescaped {
          scratch.append(contentsOf: UnsafeBufferPointer(start: p + segment, count: q - segment))
          field = Field(
            rawStart: fieldStart - record, start: scratchMark, end: scratch.count, unescaped: true)
        } else {
          field = Field(
            rawStart: fieldStart - record, start: contentStart - record, end: q - record,
            unescaped: false)
        }
        sep = q + 1
        if sep < count {
          let b = p[sep]
          if b != delimiter && b != ASCII.lineFeed && b != ASCII.carriageReturn {
            // Garbage after the closing quote: note it, and find the field's end reading the
            // rest as literal text, so the record's end (and the next record) is still known.
            if problem == nil {
              problem = Problem(kind: .garbageAfterQuote(b), offset: sep - record)
            }
            suspect |= ByteScan.highs
            sep = ByteScan.firstOf(
              delimiter, ASCII.lineFeed, ASCII.carriageReturn, delimiter, in: p, from: sep,
              to: count)
            if sep == count && !atEnd {
              return needMore(at: fieldStart - record, scratchMark: scratchMark)
            }
          }
        }
      } else {
        // An unquoted field: it ends at the delimiter or a line end.
        var i = pos
        while true {
          i = ByteScan.firstOf(
            delimiter, ASCII.lineFeed, ASCII.carriageReturn, searchQuote, in: p, from: i,
            to: count, flagging: &suspect)
          guard quoting && i < count && p[i] == ASCII.quote else { break }
          // A quote inside an unquoted field is literal text (`5" box`) unless strict.
          if strictQuotes && problem == nil {
            problem = Problem(kind: .strayQuote, offset: i - record)
          }
          i += 1
        }
        if i == count && !atEnd {
          return needMore(at: fieldStart - record, scratchMark: scratchMark)
        }
        field = Field(
          rawStart: fieldStart - record, start: fieldStart - record, end: i - record,
          unescaped: false)
        sep = i
      }

      // What ends the field: the end of input, the delimiter or a line end.
      if sep == count {
        finish(field, breaks)
        return .record(end: count - record, next: count)
      }
      let b = p[sep]
      if b == delimiter {
        finish(field, breaks)
        pos = sep + 1
        resumeAt = pos - record
        continue
      }
      if b == ASCII.lineFeed {
        finish(field, breaks)
        return .record(end: sep - record, next: sep + 1)
      }
      // CR: a line end on its own, or the first half of CRLF.
      if sep + 1 < count {
        finish(field, breaks)
        return .record(end: sep - record, next: p[sep + 1] == ASCII.lineFeed ? sep + 2 : sep + 1)
      }
      if atEnd {
        finish(field, breaks)
        return .record(end: sep - record, next: sep + 1)
      }
      return needMore(at: fieldStart - record, scratchMark: scratchMark)
    }
  }

  /// The common case, a word at a time: unquoted fields lying in whole eight-byte words of the
  /// buffer. Each word is loaded once and every special byte in it handled before the next (the
  /// general path below loads a word per field and sets its search up again), and fields are
  /// written through a pointer (through the array, each paid a uniqueness check).
  ///
  /// Finishes the fields it can, and returns the record's step at a line end. Returns nil with
  /// `pos` at the first field it leaves to the general path: a quoted one, one that runs into
  /// the buffer's last seven bytes, one ending in a CR that is the buffer's last byte, or one
  /// past the room reserved for fields.
  @inline(__always)
  mutating func unquotedFields(
    _ p: UnsafePointer<UInt8>, count: Int, record: Int, pos: inout Int
  ) -> Step? {
    // Room for the fields of most records without growing inside the loop; entries past
    // `fieldCount` are leftovers, never read.
    if fields.count < fieldCount + CSVScanner.fieldRoom {
      fields.append(
        contentsOf: repeatElement(
          Field(rawStart: 0, start: 0, end: 0, unescaped: false), count: CSVScanner.fieldRoom))
    }
    var store: [Field] = []
    swap(&store, &fields)
    defer { swap(&store, &fields) }
    let (delimiter, quoting) = (self.delimiter, self.quoting)
    var n = fieldCount
    var fieldStart = pos
    var seen: UInt64 = 0
    var strayQuote = -1
    let step = store.withUnsafeMutableBufferPointer { out -> Step? in
      let room = out.count
      let vd = ByteScan.broadcast(delimiter)
      let vq = ByteScan.broadcast(searchQuote)
      let vl = ByteScan.broadcast(ASCII.lineFeed)
      let vc = ByteScan.broadcast(ASCII.carriageReturn)
      // Ends the field at `j`; false when there is no room left for it.
      func end(at j: Int) -> Bool {
        guard n < room else { return false }
        out[n] = Field(
          rawStart: fieldStart - record, start: fieldStart - record, end: j - record,
          unescaped: false)
        n += 1
        return true
      }
      var i = fieldStart
      while i + 8 <= count {
        let w = ByteScan.load(p, i)
        seen |= w | (w &- ByteScan.ones)
        var m = ByteScan.matchMask(w, vd, vq, vl, vc)
        while m != 0 {
          let j = i + m.trailingZeroBitCount >> 3
          m &= m &- 1
          let b = p[j]
          if b == delimiter {
            guard end(at: j) else { return nil }
            fieldStart = j + 1
            // A quoted field next, or one that may not fit a word: the general path reads it.
            if j + 9 > count || (quoting && p[j + 1] == ASCII.quote) { return nil }
          } else if b == ASCII.lineFeed || b == ASCII.carriageReturn {
            var next = j + 1
            if b == ASCII.carriageReturn {
              // Whether an LF follows is not known yet at the buffer's end.
              guard next < count else { return nil }
              if p[next] == ASCII.lineFeed { next += 1 }
            }
            guard end(at: j) else { return nil }
            return .record(end: j - record, next: next)
          } else if quoting && b == ASCII.quote && strayQuote < 0 {
            // A quote inside an unquoted field is literal text (`5" box`) unless strict.
            strayQuote = j
          }
        }
        i += 8
      }
      return nil
    }
    fieldCount = n
    suspect |= seen & ByteScan.highs
    pos = fieldStart
    resumeAt = fieldStart - record
    if strayQuote >= 0 && strictQuotes && problem == nil {
      problem = Problem(kind: .strayQuote, offset: strayQuote - record)
    }
    return step
  }

  /// Fields reserved ahead for `unquotedFields`.
  static let fieldRoom = 32

  @inline(__always)
  mutating func finish(_ field: Field, _ breaks: Int) {
    if fieldCount < fields.count {
      fields[fieldCount] = field
    } else {
      fields.append(field)
    }
    fieldCount += 1
    lineBreaks += breaks
  }

  /// Rewinds to the start of the unfinished field, dropping what it added.
  mutating func needMore(at offset: Int, scratchMark: Int) -> Step {
    resumeAt = offset
    if scratch.count > scratchMark { scratch.removeSubrange(scratchMark...) }
    if let problem, problem.offset >= offset { self.problem = nil }
    return .needMore
  }
}
