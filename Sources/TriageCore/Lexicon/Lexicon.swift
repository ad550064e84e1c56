import Foundation

/// The classifier's data, loaded from a `Lexicons/` directory and compiled once: the reason codes,
/// every entry and cue, shorthand, identifier rules, and the vocabulary and trie built from them.
///
/// Files (see ARCHITECTURE.md for the format):
/// - `codes.txt`: the reason codes with owner, theme, effect and threshold;
/// - `reasons/<code>.txt`: weighted terms, phrases and patterns for one code;
/// - `cues.txt`: negation, resolution and pending cues; skip and break words;
/// - `shorthand.txt`: warehouse shorthand and common misspellings;
/// - `identifiers.txt`: how order references, SKUs and locations look.
public struct Lexicon: Sendable {
  public let directory: String
  public let codes: [ReasonCode]
  /// Every reason entry and cue; an entry's id is its index here.
  public let entries: [LexiconEntry]
  public let shorthand: [Shorthand]
  public let skipWords: [String]
  public let breakWords: [String]
  public let identifiers: IdentifierRules
  public let vocabulary: Vocabulary
  public let trie: PhraseTrie
  /// Warnings found while loading (unsorted entries, a code without entries).
  public let warnings: [Diagnostic]
  /// Term ids of the identifier cue words, for the identifier extractor.
  let identifierTerms: IdentifierTerms
  /// The two parts of each `near` entry; a trie output id `entries.count + i` is part `i`.
  public let nearParts: [NearPart]
  /// A hash of every file's name and contents: stores record it, so classifications made with
  /// other lexicons can be told apart.
  public internal(set) var fingerprint = ""

  /// One side of a `near` entry.
  public struct NearPart: Sendable {
    public var entry: Int32
    public var side: UInt8
  }

  /// Per term id, which identifier cue it is (bits), so the extractor tests a byte, not a set.
  struct IdentifierTerms: Sendable {
    static let order: UInt8 = 1, sku: UInt8 = 2, location: UInt8 = 4, ignore: UInt8 = 8, connector: UInt8 = 16
    var flags: [UInt8] = []
    /// The order prefix, lower-cased, with and without its punctuation (`so-`, `so`).
    var prefix: [UInt8] = []
    var barePrefix: [UInt8] = []

    mutating func mark(_ term: Int32, _ bit: UInt8) {
      if Int(term) >= flags.count { flags += [UInt8](repeating: 0, count: Int(term) - flags.count + 1) }
      flags[Int(term)] |= bit
    }

    @inline(__always) func has(_ term: Int32, _ bit: UInt8) -> Bool {
      term >= 0 && Int(term) < flags.count && flags[Int(term)] & bit != 0
    }
  }

  public func code(named name: String) -> ReasonCode? { codes.first { $0.code == name } }

  /// Loads and compiles a lexicon directory (`load(directory:cache:)` skips the compile when
  /// the same files were compiled before).
  ///
  /// - Throws: a `TriageError` (exit 65) with `path:line:col` for the first mistake found.
  public static func load(directory: String) throws(TriageError) -> Lexicon {
    try load(files: try readFiles(directory: directory), directory: directory)
  }

