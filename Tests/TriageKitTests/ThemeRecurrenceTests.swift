import Foundation
import Testing
import TriageKit

@Suite struct ThemeRecurrenceTests {
  static let codes = ["short_pick", "master_data", "carrier_pickup", "integration_error", "label_compliance"]

  func parse(_ text: String) throws(TriageError) -> RecurrenceRules {
    try RecurrenceRules.parse(Array(("version 1\n" + text).utf8), file: "recurrence.txt", codes: Self.codes)
  }

  @Test func theShippedRulesParseWithTheShippedCodes() throws {
    let lexicon = try Lexicon.load(directory: ThemeFixture.lexicons)
    let rules = try RecurrenceRules.load(directory: ThemeFixture.lexicons, codes: lexicon.codes)
    #expect(rules.rules.count >= 8)
    #expect(rules.rules.contains { $0.kind == .skuLocation && $0.codes == ["short_pick"] })
    #expect(rules.rules.contains { $0.kind == .carrier })
    #expect(rules.rules.contains { $0.events })
    #expect(rules.places.contains { $0.name == "pack station 3" })
    let themes = Set(lexicon.codes.map(\.theme))
    for r in rules.rules { #expect(themes.contains(r.theme), "rule at \(r.location) suggests unknown theme '\(r.theme)'") }
  }

  @Test func aRuleReadsItsFields() throws {
    let r = try parse(#"short_pick,events by=sku min=3 theme="slotting" suggest="re-slot it""#).rules[0]
    #expect(r.codes == ["short_pick"] && r.events && r.kind == .sku && r.minimum == 3)
    #expect(r.theme == "slotting" && r.suggestion == "re-slot it")
    let week = ThemeWindow(start: 0, end: 7 * 86_400)
    #expect(r.threshold(for: week) == 3)
    #expect(r.threshold(for: ThemeWindow(start: 0, end: 30 * 86_400)) == 13)
    #expect(r.threshold(for: ThemeWindow(start: 0, end: 86_400)) == 3)
  }

  struct ErrorCase: CustomTestStringConvertible, Sendable {
    var id: String
    var line: String
    var at: String
    var says: String
    var testDescription: String { id }
  }

  static let errors: [ErrorCase] = [
    .init(id: "unknown code", line: #"short_pik by=sku min=3 theme="t" suggest="s""#, at: "recurrence.txt:2:1", says: "did you mean 'short_pick'"),
    .init(id: "unknown code after a comma", line: #"short_pick,bogus by=sku min=3 theme="t" suggest="s""#, at: "recurrence.txt:2:12", says: "'bogus'"),
    .init(id: "unknown grouping", line: #"short_pick by=skus min=3 theme="t" suggest="s""#, at: "recurrence.txt:2:15", says: "did you mean 'sku'"),
    .init(id: "bad minimum", line: #"short_pick by=sku min=one theme="t" suggest="s""#, at: "recurrence.txt:2:23", says: "min expects"),
    .init(id: "missing suggestion", line: #"short_pick by=sku min=3 theme="t""#, at: "recurrence.txt:2:", says: "missing suggest="),
    .init(id: "unknown key", line: #"short_pick by=sku min=3 theme="t" suggest="s" owner=x"#, at: "recurrence.txt:2:47", says: "unknown key 'owner'"),
    .init(id: "events by location", line: #"events by=location min=3 theme="t" suggest="s""#, at: "recurrence.txt:2:1", says: "'events'"),
    .init(id: "place rule without places", line: #"label_compliance by=place min=3 theme="t" suggest="s""#, at: "recurrence.txt:2:1", says: "names no place"),
    .init(id: "place without a name", line: "place", at: "recurrence.txt:2:", says: "expected a name"),
  ]

  @Test(arguments: errors)
  func mistakesSayWhere(_ c: ErrorCase) {
    do {
      _ = try parse(c.line)
      Issue.record("expected an error")
    } catch {
      #expect(error.status == .dataError)
      #expect(error.description.contains(c.at), "\(error.description)")
      #expect(error.description.contains(c.says), "\(error.description)")
    }
  }

  @Test func aMissingVersionLineIsAnError() {
    #expect(throws: TriageError.self) {
      try RecurrenceRules.parse(Array(#"short_pick by=sku min=3 theme="t" suggest="s""#.utf8), file: "r.txt", codes: Self.codes)
    }
  }

  @Test func placesMatchWholeWordsInOrder() throws {
    let rules = try parse(#"place "pack station 3" ps3 "pack 3""#)
    #expect(PlaceMatcher.places(in: "PS3 zebra throwing 'head open'", rules.places) == ["pack station 3"])
    #expect(PlaceMatcher.places(in: "no label at pack 3 - printer error", rules.places) == ["pack station 3"])
    #expect(PlaceMatcher.places(in: "Pack Station 3 printer down AGAIN", rules.places) == ["pack station 3"])
    #expect(PlaceMatcher.places(in: "pack line down to 3 stations", rules.places).isEmpty)
    #expect(PlaceMatcher.places(in: "ps30 is fine", rules.places).isEmpty)
  }
}
