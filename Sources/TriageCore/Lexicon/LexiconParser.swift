/// Parses the files of a lexicon directory into entries, with a `path:line:col` error for every
/// mistake. Nothing is skipped silently: a line the parser does not understand stops the load.
/// Warnings (unsorted entries, a code with no vocabulary) are collected for `lexicon check`.
public struct LexiconParser {
  public private(set) var warnings: [Diagnostic] = []

  public init() {}

  // MARK: codes.txt

  /// Parses `codes.txt`: `code owner=… theme=… effect=… [customer=tell] [threshold=2] [label=…]`.
  public mutating func parseCodes(_ lines: [LexiconLine], file: String) throws(TriageError)
    -> [ReasonCode]
  {
    var codes: [ReasonCode] = []
    var seen: [String: Int] = [:]
    let keys = ["owner", "theme", "effect", "customer", "threshold", "label"]
    for line in lines {
      let name = line.fields[0].text
      guard isIdentifier(name) else {
        throw .data(
          "expected a reason code (lowercase letters and '_'), found '\(name)'",
          at: line.location(file, field: 0))
      }
      if let first = seen[name] {
        throw .data(
          "duplicate reason code '\(name)' (first defined at line \(first))",
          at: line.location(file, field: 0))
      }
      seen[name] = line.number
      var values: [String: String] = [:]
      for (k, field) in line.fields.enumerated().dropFirst() {
        guard let eq = field.text.firstIndex(of: "="), !field.quoted else {
          throw .data(
            "expected key=value (one of \(keys.joined(separator: ", "))), found '\(field.text)'",
            at: line.location(file, field: k))
        }
        let key = String(field.text[..<eq])
        var value = String(field.text[field.text.index(after: eq)...])
        guard keys.contains(key) else {
          throw .data(
            "unknown key '\(key)'\(Suggest.didYouMean(key, in: keys))",
            at: line.location(file, field: k))
        }
        // A quoted value follows as its own field: theme= "payment & credit" is not allowed,
        // but theme="payment & credit" scans as one field when written without spaces.
        if value.isEmpty, k + 1 < line.fields.count, line.fields[k + 1].quoted {
          value = line.fields[k + 1].text
        }
        if values[key] != nil {
          throw .data("duplicate key '\(key)'", at: line.location(file, field: k))
        }
        values[key] = value
      }
      for required in ["owner", "theme", "effect"] where (values[required] ?? "").isEmpty {
        throw .data("reason code '\(name)' needs \(required)=…", at: line.endLocation(file))
      }
      guard let effect = BlockerEffect(rawValue: values["effect"] ?? "") else {
        throw .data(
          "unknown effect '\(values["effect"] ?? "")'; expected one of \(BlockerEffect.allCases.map(\.rawValue).joined(separator: ", "))",
          at: line.location(file, field: 0))
      }
      var tell = false
      switch values["customer"] {
      case nil, "internal": tell = false
      case "tell": tell = true
      case let other?:
        throw .data(
          "customer= must be 'tell' or 'internal', found '\(other)'",
          at: line.location(file, field: 0))
      }
      var threshold: Int32 = 200
      if let t = values["threshold"] {
        guard let w = Weight.parse(t), w > 0 else {
          throw .data(
            "expected a positive threshold such as '2.0', found '\(t)'",
            at: line.location(file, field: 0))
        }
        threshold = w
      }
      codes.append(
        ReasonCode(
          code: name, index: codes.count, owner: values["owner"] ?? "",
          theme: values["theme"] ?? "", effect: effect, tellCustomer: tell, threshold: threshold,
          label: values["label"] ?? name.replacingOccurrences(of: "_", with: " "),
          location: line.location(file, field: 0)))
    }
    if codes.isEmpty {
      throw .data("no reason codes defined", at: SourceLocation(file: file))
    }
    return codes
  }

  // MARK: reasons/<code>.txt

