/// A JSON value (RFC 8259), as read by `JSONValue(parsing:)`.
public enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case number(JSONNumber)
  case string(String)
  case array([JSONValue])
  case object(JSONObject)

  /// The deepest nesting of arrays and objects read unless told otherwise.
  public static let defaultMaxDepth = 512

  /// Parses one JSON value from text; `name` labels it in messages.
  ///
  /// - Throws: `.dataError` at the line and column of the problem.
  public init(parsing text: String, name: String = "<json>", maxDepth: Int = defaultMaxDepth)
    throws(TriageError)
  {
    var text = text
    let result = text.withUTF8 { b in
      Result { () throws(TriageError) in try JSONValue.parse(b, name: name, maxDepth: maxDepth) }
    }
    self = try result.get()
  }

  /// Parses one JSON value from UTF-8 bytes; `name` labels them in messages.
  public init(parsing bytes: [UInt8], name: String = "<json>", maxDepth: Int = defaultMaxDepth)
    throws(TriageError)
  {
    self = try bytes.withUnsafeBufferPointer { (b) throws(TriageError) in
      try JSONValue.parse(b, name: name, maxDepth: maxDepth)
    }
  }

  /// Parses one JSON value filling `bytes`, whitespace around it allowed.
  ///
  /// - Parameter firstLine: the line `bytes` starts on, for messages.
  /// - Complexity: O(n); strings without escapes are checked eight bytes a step.
  public static func parse(
    _ bytes: UnsafeBufferPointer<UInt8>, name: String, firstLine: Int = 1,
    maxDepth: Int = defaultMaxDepth
  ) throws(TriageError) -> JSONValue {
    do throws(JSONFailure) {
      guard let base = bytes.baseAddress else {
        throw JSONFailure(offset: 0, message: "unexpected end of input; expected a JSON value")
      }
      var parser = JSONParser(base, count: bytes.count, maxDepth: maxDepth)
      return try parser.parseDocument()
    } catch {
      throw error.triageError(in: bytes, file: name, firstLine: firstLine)
    }
  }

  // MARK: Reading values

  /// The member `key` of an object; nil for a missing key or a value that is not an object.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let object) = self else { return nil }
    return object[key]
  }

  /// Element `index` of an array; nil when out of range or not an array.
  public subscript(index: Int) -> JSONValue? {
    guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
    return elements[index]
  }

  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  public var numberValue: JSONNumber? {
    if case .number(let n) = self { return n }
    return nil
  }

  public var doubleValue: Double? { numberValue?.double }

  public var boolValue: Bool? {
    if case .bool(let b) = self { return b }
    return nil
  }

  public var arrayValue: [JSONValue]? {
    if case .array(let a) = self { return a }
    return nil
  }

  public var objectValue: JSONObject? {
    if case .object(let o) = self { return o }
    return nil
  }

  public var isNull: Bool { self == .null }

  /// What kind of value this is, for messages: `string`, `number`, `object`...
  public var kind: String {
    switch self {
    case .null: "null"
    case .bool: "boolean"
    case .number: "number"
    case .string: "string"
    case .array: "array"
    case .object: "object"
    }
  }

  // MARK: Writing

  /// The value as compact JSON text: no spaces, members in order, numbers as read.
  public var jsonText: String {
    var out: [UInt8] = []
    write(into: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// Appends the value as compact JSON text to `out`.
  public func write(into out: inout [UInt8]) {
    switch self {
    case .null: out.append(contentsOf: "null".utf8)
    case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
    case .number(let n): out.append(contentsOf: n.literal.utf8)
    case .string(let s): JSONValue.writeString(s, into: &out)
    case .array(let elements):
      out.append(ASCII.leftBracket)
      for (i, e) in elements.enumerated() {
        if i > 0 { out.append(ASCII.comma) }
        e.write(into: &out)
      }
      out.append(ASCII.rightBracket)
    case .object(let object):
      out.append(ASCII.leftBrace)
      for i in 0..<object.count {
        if i > 0 { out.append(ASCII.comma) }
        JSONValue.writeString(object.keys[i], into: &out)
        out.append(ASCII.colon)
        object.values[i].write(into: &out)
      }
      out.append(ASCII.rightBrace)
    }
  }

  /// Appends `s` as a JSON string: quotes, backslashes and control characters escaped.
  public static func writeString(_ s: String, into out: inout [UInt8]) {
    out.append(ASCII.quote)
    for b in s.utf8 {
      switch b {
      case ASCII.quote: out.append(contentsOf: [ASCII.backslash, ASCII.quote])
      case ASCII.backslash: out.append(contentsOf: [ASCII.backslash, ASCII.backslash])
      case ASCII.lineFeed: out.append(contentsOf: [ASCII.backslash, 0x6E])
      case ASCII.carriageReturn: out.append(contentsOf: [ASCII.backslash, 0x72])
      case ASCII.tab: out.append(contentsOf: [ASCII.backslash, 0x74])
      case 0..<0x20:
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        out.append(contentsOf: [ASCII.backslash, 0x75, ASCII.zero, ASCII.zero])
        out.append(hex[Int(b >> 4)])
        out.append(hex[Int(b & 0x0F)])
      default: out.append(b)
      }
    }
    out.append(ASCII.quote)
  }
}

/// A JSON number: the text as written, and its value as a `Double`.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
  /// The number exactly as written (`1.50`, `1e3`, `00042` is not valid JSON).
  public var literal: String
  /// The nearest `Double` (infinite when out of range).
  public var double: Double
  /// The value when the literal is an integer (no fraction or exponent) that fits in Int64.
  public var int64: Int64?

  public init(literal: String, double: Double, int64: Int64? = nil) {
    self.literal = literal
    self.double = double
    self.int64 = int64
  }

  public init(_ value: Int64) {
    self.init(literal: String(value), double: Double(value), int64: value)
  }

  public var description: String { literal }
}

