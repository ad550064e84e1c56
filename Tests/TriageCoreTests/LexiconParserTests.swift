import Testing
import TriageCore

/// A reason file for `damaged` with the given entry lines (entries start on line 4).
private func damaged(_ entries: String) -> String {
  "version 1\ncode damaged\n\n" + entries + "\n"
}

@Suite struct LexiconParserTests {
  // MARK: Errors: the exact message, with path:line:col.

  struct ErrorCase: CustomTestStringConvertible, Sendable {
    var id: String
    /// Files of the test lexicon replaced by these.
    var files: [String: String]
    var message: String
    var testDescription: String { id }

    init(_ id: String, _ files: [String: String], _ message: String) {
      self.id = id
      self.files = files
      self.message = message
    }

    init(_ id: String, entries: String, _ message: String) {
      self.init(id, ["reasons/damaged.txt": damaged(entries)], message)
    }
  }

  static let errorCases: [ErrorCase] = [
    ErrorCase(
      "missing version line", ["reasons/damaged.txt": "code damaged\n2.0 damaged\n"],
      "mini/reasons/damaged.txt:1:1: error: expected 'version 1' as the first entry of the file, found 'code'"
    ),
    ErrorCase(
      "a file with no entries at all", ["cues.txt": "# only a comment\n"],
      "mini/cues.txt:2: error: expected 'version 1' as the first entry; the file has no entries"),
    ErrorCase(
      "wrong version", ["reasons/damaged.txt": "version 2\ncode damaged\n"],
      "mini/reasons/damaged.txt:1:9: error: unsupported lexicon version '2'; this triage reads version 1"
    ),
    ErrorCase(
      "unknown code with did-you-mean",
      ["reasons/damaged.txt": "version 1\ncode damagd\n2.0 damaged\n"],
      "mini/reasons/damaged.txt:2:6: error: unknown reason code 'damagd'; did you mean 'damaged'?"),
    ErrorCase(
      "file named for another code",
      ["reasons/damage.txt": "version 1\ncode damaged\n2.0 damaged\n"],
      "mini/reasons/damage.txt:2:6: error: file declares code 'damaged' but is named for 'damage'"),
    ErrorCase(
      "bad weight", entries: "2.x damaged",
      "mini/reasons/damaged.txt:4:1: error: expected a weight such as '2.5' (at most two decimals), found '2.x'"
    ),
    ErrorCase(
      "weight 0", entries: "0 damaged",
      "mini/reasons/damaged.txt:4:1: error: weight must not be 0 (an entry that counts for nothing)"
    ),
    ErrorCase(
      "weight out of range", entries: "11 damaged",
      "mini/reasons/damaged.txt:4:1: error: weight '11' is out of range (-10 to 10)"),
    ErrorCase(
      "unclosed quote", entries: "2.0 \"damaged box",
      "mini/reasons/damaged.txt:4:5: error: unclosed quote: expected '\"' before the end of the line"
    ),
    ErrorCase(
      "unclosed group", entries: "2.0 (damaged|broken box",
      "mini/reasons/damaged.txt:4:5: error: unclosed '(': expected ')'"),
    ErrorCase(
      "stray close paren", entries: "2.0 damaged) box",
      "mini/reasons/damaged.txt:4:12: error: unexpected ')' without a matching '('"),
    ErrorCase(
      "bar outside a group", entries: "2.0 damaged|broken",
      "mini/reasons/damaged.txt:4:12: error: '|' outside a group; write (a|b)"),
    ErrorCase(
      "empty group", entries: "2.0 () box", "mini/reasons/damaged.txt:4:5: error: empty group '()'"),
    ErrorCase(
      "group of empty alternatives", entries: "2.0 (|) box",
      "mini/reasons/damaged.txt:4:5: error: empty group '()'"),
    ErrorCase(
      "everything optional", entries: "2.0 (damaged)?",
      "mini/reasons/damaged.txt:4:5: error: the entry can match nothing (every word is optional)"),
    ErrorCase(
      "capture outside a pattern", entries: "2.0 damaged {n}",
      "mini/reasons/damaged.txt:4:13: error: '{…}' captures are only allowed in pattern entries (start the line with 'pattern')"
    ),
    ErrorCase(
      "unclosed capture", entries: "pattern 2.0 damaged {n of {m}",
      "mini/reasons/damaged.txt:4:21: error: unclosed pattern capture in '{n': expected '}'"),
    ErrorCase(
      "unknown capture in where", entries: "pattern 2.0 damaged {n} of {m} where n < k",
      "mini/reasons/damaged.txt:4:42: error: unknown capture 'k' in condition; the pattern captures 'n', 'm'"
    ),
    ErrorCase(
      "where on a plain entry", entries: "2.0 damaged where n < 1",
      "mini/reasons/damaged.txt:4:13: error: 'where' conditions are only allowed on pattern entries"
    ),
    ErrorCase(
      "pattern without a capture", entries: "pattern 2.0 damaged box",
      "mini/reasons/damaged.txt:4:13: error: a pattern needs at least one capture such as {n}; write a plain entry instead"
    ),
    ErrorCase(
      "number written literally", entries: "2.0 damaged 2",
      "mini/reasons/damaged.txt:4:13: error: a number cannot be matched literally ('2'); use a pattern with {n}"
    ),
    ErrorCase(
      "duplicate entry, case-insensitive", entries: "2.0 damaged\n3.0 Damaged",
      "mini/reasons/damaged.txt:5:5: error: duplicate entry 'Damaged' (first at line 4)"),
    ErrorCase(
      "tags not closed", entries: "2.0 damaged [x12:AY",
      "mini/reasons/damaged.txt:4:13: error: unclosed '[': expected ']' after the tags"),
    ErrorCase(
      "break word inside an entry", entries: "2.0 damaged but fine",
      "mini/reasons/damaged.txt:4:5: error: 'but' is a break word (cues.txt) and cannot be part of an entry"
    ),
    ErrorCase(
      "skip word at the start", entries: "2.0 the damaged",
      "mini/reasons/damaged.txt:4:5: error: 'the' is a skip word (cues.txt), dropped from every note, so a spelling cannot start or end with it: 'the damaged' would match as 'damaged'"
    ),
    ErrorCase(
      "skip word at the end", entries: "2.0 damaged the",
      "mini/reasons/damaged.txt:4:5: error: 'the' is a skip word (cues.txt), dropped from every note, so a spelling cannot start or end with it: 'damaged the' would match as 'damaged'"
    ),
    ErrorCase(
      "shorthand cycle", ["shorthand.txt": "version 1\naa bb\nbb aa\n"],
      "mini/shorthand.txt:2:1: error: shorthand cycle: 'aa' → 'bb' → 'aa'"),
    ErrorCase(
      "shorthand expanding to itself", ["shorthand.txt": "version 1\ndmg dmg\n"],
      "mini/shorthand.txt:2:5: error: shorthand 'dmg' expands to itself"),
    ErrorCase(
      "empty entry", entries: "2.0",
      "mini/reasons/damaged.txt:4:4: error: empty entry: expected the entry's words"),
    ErrorCase(
      "entry of tags only", entries: "2.0 [x12:AY]",
      "mini/reasons/damaged.txt:4:13: error: empty entry: expected the entry's words"),
    ErrorCase(
      "near without +", entries: "near 2.0 carrier missed",
      "mini/reasons/damaged.txt:4:10: error: a near entry has two parts joined by '+' (either order) or '>' (first part first), found 1"
    ),
    ErrorCase(
      "+ in a plain entry", entries: "2.0 carrier + missed",
      "mini/reasons/damaged.txt:4:13: error: '+' joins the two parts of a 'near' entry; this is a term entry"
    ),
    ErrorCase(
      "> in a plain entry", entries: "2.0 carrier > missed",
      "mini/reasons/damaged.txt:4:13: error: '>' joins the two parts of a 'near' entry; this is a term entry"
    ),
    ErrorCase(
      "near with three parts", entries: "near 2.0 carrier + missed > again",
      "mini/reasons/damaged.txt:4:10: error: a near entry has two parts joined by '+' (either order) or '>' (first part first), found 3"
    ),
    ErrorCase(
      "near with a bad window", entries: "near 2.0 carrier + missed within 20",
      "mini/reasons/damaged.txt:4:34: error: expected a window of 1 to 12 tokens after 'within', found '20'"
    ),
    ErrorCase(
      "cue with a bad window", ["cues.txt": "version 1\nnegate before 0 no\n"],
      "mini/cues.txt:2:15: error: expected a window of 1 to 12 tokens, found '0'"),
    ErrorCase(
      "unknown cue kind", ["cues.txt": "version 1\nnegat before 3 no\n"],
      "mini/cues.txt:2:1: error: unknown cue kind 'negat'; expected one of negate, resolve, pending, skip, break; did you mean 'negate'?"
    ),
    ErrorCase(
      "cue scoped to an unknown code",
      ["cues.txt": "version 1\nresolve after 3 fixed codes=damagd\n"],
      "mini/cues.txt:2:23: error: unknown reason code 'damagd'; did you mean 'damaged'?"),
    ErrorCase(
      "across= with another value",
      ["cues.txt": "version 1\nnegate after 3 all good across=clauses\n"],
      "mini/cues.txt:2:25: error: expected 'across=commas', found 'across=clauses'"),
    ErrorCase(
      "across=commas on a resolution cue",
      ["cues.txt": "version 1\nresolve after 3 fixed across=commas\n"],
      "mini/cues.txt:2:23: error: 'across=commas' is for negate cues only"),
    ErrorCase(
      "no code line", ["reasons/damaged.txt": "version 1\n2.0 damaged\n"],
      "mini/reasons/damaged.txt:2:1: error: expected 'code damaged' after the version line, found '2.0'"
    ),
    ErrorCase(
      "a character words may not hold", entries: "2.0 dam@ged",
      "mini/reasons/damaged.txt:4:8: error: unexpected character '@' in 'dam@ged'; words may hold letters, digits and - / _ '"
    ),
    ErrorCase(
      "control character", entries: "2.0 damaged\u{7}",
      "mini/reasons/damaged.txt:4:12: error: unexpected control character '\\x07' in a lexicon file"
    ),
  ]