  /// Parses a reason file: `code NAME`, then `WEIGHT WORDS… [tags]` and
  /// `pattern WEIGHT ELEMENTS… [where COND (and COND)…] [tags]` lines.
  public mutating func parseReasons(
    _ lines: [LexiconLine], file: String, expectedCode: String, codes: [ReasonCode]
  ) throws(TriageError) -> [LexiconEntry] {
    guard let first = lines.first else {
      throw .data("expected 'code \(expectedCode)' after the version line", at: SourceLocation(file: file))
    }
    guard first.fields[0].text == "code", first.fields.count == 2 else {
      throw .data(
        "expected 'code \(expectedCode)' after the version line, found '\(first.fields[0].text)'",
        at: first.location(file, field: 0))
    }
    let name = first.fields[1].text
    guard let code = codes.first(where: { $0.code == name }) else {
      throw .data(
        "unknown reason code '\(name)'\(Suggest.didYouMean(name, in: codes.map(\.code)))",
        at: first.location(file, field: 1))
    }
    guard name == expectedCode else {
      throw .data(
        "file declares code '\(name)' but is named for '\(expectedCode)'",
        at: first.location(file, field: 1))
    }
    var entries: [LexiconEntry] = []
    var seen: [String: Int] = [:]
    for line in lines.dropFirst() {
      var fields = line.fields[...]
      var kind = EntryKind.term
      var base = 0
      if let head = fields.first, !head.quoted, head.text == "pattern" || head.text == "near" {
        kind = head.text == "near" ? .near : .pattern
        fields = fields.dropFirst()
        base = 1
      }
      guard let weightField = fields.first else {
        throw .data("expected a weight after '\(kind.rawValue)'", at: line.endLocation(file))
      }
      guard let weight = Weight.parse(weightField.text) else {
        throw .data(
          "expected a weight such as '2.5' (at most two decimals), found '\(weightField.text)'",
          at: line.location(file, field: base))
      }
      guard weight != 0 else {
        throw .data("weight must not be 0 (an entry that counts for nothing)", at: line.location(file, field: base))
      }
      guard abs(weight) <= 1000 else {
        throw .data("weight '\(weightField.text)' is out of range (-10 to 10)", at: line.location(file, field: base))
      }
      let rest = Array(fields.dropFirst())
      let parsed = try parseEntryText(rest, line: line, file: file, fieldOffset: base + 1, kind: kind)
      let key = "\(kind.rawValue)|\(parsed.normalized)"
      if let firstLine = seen[key] {
        throw .data(
          "duplicate entry '\(parsed.text)' (first at line \(firstLine))",
          at: line.location(file, field: base + 1))
      }
      seen[key] = line.number
      entries.append(
        LexiconEntry(
          kind: kind, code: code.index, weight: weight, text: parsed.text,
          sequences: parsed.sequences, nearSequences: parsed.nearSequences,
          nearWindow: parsed.nearWindow, nearOrdered: parsed.nearOrdered, conditions: parsed.conditions, tags: parsed.tags,
          location: line.location(file, field: base + 1)))
    }
    checkSorted(
      lines.dropFirst().map { LexiconParser.sortKey(entryLine: $0.fields.map(\.text).joined(separator: " ")) },
      entries, file)
    if entries.isEmpty {
      warnings.append(.warning("reason code '\(name)' has no entries", at: first.location(file)))
    }
    return entries
  }

  // MARK: cues.txt

