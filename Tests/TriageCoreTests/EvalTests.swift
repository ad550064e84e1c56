import Foundation
import Testing
import TriageCore

/// A gold TSV from rows of fields.
private func tsv(_ rows: [[String]]) -> [UInt8] {
  Array(rows.map { $0.joined(separator: "\t") + "\n" }.joined().utf8)
}

private let header = ["id", "source", "text", "labels"]

@Suite struct GoldFileTests {
  let codes = MiniLexicon.lexicon.codes

  struct ErrorCase: CustomTestStringConvertible, Sendable {
    var id: String
    var file: [UInt8]
    var message: String
    var testDescription: String { id }

    init(_ id: String, _ rows: [[String]], _ message: String) {
      self.id = id
      self.file = tsv(rows)
      self.message = message
    }

    init(_ id: String, bytes: [UInt8], _ message: String) {
      self.id = id
      self.file = bytes
      self.message = message
    }
  }

  static let errorCases: [ErrorCase] = [
    ErrorCase(
      "missing column", [["id", "source", "text", "label"], ["g1", "wms", "x", "none"]],
      "g.tsv:1:1: error: missing column 'labels' in the header; found 'id', 'source', 'text', 'label'; did you mean 'label'?"
    ),
    ErrorCase(
      "unknown code with did-you-mean", [header, ["g1", "wms", "x", "damagd"]],
      "g.tsv:2:10: error: unknown reason code 'damagd'; did you mean 'damaged'?"),
    ErrorCase(
      "unknown code among others", [header, ["g1", "wms", "x", "damaged, shortpick"]],
      "g.tsv:2:10: error: unknown reason code 'shortpick'; did you mean 'short_pick'?"),
    ErrorCase(
      "bad status suffix", [header, ["g1", "wms", "x", "damaged/open"]],
      "g.tsv:2:10: error: expected 'damaged' or 'damaged/resolved', found 'damaged/open'"),
    ErrorCase(
      "two status suffixes", [header, ["g1", "wms", "x", "damaged/resolved/resolved"]],
      "g.tsv:2:10: error: expected 'damaged' or 'damaged/resolved', found 'damaged/resolved/resolved'"
    ),
    ErrorCase(
      "none combined with a code", [header, ["g1", "wms", "x", "damaged,none"]],
      "g.tsv:2:10: error: 'none' cannot be combined with other codes"),
    ErrorCase(
      "empty labels", [header, ["g1", "wms", "x", " "]],
      "g.tsv:2:10: error: empty labels: write 'none' for a note with no blocker"),
    ErrorCase(
      "duplicate id",
      [
        header, ["g1", "wms", "x", "none"], ["g2", "wms", "y", "none"], ["g1", "wms", "z", "none"],
      ],
      "g.tsv:4:1: error: duplicate id 'g1' (first at line 2)"),
    ErrorCase(
      "ragged row", [header, ["g1", "wms", "x", "none"], ["g2", "wms", "no labels"]],
      "g.tsv:3:1: error: expected 4 tab-separated fields as in the header, found 3"),
    ErrorCase(
      "empty file", bytes: [],
      "g.tsv:1: error: empty gold file: expected a header 'id<TAB>source<TAB>text<TAB>labels'"),
    ErrorCase(
      "invalid UTF-8", bytes: tsv([header]) + [0x67, 0x31, 0x09, 0xFF],
      "g.tsv:2:4: error: invalid UTF-8 byte 0xFF; gold files must be UTF-8"),
  ]