/// A JSON object: members in the order they were written, looked up by key.
///
/// Keys are unique: the parser rejects an object that repeats one.
public struct JSONObject: Sendable, Equatable {
  /// The keys, in order.
  public private(set) var keys: [String]
  /// The values, in the order of `keys`.
  public private(set) var values: [JSONValue]
  /// Key to position, for objects too large to search one by one.
  private var index: [String: Int]?

  static let indexThreshold = 16

  /// An object of `members`; a later member with the same key replaces the earlier one's value.
  public init(_ members: [(key: String, value: JSONValue)] = []) {
    self.keys = []
    self.values = []
    for (key, value) in members {
      if let i = firstIndex(of: key) {
        values[i] = value
      } else {
        append(key, value)
      }
    }
  }

  /// Builds from parsed members; returns the position of a repeated key instead, if any.
  static func make(keys: [String], values: [JSONValue]) -> (JSONObject?, duplicate: Int?) {
    var object = JSONObject()
    object.keys = keys
    object.values = values
    if keys.count > indexThreshold {
      var index: [String: Int] = [:]
      index.reserveCapacity(keys.count)
      for (i, key) in keys.enumerated() {
        if index.updateValue(i, forKey: key) != nil { return (nil, i) }
      }
      object.index = index
    } else if keys.count > 1 {
      for i in 1..<keys.count where keys[..<i].contains(keys[i]) { return (nil, i) }
    }
    return (object, nil)
  }

  /// The number of members.
  public var count: Int { keys.count }

  /// The position of `key`, or nil.
  ///
  /// - Complexity: O(1) for large objects, O(members) for small ones.
  public func firstIndex(of key: String) -> Int? {
    if let index { return index[key] }
    return keys.firstIndex(of: key)
  }

  /// The value of member `key`, or nil.
  public subscript(key: String) -> JSONValue? {
    guard let i = firstIndex(of: key) else { return nil }
    return values[i]
  }

  /// The members in order.
  public var members: [(key: String, value: JSONValue)] {
    zip(keys, values).map { (key: $0, value: $1) }
  }

  mutating func append(_ key: String, _ value: JSONValue) {
    keys.append(key)
    values.append(value)
    if index != nil {
      index?[key] = keys.count - 1
    } else if keys.count > JSONObject.indexThreshold {
      index = Dictionary(uniqueKeysWithValues: zip(keys, keys.indices))
    }
  }

