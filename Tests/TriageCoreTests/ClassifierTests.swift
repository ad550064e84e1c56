import Testing
import TriageCore

/// A classification as the case tables write it: `code[/resolved] score, …`, in output order,
/// or `none`.
private func summary(_ c: Classification) -> String {
  if c.reasons.isEmpty { return "none" }
  return c.reasons.map {
    "\($0.code)\($0.status == .resolved ? "/resolved" : "") \(Weight.format($0.score))"
  }.joined(separator: ", ")
}

@Suite struct ClassifierTests {
  let classifier = MiniLexicon.classifier

  struct Case: CustomTestStringConvertible, Sendable {
    var id: String
    var note: String
    var expected: String
    var testDescription: String { id }

    init(_ id: String, _ note: String, _ expected: String) {
      self.id = id
      self.note = note
      self.expected = expected
    }
  }

  static let terms: [Case] = [
    Case("single term", "damaged", "damaged 2.0"),
    Case("phrase", "wrong item", "wrong_item 3.0"),
    Case("case-insensitive", "CREDIT HOLD", "payment_hold 3.0"),
    Case("phrase across a skip word", "damaged the box", "damaged 3.0"),
    Case("phrase stops at a comma", "damaged, box", "damaged 2.0"),
    Case("phrase stops at a full stop", "damaged. box", "damaged 2.0"),
    Case("phrase stops at a break word", "crushed but box", "damaged 2.0"),
    Case("nothing known", "all good, shipped on time", "none"),
    Case("empty note", "", "none"),
    // Generated forms.
    Case("inflection inside a phrase", "short picked", "short_pick 3.0"),
    Case("another inflection", "short picking", "short_pick 3.0"),
    Case("typo variant", "damagd", "damaged 2.0"),
    Case("typo inside a phrase", "damagd box", "damaged 3.0"),
    Case("swapped letters", "crsuhed carton", "damaged 3.0"),
    Case("hyphenated phrase", "short-picked", "short_pick 3.0"),
    Case("joined phrase", "shortpick", "short_pick 3.0"),
    // Shorthand.
    Case("shorthand", "dmg box", "damaged 3.0"),
    Case("shorthand in capitals", "DMG", "damaged 2.0"),
    Case("shorthand plural", "2 dmgs", "damaged 2.0"),
    Case("multi-word shorthand", "oos", "stockout_backorder 3.0"),
  ]

  static let negation: [Case] = [
    Case("cue before", "no damaged box", "none"),
    Case("cue before, inside its window", "not one crushed box", "none"),
    Case("cue before, outside its window", "no one here saw a crushed box", "damaged 3.0"),
    Case("cue after", "crushed box ruled out", "none"),
    Case("cue after, outside its window", "crushed box on arrival ruled out", "damaged 3.0"),
    Case("stopped by a comma", "no time, crushed box", "damaged 3.0"),
    Case("stopped by a full stop", "no dents. crushed box", "damaged 3.0"),
    Case("stopped by a break word", "no dents but crushed box", "damaged 3.0"),
    Case("a cue inside the match does not negate", "trailer no show", "carrier_pickup 3.0"),
    Case("contraction cue", "box isn't damaged", "none"),
    Case("curly contraction cue", "box isn’t damaged", "none"),
    Case("only the reached match is negated", "no damaged box but wrong item", "wrong_item 3.0"),
    Case("a negated phrase does not leave its parts", "not wrong address", "none"),
  ]