  @Test(arguments: errorCases)
  func reportsError(_ c: ErrorCase) {
    let error = #expect(throws: TriageError.self) {
      try GoldFile.parse(c.file, file: "g.tsv", codes: codes)
    }
    #expect(error?.description == c.message)
    #expect(error?.status == .dataError)
  }

  @Test func parsesLabels() throws {
    let notes = try GoldFile.parse(
      tsv([
        ["Labels", "ID", "extra", "text", "source"],
        ["damaged, payment_hold/resolved", "g1", "?", "dmg box, hold released", "wms"],
        ["none", "g2", "", "fine", "order"],
        ["", "", "", "", ""],
        ["short_pick", "g3", "", "picked 2/6", "wms"],
      ]) + Array("\n\n".utf8), file: "g.tsv", codes: codes)
    #expect(notes.map(\.id) == ["g1", "g2", "g3"])
    #expect(notes.map(\.line) == [2, 3, 5])
    #expect(notes[0].labels == ["damaged": .open, "payment_hold": .resolved])
    #expect(notes[0].source == "wms")
    #expect(notes[0].text == "dmg box, hold released")
    #expect(notes[1].labels.isEmpty)
  }

  @Test func missingFile() {
    let error = #expect(throws: TriageError.self) {
      try GoldFile.read(path: "/nonexistent/gold.tsv", codes: codes)
    }
    #expect(error?.status == .noInput)
    #expect(error?.description == "error: cannot read gold file '/nonexistent/gold.tsv'")
  }

  /// Regression: a gold file saved with Windows line ends (CRLF). `GoldFile.parse` strips a
  /// trailing "\r" from each line, but splits the text with `String.split(separator: "\n")`; in a
  /// Swift String "\r\n" is one Character, so the file is never split into lines and the header
  /// swallows every row ("missing column 'labels' … found … 'labels\ng1' …").
  @Test func crlfLineEnds() throws {
    let text =
      "id\tsource\ttext\tlabels\r\ng1\twms\tdamaged box\tdamaged\r\ng2\twms\tfine\tnone\r\n"
    let notes = try GoldFile.parse(Array(text.utf8), file: "g.tsv", codes: codes)
    #expect(notes.map(\.id) == ["g1", "g2"])
    #expect(notes.first?.labels == ["damaged": .open])
  }
}

@Suite struct EvalReportTests {
  /// Eight notes over the test lexicon; what the classifier predicts is in the comments.
  static let gold: [[String]] = [
    header,
    ["g1", "wms", "short pick at bin", "short_pick"],  // short_pick: right
    ["g2", "wms", "damaged box", "damaged,short_pick"],  // damaged only: short_pick missed
    ["g3", "wms", "credit hold released", "payment_hold/resolved"],  // right, resolved
    ["g4", "wms", "all good here", "none"],  // none: right
    ["g5", "wms", "wrong item shipped", "none"],  // wrong_item: a false positive on a none note
    ["g6", "wms", "credit hold", "payment_hold/resolved"],  // payment_hold open: wrong status
    ["g7", "carrier", "driver skipped us", "carrier_pickup"],  // right
    ["g8", "wms", "wrong address", "wrong_item"],  // address_issue instead of wrong_item
  ]

  static let report: EvalReport = {
    do {
      let notes = try GoldFile.parse(tsv(gold), file: "g.tsv", codes: MiniLexicon.lexicon.codes)
      return EvalReport(gold: notes, classifier: MiniLexicon.classifier)
    } catch {
      fatalError("the test gold file does not parse: \(error)")
    }
  }()

  private func counts(_ code: String) -> EvalReport.Counts? {
    Self.report.perCode.first { $0.code == code }?.counts
  }