  /// The files of a lexicon directory that `load(files:)` reads, keyed by their path inside it.
  public static func readFiles(directory: String) throws(TriageError) -> [String: [UInt8]] {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue
    else {
      throw TriageError(.noInput, "lexicon directory '\(directory)' does not exist")
    }
    let reasonsDir = (directory as NSString).appendingPathComponent("reasons")
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: reasonsDir) else {
      throw TriageError(.noInput, "cannot read '\(reasonsDir)': the lexicon directory needs reasons/")
    }
    var files: [String: [UInt8]] = [:]
    for name in ["codes.txt", "cues.txt", "shorthand.txt", "identifiers.txt"] {
      let path = (directory as NSString).appendingPathComponent(name)
      guard let data = FileManager.default.contents(atPath: path) else {
        throw TriageError(.noInput, "cannot read '\(path)': the lexicon directory needs \(name)")
      }
      files[name] = [UInt8](data)
    }
    for name in names where !name.hasPrefix(".") {
      let path = (reasonsDir as NSString).appendingPathComponent(name)
      guard let data = FileManager.default.contents(atPath: path) else {
        throw TriageError(.noInput, "cannot read '\(path)'")
      }
      files["reasons/" + name] = [UInt8](data)
    }
    return files
  }

  /// Loads and compiles a lexicon from file contents keyed by their path inside the lexicon
  /// directory (`codes.txt`, `reasons/short_pick.txt`, ...). Tests build lexicons this way.
  public static func load(files: [String: [UInt8]], directory: String = "Lexicons") throws(TriageError)
    -> Lexicon
  {
    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
    func read(_ name: String) throws(TriageError) -> (path: String, lines: [LexiconLine]) {
      guard let bytes = files[name] else {
        throw TriageError(.noInput, "cannot read '\(path(name))': the lexicon directory needs \(name)")
      }
      return (path(name), try LexiconScanner.lines(of: bytes, file: path(name)))
    }
    var parser = LexiconParser()
    let codesFile = try read("codes.txt")
    let codes = try parser.parseCodes(codesFile.lines, file: codesFile.path)
    let cuesFile = try read("cues.txt")
    let cues = try parser.parseCues(cuesFile.lines, file: cuesFile.path, codes: codes)
    let shortFile = try read("shorthand.txt")
    let shorthand = try parser.parseShorthand(shortFile.lines, file: shortFile.path)
    let idFile = try read("identifiers.txt")
    let identifiers = try parser.parseIdentifiers(idFile.lines, file: idFile.path)
    var entries: [LexiconEntry] = []
    var covered = Set<String>()
    for name in files.keys.filter({ $0.hasPrefix("reasons/") }).sorted() {
      let file = String(name.dropFirst("reasons/".count))
      guard file.hasSuffix(".txt") else {
        throw TriageError(.dataError, "unexpected file '\(path(name))': reason files are named CODE.txt")
      }
      let code = String(file.dropLast(4))
      let lines = try LexiconScanner.lines(of: files[name] ?? [], file: path(name))
      entries += try parser.parseReasons(lines, file: path(name), expectedCode: code, codes: codes)
      covered.insert(code)
    }
    var warnings = parser.warnings
    for code in codes where !covered.contains(code.code) {
      warnings.append(.warning("reason code '\(code.code)' has no file reasons/\(code.code).txt", at: code.location))
    }
    entries += cues.cues
    var lexicon = try compile(
      directory: directory, codes: codes, entries: entries, shorthand: shorthand,
      skip: cues.skip, breaks: cues.breaks, identifiers: identifiers, warnings: warnings)
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for name in files.keys.sorted() {
      for b in Array(name.utf8) + [0] + (files[name] ?? []) + [0] { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
    }
    lexicon.fingerprint = String(h, radix: 16)
    return lexicon
  }

  /// Compiles parsed entries into the vocabulary and the trie.
  public static func compile(
    directory: String, codes: [ReasonCode], entries: [LexiconEntry], shorthand: [Shorthand],
    skip: [String], breaks: [String], identifiers: IdentifierRules, warnings: [Diagnostic] = []
  ) throws(TriageError) -> Lexicon {
    var vocab = Vocabulary(capacity: 8192)
    let skipSet = Set(skip)
    let breakSet = Set(breaks)
    let shorthandByKey = Dictionary(shorthand.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })

    // 1. Shorthand expansions, fully resolved, with cycle detection.
    var resolved: [String: [String]] = [:]
    func expand(_ key: String, _ stack: [String]) throws(TriageError) -> [String] {
      if let done = resolved[key] { return done }
      guard let s = shorthandByKey[key] else { return [key] }
      if stack.contains(key) {
        throw .data(
          "shorthand cycle: \((stack + [key]).map { "'\($0)'" }.joined(separator: " → "))",
          at: s.location)
      }
      var out: [String] = []
      for word in s.expansion {
        if word == key {
          throw .data("shorthand '\(key)' expands to itself", at: s.location)
        }
        out += try expand(word, stack + [key])
      }
      resolved[key] = out
      return out
    }
    for s in shorthand { _ = try expand(s.key, []) }

    // 2. Every spelling of every entry as alternatives of word lists. A `near` entry becomes two
    //    internal part entries (ids after the real entries) whose matches the classifier pairs.
    var variantWords = Set<String>()
    var nearParts: [NearPart] = []
    func alternatives(of sequence: [PatternElement], _ entry: LexiconEntry) throws(TriageError)
      -> [[[String]]]
    {
      // Skip words drop out of phrases as they do out of notes ("missed the pickup" = "missed
      // pickup"), so one at either end of a spelling would silently vanish and the spelling
      // would match more than written ("had {n} of {m}" = "{n} of {m}"). That is an error.
      // An auxiliary right before a negation ("does not exist") loses nothing.
      var leadingAuxiliary = false
      if sequence.count > 1, case .word(let second, _) = sequence[1], second == "not" || second == "never" {
        leadingAuxiliary = true
      }
      for (k, edge) in [sequence.first, sequence.last].enumerated() {
        if k == 0 && leadingAuxiliary { continue }
        if case .word(let w, _)? = edge, skipSet.contains(w) {
          throw .data(
            "'\(w)' is a skip word (cues.txt), dropped from every note, so a spelling cannot start or end with it: '\(sequence.map(Lexicon.describe).joined(separator: " "))' would match as '\(sequence.filter { if case .word(let x, _) = $0 { return !skipSet.contains(x) } else { return true } }.map(Lexicon.describe).joined(separator: " "))'",
            at: entry.location)
        }
      }
      var result: [[[String]]] = []
      for element in sequence {
        switch element {
        case .number: result.append([["{n}"]])
        case .ratio: result.append([["{n}/{m}"]])
        case .word(let w, let exact):
          if breakSet.contains(w) {
            throw .data(
              "'\(w)' is a break word (cues.txt) and cannot be part of an entry", at: entry.location)
          }
          if skipSet.contains(w) { continue }
          if shorthandByKey[w] != nil {
            result.append([resolved[w] ?? [w]])
            continue
          }
          var alts: [[String]] = [[w]]
          if w.utf8.contains(where: { $0 == ASCII.hyphen || $0 == ASCII.slash || $0 == ASCII.underscore }) {
            let joiners: Set<Character> = ["-", "/", "_"]
            // Each part reads as the tokenizer would read it alone: shorthand expanded, skip
            // words dropped.
            let parts = w.split(whereSeparator: { joiners.contains($0) }).map(String.init)
              .flatMap { resolved[$0] ?? [$0] }.filter { !skipSet.contains($0) }
            if !parts.isEmpty { alts.append(parts) }
            if parts.count == 2 && parts.allSatisfy({ $0.allSatisfy(\.isLetter) }) {
              alts.append([parts.joined()])
            }
          }
          if exact {
            // Marked so the trie remembers the position: the token there must be spelled as
            // written, not an inflection or typo another entry's use of the word generates.
            alts = alts.map { $0.map { Lexicon.exactMark + $0 } }
          } else {
            for alt in alts { variantWords.formUnion(alt) }
          }
          result.append(alts)
        }
      }
      if result.isEmpty {
        throw .data("entry '\(entry.text)' has only skip words; it would match anything", at: entry.location)
      }
      // A plain two-word phrase also matches joined: "pick up" → "pickup", "back order" →
      // "backorder". Only for entries written as one phrase, not for each spelling of a group.
      if entry.sequences.count == 1, result.count == 2,
        result.allSatisfy({ $0.count == 1 && $0[0].count == 1 }),
        case let a = result[0][0][0], case let b = result[1][0][0],
        a.allSatisfy(\.isLetter), b.allSatisfy(\.isLetter), a.count + b.count >= 5,
        entry.kind != .pattern
      {
        if !isExactAnywhere(sequence) { variantWords.insert(a + b) }
        return [[[a, b], [a + b]]]
      }
      return result
    }
    func isExactAnywhere(_ sequence: [PatternElement]) -> Bool {
      sequence.contains { if case .word(_, true) = $0 { return true } else { return false } }
    }

    // Every spelling, flattened as it is read: words are registered as terms in a deterministic
    // order (entries in load order, then expansions, then identifier cue words).
    var spellings = Spellings()
    var idOf: [String: Int32] = [:]
    func register(_ word: String) -> Int32 {
      if let id = idOf[word] { return id }
      let id: Int32
      switch word {
      case "{n}": id = Term.number
      case "{n}/{m}": id = Term.ratio
      default: id = vocab.termID(for: Lexicon.unmarked(word))
      }
      idOf[word] = id
      return id
    }
    func add(_ output: Int32, _ alternatives: [[[String]]]) {
      spellings.output.append(output)
      for alts in alternatives {
        for alt in alts {
          for word in alt {
            spellings.ids.append(register(word))
            spellings.exact.append(word.hasPrefix(Lexicon.exactMark))
          }
          spellings.idStart.append(Int32(spellings.ids.count))
        }
        spellings.altStart.append(Int32(spellings.idStart.count - 1))
      }
      spellings.elementStart.append(Int32(spellings.altStart.count - 1))
    }
    for (index, entry) in entries.enumerated() {
      if entry.kind == .near {
        for (side, sequences) in [entry.sequences, entry.nearSequences].enumerated() {
          let partID = Int32(entries.count + nearParts.count)
          nearParts.append(NearPart(entry: Int32(index), side: UInt8(side)))
          for seq in sequences { add(partID, try alternatives(of: seq, entry)) }
        }
      } else {
        for seq in entry.sequences { add(Int32(index), try alternatives(of: seq, entry)) }
      }
    }
    for s in shorthand {
      for word in resolved[s.key] ?? [] where !skipSet.contains(word) {
        _ = vocab.termID(for: word)
        variantWords.insert(word)
      }
    }
    var idTerms = IdentifierTerms()
    for w in identifiers.orderCues { idTerms.mark(vocab.termID(for: w), IdentifierTerms.order) }
    for w in identifiers.skuCues { idTerms.mark(vocab.termID(for: w), IdentifierTerms.sku) }
    for w in identifiers.locationCues { idTerms.mark(vocab.termID(for: w), IdentifierTerms.location) }
    for w in identifiers.ignoreAfter { idTerms.mark(vocab.termID(for: w), IdentifierTerms.ignore) }
    for w in identifiers.connectors { idTerms.mark(vocab.termID(for: w), IdentifierTerms.connector) }
    idTerms.prefix = Array(identifiers.orderPrefix.utf8).map(ASCII.lower)
    idTerms.barePrefix = idTerms.prefix.filter { ASCII.isLetter($0) || ASCII.isDigit($0) }

    // 3. Skip and break words (a lexicon term keeps its meaning), then shorthand keys.
    for w in skip.sorted() { vocab.addSpecial(w, .skip) }
    for w in breaks.sorted() { vocab.addSpecial(w, .clauseBreak) }
    for s in shorthand {
      if let existing = vocab.existingTermID(for: s.key) {
        throw .data(
          "shorthand '\(s.key)' is also a lexicon word ('\(vocab.termText[Int(existing)])'); remove one of them",
          at: s.location)
      }
      let ids = (resolved[s.key] ?? []).filter { !skipSet.contains($0) }.map { vocab.termID(for: $0) }
      let index = vocab.addShorthand(s.key, expansion: ids)
      // The plural of a shorthand is the plural of its expansion: lbls → labels, which matches
      // every entry that "label" does.
      let plural = s.key + "s"
      if s.key.count >= 2, s.key.last != "s", s.key.allSatisfy(\.isLetter), shorthandByKey[plural] == nil,
        vocab.existingTermID(for: plural) == nil
      {
        vocab.addShorthandAlias(plural, index: index)
      }
    }

    // 4. Generated forms: inflections first, then typo variants (an earlier form always wins).
    // A word gets generated forms when any entry uses it without the `=` (exact) mark.
    let generated = variantWords.sorted()
    var forms: [(String, Int32)] = []
    for word in generated {
      guard let id = vocab.existingTermID(for: word) else { continue }
      forms.append((word, id))
      for f in Inflection.forms(of: word) {
        vocab.addVariant(Array(f.utf8), term: id, origin: .inflection)
        // Typos of the -ed and -ing forms of words long enough for those to be real words:
        // "damagd" from "damaged" yes; "losting" from "lost" no (its typo would be "losing").
        if word.count >= 5 && (f.hasSuffix("ed") || f.hasSuffix("ing")) { forms.append((f, id)) }
      }
      if word.contains("'") || word.contains("\u{2019}") {
        let bare = word.filter { $0 != "'" && $0 != "\u{2019}" }
        vocab.addVariant(Array(bare.utf8), term: id, origin: .typo)
      }
    }
    var scratch: [UInt8] = []
    for (form, id) in forms {
      Inflection.typos(of: Array(form.utf8), scratch: &scratch) { typo in
        vocab.addVariant(typo, term: id, origin: .typo)
      }
    }

    // 5. The trie: every path of every entry (and near part), walking every combination of each
    //    spelling's alternatives with an odometer.
    var builder = PhraseTrie.Builder()
    var pathCount: [Int32: Int] = [:]
    var path: [Int32] = []
    var choice: [Int32] = []
    for source in 0..<spellings.output.count {
      let output = spellings.output[source]
      let e0 = Int(spellings.elementStart[source])
      let e1 = Int(spellings.elementStart[source + 1])
      var count = 1
      for e in e0..<e1 {
        let alts = Int(spellings.altStart[e + 1] - spellings.altStart[e])
        let (product, overflow) = count.multipliedReportingOverflow(by: max(1, alts))
        count = overflow ? Int.max : product
      }
      let owner = Int(output) < entries.count ? Int(output) : Int(nearParts[Int(output) - entries.count].entry)
      let total = pathCount[output, default: 0] &+ count
      pathCount[output] = total
      if count > 8192 || total > 8192 {
        throw .data(
          "entry '\(entries[owner].text)' has more than 8192 spelling variants; split it",
          at: entries[owner].location)
      }
      choice.removeAll(keepingCapacity: true)
      for e in e0..<e1 { choice.append(spellings.altStart[e]) }
      while true {
        path.removeAll(keepingCapacity: true)
        var exact: UInt64 = 0
        for c in choice {
          for i in Int(spellings.idStart[Int(c)])..<Int(spellings.idStart[Int(c) + 1]) {
            if spellings.exact[i] && path.count < 64 { exact |= 1 << UInt64(path.count) }
            path.append(spellings.ids[i])
          }
        }
        if !path.isEmpty { builder.insert(path, entry: output, exact: exact) }
        var k = e1 - e0 - 1
        while k >= 0 {
          choice[k] += 1
          if choice[k] < spellings.altStart[e0 + k + 1] { break }
          choice[k] = spellings.altStart[e0 + k]
          k -= 1
        }
        if k < 0 { break }
      }
    }
    var trie = builder.build(termCount: vocab.termText.count)
    let termText = vocab.termText
    let termBytes = termText.map { Array($0.utf8) }
    trie.computeTexts(
      word: { Int($0) < termBytes.count ? termBytes[Int($0)][...] : Array("?".utf8)[...] },
      captures: { output in
        let e = Int(output) < entries.count ? Int(output) : Int(nearParts[Int(output) - entries.count].entry)
        return entries[e].captureNames
      })
    return Lexicon(
      directory: directory, codes: codes, entries: entries, shorthand: shorthand,
      skipWords: skip, breakWords: breaks, identifiers: identifiers, vocabulary: vocab, trie: trie,
      warnings: warnings, identifierTerms: idTerms, nearParts: nearParts)
  }
}

