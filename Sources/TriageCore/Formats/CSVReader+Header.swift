/// The header row of a CSV file: columns found by name, case-insensitively.
///
/// Names are trimmed of spaces and tabs. Two columns with the same name are an error; columns
/// with an empty name are allowed (a trailing comma makes one) but cannot be looked up.
public struct CSVHeader: Sendable {
  /// The input the header came from.
  public let file: String
  /// The line the header row is on (1 unless blank lines come first).
  public let line: Int
  /// The column names as written, trimmed.
  public let names: [String]
  /// The names lowercased, for lookup.
  let keys: [String]

  /// Reads the first record of `reader` as the header.
  ///
  /// - Parameter expected: the columns the caller needs, named in the message for an empty
  ///   file.
  /// - Throws: `.dataError` for an empty file or a duplicate column name.
  public init(reading reader: inout CSVReader, expecting expected: [String] = [])
    throws(TriageError)
  {
    guard try reader.next() else {
      var message = "empty file: expected a header row"
      if !expected.isEmpty { message += " with columns " + expected.joined(separator: ", ") }
      throw TriageError.data(message, at: SourceLocation(file: reader.name))
    }
    var names: [String] = []
    var keys: [String] = []
    var seen: [String: Int] = [:]
    for i in 0..<reader.fieldCount {
      let name = CSVHeader.trim(reader.string(i))
      let key = name.lowercased()
      if !key.isEmpty, let first = seen[key] {
        throw TriageError.data(
          "duplicate column \(quoted(Array(name.utf8))): columns \(first + 1) and \(i + 1) have the same name; "
            + "rename one of them",
          at: reader.location(ofField: i))
      }
      seen[key] = i
      names.append(name)
      keys.append(key)
    }
    self.file = reader.name
    self.line = reader.line
    self.names = names
    self.keys = keys
  }

  /// The number of columns.
  public var count: Int { names.count }

  /// The 0-based position of the column called `name` (any case, spaces around ignored).
  public func index(of name: String) -> Int? {
    let key = CSVHeader.trim(name).lowercased()
    guard !key.isEmpty else { return nil }
    return keys.firstIndex(of: key)
  }

  /// The positions of `required`, in the same order.
  ///
  /// - Throws: `.dataError` listing the missing columns and the columns found, with "did you
  ///   mean" for a found name within two edits of a missing one.
  public func require(_ required: [String]) throws(TriageError) -> [Int] {
    var positions: [Int] = []
    var missing: [String] = []
    for name in required {
      if let i = index(of: name) { positions.append(i) } else { missing.append(name) }
    }
    guard !missing.isEmpty else { return positions }

    var message = missing.count == 1 ? "missing required column " : "missing required columns "
    message += missing.map { "'\($0)'" }.joined(separator: ", ")
    let found = names.filter { !$0.isEmpty }
    message +=
      found.isEmpty
      ? " (the header has no named columns)"
      : " (found columns: " + found.map { SafeText.escape($0) }.joined(separator: ", ") + ")"
    var hints: [String] = []
    for name in missing {
      guard let near = CSVHeader.nearest(to: name, among: names) else { continue }
      let shown = quoted(Array(near.utf8))
      hints.append(missing.count == 1 ? shown : "\(shown) for '\(name)'")
    }
    if !hints.isEmpty { message += "; did you mean " + hints.joined(separator: " and ") + "?" }
    throw TriageError.data(message, at: SourceLocation(file: file, line: line))
  }

  /// The columns not in `known`, as written, in header order (empty names left out).
  public func unknownColumns(known: [String]) -> [String] {
    let knownKeys = Set(known.map { CSVHeader.trim($0).lowercased() })
    return zip(names, keys).filter { !$0.1.isEmpty && !knownKeys.contains($0.1) }.map(\.0)
  }

  /// Checks that the current record of `reader` has as many fields as the header.
  ///
  /// Callers that skip bad rows catch the error and go on with `reader.next()`.
  ///
  /// - Throws: `.dataError` "expected 6 fields as in the header, found 4", at the first extra
  ///   field when there are too many.
  public func checkFieldCount(of reader: CSVReader) throws(TriageError) {
    let found = reader.fieldCount
    guard found != count else { return }
    if found > count {
      throw TriageError.data(
        "expected \(count) fields as in the header, found \(found); a field that contains "
          + "'\(reader.delimiterText)' must be in double quotes",
        at: reader.location(ofField: count))
    }
    throw TriageError.data(
      "expected \(count) fields as in the header, found \(found)", at: reader.location)
  }

  /// The candidate closest to `name` ignoring case, if within two edits and not wholly
  /// different (a distance under the name's length); the first of equals wins.
  static func nearest(to name: String, among candidates: [String]) -> String? {
    let target = Array(trim(name).lowercased().unicodeScalars)
    var best: (distance: Int, name: String)?
    for candidate in candidates {
      let key = Array(trim(candidate).lowercased().unicodeScalars)
      guard !key.isEmpty else { continue }
      let d = editDistance(target, key, limit: 2)
      guard d <= 2, d < max(target.count, 2) else { continue }
      if d < best?.distance ?? Int.max { best = (d, candidate) }
    }
    return best?.name
  }

  static func trim(_ s: String) -> String {
    let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
    guard let first = s.firstIndex(where: { !isBlank($0) }),
      let last = s.lastIndex(where: { !isBlank($0) })
    else { return "" }
    return String(s[first...last])
  }

  /// Levenshtein distance, stopping early once it exceeds `limit` (then returns `limit + 1`).
  static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], limit: Int) -> Int {
    if abs(a.count - b.count) > limit { return limit + 1 }
    if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      var rowMin = i
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        rowMin = min(rowMin, current[j])
      }
      if rowMin > limit { return limit + 1 }
      swap(&previous, &current)
    }
    return previous[b.count]
  }
}