  /// Parses `cues.txt`: `negate|resolve|pending DIRECTION WINDOW WORDS… [codes=a,b]
  /// [across=commas]`,
  /// `skip WORD` and `break WORD`.
  public mutating func parseCues(_ lines: [LexiconLine], file: String, codes: [ReasonCode])
    throws(TriageError) -> (cues: [LexiconEntry], skip: [String], breaks: [String])
  {
    var cues: [LexiconEntry] = []
    var skip: [(String, Int)] = []
    var breaks: [(String, Int)] = []
    var seen: [String: Int] = [:]
    let kinds = ["negate", "resolve", "pending", "skip", "break"]
    for line in lines {
      let head = line.fields[0].text
      switch head {
      case "skip", "break":
        guard line.fields.count == 2 else {
          throw .data(
            "expected one word after '\(head)'",
            at: line.fields.count < 2 ? line.endLocation(file) : line.location(file, field: 2))
        }
        let word = line.fields[1].text.lowercased()
        try validateWord(word, line: line, file: file, field: 1)
        let key = "\(head)|\(word)"
        if let firstLine = seen[key] {
          throw .data("duplicate \(head) word '\(word)' (first at line \(firstLine))", at: line.location(file, field: 1))
        }
        seen[key] = line.number
        if head == "skip" { skip.append((word, line.number)) } else { breaks.append((word, line.number)) }
      case "negate", "resolve", "pending":
        guard line.fields.count >= 4 else {
          throw .data(
            "expected '\(head) DIRECTION WINDOW WORDS…' (e.g. '\(head) before 3 no')",
            at: line.endLocation(file))
        }
        guard let direction = CueDirection(rawValue: line.fields[1].text) else {
          throw .data(
            "expected a direction (before, after or both), found '\(line.fields[1].text)'",
            at: line.location(file, field: 1))
        }
        guard let window = Int(line.fields[2].text), (1...12).contains(window) else {
          throw .data(
            "expected a window of 1 to 12 tokens, found '\(line.fields[2].text)'",
            at: line.location(file, field: 2))
        }
        var words = Array(line.fields.dropFirst(3))
        var scope: [Int] = []
        var acrossCommas = false
        // Trailing options, in any order: codes=a,b and across=commas.
        while let last = words.last, !last.quoted, last.text.hasPrefix("codes=") || last.text.hasPrefix("across=") {
          let field = 3 + words.count - 1
          words.removeLast()
          if last.text.hasPrefix("across=") {
            guard last.text == "across=commas" else {
              throw .data("expected 'across=commas', found '\(last.text)'", at: line.location(file, field: field))
            }
            guard head == "negate" else {
              throw .data("'across=commas' is for negate cues only", at: line.location(file, field: field))
            }
            acrossCommas = true
            continue
          }
          let list = last.text.dropFirst("codes=".count).split(separator: ",")
          if list.isEmpty {
            throw .data("expected codes after 'codes='", at: line.location(file, field: field))
          }
          for c in list {
            guard let code = codes.first(where: { $0.code == c }) else {
              throw .data(
                "unknown reason code '\(c)'\(Suggest.didYouMean(String(c), in: codes.map(\.code)))",
                at: line.location(file, field: field))
            }
            scope.append(code.index)
          }
        }
        guard !words.isEmpty else {
          throw .data("expected the cue's words after the window", at: line.endLocation(file))
        }
        let parsed = try parseEntryText(words, line: line, file: file, fieldOffset: 3, kind: .term)
        let kind = EntryKind(rawValue: head) ?? .negate
        let key = "\(head)|\(parsed.normalized)|\(direction.rawValue)|\(scope)"
        if let firstLine = seen[key] {
          throw .data(
            "duplicate cue '\(parsed.text)' (first at line \(firstLine))",
            at: line.location(file, field: 3))
        }
        seen[key] = line.number
        var cue = LexiconEntry(
          kind: kind, code: nil, weight: 0, text: parsed.text, sequences: parsed.sequences,
          direction: direction, window: window, scope: scope,
          location: line.location(file, field: 3))
        cue.acrossCommas = acrossCommas
        cues.append(cue)
      default:
        throw .data(
          "unknown cue kind '\(head)'; expected one of \(kinds.joined(separator: ", "))\(Suggest.didYouMean(head, in: kinds))",
          at: line.location(file, field: 0))
      }
    }
    for kind in [EntryKind.negate, .resolve, .pending] {
      let ofKind = cues.filter { $0.kind == kind }
      checkSorted(ofKind.map { sortKey($0.text) }, ofKind, file)
    }
    return (cues, skip.map(\.0), breaks.map(\.0))
  }