/// Every spelling of every entry, flat: spelling s has elements `elementStart[s]..<elementStart[s+1]`,
/// element e has alternatives `altStart[e]..<altStart[e+1]`, alternative a is the words
/// `ids[idStart[a]..<idStart[a+1]]` (term ids; `exact` says which were marked `=`).
struct Spellings {
  var output: [Int32] = []
  var elementStart: [Int32] = [0]
  var altStart: [Int32] = [0]
  var idStart: [Int32] = [0]
  var ids: [Int32] = []
  var exact: [Bool] = []
}

extension Lexicon {
  /// Marks a word of an exact (`=`) element while the compiler builds paths.
  static let exactMark = "\u{1}"

  static func unmarked(_ word: String) -> String {
    word.hasPrefix(exactMark) ? String(word.dropFirst()) : word
  }

  static func describe(_ e: PatternElement) -> String {
    switch e {
    case .word(let w, let exact): (exact ? "=" : "") + w
    case .number(let n): "{\(n)}"
    case .ratio(let a, let b): "{\(a)}/{\(b)}"
    }
  }
}

/// Generated surface forms of a lexicon word: regular inflections and common typing slips.
public enum Inflection {
  static func isVowel(_ c: Character) -> Bool { "aeiou".contains(c) }

  /// Regular inflections of an ASCII word: `pick` → picks, picked, picking; `ship` → shipped;
  /// `carry` → carries, carried; `release` → released, releasing; `box` → boxes.
  public static func forms(of word: String) -> [String] {
    let w = Array(word)
    guard w.count >= 3, w.allSatisfy({ $0.isASCII && $0.isLetter }) else { return [] }
    let last = w[w.count - 1]
    let prev = w[w.count - 2]
    let stem = String(w.dropLast())
    var out: [String] = []
    let cvc =
      w.count <= 5 && !isVowel(last) && !"wxy".contains(last) && isVowel(prev)
      && !isVowel(w[w.count - 3])
    if word.hasSuffix("s") || word.hasSuffix("x") || word.hasSuffix("z") || word.hasSuffix("ch")
      || word.hasSuffix("sh")
    {
      out.append(word + "es")
    } else if last == "y" && !isVowel(prev) {
      out.append(stem + "ies")
    } else {
      out.append(word + "s")
    }
    if last == "e" {
      out.append(word + "d")
    } else if last == "y" && !isVowel(prev) {
      out.append(stem + "ied")
    } else {
      out.append(word + "ed")
      if cvc { out.append(word + String(last) + "ed") }
    }
    if last == "e" && prev != "e" {
      out.append(stem + "ing")
    } else {
      out.append(word + "ing")
      if cvc { out.append(word + String(last) + "ing") }
    }
    return out
  }

