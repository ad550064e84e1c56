/// The text of an entry: words, `{n}` captures, `(a|b)` groups, `near`'s `+`, a pattern's
/// `where` condition, `within N`, and trailing `[tags]`.
///
/// Grammar (over whitespace-separated fields; parentheses and bars may touch words):
///
///     entry    = sequence                       terms, patterns, cues
///              | sequence "+" sequence          near, either order
///              | sequence ">" sequence          near, first part first
///     sequence = item+
///     item     = WORD | "=" WORD | "{" NAME "}" | "{" NAME "}/{" NAME "}" | group
///     group    = "(" alt ("|" alt)* ")" ["?"]    an empty alt, or a "?", makes it optional
///     alt      = item*
extension LexiconParser {
  struct ParsedText {
    var text: String
    var normalized: String
    var sequences: [[PatternElement]]
    var nearSequences: [[PatternElement]] = []
    var nearWindow = 0
    var nearOrdered = false
    var conditions: [PatternCondition] = []
    var tags: [String] = []
  }

  /// How many spellings one entry may expand to.
  static let maxSequences = 1024

  struct Piece {
    enum Kind { case word, open, close, bar, plus, then, optional }
    var kind: Kind
    var text: String
    var column: Int
  }

  mutating func parseEntryText(
    _ fields: [LexiconField], line: LexiconLine, file: String, fieldOffset: Int, kind: EntryKind
  ) throws(TriageError) -> ParsedText {
    func loc(_ i: Int) -> SourceLocation { line.location(file, field: fieldOffset + i) }
    func at(_ column: Int) -> SourceLocation { SourceLocation(file: file, line: line.number, column: column) }
    var body = fields
    var tags: [String] = []
    // Trailing [tags].
    if let open = body.firstIndex(where: { $0.text.hasPrefix("[") && !$0.quoted }) {
      var raw = ""
      var closedAt: Int?
      for j in open..<body.count {
        raw += (raw.isEmpty ? "" : " ") + body[j].text
        if body[j].text.hasSuffix("]") {
          closedAt = j
          break
        }
      }
      guard let close = closedAt else {
        throw .data("unclosed '[': expected ']' after the tags", at: loc(open))
      }
      guard close == body.count - 1 else {
        throw .data("unexpected '\(body[close + 1].text)' after the tags", at: loc(close + 1))
      }
      for t in raw.dropFirst().dropLast().split(whereSeparator: { $0 == "," || $0 == " " }) {
        let parts = t.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
          parts[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
        else {
          throw .data(
            "expected a tag such as 'x12:AY' or 'shopify:INCORRECT_ADDRESS', found '\(t)'", at: loc(open))
        }
        tags.append(String(t))
      }
      if tags.isEmpty { throw .data("empty tag list '[]'", at: loc(open)) }
      body = Array(body[..<open])
    }
    // A pattern's `where` condition.
    var conditions: [PatternCondition] = []
    var conditionFields: [LexiconField] = []
    if let w = body.firstIndex(where: { $0.text == "where" && !$0.quoted }) {
      guard kind == .pattern else {
        throw .data("'where' conditions are only allowed on pattern entries", at: loc(w))
      }
      conditionFields = Array(body[(w + 1)...])
      if conditionFields.isEmpty {
        throw .data("expected a condition such as 'n < m' after 'where'", at: line.endLocation(file))
      }
      body = Array(body[..<w])
    }
    // A near entry's `within N`.
    var nearWindow = 4
    if kind == .near, body.count >= 2, body[body.count - 2].text == "within" {
      guard let n = Int(body[body.count - 1].text), (1...12).contains(n) else {
        throw .data(
          "expected a window of 1 to 12 tokens after 'within', found '\(body[body.count - 1].text)'",
          at: SourceLocation(file: file, line: line.number, column: body[body.count - 1].column))
      }
      nearWindow = n
      body.removeLast(2)
    }
    if body.isEmpty {
      throw .data("empty entry: expected the entry's words", at: line.endLocation(file))
    }
    // Pieces: words, parentheses, bars and plus signs, with columns.
    var pieces: [Piece] = []
    for f in body {
      if f.quoted {
        pieces.append(Piece(kind: .word, text: f.text, column: f.column))
        continue
      }
      var current = ""
      var start = f.column
      var col = f.column
      for c in f.text {
        let afterClose = pieces.last?.kind == .close && current.isEmpty
        let special: Piece.Kind? =
          c == "(" ? .open : c == ")" ? .close : c == "|" ? .bar : (c == "+" && current.isEmpty) ? .plus
          : (c == ">" && current.isEmpty) ? .then : (c == "?" && afterClose) ? .optional : nil
        if let special {
          if !current.isEmpty { pieces.append(Piece(kind: .word, text: current, column: start)) }
          current = ""
          pieces.append(Piece(kind: special, text: String(c), column: col))
          start = col + 1
        } else {
          if current.isEmpty { start = col }
          current.append(c)
        }
        col += c.unicodeScalars.count
      }
      if !current.isEmpty { pieces.append(Piece(kind: .word, text: current, column: start)) }
    }
    var sides: [[Piece]] = [[]]
    var ordered = false
    for p in pieces {
      if p.kind == .plus || p.kind == .then {
        guard kind == .near else {
          throw .data("'\(p.text)' joins the two parts of a 'near' entry; this is a \(kind.rawValue) entry", at: at(p.column))
        }
        if p.kind == .then { ordered = true }
        sides.append([])
      } else {
        sides[sides.count - 1].append(p)
      }
    }
    if kind == .near && sides.count != 2 {
      throw .data(
        "a near entry has two parts joined by '+' (either order) or '>' (first part first), found \(sides.count)", at: loc(0))
    }
    var expanded: [[[PatternElement]]] = []
    for (k, side) in sides.enumerated() {
      guard !side.isEmpty else {
        throw .data("expected words \(k == 0 ? "before" : "after") '+'", at: loc(0))
      }
      var i = 0
      let seqs = try parseSequence(side, &i, depth: 0, line: line, file: file, kind: kind)
      if i < side.count {
        let p = side[i]
        throw .data(
          p.kind == .close ? "unexpected ')' without a matching '('" : "'|' outside a group; write (a|b)",
          at: at(p.column))
      }
      let nonEmpty = seqs.filter { !$0.isEmpty }
      if nonEmpty.count < seqs.count {
        throw .data("the entry can match nothing (every word is optional)", at: at(side[0].column))
      }
      if nonEmpty.count > LexiconParser.maxSequences {
        throw .data(
          "the entry expands to \(nonEmpty.count) spellings (more than \(LexiconParser.maxSequences)); split it",
          at: at(side[0].column))
      }
      expanded.append(nonEmpty)
    }
    let sequences = expanded[0]
    let captures = sequences[0].flatMap(\.captures)
    for seq in sequences where seq.flatMap(\.captures) != captures {
      throw .data(
        "every spelling of a pattern must capture the same names in the same order", at: loc(0))
    }
    if kind == .pattern && captures.isEmpty {
      throw .data("a pattern needs at least one capture such as {n}; write a plain entry instead", at: loc(0))
    }
    if kind != .pattern && !captures.isEmpty {
      throw .data("'{…}' captures are only allowed in pattern entries (start the line with 'pattern')", at: loc(0))
    }
    if let dup = Dictionary(grouping: captures, by: { $0 }).first(where: { $0.value.count > 1 }) {
      throw .data("capture '{\(dup.key)}' is used twice in one pattern", at: loc(0))
    }
    var c = 0
    while c < conditionFields.count {
      guard c + 3 <= conditionFields.count else {
        throw .data(
          "expected a condition such as 'n < m'",
          at: SourceLocation(file: file, line: line.number, column: conditionFields[c].column))
      }
      let lhs = try operand(conditionFields[c], captures: captures, file: file, line: line)
      guard let op = PatternCondition.Op(rawValue: conditionFields[c + 1].text) else {
        throw .data(
          "expected a comparison (<, <=, >, >=, ==, !=), found '\(conditionFields[c + 1].text)'",
          at: SourceLocation(file: file, line: line.number, column: conditionFields[c + 1].column))
      }
      let rhs = try operand(conditionFields[c + 2], captures: captures, file: file, line: line)
      conditions.append(PatternCondition(lhs: lhs, op: op, rhs: rhs))
      c += 3
      if c < conditionFields.count {
        guard conditionFields[c].text == "and" else {
          throw .data(
            "expected 'and' between conditions, found '\(conditionFields[c].text)'",
            at: SourceLocation(file: file, line: line.number, column: conditionFields[c].column))
        }
        c += 1
        if c >= conditionFields.count {
          throw .data("expected a condition after 'and'", at: line.endLocation(file))
        }
      }
    }
    let text = body.map { $0.quoted ? "\"\($0.text)\"" : $0.text }.joined(separator: " ")
    var normalized = text.lowercased()
    if !conditions.isEmpty { normalized += " where " + conditions.map(\.description).joined(separator: " and ") }
    return ParsedText(
      text: text + (kind == .near && nearWindow != 4 ? " within \(nearWindow)" : ""),
      normalized: normalized, sequences: sequences,
      nearSequences: expanded.count > 1 ? expanded[1] : [], nearWindow: kind == .near ? nearWindow : 0,
      nearOrdered: ordered, conditions: conditions, tags: tags)
  }

  /// Parses items until a `|`, `)` or the end, returning the spellings they expand to.
  mutating func parseSequence(
    _ pieces: [Piece], _ i: inout Int, depth: Int, line: LexiconLine, file: String, kind: EntryKind
  ) throws(TriageError) -> [[PatternElement]] {
    var result: [[PatternElement]] = [[]]
    func at(_ column: Int) -> SourceLocation { SourceLocation(file: file, line: line.number, column: column) }
    while i < pieces.count {
      let p = pieces[i]
      switch p.kind {
      case .bar, .close:
        return result
      case .plus, .then:
        throw .data("unexpected '\(p.text)'", at: at(p.column))
      case .optional:
        throw .data("'?' makes a group optional; write it right after ')'", at: at(p.column))
      case .open:
        guard depth < 8 else { throw .data("groups nested too deeply", at: at(p.column)) }
        i += 1
        var alternatives: [[PatternElement]] = []
        var sawAlternative = false
        while true {
          let alt = try parseSequence(pieces, &i, depth: depth + 1, line: line, file: file, kind: kind)
          alternatives += alt
          sawAlternative = true
          guard i < pieces.count else {
            throw .data("unclosed '(': expected ')'", at: at(p.column))
          }
          if pieces[i].kind == .bar {
            i += 1
            continue
          }
          i += 1  // ')'
          if i < pieces.count && pieces[i].kind == .optional {
            alternatives.append([])
            i += 1
          }
          break
        }
        if !sawAlternative || alternatives.allSatisfy(\.isEmpty) {
          throw .data("empty group '()'", at: at(p.column))
        }
        var next: [[PatternElement]] = []
        for prefix in result {
          for alt in alternatives { next.append(prefix + alt) }
        }
        if next.count > LexiconParser.maxSequences * 4 {
          throw .data("the entry expands to too many spellings; split it", at: at(p.column))
        }
        result = next
      case .word:
        let element = try wordElement(p, line: line, file: file, kind: kind)
        result = result.map { $0 + [element] }
        i += 1
      }
    }
    return result
  }

  func wordElement(_ p: Piece, line: LexiconLine, file: String, kind: EntryKind) throws(TriageError)
    -> PatternElement
  {
    let location = SourceLocation(file: file, line: line.number, column: p.column)
    if p.text.utf8.contains(where: { $0 == ASCII.openBrace || $0 == ASCII.closeBrace }) {
      guard kind == .pattern else {
        throw .data(
          "'{…}' captures are only allowed in pattern entries (start the line with 'pattern')",
          at: location)
      }
      return try captureElement(p.text, at: location)
    }
    var word = p.text.utf8.allSatisfy({ $0 < 0x80 })
      ? String(decoding: p.text.utf8.map(ASCII.lower), as: UTF8.self) : p.text.lowercased()
    var exact = false
    if word.hasPrefix("=") {
      word.removeFirst()
      exact = true
    }
    try validateWord(word, at: location)
    if word.allSatisfy(\.isASCIIDigit) {
      throw .data("a number cannot be matched literally ('\(word)'); use a pattern with {n}", at: location)
    }
    return .word(word, exact: exact)
  }

  func captureElement(_ text: String, at location: SourceLocation) throws(TriageError) -> PatternElement {
    func name(_ s: Substring) throws(TriageError) -> String {
      guard s.hasPrefix("{") else {
        throw .data("expected '{' to open a capture in '\(text)'", at: location)
      }
      guard s.hasSuffix("}"), s.count >= 3 else {
        throw .data("unclosed pattern capture in '\(text)': expected '}'", at: location)
      }
      let inner = s.dropFirst().dropLast()
      guard let first = inner.first, first.isLetter, first.isASCII,
        inner.allSatisfy({ ($0.isLetter || $0.isNumber || $0 == "_") && $0.isASCII })
      else {
        throw .data("expected a capture name such as {n}, found '\(s)'", at: location)
      }
      return String(inner)
    }
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    if parts.count == 2 { return .ratio(try name(parts[0]), try name(parts[1])) }
    guard parts.count == 1 else {
      throw .data("expected {n} or {n}/{m}, found '\(text)'", at: location)
    }
    return .number(try name(parts[0]))
  }

  func operand(_ field: LexiconField, captures: [String], file: String, line: LexiconLine)
    throws(TriageError) -> PatternCondition.Operand
  {
    if let v = Int32(field.text) { return .literal(v) }
    guard captures.contains(field.text) else {
      throw .data(
        "unknown capture '\(field.text)' in condition; the pattern captures \(captures.map { "'\($0)'" }.joined(separator: ", "))",
        at: SourceLocation(file: file, line: line.number, column: field.column))
    }
    return .capture(field.text)
  }
}
