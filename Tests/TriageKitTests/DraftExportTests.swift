import Foundation
import Testing
import TriageKit

/// The review commands and the export, each step a separate run of the tool against one store
/// file (so everything must survive restarts).
@Suite struct DraftExportTests {
  static func json(_ text: String) throws -> [String: Any] {
    let obj = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try #require(obj as? [String: Any], "not a JSON object: \(text)")
  }

  static func id(_ run: ToolRun) throws -> Int {
    #expect(run.status == 0, "\(run.err)")
    return try #require(try json(run.out)["id"] as? Int, "no id in \(run.out)")
  }

  @Test(arguments: [
    ("=SUM(A1:A2)", "'=SUM(A1:A2)"), ("+1 555 0100", "'+1 555 0100"), ("-2 units", "'-2 units"),
    ("@cmd", "'@cmd"), ("\tx", "'\tx"), ("Hi Priya", "Hi Priya"), ("", ""), ("a=b", "a=b"),
  ])
  func formulaGuard(_ c: (String, String)) {
    #expect(DraftExport.guardFormula(c.0) == c.1)
  }

  @Test func csvQuotesAndGuardsEveryCell() {
    let row = String(
      decoding: DraftExport.csvRow(["=1+1", "say \"hi\", then go", "two\nlines", "plain"]),
      as: UTF8.self)
    #expect(row == "'=1+1,\"say \"\"hi\"\", then go\",\"two\nlines\",plain\n")
  }

