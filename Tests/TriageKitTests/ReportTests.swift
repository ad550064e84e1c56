import Foundation
import Testing
import TriageKit

/// `report`: one valid, self-contained HTML page with every section; and `replay`.
@Suite struct ReportTests {
  typealias N = ThemeFixture.Note

  static let dir: String = {
    var notes: [N] = []
    for (i, day) in [17, 18, 19, 21, 22].enumerated() {
      notes.append(N(id: "sp-\(i)", at: "2026-11-\(day)T10:00:00Z", text: "short pick 88213 at B-14-02, bin empty", order: "SO-\(100 + i)"))
    }
    notes.append(N(id: "evil", at: "2026-11-20T10:00:00Z", text: "damaged box <script>alert('x')</script> & \"quotes\" \u{1B}[2J", order: "SO-101"))
    notes.append(N(id: "routine-1", at: "2026-11-20T11:00:00Z", text: "pallet wrap machine out, wrapping by hand"))
    notes.append(N(id: "routine-2", at: "2026-11-21T11:00:00Z", text: "pallet wrap machine out again"))
    return ThemeFixture.folder(notes: notes, orders: (100...104).map { ("SO-\($0)", "Cust <b>\($0)</b>", "UPS") })
  }()

  func report(_ extra: [String] = []) -> (Int32, String, String) {
    let out = ThemeFixture.tempDirectory() + "/review.html"
    let (status, _, err) = ThemeFixture.run(["report", "--data", Self.dir, "--now", ThemeFixture.now, "--out", out] + extra)
    return (status, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "", err)
  }

  @Test func everySectionIsThere() {
    let (status, html, err) = report()
    #expect(status == 0, "\(err)")
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    for heading in [
      "Blockers per theme per day", "Recurring problems", "Open blockers by age and owner", "Promise outcomes",
      "What the lexicons miss",
    ] {
      #expect(html.contains("<h2>\(heading)</h2>"), "missing section \(heading)")
    }
    #expect(html.contains("<svg class=\"chart\""))
    #expect(html.contains("88213 @ B-14-02"))
    #expect(html.contains("@media print") && html.contains("@page"))
  }

  @Test func itIsSelfContainedAndEscapesNoteText() {
    let (_, html, _) = report()
    #expect(!html.lowercased().contains("<script"))
    #expect(!html.contains("src=") && !html.contains("<link") && !html.contains("@import") && !html.contains("url("))
    #expect(!html.contains("<b>10"), "customer names are escaped")
    #expect(!html.contains("\u{1B}"))
    #expect(html.contains("&lt;script&gt;") || !html.contains("alert"))
  }

  @Test func tagsAreBalanced() throws {
    let (_, html, _) = report()
    #expect(try Self.unbalanced(html) == nil)
  }

  @Test func anExistingFileIsOnlyReplacedWithForce() {
    let out = ThemeFixture.tempDirectory() + "/r.html"
    FileManager.default.createFile(atPath: out, contents: Data("keep".utf8))
    let (status, _, err) = ThemeFixture.run(["report", "--data", Self.dir, "--now", ThemeFixture.now, "--out", out])
    #expect(status == 73, "\(err)")
    #expect((try? String(contentsOfFile: out, encoding: .utf8)) == "keep")
    #expect(ThemeFixture.run(["report", "--data", Self.dir, "--now", ThemeFixture.now, "--out", out, "--force"]).0 == 0)
    #expect(ThemeFixture.run(["report", "--data", Self.dir]).0 == 64)
  }

  @Test func htmlEscapeCoversMarkupAndControls() {
    #expect(HTML.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
    #expect(HTML.escape("a\u{1B}b\u{85}c\nd") == "a\u{FFFD}b\u{FFFD}c\nd")
  }

  @Test func replayShowsWhatAnEditWouldChange() throws {
    let edited = ThemeFixture.tempDirectory()
    try FileManager.default.removeItem(atPath: edited)
    try FileManager.default.copyItem(atPath: ThemeFixture.lexicons, toPath: edited)
    let file = edited + "/reasons/labor_capacity.txt"
    let text = try String(contentsOfFile: file, encoding: .utf8)
    try (text + "3.0   (pallet wrap|wrap machine) (out|down|broken)\n").write(toFile: file, atomically: true, encoding: .utf8)
    let (status, out, err) = ThemeFixture.run(["replay", edited, "--data", Self.dir, "--now", ThemeFixture.now, "--json"])
    #expect(status == 0, "\(err)")
    let j = ThemeFixture.json(out)
    #expect(j["changed_notes"] as? Int == 2)
    let codes = try #require(j["codes"] as? [[String: Any]])
    #expect(codes.first?["code"] as? String == "labor_capacity")
    #expect(codes.first?["gained"] as? Int == 2)
    let (same, sameOut, _) = ThemeFixture.run(["replay", ThemeFixture.lexicons, "--data", Self.dir, "--now", ThemeFixture.now])
    #expect(same == 0 && sameOut.contains("no note would change"))

    // The issue's spelling: --lexicons names the edit, the current lexicons come from
    // $TRIAGE_LEXICONS (the data folder is classified with those, not with the edit).
    let (viaOption, optionOut, optionErr) = ThemeFixture.run(
      ["replay", "--data", Self.dir, "--now", ThemeFixture.now, "--json"], lexicons: edited,
      environment: ["TRIAGE_LEXICONS": ThemeFixture.lexicons])
    #expect(viaOption == 0, "\(optionErr)")
    #expect(ThemeFixture.json(optionOut)["changed_notes"] as? Int == 2)
    let ctx = Context.capturing(environment: ["TRIAGE_LEXICONS": ThemeFixture.lexicons])
    #expect(TriageMain.run(["replay", "--data", Self.dir], ctx) == 64)
    ctx.err.flush()
    #expect(ctx.err.text == "triage: error: replay needs the edited lexicon directory: triage replay DIR (or --lexicons DIR)\n")
  }

  /// The first tag that does not close in order, or nil. Void elements and self-closing tags
  /// (`<rect .../>`) need no end tag.
  static func unbalanced(_ html: String) throws -> String? {
    let void: Set<String> = ["meta", "br", "hr", "img", "input", "link", "wbr"]
    var stack: [String] = []
    var i = html.startIndex
    while let open = html[i...].firstIndex(of: "<") {
      guard let close = html[open...].firstIndex(of: ">") else { return "unclosed <" }
      let tag = html[html.index(after: open)..<close]
      i = html.index(after: close)
      if tag.hasPrefix("!") { continue }
      let name = String(tag.drop(while: { $0 == "/" }).prefix { $0.isLetter || $0.isNumber }).lowercased()
      if tag.hasPrefix("/") {
        guard stack.last == name else { return "</\(name)> closes <\(stack.last ?? "nothing")>" }
        stack.removeLast()
      } else if !tag.hasSuffix("/") && !void.contains(name) {
        stack.append(name)
        if name == "style" {
          guard let end = html.range(of: "</style>", range: i..<html.endIndex) else { return "unclosed style" }
          i = end.lowerBound
        }
      }
    }
    return stack.isEmpty ? nil : "unclosed <\(stack.last ?? "")>"
  }
}
