import Testing
import TriageCore

/// The classify JSON Lines record (DATA.md): one object a note, ending in a newline, valid JSON
/// whatever bytes the note, its id or its source hold.
@Suite struct ClassifyJSONTests {
  let classifier = MiniLexicon.classifier

  private func record(_ note: [UInt8], id: [UInt8], source: [UInt8], explain: Bool = false)
    throws -> JSONValue
  {
    var scratch = ClassifierScratch()
    let bytes = jsonBytes(
      classifier, note, id: id, source: source, explain: explain, scratch: &scratch)
    try #require(bytes.last == 0x0A, "one record a line")
    #expect(!bytes.dropLast().contains(0x0A), "no raw newline inside the record")
    return try JSONValue(parsing: Array(bytes.dropLast()), name: "record")
  }

  @Test func fieldsOfDataMD() throws {
    let r = try record(
      Array("credit hold released. #10023 sku 88213 at bin B-14-02: dmg box".utf8),
      id: Array("n-1042".utf8), source: Array("wms".utf8))
    #expect(
      r.objectValue?.keys == ["id", "source", "order_refs", "skus", "locations", "reasons"])
    #expect(r["id"]?.stringValue == "n-1042")
    #expect(r["source"]?.stringValue == "wms")
    #expect(r["order_refs"]?.arrayValue?.compactMap(\.stringValue) == ["SO-10023"])
    #expect(r["skus"]?.arrayValue?.compactMap(\.stringValue) == ["88213"])
    #expect(r["locations"]?.arrayValue?.compactMap(\.stringValue) == ["B-14-02"])
    let reasons = try #require(r["reasons"]?.arrayValue)
    // Sorted by score, highest first, ties in taxonomy order.
    #expect(reasons.compactMap { $0["code"]?.stringValue } == ["payment_hold", "damaged"])
    #expect(reasons.compactMap { $0["score"]?.numberValue?.literal } == ["3.0", "3.0"])
    #expect(reasons.compactMap { $0["status"]?.stringValue } == ["resolved", "open"])
    let evidence = try #require(reasons.first?["evidence"]?.arrayValue?.first)
    #expect(evidence.objectValue?.keys == ["term", "weight", "span"])
    #expect(evidence["term"]?.stringValue == "credit hold")
    #expect(evidence["weight"]?.numberValue?.literal == "3.0")
    #expect(evidence["span"]?.arrayValue?.compactMap { $0.numberValue?.int64 } == [0, 11])
    #expect(r["truncated"] == nil)
  }

  @Test func noReasonsIsAnEmptyList() throws {
    let r = try record(Array("all fine".utf8), id: Array("x".utf8), source: [])
    #expect(r["reasons"]?.arrayValue?.isEmpty == true)
    #expect(r["order_refs"]?.arrayValue?.isEmpty == true)
    #expect(r["source"]?.stringValue == "")
  }

  @Test func exactText() {
    #expect(
      json(classifier, "picked 2/6, #10023", id: "n-7", source: "wms")
        == #"{"id":"n-7","source":"wms","order_refs":["SO-10023"],"skus":[],"locations":[],"reasons":[{"code":"short_pick","score":3.0,"status":"open","evidence":[{"term":"pick {n}/{m}","weight":3.0,"span":[0,10]}]}]}"#
        + "\n")
  }

  struct HostileCase: CustomTestStringConvertible, Sendable {
    var id: String
    var note: [UInt8]
    var recordID: [UInt8]
    var source: [UInt8]
    /// The id and source as the parsed JSON holds them.
    var parsedID: String
    var parsedSource: String
    var testDescription: String { id }
  }

  static let hostile: [HostileCase] = [
    HostileCase(
      id: "quotes and backslashes", note: Array(#"crushed "box" \ here \"#.utf8),
      recordID: Array(#"n-"1"\"#.utf8), source: Array(#"w\ms"#.utf8), parsedID: #"n-"1"\"#,
      parsedSource: #"w\ms"#),
    HostileCase(
      id: "control bytes", note: [0x00, 0x01] + Array("crushed\tbox\r\n\u{1B}[2J".utf8),
      recordID: [0x6E, 0x00, 0x07, 0x1B], source: Array("wms\n".utf8),
      parsedID: "n\u{0}\u{7}\u{1B}", parsedSource: "wms\n"),
    HostileCase(
      id: "invalid UTF-8", note: Array("crushed ".utf8) + [0xFF, 0xC3, 0x28, 0xE2, 0x80],
      recordID: [0x6E, 0xFF, 0x2D, 0xC0, 0xAF], source: [0xED, 0xA0, 0x80],
      parsedID: "n\u{FFFD}-\u{FFFD}\u{FFFD}", parsedSource: "\u{FFFD}\u{FFFD}\u{FFFD}"),
    HostileCase(
      id: "valid multi-byte text kept", note: Array("crushed 📦 «box» 日本".utf8),
      recordID: Array("n-é".utf8), source: Array("支援".utf8), parsedID: "n-é",
      parsedSource: "支援"),
  ]

  @Test(arguments: hostile)
  func hostileInputStaysValidJSON(_ c: HostileCase) throws {
    for explain in [false, true] {
      let r = try record(c.note, id: c.recordID, source: c.source, explain: explain)
      #expect(r["id"]?.stringValue == c.parsedID)
      #expect(r["source"]?.stringValue == c.parsedSource)
      #expect(r["reasons"]?[0]?["code"]?.stringValue == "damaged")
    }
  }

  @Test func explainAddsEveryMatchWithItsOutcome() throws {
    let r = try record(
      Array("no damaged box, credit hold released".utf8), id: Array("n".utf8),
      source: Array("wms".utf8), explain: true)
    let matches = try #require(r["matches"]?.arrayValue)
    let outcomes = matches.map {
      "\($0["entry"]?.stringValue ?? "?"): \($0["outcome"]?.stringValue ?? "?")"
    }
    #expect(
      outcomes.sorted()
        == [
          "no: negate cue",
          "(damaged|crushed) (box|carton): negated by 'no'",
          "damaged: inside the longer match '(damaged|crushed) (box|carton)'",
          "credit hold: counted, resolved by 'release'",
          "credit: inside the longer match 'credit hold'",
          "hold: inside the longer match 'credit hold'",
          "release: resolve cue",
        ].sorted())
    let sources = matches.compactMap { $0["source"]?.stringValue }
    #expect(sources.contains("mini/reasons/payment_hold.txt:5:7"))
  }

  @Test func truncatedNotesSaySo() throws {
    let limited = Classifier(lexicon: MiniLexicon.lexicon, maxNoteBytes: 8)
    let text = json(limited, "damaged box and more")
    let r = try JSONValue(parsing: text)
    #expect(r["truncated"]?.boolValue == true)
    #expect(r["reasons"]?[0]?["code"]?.stringValue == "damaged")
  }
}