  @Test func reviewAndExportAcrossRestarts() throws {
    let dir = DraftPaths.tempDirectory()
    defer { DraftPaths.cleanUp(dir) }
    let db = dir + "/ops.db"
    let day1 = try DraftFolders.day1(in: dir)
    #expect(ToolRun.run(["ingest", day1, "--db", db]).status == 0)

    // Without a store nothing is kept: id null.
    let loose = ToolRun.run(["draft", "SO-20001", "--for", "support", "--data", day1, "--json"])
    #expect(loose.status == 0, "\(loose.err)")
    let looseJSON = try Self.json(loose.out)
    #expect(looseJSON["id"] is NSNull)
    #expect(
      Set(looseJSON.keys).isSuperset(of: [
        "id", "order_id", "audience", "status", "text", "sources",
      ]))
    #expect(
      looseJSON["status"] as? String == "draft" && looseJSON["audience"] as? String == "support")
    #expect((looseJSON["sources"] as? [String])?.contains("n-1") == true)

    let env = ["TRIAGE_USER": "alice", "USER": "ignored"]
    let a = try Self.id(
      ToolRun.run(
        ["draft", "SO-20001", "--for", "support", "--db", db, "--json"], environment: env))
    let b = try Self.id(
      ToolRun.run(["draft", "SO-20002", "--for", "sales", "--db", db, "--json"], environment: env))
    let c = try Self.id(
      ToolRun.run(
        ["draft", "SO-20002", "--for", "support", "--db", db, "--json"], environment: env))
    let d = try Self.id(
      ToolRun.run(
        ["draft", "SO-20001", "--for", "sales", "--db", db, "--json", "--by", "dan"],
        environment: env))

    // Edit b so its text starts like a formula; edit c with $EDITOR.
    let edited = ToolRun.run([
      "edit", String(b), "--text", "=HYPERLINK(\"http://x\")\nrest of the brief", "--db", db,
      "--by", "bob",
    ])
    #expect(edited.status == 0, "\(edited.err)")
    let script = dir + "/editor.sh"
    try DraftPaths.write(
      "#!/bin/sh\nprintf 'Hi Ben,\\n\\nWritten in the editor.\\n' > \"$1\"\n", to: script)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
    let viaEditor = ToolRun.run(
      ["edit", String(c), "--db", db], environment: ["EDITOR": script, "USER": "erin"])
    #expect(viaEditor.status == 0, "\(viaEditor.err)")
    #expect(viaEditor.out.contains("edited draft \(c)"))
    let noEditor = ToolRun.run(["edit", String(c), "--db", db], environment: [:])
    #expect(noEditor.status == 64 && noEditor.err.contains("no editor"))

    // An edit that names an internal identifier in a support text is warned about.
    let e = try Self.id(
      ToolRun.run(
        ["draft", "SO-20001", "--for", "support", "--db", db, "--json"], environment: env))
    let leak = ToolRun.run([
      "edit", String(e), "--text", "Hi Priya, bin B-14-02 was empty.", "--db", db,
    ])
    #expect(
      leak.status == 0
        && leak.err.contains("warning: the support text names the internal location 'B-14-02'"),
      "\(leak.err)")
    #expect(
      ToolRun.run(["edit", String(e), "--text", "Hi Priya, 88213 again.", "--db", db, "--strict"])
        .status == 65)

    #expect(ToolRun.run(["approve", String(a), "--db", db, "--by", "carol"]).status == 0)
    #expect(ToolRun.run(["approve", String(b), "--db", db, "--by", "carol"]).status == 0)
    #expect(ToolRun.run(["approve", String(c), "--db", db, "--by", "carol"]).status == 0)
    let rejected = ToolRun.run([
      "reject", String(d), "--why", "not for this account", "--db", db, "--by", "carol",
    ])
    #expect(rejected.status == 0, "\(rejected.err)")
    let twice = ToolRun.run(["approve", String(a), "--db", db])
    #expect(twice.status == 1 && twice.err.contains("is approved, not waiting for review"))
    #expect(ToolRun.run(["reject", String(a), "--db", db]).status == 64)

    // The trail of c shows every step with who and when.
    let show = ToolRun.run(["draft", "show", String(c), "--db", db, "--json"])
    let trail = try #require(try Self.json(show.out)["trail"] as? [[String: Any]])
    #expect(trail.map { $0["action"] as? String } == ["created", "edited", "approved"])
    #expect(trail.map { $0["who"] as? String } == ["alice", "erin", "carol"])
    #expect(try Self.json(show.out)["text"] as? String == "Hi Ben,\n\nWritten in the editor.")
    let showText = ToolRun.run(["draft", "show", String(c), "--db", db])
    #expect(
      showText.out.contains("trail") && showText.out.contains("erin")
        && showText.out.contains("sources"))

    // JSON Lines: approved drafts only, oldest first.
    let jsonl = ToolRun.run(["export", "drafts", "--approved", "--db", db])
    #expect(jsonl.status == 0, "\(jsonl.err)")
    let objects = try jsonl.out.split(separator: "\n").map { try Self.json(String($0)) }
    #expect(objects.map { $0["id"] as? Int } == [a, b, c])
    #expect(
      objects.allSatisfy {
        $0["status"] as? String == "approved" && $0["approved_by"] as? String == "carol"
      })
    #expect(objects[1]["text"] as? String == "=HYPERLINK(\"http://x\")\nrest of the brief")
    #expect((objects[0]["sources"] as? [String])?.contains("n-1") == true)

    // CSV to a file: written atomically, never over an existing file without --force.
    let out = dir + "/approved.csv"
    let csv = ToolRun.run([
      "export", "drafts", "--approved", "--format", "csv", "--out", out, "--db", db,
    ])
    #expect(csv.status == 0, "\(csv.err)")
    let written = try String(contentsOfFile: out, encoding: .utf8)
    #expect(
      written.hasPrefix(
        "id,order_id,audience,version,status,stale,approved_by,approved_at,text,sources\n"))
    #expect(written.contains("\"'=HYPERLINK(\"\"http://x\"\")\nrest of the brief\""))
    #expect(!written.contains("not for this account") && !written.contains(",rejected,"))
    #expect(
      written.split(separator: "\n").filter {
        $0.hasPrefix("\(a),") || $0.hasPrefix("\(b),") || $0.hasPrefix("\(c),")
      }.count == 3)
    let again = ToolRun.run([
      "export", "drafts", "--approved", "--format", "csv", "--out", out, "--db", db,
    ])
    #expect(again.status == 73 && again.err.contains("--force"))
    try "changed".write(toFile: out, atomically: true, encoding: .utf8)
    #expect(
      ToolRun.run([
        "export", "drafts", "--approved", "--format", "csv", "--out", out, "--db", db, "--force",
      ]).status == 0)
    #expect(try String(contentsOfFile: out, encoding: .utf8) == written)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter {
      $0.hasPrefix(".triage-tmp")
    }
    #expect(leftovers.isEmpty)

    // The listing.
    let list = ToolRun.run(["drafts", "--status", "approved", "--db", db, "--json"])
    let rows = try #require(
      try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as? [[String: Any]])
    #expect(Set(rows.compactMap { $0["id"] as? Int }) == [a, b, c])
    #expect(ToolRun.run(["drafts", "--db", db]).out.contains("rejected"))
    // A data folder keeps nothing: the review commands say so.
    let noStore = ToolRun.run(["drafts", "--data", day1])
    #expect(noStore.status == 64 && noStore.err.contains("--db"))
  }
}