  public static func == (a: JSONObject, b: JSONObject) -> Bool {
    a.keys == b.keys && a.values == b.values
  }
}

// MARK: - The parser

/// Why parsing stopped, at a byte offset; turned into a located `TriageError` by the caller.
struct JSONFailure: Error {
  var offset: Int
  var message: String
  /// True when the input ended early (JSON Lines adds a hint).
  var atEnd = false

  func triageError(in bytes: UnsafeBufferPointer<UInt8>, file: String, firstLine: Int)
    -> TriageError
  {
    guard let p = bytes.baseAddress else {
      return TriageError.data(message, at: SourceLocation(file: file, line: firstLine, column: 1))
    }
    let at = ByteScan.position(of: min(offset, bytes.count), from: 0, line: firstLine, in: p)
    return TriageError.data(
      message, at: SourceLocation(file: file, line: at.line, column: at.column))
  }
}

/// A recursive-descent JSON parser over bytes, with a depth limit.
///
/// Members and elements are gathered on stacks shared by all nesting levels and copied out once
/// a container closes, so each array or object costs one allocation for its storage. A caller
/// parsing many documents (JSON Lines) lends the same `Buffers` to each parser in turn, so no
/// buffer is allocated per line.
struct JSONParser {
  /// Work space reused from one document to the next.
  struct Buffers {
    /// Strings with escapes are undone here.
    var scratch: [UInt8] = []
    var keys: [String] = []
    var keyOffsets: [Int] = []
    var values: [JSONValue] = []
    /// The offsets of the top-level object's member values, when recorded.
    var memberOffsets: [Int] = []

    mutating func clear() {
      keys.removeAll(keepingCapacity: true)
      keyOffsets.removeAll(keepingCapacity: true)
      values.removeAll(keepingCapacity: true)
      memberOffsets.removeAll(keepingCapacity: true)
    }
  }

  let p: UnsafePointer<UInt8>
  let end: Int
  let maxDepth: Int
  var i = 0
  var depth = 0
  var buffers = Buffers()
  /// Whether to record the offsets of the top-level object's member values.
  let recordsMemberOffsets: Bool

  init(
    _ p: UnsafePointer<UInt8>, count: Int, maxDepth: Int, recordsMemberOffsets: Bool = false
  ) {
    self.p = p
    self.end = count
    self.maxDepth = maxDepth
    self.recordsMemberOffsets = recordsMemberOffsets
  }

  /// Parses one value spanning the bytes (whitespace around it allowed).
  mutating func parseDocument() throws(JSONFailure) -> JSONValue {
    buffers.clear()
    let value = try parseValue()
    skipWhitespace()
    if i < end {
      throw JSONFailure(
        offset: i, message: "trailing characters after JSON value: \(describe(at: i))")
    }
    return value
  }

  @inline(__always)
  mutating func skipWhitespace() {
    while i < end {
      let b = p[i]
      guard
        b == ASCII.space || b == ASCII.lineFeed || b == ASCII.carriageReturn
          || b == ASCII.tab
      else { return }
      i += 1
    }
  }

  mutating func parseValue() throws(JSONFailure) -> JSONValue {
    skipWhitespace()
    guard i < end else { throw endFailure("a JSON value") }
    switch p[i] {
    case ASCII.leftBrace: return try parseObject()
    case ASCII.leftBracket: return try parseArray()
    case ASCII.quote: return .string(try parseString())
    case 0x74: return try parseWord("true", .bool(true))
    case 0x66: return try parseWord("false", .bool(false))
    case 0x6E: return try parseWord("null", .null)
    case ASCII.minus, ASCII.zero...ASCII.nine: return .number(try parseNumber())
    default:
      throw JSONFailure(
        offset: i, message: "unexpected \(describe(at: i)); expected a JSON value")
    }
  }

  mutating func parseWord(_ word: StaticString, _ value: JSONValue) throws(JSONFailure)
    -> JSONValue
  {
    let n = word.utf8CodeUnitCount
    let w = word.utf8Start
    let start = i
    for k in 0..<n {
      guard i < end else { throw endFailure("'\(word)'") }
      guard p[i] == w[k] else {
        throw JSONFailure(
          offset: start, message: "unexpected \(describeWord(at: start)); expected a JSON value")
      }
      i += 1
    }
    return value
  }

