import Testing
import TriageCore

/// A token as the tests read it: boundary before (`| ` clause, `, ` comma), then the word's
/// canonical term (`?` when no lexicon knows it) or the kind with its values, then the flags.
private func describe(_ t: Token, _ vocabulary: Vocabulary) -> String {
  var s = ""
  if t.has(TokenFlags.clauseBefore) {
    s += "| "
  } else if t.has(TokenFlags.commaBefore) {
    s += ", "
  }
  switch t.kind {
  case .word: s += t.term >= Term.firstWord ? vocabulary.termText[Int(t.term)] : "?"
  case .number: s += "number \(t.n)"
  case .ratio: s += "ratio \(t.n)/\(t.m)"
  case .quantity: s += "quantity \(t.n)"
  case .hashRef: s += "hash-ref \(t.n)"
  case .identifier, .mention, .url: s += t.kind.description
  }
  if t.has(TokenFlags.expanded) { s += " +expanded" }
  if t.has(TokenFlags.inflected) { s += " +inflected" }
  if t.has(TokenFlags.typo) { s += " +typo" }
  if t.has(TokenFlags.joined) { s += " +joined" }
  return s
}

@Suite struct TokenizerTests {
  let tokenizer = MiniLexicon.tokenizer
  var vocabulary: Vocabulary { tokenizer.vocabulary }

  /// A note with « » around every expected token, and what each token is.
  struct Case: CustomTestStringConvertible, Sendable {
    var id: String
    var marked: String
    var tokens: [String]
    var testDescription: String { id }

    init(_ id: String, _ marked: String, _ tokens: [String]) {
      self.id = id
      self.marked = marked
      self.tokens = tokens
    }
  }

  static let cases: [Case] = [
    Case("words fold case", "«Damaged» «BOX» «zebra»", ["damaged", "box", "?"]),
    // Identifiers are kept whole.
    Case("order id with prefix", "«SO-10023» «shorted»", ["identifier", "short +inflected"]),
    Case("location with two hyphens", "«bin» «B-14-02»", ["bin", "identifier"]),
    Case("letters and digits", "«C0412»", ["identifier"]),
    Case("hash reference", "«re» «#10023»: «late»", ["?", "hash-ref 10023", ", ?"]),
    Case("a hash without digits is dropped", "# «late» #«x»", ["?", "?"]),
    Case("time", "«10:30» «pickup»", ["identifier", "?"]),
    Case("ten digits are an identifier", "«1234567890»", ["identifier"]),
    Case("decimal number", "«12.5» «kg»", ["number 12", "?"]),
    // Quantities.
    Case("ratio", "«picked» «2/6»", ["pick +inflected", "ratio 2/6"]),
    Case("x3 quantity", "«x3» «crushed»", ["quantity 3", "crushed"]),
    Case("3x quantity", "«3x» «box»", ["quantity 3", "box"]),
    Case("qty 2", "«qty» «2»", ["?", "number 2"]),
    // Hyphen and slash between letter words.
    Case("hyphen splits letter words", "«box»-«crushed»", ["box", "crushed"]),
    Case("slash splits letter words", "«damaged»/«crushed»", ["damaged", "crushed"]),
    Case(
      "hyphenated joined form of a phrase stays whole", "«short-picked»",
      ["shortpick +inflected"]),
    Case("no-show is one word", "«trailer» «no-show»", ["?", "noshow"]),
    // Apostrophes.
    Case("possessive dropped", "«customer»'s «box»", ["?", "box"]),
    Case("curly possessive dropped", "«customer»’s «box»", ["?", "box"]),
    Case("contraction in the lexicon", "«isn't» «damaged»", ["isn't", "damaged"]),
    Case("curly contraction in the lexicon", "«isn’t» «damaged»", ["isn't", "damaged"]),
    Case("contraction not in the lexicon splits", "«wasn»'«t»", ["?", "?"]),
    // Never lexicon words.
    Case("mention", "«@AmazonHelp» «late»", ["mention", "?"]),
    Case("url", "«see» «https://example.com/a-b?c=d» «now»", ["?", "url", "?"]),
    Case("www url", "«www.example.com/track»", ["url"]),
    Case("a url keeps the full stop after it", "«www.example.com/t». «crushed»", ["url", "| crushed"]),
    Case(
      "a url keeps its own brackets but not the sentence's",
      "(«https://example.com/a_(b)»), «crushed»", [", url", ", crushed"]),
    // Boundaries.
    Case(
      "clause and comma flags", "«a1», «b1». «c1»; «d1»! «e1»? «f1»\n«g1» («h1») «i1»",
      [
        "identifier", ", identifier", "| identifier", "| identifier", "| identifier",
        "| identifier", "| identifier", ", identifier", ", identifier",
      ]),
    Case("a lone dash is a comma", "«box» - «crushed»", ["box", ", crushed"]),
    Case("a colon softens", "«note»: «crushed»", ["?", ", crushed"]),
    Case("en dash and curly quotes", "«box» – “«crushed»”", ["box", ", crushed"]),
    Case(
      "break word sets the clause flag and is dropped", "«damaged» but «crushed»",
      ["damaged", "| crushed"]),
    Case(
      "skip words are dropped", "«crushed» the «box» is «damaged»", ["crushed", "box", "damaged"]),
    Case(
      "a skip word keeps the boundary before it", "«crushed», the «box»",
      ["crushed", ", box"]),
    // Vocabulary forms.
    Case("inflection", "«picking» «boxes»", ["pick +inflected", "box +inflected"]),
    Case("typo", "«damagd» «crushd»", ["damaged +typo", "crushed +typo"]),
    Case("swapped letters", "«damgaed»", ["damaged +typo"]),
    Case("joined form of a phrase", "«shortpick»", ["shortpick"]),
    // Shorthand: one span, several tokens (see the expansion test below for the spans).
    Case("shorthand", "«dmg» «box»", ["damaged +expanded", "box"]),
  ]