  /// Typing slips of a word of six or more letters: one interior letter dropped (`adress`,
  /// `damagd`) or two neighbours swapped (`recieved`). The first letter is never touched.
  public static func typos(of word: String) -> [String] {
    var out: [String] = []
    var scratch: [UInt8] = []
    typos(of: Array(word.utf8), scratch: &scratch) { out.append(String(decoding: $0, as: UTF8.self)) }
    return out
  }

  /// The typos of an ASCII word's bytes, each passed to `body` (in `scratch`, reused), without
  /// repeats and never the word itself.
  static func typos(of w: [UInt8], scratch: inout [UInt8], _ body: ([UInt8]) -> Void) {
    guard w.count >= 6, w.allSatisfy({ ASCII.isLetter($0) }) else { return }
    let n = w.count
    // Deletions: dropping either of two equal neighbours gives the same word; keep the first.
    for i in 1..<(n - 1) where w[i] != w[i - 1] || i == 1 {
      scratch.removeAll(keepingCapacity: true)
      scratch.append(contentsOf: w[0..<i])
      scratch.append(contentsOf: w[(i + 1)...])
      if scratch != w { body(scratch) }
    }
    for i in 1..<(n - 1) where w[i] != w[i + 1] {
      scratch = w
      scratch.swapAt(i, i + 1)
      body(scratch)
    }
  }
}