  @Test(arguments: errorCases)
  func reportsError(_ c: ErrorCase) {
    #expect(MiniLexicon.loadError(c.files) == c.message)
  }

  @Test func invalidUTF8Bytes() throws {
    var files = MiniLexicon.files()
    files["reasons/damaged.txt"] = Array("version 1\ncode damaged\n2.0 dam".utf8) + [0xFF]
    let error = #expect(throws: TriageError.self) {
      try Lexicon.load(files: files, directory: "mini")
    }
    #expect(
      error?.description
        == "mini/reasons/damaged.txt:3:8: error: invalid UTF-8 (byte 0xFF); lexicon files must be UTF-8"
    )
    #expect(error?.status == .dataError)
  }

  @Test func missingFile() {
    var files = MiniLexicon.files()
    files["cues.txt"] = nil
    let error = #expect(throws: TriageError.self) {
      try Lexicon.load(files: files, directory: "mini")
    }
    #expect(
      error?.description
        == "error: cannot read 'mini/cues.txt': the lexicon directory needs cues.txt")
    #expect(error?.status == .noInput)
  }

  // MARK: Warnings

  @Test func unsortedEntriesWarn() throws {
    let lexicon = try Lexicon.load(
      files: MiniLexicon.files(replacing: [
        "reasons/damaged.txt": damaged("2.0 damaged\n2.0 broken")
      ]),
      directory: "mini")
    #expect(
      lexicon.warnings.map(\.description) == [
        "mini/reasons/damaged.txt:5:5: warning: entries are not sorted: 'broken' should come before 'damaged' (line 4)"
      ])
  }

  @Test func codeWithoutAFileWarns() throws {
    var files = MiniLexicon.files()
    files["reasons/wrong_item.txt"] = nil
    let lexicon = try Lexicon.load(files: files, directory: "mini")
    #expect(
      lexicon.warnings.map(\.description) == [
        "mini/codes.txt:8:1: warning: reason code 'wrong_item' has no file reasons/wrong_item.txt"
      ])
  }

  @Test func theTestLexiconLoadsCleanly() {
    #expect(MiniLexicon.lexicon.warnings.isEmpty)
    #expect(MiniLexicon.lexicon.codes.map(\.code).count == 8)
  }

  // MARK: Successful parses

  private static func w(_ s: String) -> PatternElement { .word(s, exact: false) }

  struct ParseCase: CustomTestStringConvertible, Sendable {
    var id: String
    var line: String
    var kind: EntryKind
    var weight: Int32
    var text: String
    var sequences: [[PatternElement]]
    var nearSequences: [[PatternElement]] = []
    var nearWindow = 0
    var nearOrdered = false
    var conditions: [String] = []
    var tags: [String] = []
    var testDescription: String { id }
  }

  static let parseCases: [ParseCase] = [
    ParseCase(
      id: "single word", line: "2.0 damaged", kind: .term, weight: 200, text: "damaged",
      sequences: [[w("damaged")]]),
    ParseCase(
      id: "negative weight with two decimals", line: "-1.25 box", kind: .term, weight: -125,
      text: "box", sequences: [[w("box")]]),
    ParseCase(
      id: "groups multiply", line: "3.0 (damaged|crushed) (box|carton)", kind: .term, weight: 300,
      text: "(damaged|crushed) (box|carton)",
      sequences: [
        [w("damaged"), w("box")], [w("damaged"), w("carton")], [w("crushed"), w("box")],
        [w("crushed"), w("carton")],
      ]),
    ParseCase(
      id: "optional group with an empty alternative", line: "2.0 box (was|) crushed",
      kind: .term, weight: 200, text: "box (was|) crushed",
      sequences: [[w("box"), w("was"), w("crushed")], [w("box"), w("crushed")]]),
    ParseCase(
      id: "optional group with ?", line: "2.0 box (was)? crushed", kind: .term, weight: 200,
      text: "box (was)? crushed",
      sequences: [[w("box"), w("was"), w("crushed")], [w("box"), w("crushed")]]),
    ParseCase(
      id: "group of phrases", line: "2.0 (fell over|was dropped)", kind: .term, weight: 200,
      text: "(fell over|was dropped)",
      sequences: [[w("fell"), w("over")], [w("was"), w("dropped")]]),
    ParseCase(
      id: "exact word", line: "2.0 =lost box", kind: .term, weight: 200, text: "=lost box",
      sequences: [[.word("lost", exact: true), w("box")]]),
    ParseCase(
      id: "upper case folds", line: "2.0 Damaged BOX", kind: .term, weight: 200,
      text: "Damaged BOX", sequences: [[w("damaged"), w("box")]]),
    ParseCase(
      id: "tags", line: "2.0 damaged [x12:AY, shopify:DAMAGED]", kind: .term, weight: 200,
      text: "damaged", sequences: [[w("damaged")]], tags: ["x12:AY", "shopify:DAMAGED"]),
    ParseCase(
      id: "near with within", line: "near 3.0 (carrier|driver) + missed within 5", kind: .near,
      weight: 300, text: "(carrier|driver) + missed within 5",
      sequences: [[w("carrier")], [w("driver")]], nearSequences: [[w("missed")]], nearWindow: 5),
    ParseCase(
      id: "near with the default window", line: "near 3.0 carrier + (missed|skipped)",
      kind: .near, weight: 300, text: "carrier + (missed|skipped)", sequences: [[w("carrier")]],
      nearSequences: [[w("missed")], [w("skipped")]], nearWindow: 4),
    ParseCase(
      id: "ordered near", line: "near 3.0 carrier > (missed|skipped) within 2", kind: .near,
      weight: 300, text: "carrier > (missed|skipped) within 2", sequences: [[w("carrier")]],
      nearSequences: [[w("missed")], [w("skipped")]], nearWindow: 2, nearOrdered: true),
    ParseCase(
      id: "pattern with two conditions",
      line: "pattern 3.0 picked {n} of {m} where n < m and n > 0", kind: .pattern, weight: 300,
      text: "picked {n} of {m}", sequences: [[w("picked"), .number("n"), w("of"), .number("m")]],
      conditions: ["n < m", "n > 0"]),
    ParseCase(
      id: "ratio pattern", line: "pattern 3.0 picked {n}/{m} where n != m", kind: .pattern,
      weight: 300, text: "picked {n}/{m}", sequences: [[w("picked"), .ratio("n", "m")]],
      conditions: ["n != m"]),
    ParseCase(
      id: "pattern with a group and a literal", line: "pattern 2.5 (bin|slot) had {n} where n == 0",
      kind: .pattern, weight: 250, text: "(bin|slot) had {n}",
      sequences: [[w("bin"), w("had"), .number("n")], [w("slot"), w("had"), .number("n")]],
      conditions: ["n == 0"]),
  ]

  @Test(arguments: parseCases)
  func parses(_ c: ParseCase) throws {
    let file = "version 1\ncode damaged\n" + c.line + "\n"
    let lines = try LexiconScanner.lines(of: Array(file.utf8), file: "damaged.txt")
    var parser = LexiconParser()
    let entries = try parser.parseReasons(
      lines, file: "damaged.txt", expectedCode: "damaged", codes: MiniLexicon.lexicon.codes)
    let e = try #require(entries.first)
    #expect(entries.count == 1)
    #expect(e.kind == c.kind)
    #expect(e.code == MiniLexicon.lexicon.code(named: "damaged")?.index)
    #expect(e.weight == c.weight)
    #expect(e.text == c.text)
    #expect(e.sequences == c.sequences)
    #expect(e.nearSequences == c.nearSequences)
    #expect(e.nearWindow == c.nearWindow)
    #expect(e.nearOrdered == c.nearOrdered)
    #expect(e.conditions.map(\.description) == c.conditions)
    #expect(e.tags == c.tags)
    // The entry's location is where its text starts, after the kind and the weight.
    let column =
      c.line.count
      - c.line.drop { $0 != " " }.drop { $0 == " " }
      .drop { c.kind != .term && $0 != " " }.drop { c.kind != .term && $0 == " " }.count + 1
    #expect(e.location.description == "damaged.txt:3:\(column)")
  }

  @Test func cuesParse() throws {
    let file = """
      version 1
      negate   before  3  no (sign|signs) of
      pending  both    2  expected
      resolve  after   6  released   codes=payment_hold,damaged
      negate   after   6  no changes needed   across=commas   codes=damaged
      skip     The
      break    but

      """
    let lines = try LexiconScanner.lines(of: Array(file.utf8), file: "cues.txt")
    var parser = LexiconParser()
    let parsed = try parser.parseCues(lines, file: "cues.txt", codes: MiniLexicon.lexicon.codes)
    #expect(parsed.skip == ["the"])
    #expect(parsed.breaks == ["but"])
    #expect(parsed.cues.map(\.kind) == [.negate, .pending, .resolve, .negate])
    #expect(parsed.cues.map(\.direction) == [.before, .both, .after, .after])
    #expect(parsed.cues.map(\.window) == [3, 2, 6, 6])
    #expect(parsed.cues.map(\.acrossCommas) == [false, false, false, true])
    #expect(parsed.cues[3].scope == [4] && parsed.cues[3].text == "no changes needed")
    #expect(parsed.cues[0].sequences.count == 2)
    #expect(parsed.cues[2].scope == [0, 4])
    #expect(parsed.cues[2].scopes(4) && !parsed.cues[2].scopes(1))
    #expect(parsed.cues[0].scopes(7), "no codes= means every code")
  }

  @Test func shorthandAndIdentifiersParse() throws {
    var parser = LexiconParser()
    let short = try parser.parseShorthand(
      try LexiconScanner.lines(
        of: Array("version 1\nDMG damaged\noos out of stock\n".utf8), file: "s"),
      file: "s")
    #expect(short.map(\.key) == ["dmg", "oos"])
    #expect(short.map(\.expansion) == [["damaged"], ["out", "of", "stock"]])
    let ids = MiniLexicon.lexicon.identifiers
    #expect(ids.orderPrefix == "SO-")
    #expect(ids.orderDigits == 4...8)
    #expect(ids.orderCues == ["order"])
    #expect(ids.skuShapes.map(\.text) == ["99999"])
    #expect(ids.locationShapes.map(\.text) == ["A-99-99"])
  }

  // MARK: The scanner

  @Test func scannerFields() throws {
    let text =
      "version 1\n  theme=\"payment & credit\"\t\"two words\" x # a comment\n\n# only\nlast\n"
    let lines = try LexiconScanner.lines(of: Array(text.utf8), file: "f")
    try #require(lines.map(\.number) == [2, 5])
    #expect(lines[0].fields.map(\.text) == ["theme=payment & credit", "two words", "x"])
    #expect(lines[0].fields.map(\.column) == [3, 28, 40])
    #expect(lines[0].fields.map(\.quoted) == [false, true, false])
    #expect(lines[1].fields.map(\.text) == ["last"])
  }

  /// Regression: a lexicon file saved with Windows line ends (CRLF) must load. The scanner strips
  /// a trailing "\r" from each line, but it splits the file with `String.split(separator: "\n")`,
  /// and in a Swift String "\r\n" is one Character, not "\r" followed by "\n": nothing is split,
  /// and the first "\r" is reported as a control character.
  @Test func crlfLineEnds() throws {
    let text = "version 1\r\n# a comment\r\ndmg damaged\r\noos out of stock\r\n"
    let lines = try LexiconScanner.lines(of: Array(text.utf8), file: "shorthand.txt")
    #expect(lines.map(\.number) == [3, 4])
    #expect(
      lines.map { $0.fields.map(\.text) } == [
        ["dmg", "damaged"], ["oos", "out", "of", "stock"],
      ])
  }

  @Test func scannerAcceptsABOM() throws {
    let lines = try LexiconScanner.lines(of: Array("\u{FEFF}version 1\nx\n".utf8), file: "f")
    #expect(lines.map(\.number) == [2])
  }

  // MARK: What entries compile to

  @Test func exactWordsGetNoVariants() throws {
    let lexicon = try Lexicon.load(
      files: MiniLexicon.files(replacing: [
        "reasons/wrong_item.txt": """
        version 1
        code wrong_item

        2.0   =mislabeled
        2.0   swapped

        """
      ]),
      directory: "mini")
    let v = lexicon.vocabulary
    #expect(v.value(of: "mislabeled")?.origin == .exact)
    #expect(v.value(of: "mislabeld") == nil, "no typo variant of an =exact word")
    #expect(v.value(of: "swaped")?.origin == .typo)
    #expect(v.value(of: "swappeds")?.origin == .inflection)
  }

  @Test func inflectionForms() {
    #expect(Inflection.forms(of: "pick") == ["picks", "picked", "picking"])
    // A short consonant-vowel-consonant word gets both spellings; the doubled one is right.
    #expect(Inflection.forms(of: "ship") == ["ships", "shiped", "shipped", "shiping", "shipping"])
    #expect(Inflection.forms(of: "carry") == ["carries", "carried", "carrying"])
    #expect(Inflection.forms(of: "release") == ["releases", "released", "releasing"])
    #expect(Inflection.forms(of: "box") == ["boxes", "boxed", "boxing"])
    #expect(Inflection.forms(of: "ok") == [])
    #expect(Inflection.typos(of: "short") == [], "words under six letters get no typo variants")
    #expect(Inflection.typos(of: "damaged").contains("damagd"))
    #expect(Inflection.typos(of: "damaged").contains("dmaaged"))
    #expect(!Inflection.typos(of: "damaged").contains("amaged"), "the first letter is kept")
  }
}