  private func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-9 }

  struct CodeCase: CustomTestStringConvertible, Sendable {
    var code: String
    var tp: Int, fp: Int, fn: Int
    var precision: Double, recall: Double, f1: Double
    var testDescription: String { code }
  }

  static let codeCases: [CodeCase] = [
    // g3, g6: found both (status does not count here).
    CodeCase(code: "payment_hold", tp: 2, fp: 0, fn: 0, precision: 1, recall: 1, f1: 1),
    // g8: predicted, not in gold. Recall of a code with no support is 0.
    CodeCase(code: "address_issue", tp: 0, fp: 1, fn: 0, precision: 0, recall: 0, f1: 0),
    // g1 found, g2 missed: P = 1/1, R = 1/2, F1 = 2·1·0.5 / 1.5 = 2/3.
    CodeCase(code: "short_pick", tp: 1, fp: 0, fn: 1, precision: 1, recall: 0.5, f1: 2.0 / 3),
    CodeCase(code: "stockout_backorder", tp: 0, fp: 0, fn: 0, precision: 0, recall: 0, f1: 0),
    CodeCase(code: "damaged", tp: 1, fp: 0, fn: 0, precision: 1, recall: 1, f1: 1),
    // g5 extra, g8 missed.
    CodeCase(code: "wrong_item", tp: 0, fp: 1, fn: 1, precision: 0, recall: 0, f1: 0),
    CodeCase(code: "carrier_pickup", tp: 1, fp: 0, fn: 0, precision: 1, recall: 1, f1: 1),
    CodeCase(code: "delivery_failed", tp: 0, fp: 0, fn: 0, precision: 0, recall: 0, f1: 0),
  ]

  @Test(arguments: codeCases)
  func perCode(_ c: CodeCase) throws {
    let n = try #require(counts(c.code))
    #expect((n.tp, n.fp, n.fn) == (c.tp, c.fp, c.fn))
    #expect(n.support == c.tp + c.fn)
    #expect(close(n.precision, c.precision))
    #expect(close(n.recall, c.recall))
    #expect(close(n.f1, c.f1))
  }

  @Test func perCodeInTaxonomyOrder() {
    #expect(Self.report.perCode.map(\.code) == MiniLexicon.lexicon.codes.map(\.code))
  }

  @Test func microAverages() {
    let r = Self.report
    // tp = 2 + 1 + 1 + 1 = 5; fp = 1 (address_issue) + 1 (wrong_item) = 2;
    // fn = 1 (short_pick) + 1 (wrong_item) = 2. P = R = F1 = 5/7.
    #expect((r.micro.tp, r.micro.fp, r.micro.fn) == (5, 2, 2))
    #expect(close(r.micro.precision, 5.0 / 7))
    #expect(close(r.micro.recall, 5.0 / 7))
    #expect(close(r.micro.f1, 5.0 / 7))
  }

  @Test func macroAverages() {
    let r = Self.report
    // Over the 6 codes with support or false positives (not stockout_backorder nor
    // delivery_failed): payment_hold, address_issue, short_pick, damaged, wrong_item,
    // carrier_pickup.
    // P = (1 + 0 + 1 + 1 + 0 + 1) / 6 = 4/6; R = (1 + 0 + 0.5 + 1 + 0 + 1) / 6 = 3.5/6;
    // F1 = (1 + 0 + 2/3 + 1 + 0 + 1) / 6 = (11/3) / 6 = 11/18.
    #expect(close(r.macroPrecision, 4.0 / 6))
    #expect(close(r.macroRecall, 3.5 / 6))
    #expect(close(r.macroF1, 11.0 / 18))
  }

  @Test func noneAndStatusFigures() {
    let r = Self.report
    #expect(r.notes == 8)
    // Right: g1, g3, g4, g7. Wrong: g2 (missed), g5 (extra), g6 (status), g8 (swapped).
    #expect(r.exactMatches == 4)
    #expect(r.misses.map(\.note.id) == ["g2", "g5", "g6", "g8"])
    // None notes g4 and g5; g5 got a code: 1 of 2.
    #expect((r.noneNotes, r.noneFalsePositives) == (2, 1))
    #expect(close(r.noneFalsePositiveRate, 0.5))
    // Resolved labels g3 (predicted resolved) and g6 (predicted open): 1 of 2.
    #expect((r.resolvedLabels, r.resolvedCorrect) == (2, 1))
    #expect(close(r.resolvedAccuracy, 0.5))
    // Labels found with the right code: g1, g2 damaged, g3, g6, g7 = 5; right status: all but g6.
    #expect((r.matchedLabels, r.matchedStatusCorrect) == (5, 4))
    #expect(close(r.statusAccuracy, 0.8))
  }

  @Test func confusionPairs() {
    // g2: short_pick missed, nothing extra → short_pick → none.
    // g5: nothing missed, wrong_item extra → none → wrong_item.
    // g8: wrong_item missed, address_issue extra → wrong_item → address_issue.
    // g6 has the right code with the wrong status: no confusion.
    #expect(
      Self.report.confusion == [
        "short_pick": ["none": 1], "none": ["wrong_item": 1], "wrong_item": ["address_issue": 1],
      ])
  }

  @Test func misleadingEntries() {
    let m = Self.report.misleadingEntries.map {
      "\($0.count) \($0.code): \($0.entry) \($0.location)"
    }
    #expect(
      m == [
        "1 address_issue: wrong address mini/reasons/address_issue.txt:4:7",
        "1 wrong_item: wrong item mini/reasons/wrong_item.txt:5:7",
      ])
  }

  @Test func missesKeepPartialScores() throws {
    let g2 = try #require(Self.report.misses.first { $0.note.id == "g2" })
    #expect(g2.predicted == ["damaged": .open])
    // "short pick" does not occur in "damaged box": nothing scored for short_pick.
    #expect(g2.partialScores.isEmpty)
  }

  @Test func partialScoreOfAMissedCode() throws {
    let notes = try GoldFile.parse(
      tsv([header, ["p1", "wms", "short again", "short_pick"]]), file: "g.tsv",
      codes: MiniLexicon.lexicon.codes)
    let report = EvalReport(gold: notes, classifier: MiniLexicon.classifier)
    #expect(report.misses.first?.partialScores == ["short_pick": 100])
    #expect(report.render().contains("      missed short_pick: scored 1.0, below threshold\n"))
  }

  @Test func renderedSummary() {
    let text = Self.report.render()
    // The table pads its last column; trailing spaces are dropped so editors cannot break this.
    let summary = text[..<(text.range(of: "\nnotes it got wrong")?.lowerBound ?? text.endIndex)]
      .split(separator: "\n", omittingEmptySubsequences: false)
      .map { $0.replacing(/\ +$/, with: "") }.joined(separator: "\n")
    expectSnapshot(
      summary,
      #"""
      code                    prec   recall  f1     support  tp   fp   fn
      payment_hold            1.000  1.000   1.000        2  2    0    0
      address_issue           0.000  0.000   0.000        0  0    1    0
      short_pick              1.000  0.500   0.667        2  1    0    1
      stockout_backorder      0.000  0.000   0.000        0  0    0    0
      damaged                 1.000  1.000   1.000        1  1    0    0
      wrong_item              0.000  0.000   0.000        1  0    1    1
      carrier_pickup          1.000  1.000   1.000        1  1    0    0
      delivery_failed         0.000  0.000   0.000        0  0    0    0

      micro   precision 0.714  recall 0.714  f1 0.714
      macro   precision 0.667  recall 0.583  f1 0.611
      notes   8, all codes right: 4 (50.0%)
      none    1 of 2 'none' notes got a code: false-positive rate 50.0%
      status  resolved labels with the right status: 1 of 2 (50.0%); all found labels: 4 of 5 (80.0%)

      confusions (gold → predicted, 'none' = no code)
        1    none → wrong_item
        1    short_pick → none
        1    wrong_item → address_issue

      entries firing most often on wrong codes
        1    address_issue: 'wrong address'  mini/reasons/address_issue.txt:4:7
        1    wrong_item: 'wrong item'  mini/reasons/wrong_item.txt:5:7

      """#, "eval summary")
    #expect(text.contains("\nnotes it got wrong (4)\n"))
    #expect(
      text.contains(
        "  g6 [wms] \"credit hold\"\n      gold payment_hold/resolved   got payment_hold\n"))
  }

  @Test func jsonReport() throws {
    let r = try JSONValue(parsing: Self.report.json())
    #expect(r["notes"]?.numberValue?.int64 == 8)
    #expect(r["micro"]?["precision"]?.numberValue?.literal == "0.714")
    #expect(r["micro"]?["tp"]?.numberValue?.int64 == 5)
    #expect(r["macro"]?["f1"]?.numberValue?.literal == "0.611")
    #expect(r["macro"]?["recall"]?.numberValue?.literal == "0.583")
    #expect(r["per_code"]?.objectValue?.keys == MiniLexicon.lexicon.codes.map(\.code))
    #expect(r["per_code"]?["short_pick"]?["f1"]?.numberValue?.literal == "0.667")
    #expect(r["none_false_positive_rate"]?.numberValue?.literal == "0.500")
    #expect(r["resolved_accuracy"]?.numberValue?.literal == "0.500")
    #expect(
      r["misses"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["g2", "g5", "g6", "g8"])
    #expect(
      r["misses"]?[2]?["gold"]?.arrayValue?.compactMap(\.stringValue) == ["payment_hold/resolved"])
    #expect(
      r["misses"]?[2]?["predicted"]?.arrayValue?.compactMap(\.stringValue) == ["payment_hold"])
  }

  @Test func emptyGoldFile() throws {
    let notes = try GoldFile.parse(tsv([header]), file: "g.tsv", codes: MiniLexicon.lexicon.codes)
    let report = EvalReport(gold: notes, classifier: MiniLexicon.classifier)
    #expect(report.notes == 0)
    #expect(report.micro.f1 == 0)
    #expect(report.macroF1 == 0)
    #expect(report.resolvedAccuracy == 1, "no resolved labels: nothing to get wrong")
    #expect(report.noneFalsePositiveRate == 0)
    #expect(try JSONValue(parsing: report.json())["notes"]?.numberValue?.int64 == 0)
  }
}