  static let resolution: [Case] = [
    Case("cue after the match", "credit hold released", "payment_hold/resolved 3.0"),
    Case("cue before the match", "released the credit hold", "payment_hold/resolved 3.0"),
    Case("cue ending the phrase", "payment cleared", "payment_hold/resolved 2.5"),
    Case("cue inside the phrase", "hold cleared by finance", "payment_hold/resolved 3.0"),
    Case("the match is the resolution term", "redelivered", "delivery_failed/resolved 2.0"),
    Case(
      "an after cue reads past a full stop", "credit hold. released", "payment_hold/resolved 3.0"),
    Case("a before cue stops at a full stop", "released. credit hold", "payment_hold 3.0"),
    Case(
      "cue outside its window", "credit hold on order for long time now sadly released",
      "payment_hold 3.0"),
    Case("pending cue cancels the resolution", "credit hold, awaiting release", "payment_hold 3.0"),
    Case(
      "pending cue before the match keeps it open", "released yesterday, still on credit hold",
      "payment_hold 3.0"),
    Case(
      "without the pending cue it is resolved", "released yesterday, on credit hold",
      "payment_hold/resolved 3.0"),
    Case("negation cancels the resolution", "credit hold not released", "payment_hold 3.0"),
    Case("a scoped cue leaves other codes open", "damaged box found", "damaged 3.0"),
    Case("a scoped cue resolves its code", "short pick, found it", "short_pick/resolved 3.0"),
    Case(
      "an unscoped cue resolves every code", "crushed box and short pick, all cleared",
      "short_pick/resolved 3.0, damaged/resolved 3.0"),
    // The status of a code is the status of its last mention.
    Case(
      "fix, then what is still wrong", "hold released but payment still pending",
      "payment_hold 4.0"),
    Case("problem, then its fix", "payment declined. hold released", "payment_hold/resolved 5.0"),
    // A repeated mention adds nothing to the score but can decide the status.
    Case("a resolved repeat", "credit hold. credit hold released", "payment_hold/resolved 3.0"),
    Case("an open repeat", "credit hold released. credit hold again", "payment_hold 3.0"),
    Case("a negated first mention does not use up the entry", "no wrong item. wrong item", "wrong_item 3.0"),
    Case("a negated repeat is not a mention", "credit hold. released. not credit hold", "payment_hold/resolved 3.0"),
  ]

  static let scoring: [Case] = [
    // Several codes; sorted by score, ties by taxonomy order (codes.txt).
    Case("two codes by score", "crushed and wrong item", "wrong_item 3.0, damaged 2.0"),
    Case(
      "tie broken by taxonomy order", "damaged box and short pick", "short_pick 3.0, damaged 3.0"),
    Case(
      "tie broken by taxonomy order, reversed in the note", "short pick and damaged box",
      "short_pick 3.0, damaged 3.0"),
    Case(
      "three codes", "oos, wrong item, crushed",
      "stockout_backorder 3.0, wrong_item 3.0, damaged 2.0"),
    // Thresholds.
    Case("below the threshold", "short", "none"),
    Case("at the threshold", "hold", "payment_hold 2.0"),
    Case("a code's own threshold", "backorder", "none"),
    Case("weights add up", "credit limit, on hold", "payment_hold 3.0"),
    Case("an entry counts once per note", "short and short again", "none"),
    // Subsumption.
    Case("the longer match wins in a code", "credit hold", "payment_hold 3.0"),
    Case("the longer match wins across codes", "wrong address", "address_issue 3.0"),
    Case("one span counts once, the heavier entry", "broken", "damaged 2.5"),
    // Pattern conditions.
    Case("pattern condition holds", "picked 2 of 6", "short_pick 3.0"),
    Case("pattern condition fails", "picked 6 of 6", "none"),
    Case("pattern second condition fails", "picked 0 of 6", "none"),
    Case("ratio pattern holds", "picked 2/6", "short_pick 3.0"),
    Case("ratio pattern fails", "picked 6/6", "none"),
    Case("pattern word inflected", "picks 2 of 6", "short_pick 3.0"),
    Case("quantity as a capture", "picked x2 of 6", "short_pick 3.0"),
    // Near entries.
    Case("near parts adjacent", "carrier missed", "carrier_pickup 3.0"),
    Case("near parts in the other order", "missed by the carrier", "carrier_pickup 3.0"),
    Case("near parts at the window", "driver sadly has skipped", "carrier_pickup 3.0"),
    Case("near parts beyond the window", "carrier came at noon and then missed", "none"),
    Case("near parts across a full stop", "carrier came. missed", "none"),
    Case("near parts across a comma", "carrier, missed", "carrier_pickup 3.0"),
    Case("a negation between near parts", "carrier has not missed", "none"),
  ]

  @Test(arguments: terms)
  func termsAndForms(_ c: Case) {
    #expect(summary(classifier.classify(c.note)) == c.expected)
  }

  @Test(arguments: negation)
  func negates(_ c: Case) {
    #expect(summary(classifier.classify(c.note)) == c.expected)
  }

  @Test(arguments: resolution)
  func resolves(_ c: Case) {
    #expect(summary(classifier.classify(c.note)) == c.expected)
  }

  @Test(arguments: scoring)
  func scores(_ c: Case) {
    #expect(summary(classifier.classify(c.note)) == c.expected)
  }

