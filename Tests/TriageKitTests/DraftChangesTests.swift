import Foundation
import Testing
import TriageKit

/// Cutoff reviews and `changes`, across runs of the tool on one store file.
@Suite struct DraftChangesTests {
  @Test func changesSinceTheLastReview() throws {
    let dir = DraftPaths.tempDirectory()
    defer { DraftPaths.cleanUp(dir) }
    let db = dir + "/ops.db"
    #expect(ToolRun.run(["ingest", try DraftFolders.day1(in: dir), "--db", db]).status == 0)

    let none = ToolRun.run(["changes", "--db", db])
    #expect(none.status == 64 && none.err.contains("review mark"))

    let mark = ToolRun.run(["review", "mark", "--db", db, "--by", "alice"])
    #expect(mark.status == 0, "\(mark.err)")
    #expect(
      mark.out.contains(
        "recorded cutoff review 1: 2 live order(s) as of 2026-11-23T15:00:00Z, by alice"))
    let quiet = ToolRun.run(["changes", "--db", db])
    #expect(
      quiet.status == 0 && quiet.out.contains("0 order(s) changed"), "\(quiet.out)\(quiet.err)")

    #expect(ToolRun.run(["ingest", try DraftFolders.day2(in: dir), "--db", db]).status == 0)
    let run = ToolRun.run(["changes", "--since", "last-review", "--json", "--db", db])
    #expect(run.status == 0, "\(run.err)")
    let obj = try #require(
      try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
    let changes = try #require(obj["changes"] as? [[String: Any]])
    // High priority first.
    #expect(changes.map { $0["order_id"] as? String } == ["SO-20001", "SO-20002", "SO-20003"])
    #expect(changes[0]["lost"] as? [String] == ["short_pick"])
    #expect((changes[0]["summary"] as? String)?.contains("short →") == true, "\(changes[0])")
    #expect(changes[1]["gained"] as? [String] == ["payment_hold"])
    #expect(
      (changes[1]["summary"] as? String)?.contains("promise safe → needs_communication") == true,
      "\(changes[1])")
    #expect(changes[2]["before"] is NSNull)
    #expect((changes[2]["summary"] as? String)?.hasPrefix("new since the review") == true)

    // The table, and --since TIME.
    let table = ToolRun.run(["changes", "--db", db])
    #expect(
      table.out.contains("since cutoff review 1") && table.out.contains("gained payment_hold"))
    #expect(ToolRun.run(["changes", "--since", "2026-11-23T16:00:00Z", "--db", db]).status == 0)
    let early = ToolRun.run(["changes", "--since", "2026-11-22T00:00:00Z", "--db", db])
    #expect(early.status == 64 && early.err.contains("no cutoff review at or before"))

    // A second review starts the next comparison.
    #expect(ToolRun.run(["review", "mark", "--db", db, "--by", "bob"]).status == 0)
    #expect(ToolRun.run(["changes", "--db", db]).out.contains("0 order(s) changed"))
    let list = ToolRun.run(["review", "list", "--db", db])
    #expect(list.out.contains("alice") && list.out.contains("bob"))
  }
}