  // MARK: shorthand.txt

  /// Parses `shorthand.txt`: `KEY EXPANSION…` (`dmg damaged`, `oos out of stock`).
  public mutating func parseShorthand(_ lines: [LexiconLine], file: String) throws(TriageError)
    -> [Shorthand]
  {
    var result: [Shorthand] = []
    var seen: [String: Int] = [:]
    for line in lines {
      let key = line.fields[0].text.lowercased()
      try validateWord(key, line: line, file: file, field: 0)
      guard line.fields.count >= 2 else {
        throw .data("expected the expansion after shorthand '\(key)'", at: line.endLocation(file))
      }
      if let firstLine = seen[key] {
        throw .data("duplicate shorthand '\(key)' (first at line \(firstLine))", at: line.location(file, field: 0))
      }
      seen[key] = line.number
      var expansion: [String] = []
      for (k, f) in line.fields.enumerated().dropFirst() {
        try validateWord(f.text, line: line, file: file, field: k)
        expansion.append(f.text.lowercased())
      }
      if expansion == [key] {
        throw .data("shorthand '\(key)' expands to itself", at: line.location(file, field: 1))
      }
      result.append(Shorthand(key: key, expansion: expansion, location: line.location(file, field: 0)))
    }
    let keys = result.map(\.key)
    checkSortedKeys(keys, result.map(\.location))
    return result
  }

  // MARK: identifiers.txt

  /// Parses `identifiers.txt`: how order references, SKUs and locations look at this site.
  public mutating func parseIdentifiers(_ lines: [LexiconLine], file: String) throws(TriageError)
    -> IdentifierRules
  {
    var rules = IdentifierRules()
    let keys = [
      "order_prefix", "order_digits", "order_cue", "sku_cue", "sku_shape", "location_cue",
      "location_shape", "ignore_after", "connector",
    ]
    for line in lines {
      let key = line.fields[0].text
      guard keys.contains(key) else {
        throw .data(
          "unknown setting '\(key)'\(Suggest.didYouMean(key, in: keys))",
          at: line.location(file, field: 0))
      }
      guard line.fields.count == 2 else {
        throw .data(
          "expected one value after '\(key)'",
          at: line.fields.count < 2 ? line.endLocation(file) : line.location(file, field: 2))
      }
      let value = line.fields[1].text
      switch key {
      case "order_prefix":
        rules.orderPrefix = value
      case "order_digits":
        let parts = value.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 1, parts[0] <= parts[1], parts[1] <= 18 else {
          throw .data("expected a digit range such as '4-8', found '\(value)'", at: line.location(file, field: 1))
        }
        rules.orderDigits = parts[0]...parts[1]
      case "sku_shape", "location_shape":
        guard let shape = IdentifierShape(value) else {
          throw .data(
            "invalid shape '\(value)': use A for a letter, 9 for a digit, * to repeat, other characters as themselves",
            at: line.location(file, field: 1))
        }
        if key == "sku_shape" { rules.skuShapes.append(shape) } else { rules.locationShapes.append(shape) }
      default:
        let word = value.lowercased()
        try validateWord(word, line: line, file: file, field: 1)
        switch key {
        case "order_cue": rules.orderCues.append(word)
        case "sku_cue": rules.skuCues.append(word)
        case "location_cue": rules.locationCues.append(word)
        case "ignore_after": rules.ignoreAfter.append(word)
        default: rules.connectors.append(word)
        }
      }
    }
    return rules
  }

  func validateWord(_ word: String, line: LexiconLine, file: String, field: Int) throws(TriageError) {
    try validateWord(word, at: line.location(file, field: field))
  }