  /// `near` written with `>`: the first part must come first. A part inside a longer phrase is
  /// used up by it and pairs with nothing.
  @Test func orderedNearAndUsedUpParts() throws {
    let lexicon = try Lexicon.load(
      files: MiniLexicon.files(replacing: [
        "reasons/carrier_pickup.txt": """
        version 1
        code carrier_pickup

        2.0   missed scan
        near 3.0   (carrier|driver) > (missed|skipped) within 3

        """
      ]),
      directory: "mini")
    let classifier = Classifier(lexicon: lexicon)
    #expect(summary(classifier.classify("carrier missed")) == "carrier_pickup 3.0")
    #expect(summary(classifier.classify("driver sadly has skipped")) == "carrier_pickup 3.0")
    #expect(summary(classifier.classify("missed by the carrier")) == "none")
    // "missed" belongs to "missed scan": no near pair, only the phrase counts.
    #expect(summary(classifier.classify("carrier missed scan")) == "carrier_pickup 2.0")
  }

  /// Regression: a pattern whose `where` condition fails is dropped, yet it still "uses up" the
  /// near parts inside it (`pairNearParts.usedUp` runs before conditions are checked and does not
  /// look at them). "picked 6 of 6 short": the pattern fails (6 < 6), so nothing should stop
  /// 'picked' and 'short' from pairing into the near entry; the note gets no code at all.
  @Test func aFailedPatternDoesNotUseUpNearParts() throws {
    let lexicon = try Lexicon.load(
      files: MiniLexicon.files(replacing: [
        "reasons/short_pick.txt": """
        version 1
        code short_pick

        pattern 3.0   pick {n} of {m} where n < m
        near 3.0   pick + short within 4

        """
      ]),
      directory: "mini")
    let classifier = Classifier(lexicon: lexicon)
    // The pattern holds and uses up 'picked': it counts once, not twice.
    #expect(summary(classifier.classify("picked 2 of 6 short")) == "short_pick 3.0")
    #expect(summary(classifier.classify("picked it all short")) == "short_pick 3.0")
    #expect(summary(classifier.classify("picked 6 of 6 short")) == "short_pick 3.0")
  }

