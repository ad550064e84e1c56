/// A streaming JSON Lines reader: one JSON value a line, blank lines skipped.
///
/// ```swift
/// var reader = try JSONLinesReader(path: "notes.jsonl")
/// while try reader.next() {
///   let id = try reader.requireString("note_id", acceptingNumber: true)
///   let text = try reader.requireString("text")
/// }
/// ```
///
/// Memory grows with the longest line, never with the input. A line that is not valid JSON
/// throws with that line current (`lineBytes`, `line`) and the next call goes on with the line
/// after it; only a line over `maxLineBytes` stops the reader (`canContinue` turns false).
///
/// A reader is a cursor over a stream: copies of a reader over a file share the file, so advance
/// only one of them.
public struct JSONLinesReader: Sendable {
  /// The longest line accepted, in bytes.
  public let maxLineBytes: Int
  /// The deepest nesting accepted in a value.
  public let maxDepth: Int
  /// The line the current value is on, 1-based.
  public private(set) var line = 0
  /// The current value.
  public private(set) var value: JSONValue = .null
  /// False after an error that leaves the rest of the input unreadable.
  public private(set) var canContinue = true

  var window: InputWindow
  /// The current line in `window.storage`, line end excluded.
  var lineStart = 0
  var lineEnd = 0
  var nextStart = 0
  var nextLine = 1
  var sawStart = false
  /// Offsets (from `lineStart`) of the top-level members' values, for locating field errors.
  var memberOffsets: [Int] { buffers.memberOffsets }
  /// The parser's work space, lent to the parser of each line.
  var buffers = JSONParser.Buffers()

  /// Reads the file at `path` (`-` for standard input).
  ///
  /// Throws `.noInput` when the file cannot be opened.
  public init(
    path: String, maxLineBytes: Int = 64 << 20, maxDepth: Int = JSONValue.defaultMaxDepth,
    chunkSize: Int = ByteSource.defaultChunkSize
  ) throws(TriageError) {
    self.init(
      source: try ByteSource(path: path, chunkSize: chunkSize), maxLineBytes: maxLineBytes,
      maxDepth: maxDepth)
  }

  /// Reads bytes in memory; `name` labels them in messages.
  public init(
    bytes: [UInt8], name: String = "<bytes>", maxLineBytes: Int = 64 << 20,
    maxDepth: Int = JSONValue.defaultMaxDepth, chunkSize: Int = ByteSource.defaultChunkSize
  ) {
    self.init(
      source: ByteSource(bytes: bytes, name: name, chunkSize: chunkSize),
      maxLineBytes: maxLineBytes, maxDepth: maxDepth)
  }

  /// Reads from any byte source.
  public init(
    source: ByteSource, maxLineBytes: Int = 64 << 20, maxDepth: Int = JSONValue.defaultMaxDepth
  ) {
    self.window = InputWindow(source)
    self.maxLineBytes = maxLineBytes
    self.maxDepth = maxDepth
  }

  /// The input's name as messages show it.
  public var name: String { window.source.name }

  /// Advances to the next non-blank line and parses it; false at the end of the input.
  ///
  /// - Throws: `.dataError` at the line and column of a malformed value; the line is then
  ///   current and the next call reads the one after it.
  /// - Complexity: O(bytes of the line), plus reading from the source.
  public mutating func next() throws(TriageError) -> Bool {
    value = .null
    buffers.memberOffsets.removeAll(keepingCapacity: true)
    lineStart = nextStart
    lineEnd = nextStart
    guard canContinue else { return false }
    if !sawStart {
      sawStart = true
      lineStart = try readingMore { (w) throws(TriageError) in try w.skipByteOrderMark() }
    }
    line = nextLine
    var searched = lineStart
    while true {
      // Find the end of the line, reading more while it runs past the buffer.
      let count = window.count
      let newline = window.storage.withUnsafeBufferPointer { b -> Int in
        guard let p = b.baseAddress else { return count }
        return ByteScan.first(ASCII.lineFeed, in: p, from: searched, to: count)
      }
      if newline == count && !window.atEnd {
        // One byte of slack: the last byte may be the CR of a CRLF.
        if count - lineStart > maxLineBytes + 1 { throw lineTooLong() }
        searched = count - lineStart
        let keep = lineStart
        _ = try readingMore { (w) throws(TriageError) in try w.refill(keeping: keep) }
        lineStart = 0
        continue
      }
      if newline == count && lineStart == count {
        nextStart = count
        lineEnd = count
        return false
      }
      lineEnd = newline
      nextStart = newline == count ? count : newline + 1
      nextLine = line + 1
      if lineEnd > lineStart && window.storage[lineEnd - 1] == ASCII.carriageReturn {
        lineEnd -= 1
      }
      if lineEnd - lineStart > maxLineBytes { throw lineTooLong() }
      if isBlank() {
        line += 1
        lineStart = nextStart
        searched = lineStart
        continue
      }
      try parseLine()
      return true
    }
  }

  // MARK: The current line

  /// Calls `body` with the bytes of the current line, line end excluded.
  public func withLineBytes<R, E: Error>(
    _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R
  ) throws(E) -> R {
    try window.withBytes(lineStart..<lineEnd, body)
  }

  /// The bytes of the current line (for writing a rejects file), line end excluded.
  public var lineBytes: [UInt8] { withLineBytes { Array($0) } }