  /// Checks a lexicon word: letters, digits and the joiners `- / _ '` inside it.
  func validateWord(_ word: String, at location: SourceLocation) throws(TriageError) {
    guard !word.isEmpty else { throw .data("empty word", at: location) }
    // The common case, checked on bytes: ASCII letters and digits with joiners inside.
    let bytes = word.utf8
    if bytes.allSatisfy({ ASCII.isLetter($0) || ASCII.isDigit($0) || $0 == ASCII.hyphen || $0 == ASCII.slash
      || $0 == ASCII.underscore || $0 == ASCII.apostrophe }),
      let f = bytes.first, ASCII.isLetter(f) || ASCII.isDigit(f),
      let l = bytes.last, l != ASCII.hyphen && l != ASCII.slash && l != ASCII.underscore
    {
      return
    }
    for (offset, c) in word.unicodeScalars.enumerated() {
      let ok =
        c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "-" || c == "/" || c == "_"
        || c == "'" || c == "\u{2019}"
      if !ok {
        var loc = location
        loc.column += offset
        throw .data(
          "unexpected character '\(SafeText.escape(String(c)))' in '\(SafeText.escape(word))'; words may hold letters, digits and - / _ '",
          at: loc)
      }
    }
    if let f = word.unicodeScalars.first, f == "-" || f == "/" || f == "_" || f == "'" {
      throw .data("a word cannot start with '\(f)'", at: location)
    }
    if let l = word.unicodeScalars.last, l == "-" || l == "/" || l == "_" {
      throw .data("a word cannot end with '\(l)'", at: location)
    }
  }

  func isIdentifier(_ s: String) -> Bool {
    !s.isEmpty && s.allSatisfy { ($0.isLowercase && $0.isASCII) || $0 == "_" || $0.isASCIIDigit }
  }

  func sortKey(_ text: String) -> String {
    text.lowercased().filter { $0 != "=" && $0 != "(" && $0 != ")" }
  }

  /// The order of a reason file's entry lines: terms, then patterns, then near entries, each by
  /// their text after the weight (case, `=`, and parentheses ignored). `lexicon fmt` sorts by it.
  public static func sortKey(entryLine line: String) -> String {
    var fields = line.split(separator: " ", omittingEmptySubsequences: true)[...]
    var rank: UInt8 = 0x30  // "0"
    if let head = fields.first, head == "pattern" || head == "near" {
      rank = head == "pattern" ? 0x31 : 0x32
      fields = fields.dropFirst()
    }
    // On bytes: ASCII lower-cased, '=' and parentheses dropped, fields joined by one space.
    var key: [UInt8] = [rank]
    key.reserveCapacity(line.utf8.count + 1)
    for (k, field) in fields.dropFirst().enumerated() {
      if k > 0 { key.append(ASCII.space) }
      for b in field.utf8 where b != ASCII.equals && b != ASCII.openParen && b != ASCII.closeParen {
        key.append(ASCII.lower(b))
      }
    }
    return String(decoding: key, as: UTF8.self)
  }

  mutating func checkSorted(_ keys: [String], _ entries: [LexiconEntry], _ file: String) {
    for i in 1..<max(1, keys.count) where keys[i] < keys[i - 1] {
      warnings.append(
        .warning(
          "entries are not sorted: '\(entries[i].text)' should come before '\(entries[i - 1].text)' (line \(entries[i - 1].location.line))",
          at: entries[i].location))
      return
    }
  }

  mutating func checkSortedKeys(_ keys: [String], _ locations: [SourceLocation]) {
    for i in 1..<max(1, keys.count) where keys[i] < keys[i - 1] {
      warnings.append(
        .warning(
          "entries are not sorted: '\(keys[i])' should come before '\(keys[i - 1])' (line \(locations[i - 1].line))",
          at: locations[i]))
      return
    }
  }
}