  /// Regression: the status of a code is that of its last mention, but a second mention by the
  /// same entry is dropped as a repeat before the status is decided. "credit hold released. back
  /// on credit hold": the first 'credit hold' is resolved, the second (after the full stop, out of
  /// reach of 'released') is the last mention and open, yet it is marked "repeat of an entry
  /// already counted" and never considered, so the code is reported resolved. With the real
  /// lexicon: "customs hold cleared. now customs hold again" → customs_hold/resolved.
  @Test func aRepeatedMentionDecidesTheStatus() {
    // The same note with two different entries is open, as expected.
    #expect(
      summary(classifier.classify("credit hold released. now payment declined"))
        == "payment_hold 6.0")
    #expect(
      summary(classifier.classify("credit hold released. back on credit hold"))
        == "payment_hold 3.0")
  }

  /// Regression: an inflection is lost when the inflected form is itself written somewhere in the
  /// lexicon. `short pick` matches "short picked" through the generated form picked → pick; but
  /// once any entry (here a pattern of the same code) spells "picked", that word becomes a term of
  /// its own, `Vocabulary.addVariant` never adds the form (an existing key always wins), the token
  /// "picked" maps to the term "picked", and "short picked" no longer matches `short pick`. With
  /// the real lexicon: "zero picked" is not `short_pick` though "zero pick" is.
  @Test func inflectionSurvivesTheSameWordElsewhere() throws {
    let lexicon = try Lexicon.load(
      files: MiniLexicon.files(replacing: [
        "reasons/short_pick.txt": """
        version 1
        code short_pick

        3.0   short pick
        pattern 3.0   picked {n} of {m} where n < m

        """
      ]),
      directory: "mini")
    let classifier = Classifier(lexicon: lexicon)
    #expect(summary(classifier.classify("short picking")) == "short_pick 3.0")
    #expect(summary(classifier.classify("short picked")) == "short_pick 3.0")
  }

  /// A token that is both a lexicon word and an inflection of another ("picked" spelled by a
  /// pattern, and an inflection of "pick") is followed both ways, but an entry that both ways
  /// reach over the same tokens is one match.
  @Test func oneMatchWhenBothTermsReachTheSameEntry() throws {
    let lexicon = try Lexicon.load(
      files: MiniLexicon.files(replacing: [
        "reasons/short_pick.txt": """
        version 1
        code short_pick

        3.0   (picked|pick) short
        pattern 3.0   picked {n} of {m} where n < m

        """
      ]),
      directory: "mini")
    let classifier = Classifier(lexicon: lexicon)
    var scratch = ClassifierScratch()
    _ = classifier.classify("picked short", scratch: &scratch)
    #expect(scratch.matches.filter { lexicon.entries[classifier.entryIndex($0.entry)].code != nil }.count == 1)
    #expect(summary(classifier.classify("picked short")) == "short_pick 3.0")
  }

  /// An `=` word is matched as written even where another entry's use of the same word makes
  /// the vocabulary read its inflections and typos as that word: "label issue" is a problem,
  /// "label issued" is routine.
  @Test func exactWordsStayExactWhereTheWordIsAlsoInflected() throws {
    let lexicon = try Lexicon.load(
      files: MiniLexicon.files(replacing: [
        "reasons/wrong_item.txt": """
        version 1
        code wrong_item

        3.0   label =issue
        3.0   issue (found|raised)

        """
      ]),
      directory: "mini")
    let classifier = Classifier(lexicon: lexicon)
    #expect(summary(classifier.classify("label issue")) == "wrong_item 3.0")
    #expect(summary(classifier.classify("label issued")) == "none")
    #expect(summary(classifier.classify("label isue")) == "none")
    #expect(summary(classifier.classify("issues raised")) == "wrong_item 3.0", "the other entry keeps its forms")
  }

  /// Also where the inflected form is itself spelled by another entry: "issued" is then a
  /// word of its own that also stands for "issue", and the exact entry must not take it.
  @Test func exactWordsStayExactWhereTheInflectionIsSpelledToo() throws {
    let lexicon = try Lexicon.load(
      files: MiniLexicon.files(replacing: [
        "reasons/wrong_item.txt": """
        version 1
        code wrong_item

        3.0   label =issue
        3.0   issue (found|raised)
        3.0   ticket issued late

        """
      ]),
      directory: "mini")
    let classifier = Classifier(lexicon: lexicon)
    #expect(summary(classifier.classify("label issue")) == "wrong_item 3.0")
    #expect(summary(classifier.classify("label issued")) == "none")
    #expect(summary(classifier.classify("issued raised")) == "wrong_item 3.0", "a plain entry still takes the inflection")
    #expect(summary(classifier.classify("ticket issued late")) == "wrong_item 3.0")
  }

  /// A negation written with `across=commas` rules out what comes before it in its clause,
  /// commas and all, but not across a full stop.
  @Test func negationAcrossCommas() throws {
    let files = MiniLexicon.files(replacing: [
      "cues.txt": MiniLexicon.cues + "negate   after   6  no changes needed   across=commas\n"
    ])
    let classifier = Classifier(lexicon: try Lexicon.load(files: files, directory: "mini"))
    #expect(summary(classifier.classify("wrong item, checked with customer, no changes needed")) == "none")
    #expect(summary(classifier.classify("wrong item. no changes needed")) == "wrong_item 3.0")
    // An ordinary negation still stops at the comma.
    #expect(summary(classifier.classify("wrong item, no")) == "wrong_item 3.0")
  }

  // MARK: Evidence

  struct EvidenceCase: CustomTestStringConvertible, Sendable {
    var id: String
    /// The note with « » around each piece of evidence, in output order.
    var marked: String
    /// `code: term weight` for each piece of evidence.
    var evidence: [String]
    var testDescription: String { id }
  }

  static let evidence: [EvidenceCase] = [
    EvidenceCase(
      id: "two codes", marked: "«short pick» at bin, «dmg box»",
      evidence: ["short_pick: short pick 3.0", "damaged: damaged box 3.0"]),
    EvidenceCase(
      id: "pattern and shorthand", marked: "«picked 2 of 6», «OOS»",
      evidence: ["short_pick: pick {n} of {m} 3.0", "stockout_backorder: out of stock 3.0"]),
    EvidenceCase(
      id: "near match spans both parts", marked: "«driver, sadly, skipped» us",
      evidence: ["carrier_pickup: driver … skipped 3.0"]),
    EvidenceCase(
      id: "byte offsets after multi-byte text", marked: "“Café” — «short-picked», «crushed»",
      evidence: ["short_pick: shortpick 3.0", "damaged: crushed 2.0"]),
    EvidenceCase(
      id: "several pieces for one code in note order", marked: "«credit» check, then «hold»",
      evidence: ["payment_hold: credit 1.0", "payment_hold: hold 2.0"]),
    EvidenceCase(
      id: "negated and subsumed matches are not evidence",
      marked: "no damage, «wrong address», not crushed",
      evidence: ["address_issue: wrong address 3.0"]
    ),
  ]

  @Test(arguments: evidence)
  func evidenceSpans(_ c: EvidenceCase) {
    let m = Marked(c.marked)
    let result = classifier.classify(m.text)
    let pieces = result.reasons.flatMap { r in r.evidence.map { (r.code, $0) } }
    #expect(pieces.map { "\($0.0): \($0.1.term) \(Weight.format($0.1.weight))" } == c.evidence)
    #expect(pieces.map(\.1.span) == m.spans)
  }

  @Test func evidenceNamesItsResolution() throws {
    let result = classifier.classify("credit hold released. payment declined")
    let reason = try #require(result.reasons.first)
    #expect(reason.evidence.map(\.term) == ["credit hold", "payment declined"])
    #expect(reason.evidence.map(\.resolvedBy) == ["release", nil])
    #expect(reason.status == .open, "the last mention is open")
    let entry = try #require(reason.evidence.first?.entry)
    #expect(classifier.lexicon.entries[entry].text == "credit hold")
  }

  // MARK: Identifiers

  struct IdentifierCase: CustomTestStringConvertible, Sendable {
    var id: String
    var note: String
    var orders: [String] = []
    var skus: [String] = []
    var locations: [String] = []
    var testDescription: String { id }
  }

  static let identifiers: [IdentifierCase] = [
    IdentifierCase(id: "hash reference", note: "re #10023 late", orders: ["SO-10023"]),
    IdentifierCase(id: "order cue", note: "order 10023 held", orders: ["SO-10023"]),
    IdentifierCase(id: "order cue with a connector", note: "Order no. 10023", orders: ["SO-10023"]),
    IdentifierCase(id: "prefixed id", note: "SO-10023 shorted", orders: ["SO-10023"]),
    IdentifierCase(id: "prefixed id in lower case", note: "so-10023", orders: ["SO-10023"]),
    IdentifierCase(id: "prefix without its hyphen", note: "SO10023", orders: ["SO-10023"]),
    IdentifierCase(
      id: "one order however written", note: "#10023, order 10023 and SO-10023",
      orders: ["SO-10023"]),
    IdentifierCase(
      id: "orders in note order", note: "#10024 then #10023", orders: ["SO-10024", "SO-10023"]),
    IdentifierCase(id: "too few digits", note: "#12 and order 123"),
    IdentifierCase(id: "too many digits", note: "#123456789"),
    IdentifierCase(id: "PO number ignored", note: "PO 4471 received"),
    IdentifierCase(id: "PO number ignored even in a SKU's shape", note: "PO 44712 received"),
    IdentifierCase(id: "location cue", note: "bin B-14-02 empty", locations: ["B-14-02"]),
    IdentifierCase(
      id: "location shape, upper-cased", note: "b-14-02 empty", locations: ["B-14-02"]),
    IdentifierCase(id: "location cue with any identifier", note: "bin C7", locations: ["C7"]),
    IdentifierCase(id: "five-digit SKU shape", note: "88213 short", skus: ["88213"]),
    IdentifierCase(id: "six digits are not a SKU", note: "882130 short"),
    IdentifierCase(id: "sku cue", note: "sku 123", skus: ["123"]),
    IdentifierCase(id: "sku cue with an identifier", note: "sku ab-12", skus: ["AB-12"]),
    IdentifierCase(
      id: "everything at once", note: "#10023: sku 88213 short at bin B-14-02, PO 4471",
      orders: ["SO-10023"], skus: ["88213"], locations: ["B-14-02"]),
  ]

  @Test(arguments: identifiers)
  func findsIdentifiers(_ c: IdentifierCase) {
    let result = classifier.classify(c.note)
    #expect(result.orderRefs == c.orders)
    #expect(result.skus == c.skus)
    #expect(result.locations == c.locations)
  }

  // MARK: Limits and determinism

  @Test func truncatesLongNotes() {
    let limited = Classifier(lexicon: MiniLexicon.lexicon, maxNoteBytes: 16)
    // "crushed box" starts at byte 17: past the limit.
    let long = limited.classify("fine and dandy. crushed box")
    #expect(long.truncated)
    #expect(long.reasons.isEmpty)
    let short = limited.classify("crushed box")
    #expect(!short.truncated)
    #expect(summary(short) == "damaged 3.0")
    // Cut in the middle of a word: "damag" is not "damaged".
    #expect(summary(limited.classify("xxxxxxxxxxx damaged")) == "none")
    // Cut in the middle of a multi-byte character: no crash, the start still counts.
    let cut = limited.classify("crushed box ééééé")
    #expect(cut.truncated)
    #expect(summary(cut) == "damaged 3.0")
  }

  @Test func truncationIsReportedInTheScratch() {
    let limited = Classifier(lexicon: MiniLexicon.lexicon, maxNoteBytes: 16)
    var scratch = ClassifierScratch()
    var text = "fine and dandy. crushed box"
    text.withUTF8 { limited.classify($0, into: &scratch) }
    #expect(scratch.truncated)
    #expect(scratch.matchedBytes == 16)
  }

  @Test func oneMegabyteNote() {
    // Over the default limit of 1 MiB: the note is matched on its first 1 MiB only.
    let filler = String(repeating: "nothing to see here at all, ", count: 40_000)
    let note = "crushed box #10023. " + filler + "wrong item"
    #expect(note.utf8.count > Classifier.defaultMaxNoteBytes)
    let result = classifier.classify(note)
    #expect(result.truncated)
    #expect(summary(result) == "damaged 3.0")
    #expect(result.orderRefs == ["SO-10023"])
  }

  /// Regression: classifying was quadratic in the number of matches in a note, though documented
  /// as O(n) in its bytes: `decide` compared every reason match with every other match (for
  /// subsumption and repeats), so "damaged box short pick. " repeated to 384 KB took 38 s and a
  /// note at the default --max-note-bytes (1 MiB) minutes. The rules now look only within reach
  /// of each match, and a 1 MiB note of matches, cues and near parts takes milliseconds. The
  /// time limit (the trait's smallest unit) only catches the quadratic case, so a busy machine
  /// cannot make it flaky; speed itself is measured by bin/bench, not by tests.
  @Test(.timeLimit(.minutes(1))) func aNoteFullOfMatchesIsLinear() {
    let unit = "crushed box, not damaged. credit hold released. short pick at B-14-02. "
    let note = String(repeating: unit, count: Classifier.defaultMaxNoteBytes / unit.utf8.count)
    var scratch = ClassifierScratch()
    let c = classifier.classify(note, scratch: &scratch)
    #expect(scratch.matches.count > 40_000)
    #expect(summary(c).contains("damaged"))
    #expect(summary(c).contains("payment_hold/resolved"))
  }

  @Test func sameInputSameOutput() {
    let notes = [
      "credit hold released but payment declined, #10023", "dmg box, short pick at bin B-14-02",
      "carrier missed", "", "picked 2 of 6 sku 88213",
    ]
    let fresh = notes.map { json(classifier, $0) }
    // Twice more, reusing one scratch across notes and in another order.
    var scratch = ClassifierScratch()
    for note in notes.reversed() + notes {
      let again = json(classifier, note, scratch: &scratch)
      #expect(again == json(classifier, note), "\(note)")
    }
    #expect(notes.map { json(classifier, $0) } == fresh)
    // A classifier built from the same files gives the same answer.
    let rebuilt = Classifier(lexicon: MiniLexicon.lexicon)
    #expect(notes.map { json(rebuilt, $0) } == fresh)
  }
}

/// The classify JSON Lines record of a note, as a string.
func json(_ classifier: Classifier, _ note: String, id: String = "n-1", source: String = "wms")
  -> String
{
  var scratch = ClassifierScratch()
  return json(classifier, note, id: id, source: source, scratch: &scratch)
}

func json(
  _ classifier: Classifier, _ note: String, id: String = "n-1", source: String = "wms",
  explain: Bool = false, scratch: inout ClassifierScratch
) -> String {
  String(
    decoding: jsonBytes(
      classifier, Array(note.utf8), id: Array(id.utf8), source: Array(source.utf8),
      explain: explain, scratch: &scratch), as: UTF8.self)
}

func jsonBytes(
  _ classifier: Classifier, _ note: [UInt8], id: [UInt8], source: [UInt8], explain: Bool = false,
  scratch: inout ClassifierScratch
) -> [UInt8] {
  var w = JSONWriter()
  note.withUnsafeBufferPointer { text in
    id.withUnsafeBufferPointer { idp in
      source.withUnsafeBufferPointer { sp in
        classifier.classify(text, into: &scratch)
        classifier.writeJSON(
          id: idp, source: sp, text: text, scratch: scratch, explain: explain, into: &w)
      }
    }
  }
  return w.bytes
}
