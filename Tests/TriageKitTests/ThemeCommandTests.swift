import Foundation
import Testing
import TriageKit

/// `themes` end to end on small data folders written by the test.
@Suite struct ThemeCommandTests {
  typealias N = ThemeFixture.Note

  /// A week of short picks of 88213 at B-14-02 (five this week, one the week before), missed
  /// Ridgeline pickups, a label printer, and notes on the window's edges.
  static func folder() -> String {
    var notes: [N] = []
    for (i, day) in [17, 18, 19, 21, 22].enumerated() {
      notes.append(N(id: "sp-\(i)", at: "2026-11-\(day)T10:00:00Z", text: "short pick 88213 at B-14-02, bin empty", order: "SO-\(100 + i)"))
    }
    notes.append(N(id: "sp-old", at: "2026-11-12T10:00:00Z", text: "short pick 88213 at B-14-02, bin empty", order: "SO-120"))
    for (i, day) in [18, 20, 22].enumerated() {
      notes.append(N(id: "cp-\(i)", at: "2026-11-\(day)T15:30:00Z", source: "order", text: "Ridgeline missed the pickup, trailer no-show", order: "SO-\(130 + i)"))
    }
    notes.append(N(id: "cp-site", at: "2026-11-23T09:00:00Z", text: "Ridgeline no-show for the 9am pickup again"))
    for (i, day) in [17, 19, 21].enumerated() {
      notes.append(N(id: "lbl-\(i)", at: "2026-11-\(day)T12:00:00Z", text: "PS3 label printer jammed, label not printed"))
    }
    // The window is [2026-11-16 15:00, 2026-11-23 15:00): the first is out, the second in.
    notes.append(N(id: "edge-out", at: "2026-11-16T14:59:59Z", text: "short pick 30418 at C-04-12, bin empty", order: "SO-140"))
    notes.append(N(id: "edge-in", at: "2026-11-23T14:59:59Z", text: "short pick 30418 at C-04-12, bin empty", order: "SO-141"))
    notes.append(N(id: "resolved-1", at: "2026-11-19T16:00:00Z", text: "88213 replenished, short pick resolved, picked in full", order: "SO-101"))
    notes.append(N(id: "routine", at: "2026-11-20T10:00:00Z", text: "pallet wrap machine out, wrapping by hand on door 3"))
    notes.append(N(id: "routine-2", at: "2026-11-21T10:00:00Z", text: "pallet wrap machine out again, wrapping by hand"))
    var orders = (100...141).map { ("SO-\($0)", "Web customer", "UPS") }
    for i in 130...132 { orders[i - 100] = ("SO-\(i)", "Larkspur Living, Inc.", "Ridgeline Freight") }
    return ThemeFixture.folder(
      notes: notes, orders: orders,
      events: [
        ("ev-1", "2026-11-20T16:55:00Z", "47305", "rejected"), ("ev-2", "2026-11-21T16:55:00Z", "47305", "rejected"),
        ("ev-3", "2026-11-22T16:55:00Z", "47305", "error"),
      ])
  }

  static let dir = folder()

  func themes(_ extra: [String]) -> [String: Any] {
    let (status, out, err) = ThemeFixture.run(["themes", "--data", Self.dir, "--now", ThemeFixture.now, "--json"] + extra)
    #expect(status == 0, "\(err)")
    return ThemeFixture.json(out)
  }

  func group(_ j: [String: Any], _ key: String) -> [String: Any]? {
    (j["groups"] as? [[String: Any]])?.first { $0["key"] as? String == key }
  }

  @Test func countsTheWindowExactlyAndTrendsAgainstThePreviousOne() throws {
    let j = themes(["--by", "reason"])
    let short = try #require(group(j, "short_pick"))
    // Five of 88213 plus edge-in; edge-out and sp-old are in the previous window.
    #expect(short["count"] as? Int == 6)
    #expect(short["previous"] as? Int == 2)
    #expect(short["trend"] as? String == "up")
    #expect((short["daily"] as? [Int])?.count == 8)
    #expect((short["daily"] as? [Int])?.last == 1)
    #expect((short["examples"] as? [Any])?.count ?? 0 >= 2)
    let pickup = try #require(group(j, "carrier_pickup"))
    #expect(pickup["trend"] as? String == "new")
    #expect((j["groups"] as? [[String: Any]])?.map { $0["count"] as? Int ?? 0 } == (j["groups"] as? [[String: Any]])?.map { $0["count"] as? Int ?? 0 }.sorted(by: >))
  }

  @Test func timeToResolveRunsFromTheFirstOpenToTheFirstResolvedMention() throws {
    let j = themes(["--by", "reason"])
    let short = try #require(group(j, "short_pick"))
    let ttr = try #require(short["time_to_resolve"] as? [String: Any])
    // sp-1 (SO-101) opened 2026-11-18 10:00, resolved 2026-11-19 16:00.
    #expect(ttr["median_seconds"] as? Int == 30 * 3600)
    #expect(ttr["episodes"] as? Int == 1)
  }