  @Test(arguments: cases)
  func tokens(_ c: Case) {
    let m = Marked(c.marked)
    let tokens = tokenizer.tokens(of: m.text)
    #expect(tokens.map(\.span) == m.spans, "spans")
    #expect(tokens.map { describe($0, vocabulary) } == c.tokens, "tokens")
  }

  @Test func shorthandExpansionSharesOneSpan() {
    let m = Marked("all «oos», «dmg»")
    let tokens = tokenizer.tokens(of: m.text)
    #expect(
      tokens.map { describe($0, vocabulary) } == [
        "?", "out +expanded", "of +expanded", "stock +expanded", ", damaged +expanded",
      ])
    #expect(tokens.map(\.span) == [0..<3, m.spans[0], m.spans[0], m.spans[0], m.spans[1]])
  }

  @Test func shorthandPluralExpandsLikeItsKey() {
    let tokens = tokenizer.tokens(of: "dmgs")
    #expect(tokens.map { describe($0, vocabulary) } == ["damaged +expanded"])
  }

  /// Keys of every length up to 40 that differ in one byte only, at every position, are told
  /// apart: the table hashes and compares eight bytes at a time, with overlapping tails.
  @Test func vocabularyKeysDifferingInOneByte() {
    var v = Vocabulary()
    var words: [(String, Int32)] = []
    for n in 1...40 {
      let base = String(repeating: "k", count: n)
      words.append((base, v.termID(for: base)))
      for k in 0..<n {
        var bytes = Array(base.utf8)
        bytes[k] = UInt8(ascii: "q")
        let word = String(decoding: bytes, as: UTF8.self)
        words.append((word, v.termID(for: word)))
      }
    }
    #expect(Set(words.map(\.1)).count == words.count)
    for (word, id) in words {
      #expect(v.value(of: word)?.value == .term(id), "\(word)")
    }
    #expect(v.value(of: String(repeating: "k", count: 41)) == nil)
    #expect(v.value(of: "kkkkkkkkx") == nil)
  }

  /// Words of letters are read eight bytes at a time and looked up from registers (one to eight
  /// letters as one integer, nine to fifteen from two words). Every length from 1 to 20, in
  /// either case, at the start, in the middle and at the very end of a note, before every
  /// separator that keeps it one word: the token is the vocabulary's own answer for the folded
  /// word (the table was built through the byte-wise hash, so the two hashes must agree), over
  /// the word's span; its last letter changed, the word is unknown.
  @Test func wordsOfLettersAtEveryLengthAndPlace() {
    var v = Vocabulary()
    var words: [(String, Int32)] = []
    for n in 1...20 {
      // "abcdefghij…" cut to n, so every position holds a different letter.
      let word = String(String("abcdefghijklmnopqrstuvwxyz").prefix(n))
      words.append((word, v.termID(for: word)))
    }
    let t = Tokenizer(vocabulary: v)
    for (word, id) in words {
      let unknown = String(word.dropLast()) + "z"  // not a key
      for spelled in [word, word.uppercased(), unknown] {
        let expected = spelled == unknown ? Term.unknown : id
        for (before, after) in [("", ""), ("", " x"), ("", ", x"), ("", ". x"), ("", ":"), ("so far ", ""), ("x ", "; and more text"), ("x ", "!")] {
          let note = before + spelled + after
          let tokens = t.tokens(of: note)
          let start = Int32(before.utf8.count)
          let found = tokens.first { $0.start == start }
          #expect(found?.term == expected, "\(note)")
          #expect(found?.end == start + Int32(spelled.utf8.count), "\(note)")
          #expect(found?.kind == .word, "\(note)")
        }
      }
    }
  }

  /// A vocabulary key longer than any token the tokenizer looks up (a 300-letter lexicon word)
  /// is left out of the tokenizer's tables, which keep a key's length in a byte: building them
  /// does not trap, and the word reads as the unknown word it always was.
  @Test func keyLongerThanAnyLookupIsLeftOut() {
    var v = Vocabulary()
    let long = String(repeating: "a", count: 300)
    _ = v.termID(for: long)
    let short = v.termID(for: "box")
    let t = Tokenizer(vocabulary: v)
    #expect(t.tokens(of: "box " + long).map(\.term) == [short, Term.unknown])
  }

  @Test func vocabularyValues() throws {
    let v = vocabulary
    #expect(v.value(of: "the")?.value == .skip)
    #expect(v.value(of: "but")?.value == .clauseBreak)
    #expect(v.value(of: "DMG")?.origin == .shorthand)
    #expect(v.value(of: "boxes")?.origin == .inflection)
    #expect(v.value(of: "damagd")?.origin == .typo)
    #expect(v.value(of: "damaged")?.origin == .exact)
    #expect(v.value(of: "zebra") == nil)
    let damaged = try #require(v.existingTermID(for: "damaged"))
    #expect(v.value(of: "damagd")?.value == .term(damaged))
  }

  // MARK: Robustness: any bytes are accepted.

  private func tokens(_ bytes: [UInt8]) -> [Token] {
    var scratch = TokenScratch()
    bytes.withUnsafeBufferPointer { tokenizer.tokenize($0, into: &scratch) }
    return scratch.tokens
  }

  struct BytesCase: CustomTestStringConvertible, Sendable {
    var id: String
    var bytes: [UInt8]
    var spans: [Range<Int>]
    var testDescription: String { id }
  }

  static let byteCases: [BytesCase] = [
    BytesCase(id: "empty note", bytes: [], spans: []),
    BytesCase(id: "only punctuation", bytes: Array(".,;:!?()[]{}\"'-/_#@|<>…—".utf8), spans: []),
    BytesCase(
      id: "only spaces and line ends", bytes: Array(" \t\r\n \u{A0}\u{3000}".utf8), spans: []),
    BytesCase(
      id: "invalid UTF-8 is word bytes", bytes: [0x61, 0xFF, 0xFE, 0x20, 0xC3, 0x28, 0x62],
      spans: [0..<3, 4..<5, 6..<7]),
    BytesCase(
      id: "NUL and control bytes separate", bytes: [0x78, 0x00, 0x79, 0x07, 0x7A, 0x1B, 0x71],
      spans: [0..<1, 2..<3, 4..<5, 6..<7]),
    BytesCase(
      id: "truncated multi-byte sequence at the end", bytes: [0x62, 0x6F, 0x78, 0x20, 0xE2, 0x80],
      spans: [0..<3, 4..<6]),
    BytesCase(
      id: "a lone hash and at at the end", bytes: Array("box #".utf8) + Array(" @".utf8),
      spans: [0..<3]),
  ]

  @Test(arguments: byteCases)
  func anyBytes(_ c: BytesCase) {
    let t = tokens(c.bytes)
    #expect(t.map(\.span) == c.spans)
  }

  @Test func invalidUTF8InsideAWordDoesNotMatchTheWord() {
    let t = tokens(Array("dam".utf8) + [0xFF] + Array("aged".utf8))
    #expect(t.count == 1)
    #expect(t.first?.term == Term.unknown)
  }

  @Test func veryLongWordIsOneUnknownToken() {
    // Longer than Tokenizer.maxKey: never looked up, kept whole.
    let long = "damaged" + String(repeating: "x", count: 200)
    let t = tokenizer.tokens(of: long + " box")
    #expect(t.map(\.span) == [0..<207, 208..<211])
    #expect(t.first?.term == Term.unknown)
    #expect(t.first?.kind == .word)
    #expect(t.last.map { describe($0, vocabulary) } == "box")
  }

  @Test func veryLongCompoundIsCutIntoParts() {
    // 30 parts joined by hyphens: more than Tokenizer.maxParts, with a very long part.
    let parts = (0..<30).map { $0 == 5 ? String(repeating: "y", count: 150) : "box" }
    let text = parts.joined(separator: "-")
    let t = tokenizer.tokens(of: text)
    #expect(t.count == 30)
    #expect(t.allSatisfy { $0.end > $0.start && Int($0.end) <= text.utf8.count })
    #expect(t[0..<5].map { describe($0, vocabulary) } == Array(repeating: "box", count: 5))
    #expect(t[5].span.count == 150)
    #expect(t[5].term == Term.unknown)
    // After each cut (12 parts), a new compound: its parts are looked up again.
    let rest = [", box"] + Array(repeating: "box", count: 11)
    #expect(t[12...].map { describe($0, vocabulary) } == rest + rest.prefix(6))
  }

  @Test func veryLongNumberIsAnIdentifier() {
    let t = tokenizer.tokens(of: String(repeating: "9", count: 500))
    #expect(t.map(\.kind) == [.identifier])
    #expect(t.map(\.span) == [0..<500])
  }

  @Test func oneMegabyteNote() {
    let unit = "Damaged box, short-picked #10023 x3 2/6 SO-10023. "  // 7 tokens
    let count = (1 << 20) / unit.utf8.count + 1
    let text = String(repeating: unit, count: count)
    #expect(text.utf8.count > 1 << 20)
    let t = tokenizer.tokens(of: text)
    #expect(t.count == 7 * count)
    var previousEnd: Int32 = 0
    var ordered = true
    for token in t {
      if token.start < previousEnd || token.end <= token.start { ordered = false }
      previousEnd = token.end
    }
    #expect(ordered, "spans increase and never overlap")
    #expect(Int(previousEnd) == text.utf8.count - 2)
  }

  @Test func reusesTheScratch() {
    var scratch = TokenScratch()
    var a = "damaged box crushed"
    var b = "dmg"
    a.withUTF8 { tokenizer.tokenize($0, into: &scratch) }
    #expect(scratch.tokens.count == 3)
    b.withUTF8 { tokenizer.tokenize($0, into: &scratch) }
    #expect(scratch.tokens.map(\.span) == [0..<3])
  }
}