  mutating func enter() throws(JSONFailure) {
    depth += 1
    if depth > maxDepth {
      throw JSONFailure(
        offset: i, message: "nesting deeper than \(maxDepth) levels of arrays and objects")
    }
  }

  mutating func parseObject() throws(JSONFailure) -> JSONValue {
    try enter()
    let top = depth == 1 && recordsMemberOffsets
    i += 1
    skipWhitespace()
    if i < end && p[i] == ASCII.rightBrace {
      i += 1
      depth -= 1
      return .object(JSONObject())
    }
    let keyMark = buffers.keys.count
    let valueMark = buffers.values.count
    while true {
      skipWhitespace()
      guard i < end else { throw endFailure("a string key") }
      guard p[i] == ASCII.quote else {
        throw JSONFailure(
          offset: i, message: "expected a string key in object, found \(describe(at: i))")
      }
      buffers.keyOffsets.append(i)
      let key = try parseString()
      buffers.keys.append(key)
      skipWhitespace()
      guard i < end else { throw endFailure("':' after object key") }
      guard p[i] == ASCII.colon else {
        throw JSONFailure(
          offset: i, message: "expected ':' after object key, found \(describe(at: i))")
      }
      i += 1
      if top {
        skipWhitespace()
        buffers.memberOffsets.append(i)
      }
      let value = try parseValue()
      buffers.values.append(value)
      skipWhitespace()
      guard i < end else { throw endFailure("',' or '}' after object member") }
      if p[i] == ASCII.comma {
        i += 1
        continue
      }
      guard p[i] == ASCII.rightBrace else {
        throw JSONFailure(
          offset: i, message: "expected ',' or '}' after object member, found \(describe(at: i))")
      }
      i += 1
      break
    }
    depth -= 1
    let (object, duplicate) = JSONObject.make(
      keys: Array(buffers.keys[keyMark...]), values: Array(buffers.values[valueMark...]))
    guard let object else {
      let k = keyMark + (duplicate ?? 0)
      throw JSONFailure(
        offset: buffers.keyOffsets[k],
        message: "duplicate key \(quoted(Array(buffers.keys[k].utf8))) in object")
    }
    buffers.keys.removeSubrange(keyMark...)
    buffers.keyOffsets.removeSubrange(keyMark...)
    buffers.values.removeSubrange(valueMark...)
    return .object(object)
  }

  mutating func parseArray() throws(JSONFailure) -> JSONValue {
    try enter()
    i += 1
    skipWhitespace()
    if i < end && p[i] == ASCII.rightBracket {
      i += 1
      depth -= 1
      return .array([])
    }
    let mark = buffers.values.count
    while true {
      let value = try parseValue()
      buffers.values.append(value)
      skipWhitespace()
      guard i < end else { throw endFailure("',' or ']' after array element") }
      if p[i] == ASCII.comma {
        i += 1
        continue
      }
      guard p[i] == ASCII.rightBracket else {
        throw JSONFailure(
          offset: i, message: "expected ',' or ']' after array element, found \(describe(at: i))")
      }
      i += 1
      break
    }
    depth -= 1
    let elements = Array(buffers.values[mark...])
    buffers.values.removeSubrange(mark...)
    return .array(elements)
  }