  @Test func groupsByThemeOwnerSkuLocationCustomerCarrierAndSource() throws {
    #expect(group(themes([]), "slotting & replenishment")?["count"] as? Int == 6)
    #expect(group(themes(["--by", "owner"]), "inventory_control")?["count"] as? Int == 6)
    #expect(group(themes(["--by", "sku"]), "88213")?["count"] as? Int == 5)
    #expect(group(themes(["--by", "location"]), "B-14-02")?["count"] as? Int == 5)
    #expect(group(themes(["--by", "customer"]), "Larkspur Living, Inc.")?["count"] as? Int == 3)
    #expect(group(themes(["--by", "carrier"]), "Ridgeline Freight")?["count"] as? Int == 3)
    let bySource = themes(["--by", "source"])
    #expect(group(bySource, "order")?["count"] as? Int == 3)
  }

  @Test func recurrenceNamesTheSkuAtItsLocationTheCarrierTheSkuOfFailedEventsAndThePlace() throws {
    let hits = try #require(themes([])["recurring"] as? [[String: Any]])
    func hit(_ value: String) -> [String: Any]? { hits.first { $0["value"] as? String == value } }
    let slot = try #require(hit("88213 @ B-14-02"))
    #expect(slot["count"] as? Int == 5)
    #expect(slot["theme"] as? String == "slotting & replenishment")
    #expect(hit("B-14-02") == nil, "the location repeats the SKU at location")
    let carrier = try #require(hit("Ridgeline Freight"))
    #expect(carrier["count"] as? Int == 4, "three on Ridgeline orders and one site note naming Ridgeline")
    #expect(hit("pack station 3")?["count"] as? Int == 3)
    _ = try #require(hits.first { ($0["theme"] as? String) == "system sync" && ($0["events"] as? Int) == 3 } ?? nil)
  }

  /// A file store reads its recurrence rules on two connections (two threads); the data folder's
  /// in-memory store on one. Every group and every hit, with its examples, must be the same.
  @Test func aFileStoreAnswersLikeTheDataFolder() throws {
    let db = ThemeFixture.tempDirectory() + "/t.db"
    let (status, _, err) = ThemeFixture.run(["ingest", Self.dir, "--db", db])
    #expect(status == 0, "\(err)")
    let (s2, out, _) = ThemeFixture.run(["themes", "--db", db, "--now", ThemeFixture.now, "--json"])
    #expect(s2 == 0)
    let fromDB = ThemeFixture.json(out)
    let fromFolder = themes([])
    let groups = try #require(fromDB["groups"] as? NSArray)
    let hits = try #require(fromDB["recurring"] as? NSArray)
    #expect(groups.count >= 3 && hits.count >= 3, "\(groups.count) groups, \(hits.count) hits")
    #expect(groups == (fromFolder["groups"] as? NSArray))
    #expect(hits == (fromFolder["recurring"] as? NSArray))
  }

  @Test func theTableHasASparklinePerRowAndPlainCharactersWithoutUTF8() {
    let (_, unicode, _) = ThemeFixture.run(["themes", "--data", Self.dir, "--now", ThemeFixture.now, "--compact"], environment: ["LANG": "C.UTF-8"])
    #expect(unicode.contains("█"))
    #expect(!unicode.contains("Examples"))
    let (_, ascii, _) = ThemeFixture.run(["themes", "--data", Self.dir, "--now", ThemeFixture.now], environment: ["LANG": "C"])
    #expect(!ascii.contains("█") && ascii.contains("#"))
    #expect(ascii.contains("Recurring") && ascii.contains("Examples"))
    #expect(ascii.unicodeScalars.allSatisfy { $0.isASCII || $0 == "×" || $0 == "→" || $0 == "–" })
  }

  @Test func unclassifiedNotesBecomeCandidateEntries() throws {
    let (status, out, err) = ThemeFixture.run(["themes", "--unclassified", "--data", Self.dir, "--now", ThemeFixture.now, "--json"])
    #expect(status == 0, "\(err)")
    let j = ThemeFixture.json(out)
    #expect(j["unclassified"] as? Int == 2)
    let candidates = try #require(j["candidates"] as? [[String: Any]])
    let phrases = candidates.compactMap { $0["phrase"] as? String }
    #expect(phrases.first == "pallet wrap" || phrases.first == "machine wrapping" || phrases.contains("pallet wrap"), "\(phrases)")
    #expect(!phrases.contains("by") && !phrases.contains("on"), "stop words are removed")
    #expect(!phrases.contains("wrap"), "a word covered by a phrase is not repeated")
    #expect((candidates.first?["examples"] as? [Any])?.count == 2)
  }

  @Test func stopWordsParseAndSayWhereTheyAreWrong() throws {
    let stop = try StopWords.load(directory: ThemeFixture.lexicons)
    #expect(stop.contains("the") && stop.contains("please") && !stop.contains("pallet"))
    #expect(throws: TriageError.self) { try StopWords.parse(Array("version 1\nthe\nthe\n".utf8), file: "s.txt") }
    do {
      _ = try StopWords.parse(Array("version 1\nthe a\n".utf8), file: "s.txt")
      Issue.record("expected an error")
    } catch {
      #expect(error.description.contains("s.txt:2:5"), "\(error.description)")
    }
  }

  @Test func badOptionsAreUsageErrors() {
    #expect(ThemeFixture.run(["themes", "--data", Self.dir, "--by", "colour"]).0 == 64)
    #expect(ThemeFixture.run(["themes", "--data", Self.dir, "--since", "soon"]).0 == 64)
  }
}
