/// One whitespace-separated field of a lexicon line, with the column it starts at.
public struct LexiconField: Sendable, Equatable {
  public var text: String
  /// 1-based column (in Unicode scalars) of the field's first character.
  public var column: Int
  /// True when the field was written in double quotes.
  public var quoted: Bool
}

/// One non-blank, non-comment line of a lexicon file.
public struct LexiconLine: Sendable {
  public var number: Int
  public var fields: [LexiconField]

  public func location(_ file: String, field: Int? = nil) -> SourceLocation {
    let column = field.flatMap { $0 < fields.count ? fields[$0].column : nil } ?? 1
    return SourceLocation(file: file, line: number, column: column)
  }

  /// The location just after the last field (for "expected ... at end of line").
  public func endLocation(_ file: String) -> SourceLocation {
    guard let last = fields.last else { return SourceLocation(file: file, line: number, column: 1) }
    return SourceLocation(
      file: file, line: number, column: last.column + last.text.unicodeScalars.count
        + (last.quoted ? 2 : 0))
  }
}

/// Reads the line structure shared by every file in `Lexicons/`: one entry a line, fields
/// separated by spaces or tabs, `"double quotes"` around a field with spaces, and `#` comments
/// (a `#` at the start of a field begins a comment that runs to the end of the line). The first
/// entry line of every file must be `version 1`.
public enum LexiconScanner {
  public static let supportedVersion = 1

  /// The entry lines of a file after its version line.
  ///
  /// - Complexity: O(n) in the file's bytes.
  public static func lines(of bytes: [UInt8], file: String) throws(TriageError) -> [LexiconLine] {
    guard let text = String(validating: bytes, as: UTF8.self) else {
      let offset = firstInvalidUTF8(bytes)
      throw .data(
        "invalid UTF-8 (byte 0x\(SafeText.hex2(bytes[offset]))); lexicon files must be UTF-8",
        at: LineIndex(bytes).location(file: file, byte: offset))
    }
    var result: [LexiconLine] = []
    var lineNumber = 0
    var sawVersion = false
    for rawLine in TextLines.split(text) {
      lineNumber += 1
      var line = rawLine
      if lineNumber == 1 && line.hasPrefix("\u{FEFF}") { line = line.dropFirst() }
      let fields = try fieldsOf(line, file: file, line: lineNumber)
      if fields.isEmpty { continue }
      if !sawVersion {
        guard fields[0].text == "version", fields.count == 2, !fields[0].quoted else {
          throw .data(
            "expected 'version \(supportedVersion)' as the first entry of the file, found '\(fields[0].text)'",
            at: SourceLocation(file: file, line: lineNumber, column: fields[0].column))
        }
        guard fields[1].text == String(supportedVersion) else {
          throw .data(
            "unsupported lexicon version '\(fields[1].text)'; this triage reads version \(supportedVersion)",
            at: SourceLocation(file: file, line: lineNumber, column: fields[1].column))
        }
        sawVersion = true
        continue
      }
      result.append(LexiconLine(number: lineNumber, fields: fields))
    }
    if !sawVersion {
      throw .data(
        "expected 'version \(supportedVersion)' as the first entry; the file has no entries",
        at: SourceLocation(file: file, line: max(1, lineNumber)))
    }
    return result
  }

  static func fieldsOf(_ line: Substring, file: String, line number: Int) throws(TriageError)
    -> [LexiconField]
  {
    var fields: [LexiconField] = []
    let scalars = Array(line.unicodeScalars)
    var i = 0
    while i < scalars.count {
      let c = scalars[i]
      if c == " " || c == "\t" {
        i += 1
        continue
      }
      if c == "#" { break }
      if let bad = controlScalar(c) {
        throw .data(
          "unexpected control character \(bad) in a lexicon file",
          at: SourceLocation(file: file, line: number, column: i + 1))
      }
      let column = i + 1
      if c == "\"" {
        var text = String.UnicodeScalarView()
        var j = i + 1
        var closed = false
        while j < scalars.count {
          if scalars[j] == "\\" && j + 1 < scalars.count {
            text.append(scalars[j + 1])
            j += 2
            continue
          }
          if scalars[j] == "\"" {
            closed = true
            break
          }
          text.append(scalars[j])
          j += 1
        }
        if !closed {
          throw .data(
            "unclosed quote: expected '\"' before the end of the line",
            at: SourceLocation(file: file, line: number, column: column))
        }
        fields.append(LexiconField(text: String(text), column: column, quoted: true))
        i = j + 1
        continue
      }
      var text = String.UnicodeScalarView()
      var j = i
      while j < scalars.count && scalars[j] != " " && scalars[j] != "\t" {
        // key="a value with spaces": the quoted part joins the field, without its quotes.
        if scalars[j] == "\"" {
          let open = j
          j += 1
          var closed = false
          while j < scalars.count {
            if scalars[j] == "\\" && j + 1 < scalars.count {
              text.append(scalars[j + 1])
              j += 2
              continue
            }
            if scalars[j] == "\"" {
              closed = true
              break
            }
            text.append(scalars[j])
            j += 1
          }
          if !closed {
            throw .data(
              "unclosed quote: expected '\"' before the end of the line",
              at: SourceLocation(file: file, line: number, column: open + 1))
          }
          j += 1
          continue
        }
        if let bad = controlScalar(scalars[j]) {
          throw .data(
            "unexpected control character \(bad) in a lexicon file",
            at: SourceLocation(file: file, line: number, column: j + 1))
        }
        text.append(scalars[j])
        j += 1
      }
      fields.append(LexiconField(text: String(text), column: column, quoted: false))
      i = j
    }
    return fields
  }

  static func controlScalar(_ c: Unicode.Scalar) -> String? {
    SafeText.needsEscape(c, .singleLine) && c != "\t" ? "'\(SafeText.escape(String(c)))'" : nil
  }

  static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
    var i = 0
    while i < bytes.count {
      let (scalar, length) = SafeText.decodeScalar(bytes[i...])
      if scalar == nil { return i }
      i += length
    }
    return max(0, bytes.count - 1)
  }
}

/// Small string helpers for messages.
public enum Suggest {
  /// The candidate closest to `word` by edit distance, when it is close enough to be a typo.
  public static func closest(to word: String, in candidates: some Sequence<String>) -> String? {
    let w = Array(word.lowercased())
    var best: (String, Int)?
    for c in candidates {
      let d = editDistance(w, Array(c.lowercased()))
      let limit = max(1, min(3, w.count / 3 + 1))
      guard d <= limit else { continue }
      if let (bestWord, bestDistance) = best,
        d > bestDistance || (d == bestDistance && c >= bestWord)
      {
        continue
      }
      best = (c, d)
    }
    return best?.0
  }

  /// " (did you mean 'x'?)" or "".
  public static func didYouMean(_ word: String, in candidates: some Sequence<String>) -> String {
    closest(to: word, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
  }

  /// Levenshtein distance with adjacent transpositions (optimal string alignment).
  public static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev2 = [Int](repeating: 0, count: b.count + 1)
    var prev = Array(0...b.count)
    var cur = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      cur[0] = i
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
        if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
          cur[j] = min(cur[j], prev2[j - 2] + 1)
        }
      }
      (prev2, prev, cur) = (prev, cur, prev2)
    }
    return prev[b.count]
  }
}