  /// Reads a string at `i` (its opening quote) and moves past its closing quote.
  ///
  /// - Complexity: O(length); runs without escapes or non-ASCII go eight bytes a step.
  mutating func parseString() throws(JSONFailure) -> String {
    let open = i
    i += 1
    var segment = i
    var escaped = false
    let quotes = ByteScan.broadcast(ASCII.quote)
    let backslashes = ByteScan.broadcast(ASCII.backslash)
    let controls = ByteScan.broadcast(0x20)
    while true {
      // Skip plain ASCII text a word at a time.
      while i + 8 <= end {
        let w = ByteScan.load(p, i)
        let m =
          ByteScan.zeroMask(w ^ quotes) | ByteScan.zeroMask(w ^ backslashes)
          | ((w &- controls) & ~w & ByteScan.highs) | (w & ByteScan.highs)
        if m != 0 {
          i += m.trailingZeroBitCount >> 3
          break
        }
        i += 8
      }
      guard i < end else {
        throw JSONFailure(offset: open, message: "unterminated string", atEnd: true)
      }
      let b = p[i]
      switch b {
      case ASCII.quote:
        i += 1
        if !escaped {
          return String(
            decoding: UnsafeBufferPointer(start: p + segment, count: i - 1 - segment), as: UTF8.self
          )
        }
        buffers.scratch.append(
          contentsOf: UnsafeBufferPointer(start: p + segment, count: i - 1 - segment))
        let s = String(decoding: buffers.scratch, as: UTF8.self)
        buffers.scratch.removeAll(keepingCapacity: true)
        return s
      case ASCII.backslash:
        if !escaped {
          escaped = true
          buffers.scratch.removeAll(keepingCapacity: true)
        }
        buffers.scratch.append(
          contentsOf: UnsafeBufferPointer(start: p + segment, count: i - segment))
        try parseEscape()
        segment = i
      case 0..<0x20:
        throw JSONFailure(
          offset: i,
          message: "control character \(ByteScan.hex(b)) in string; write it as an escape "
            + "such as '\\n' or '\\u00\(ByteScan.hex(b).dropFirst(2))'")
      case 0x80...:
        let n = ByteScan.utf8SequenceLength(p, i, end)
        guard n > 0 else {
          throw JSONFailure(offset: i, message: "invalid UTF-8 byte \(ByteScan.hex(b)) in string")
        }
        i += n
      default:
        i += 1
      }
    }
  }