  /// Where the current line is: the file and line.
  public var location: SourceLocation { SourceLocation(file: name, line: line) }

  /// Where the value of top-level member `key` starts; the line alone when there is none.
  ///
  /// - Complexity: O(bytes of the line before the value); computed only when asked.
  public func location(ofField key: String) -> SourceLocation {
    guard let object = value.objectValue, let i = object.firstIndex(of: key),
      i < memberOffsets.count
    else { return location }
    return location(atLineOffset: memberOffsets[i])
  }

  /// The string in field `key` of the current object.
  ///
  /// - Parameter acceptingNumber: read a number as its literal text (`1042` → "1042"), for ids.
  /// - Throws: `.dataError` "missing field 'note_id'" or "field 'text' must be a string, found
  ///   number", located at the line or the value.
  public func requireString(_ key: String, acceptingNumber: Bool = false) throws(TriageError)
    -> String
  {
    guard let s = try optionalString(key, acceptingNumber: acceptingNumber, nullAllowed: false)
    else {
      let object = try requireObject()
      var message = "missing field '\(key)'"
      if let near = CSVHeader.nearest(to: key, among: object.keys) {
        message += "; did you mean \(quoted(Array(near.utf8)))?"
      }
      throw TriageError.data(message, at: location)
    }
    return s
  }

  /// The string in field `key`, or nil when the field is missing or null.
  ///
  /// - Throws: `.dataError` when the value is there and of another type.
  public func optionalString(_ key: String, acceptingNumber: Bool = false) throws(TriageError)
    -> String?
  {
    try optionalString(key, acceptingNumber: acceptingNumber, nullAllowed: true)
  }

  /// The timestamp in field `key`, or nil when the field is missing, null or empty.
  ///
  /// - Throws: `.dataError` at the value when it is not a string or not a timestamp.
  public func optionalTimestamp(_ key: String) throws(TriageError) -> Timestamp? {
    guard let text = try optionalString(key), !text.isEmpty else { return nil }
    do {
      return try Timestamp(text)
    } catch {
      throw TriageError.data("field '\(key)': " + error.message, at: location(ofField: key))
    }
  }

  func optionalString(_ key: String, acceptingNumber: Bool, nullAllowed: Bool)
    throws(TriageError) -> String?
  {
    let object = try requireObject()
    guard let found = object[key] else { return nil }
    switch found {
    case .string(let s): return s
    case .number(let n) where acceptingNumber: return n.literal
    case .null where nullAllowed: return nil
    default:
      let wanted = acceptingNumber ? "a string or a number" : "a string"
      throw TriageError.data(
        "field '\(key)' must be \(wanted), found \(found.kind)", at: location(ofField: key))
    }
  }

  func requireObject() throws(TriageError) -> JSONObject {
    guard let object = value.objectValue else {
      throw TriageError.data(
        "expected a JSON object on each line, found \(value.kind)",
        at: location(atLineOffset: firstNonBlankOffset()))
    }
    return object
  }

  // MARK: Helpers

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

  /// Ends reading after an error that leaves the rest of the input unreadable: no current
  /// line, and `next()` returns false from now on.
  mutating func stop() {
    canContinue = false
    lineStart = window.count
    lineEnd = window.count
    nextStart = window.count
  }

  /// Stops the reader: without the line's end, the next line cannot be found within the limit.
  mutating func lineTooLong() -> TriageError {
    stop()
    return TriageError.data(
      "line longer than \(ByteCount(maxLineBytes)), the line size limit; the rest of the file "
        + "cannot be read",
      at: SourceLocation(file: name, line: line))
  }

  /// Whether the current line holds only JSON whitespace.
  func isBlank() -> Bool { firstNonBlankOffset() == lineEnd - lineStart }

  func firstNonBlankOffset() -> Int {
    var i = lineStart
    while i < lineEnd {
      let b = window.storage[i]
      guard b == ASCII.space || b == ASCII.tab || b == ASCII.carriageReturn else { break }
      i += 1
    }
    return i - lineStart
  }

  mutating func parseLine() throws(TriageError) {
    let range = lineStart..<lineEnd
    let maxDepth = self.maxDepth
    var outcome: Result<JSONValue, JSONFailure> = .success(.null)
    window.storage.withUnsafeBufferPointer { b in
      guard let base = b.baseAddress else { return }
      var parser = JSONParser(
        base + range.lowerBound, count: range.count, maxDepth: maxDepth,
        recordsMemberOffsets: true)
      // Lend the parser our buffers, so lines after the first allocate none.
      swap(&parser.buffers, &buffers)
      do throws(JSONFailure) {
        outcome = .success(try parser.parseDocument())
      } catch {
        outcome = .failure(error)
      }
      swap(&parser.buffers, &buffers)
    }
    switch outcome {
    case .success(let v):
      value = v
    case .failure(let failure):
      var message = failure.message
      if failure.atEnd { message += " (each line must hold one complete JSON value)" }
      throw TriageError.data(message, at: location(atLineOffset: failure.offset))
    }
  }

  /// The location of a byte of the current line.
  func location(atLineOffset offset: Int) -> SourceLocation {
    let start = lineStart
    let column = window.storage.withUnsafeBufferPointer { b -> Int in
      guard let p = b.baseAddress else { return 0 }
      return ByteScan.column(of: start + offset, lineStart: start, in: p)
    }
    return SourceLocation(file: name, line: line, column: column)
  }
}