  /// Reads the escape at `i` (its backslash) into `scratch`.
  mutating func parseEscape() throws(JSONFailure) {
    let start = i
    guard i + 1 < end else {
      throw JSONFailure(offset: start, message: "unterminated string", atEnd: true)
    }
    let c = p[i + 1]
    i += 2
    let simple: UInt8?
    switch c {
    case ASCII.quote: simple = ASCII.quote
    case ASCII.backslash: simple = ASCII.backslash
    case ASCII.slash: simple = ASCII.slash
    case 0x62: simple = 0x08  // b
    case 0x66: simple = 0x0C  // f
    case 0x6E: simple = ASCII.lineFeed  // n
    case 0x72: simple = ASCII.carriageReturn  // r
    case 0x74: simple = ASCII.tab  // t
    case 0x75: simple = nil  // u
    default:
      let shown =
        c >= 0x21 && c < 0x7F
        ? "'\\\(Character(Unicode.Scalar(c)))'" : "'\\' followed by \(ByteScan.describe(c))"
      throw JSONFailure(
        offset: start,
        message:
          "invalid escape \(shown); expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
    }
    if let simple {
      buffers.scratch.append(simple)
      return
    }
    var scalar = try hex4(escapeAt: start)
    if (0xD800...0xDBFF).contains(scalar) {
      // A high surrogate must be followed by an escaped low one.
      guard i + 1 < end, p[i] == ASCII.backslash, p[i + 1] == 0x75 else {
        throw JSONFailure(
          offset: start, message: "unpaired surrogate '\\u\(hexText(scalar))' in string")
      }
      let lowStart = i
      i += 2
      let low = try hex4(escapeAt: lowStart)
      guard (0xDC00...0xDFFF).contains(low) else {
        throw JSONFailure(
          offset: start, message: "unpaired surrogate '\\u\(hexText(scalar))' in string")
      }
      scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
    } else if (0xDC00...0xDFFF).contains(scalar) {
      throw JSONFailure(
        offset: start, message: "unpaired surrogate '\\u\(hexText(scalar))' in string")
    }
    guard let u = Unicode.Scalar(scalar) else {
      throw JSONFailure(offset: start, message: "invalid escape '\\u\(hexText(scalar))'")
    }
    UTF8.encode(u) { buffers.scratch.append($0) }
  }

  /// Four hex digits at `i`, after a `\u` at `escapeAt`.
  mutating func hex4(escapeAt start: Int) throws(JSONFailure) -> UInt32 {
    var v: UInt32 = 0
    for _ in 0..<4 {
      guard i < end else {
        throw JSONFailure(offset: start, message: "unterminated string", atEnd: true)
      }
      let b = p[i]
      let d: UInt8
      switch b {
      case ASCII.zero...ASCII.nine: d = b - ASCII.zero
      case 0x61...0x66: d = b - 0x61 + 10
      case 0x41...0x46: d = b - 0x41 + 10
      default:
        let written = String(
          decoding: UnsafeBufferPointer(start: p + start, count: i + 1 - start), as: UTF8.self)
        throw JSONFailure(
          offset: start,
          message:
            "invalid escape \(quoted(Array(written.utf8))); expected '\\u' and four hex digits")
      }
      v = v << 4 | UInt32(d)
      i += 1
    }
    return v
  }

  func hexText(_ v: UInt32) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - s.count)) + s
  }

  /// Reads a number at `i` (RFC 8259 grammar: no leading zeros, no `+`, no bare `.`).
  mutating func parseNumber() throws(JSONFailure) -> JSONNumber {
    let start = i
    var negative = false
    if p[i] == ASCII.minus {
      negative = true
      i += 1
    }
    guard i < end else { throw endFailure("a digit") }
    var integer: UInt64 = 0
    var digits = 0
    if p[i] == ASCII.zero {
      i += 1
      digits = 1
      if i < end && isDigit(p[i]) {
        throw JSONFailure(offset: start, message: "invalid number: leading zeros are not allowed")
      }
    } else {
      while i < end && isDigit(p[i]) {
        if digits < 19 { integer = integer &* 10 &+ UInt64(p[i] - ASCII.zero) }
        digits += 1
        i += 1
      }
      guard digits > 0 else {
        throw JSONFailure(
          offset: i, message: "invalid number: expected a digit after '-', found \(describe(at: i))"
        )
      }
    }
    var isInteger = true
    if i < end && p[i] == ASCII.period {
      isInteger = false
      i += 1
      let first = i
      while i < end && isDigit(p[i]) { i += 1 }
      guard i > first else {
        throw JSONFailure(
          offset: i, message: "invalid number: expected a digit after '.', found \(describe(at: i))"
        )
      }
    }
    if i < end && (p[i] == 0x65 || p[i] == 0x45) {
      isInteger = false
      i += 1
      if i < end && (p[i] == ASCII.plus || p[i] == ASCII.minus) { i += 1 }
      let first = i
      while i < end && isDigit(p[i]) { i += 1 }
      guard i > first else {
        throw JSONFailure(
          offset: i,
          message: "invalid number: expected a digit in the exponent, found \(describe(at: i))")
      }
    }
    let literal = String(
      decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
    if isInteger && digits <= 18 {
      // Exact: at most 18 digits fit in Int64.
      let v = negative ? -Int64(integer) : Int64(integer)
      return JSONNumber(literal: literal, double: Double(v), int64: v)
    }
    var exact: Int64?
    if isInteger { exact = Int64(literal) }
    return JSONNumber(literal: literal, double: Double(literal) ?? .nan, int64: exact)
  }

  @inline(__always)
  func isDigit(_ b: UInt8) -> Bool { b &- ASCII.zero < 10 }

  func endFailure(_ expected: String) -> JSONFailure {
    JSONFailure(offset: end, message: "unexpected end of input; expected \(expected)", atEnd: true)
  }

  /// The byte or character at `offset`, quoted for a message.
  func describe(at offset: Int) -> String {
    guard offset < end else { return "the end of input" }
    let b = p[offset]
    if b >= 0x80 {
      let n = ByteScan.utf8SequenceLength(p, offset, end)
      if n == 0 { return "byte " + ByteScan.hex(b) }
      return quoted(Array(UnsafeBufferPointer(start: p + offset, count: n)))
    }
    return ByteScan.describe(b)
  }

  /// The word starting at `offset` (letters and digits), quoted, for "unexpected 'nul'".
  func describeWord(at offset: Int) -> String {
    var j = offset
    while j < end && j - offset < 20 {
      let b = p[j] | 0x20
      guard (b >= 0x61 && b <= 0x7A) || isDigit(p[j]) else { break }
      j += 1
    }
    if j == offset { return describe(at: offset) }
    return quoted(Array(UnsafeBufferPointer(start: p + offset, count: j - offset)))
  }
}
