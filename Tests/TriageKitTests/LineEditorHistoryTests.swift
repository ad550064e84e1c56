import Foundation
import Testing
import TriageKit

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct HistoryTests {
  struct AppendCase: CustomTestStringConvertible, Sendable {
    var id: String
    var lines: [String]
    var limit = 1000
    var entries: [String]
    var testDescription: String { id }
  }

  static let appendCases: [AppendCase] = [
    AppendCase(id: "keeps order", lines: ["a", "b", "c"], entries: ["a", "b", "c"]),
    AppendCase(
      id: "consecutive duplicate dropped", lines: ["a", "a", "b", "a"],
      entries: ["a", "b", "a"]),
    AppendCase(id: "empty and blank dropped", lines: ["", "  ", "\t", "a", " "], entries: ["a"]),
    AppendCase(
      id: "limit keeps newest", lines: ["1", "2", "3", "4", "5"], limit: 3,
      entries: ["3", "4", "5"]),
    AppendCase(id: "limit zero keeps nothing", lines: ["1"], limit: 0, entries: []),
    AppendCase(id: "whitespace is part of the entry", lines: ["a", " a"], entries: ["a", " a"]),
  ]

  @Test(arguments: appendCases)
  func append(_ c: AppendCase) {
    var history = History(limit: c.limit)
    for line in c.lines { history.append(line) }
    #expect(history.entries == c.entries)
  }

  @Test func defaultLimitIsAThousand() {
    let history = History(entries: (1...1500).map(String.init))
    #expect(history.count == 1000)
    #expect(history.entries.first == "501")
    #expect(history.entries.last == "1500")
  }

  @Test func loweringTheLimitTrims() {
    var history = History(entries: ["a", "b", "c"])
    history.limit = 1
    #expect(history.entries == ["c"])
  }

  @Test func navigationKeepsTheEditedLine() {
    let history = History(entries: ["first", "second"])
    var nav = History.Navigator(history: history)
    #expect(nav.isAtNewest)
    #expect(nav.older(current: "draft") == "second")
    #expect(nav.older(current: "second") == "first")
    #expect(nav.older(current: "first") == nil)
    // Edits to a recalled entry last while walking, without touching the history.
    #expect(nav.newer(current: "first edited") == "second")
    #expect(nav.older(current: "second") == "first edited")
    #expect(nav.newer(current: "first edited") == "second")
    #expect(nav.newer(current: "second") == "draft")
    #expect(nav.newer(current: "draft") == nil)
    #expect(nav.isAtNewest)
    #expect(history.entries == ["first", "second"])
  }

  @Test func searchFindsNewestMatchFirst() {
    let history = History(entries: ["show 1", "list", "show 2", "quit"])
    #expect(history.lastIndex(containing: "show", before: 4) == 2)
    #expect(history.lastIndex(containing: "show", before: 2) == 0)
    #expect(history.lastIndex(containing: "show", before: 0) == nil)
    #expect(history.firstIndex(containing: "show", after: 0) == 2)
    #expect(History.find("e\u{301}", in: "cafe\u{301} e\u{301}") == 5)
    // Characters are compared whole: "e" is not found inside "é".
    #expect(History.find("e", in: "cafe\u{301}") == nil)
  }

  struct EscapeCase: CustomTestStringConvertible, Sendable {
    var id: String
    var entry: String
    var encoded: String
    var testDescription: String { id }
  }

  static let escapeCases: [EscapeCase] = [
    EscapeCase(id: "plain", entry: "show orders", encoded: "show orders"),
    EscapeCase(id: "newline", entry: "a\nb", encoded: "a\\nb"),
    EscapeCase(id: "carriage return", entry: "a\rb", encoded: "a\\rb"),
    EscapeCase(id: "backslash", entry: "C:\\path", encoded: "C:\\\\path"),
    EscapeCase(id: "backslash before n", entry: "\\n", encoded: "\\\\n"),
    EscapeCase(id: "trailing backslash", entry: "end\\", encoded: "end\\\\"),
    EscapeCase(id: "unicode", entry: "注文 ✓", encoded: "注文 ✓"),
  ]

  @Test(arguments: escapeCases)
  func escaping(_ c: EscapeCase) {
    #expect(History.encode(c.entry) == c.encoded)
    #expect(History.decode(c.encoded) == c.entry)
  }

  @Test func decodeKeepsUnknownEscapes() {
    #expect(History.decode("a\\tb\\") == "a\\tb\\")
  }

  @Test func saveAndLoadRoundTrip() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path + "/nested/state/history"
    let entries = ["show orders", "multi\nline", "back\\slash", "注文 1042", "x\\ny"]
    let history = History(entries: entries)
    // The directory does not exist yet: saving creates it.
    try history.save(to: path)
    var loaded = History()
    try loaded.load(from: path)
    #expect(loaded.entries == entries)
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(text == "show orders\nmulti\\nline\nback\\\\slash\n注文 1042\nx\\\\ny\n")
  }

  @Test func loadToleratesAMissingFile() throws {
    let dir = try TemporaryDirectory()
    var history = History(entries: ["kept?"])
    try history.load(from: dir.path + "/absent")
    #expect(history.entries.isEmpty)
  }

  @Test func loadAppliesTheRules() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path + "/history"
    try "a\n\na\nb\nc\n".write(toFile: path, atomically: false, encoding: .utf8)
    var history = History(limit: 2)
    try history.load(from: path)
    #expect(history.entries == ["b", "c"])
  }

  @Test func saveIsAtomicAndPrivate() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path + "/history"
    try History(entries: ["old"]).save(to: path)
    // A hard link keeps the old inode: replacing by rename leaves it untouched, while
    // rewriting in place would change it under the link.
    #expect(link(path, dir.path + "/old-link") == 0)
    try History(entries: ["new"]).save(to: path)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
    #expect(try String(contentsOfFile: dir.path + "/old-link", encoding: .utf8) == "old\n")
    var info = stat()
    #expect(stat(path, &info) == 0)
    #expect(info.st_mode & 0o777 == 0o600)
    // No temporary file is left behind.
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    #expect(names == ["history", "old-link"])
  }

  @Test func saveReportsAnUnwritableDirectory() throws {
    let dir = try TemporaryDirectory()
    // A regular file where a directory should be.
    try "x".write(toFile: dir.path + "/file", atomically: false, encoding: .utf8)
    #expect(throws: HistoryError.self) {
      try History(entries: ["a"]).save(to: dir.path + "/file/history")
    }
  }

  struct PathCase: CustomTestStringConvertible, Sendable {
    var id: String
    var environment: [String: String]
    var path: String?
    var testDescription: String { id }
  }

  static let pathCases: [PathCase] = [
    PathCase(
      id: "XDG_STATE_HOME", environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"],
      path: "/s/triage/history"),
    PathCase(
      id: "XDG_STATE_HOME with slash", environment: ["XDG_STATE_HOME": "/s/"],
      path: "/s/triage/history"),
    PathCase(
      id: "relative XDG_STATE_HOME ignored",
      environment: ["XDG_STATE_HOME": "rel", "HOME": "/h"],
      path: "/h/.local/state/triage/history"),
    PathCase(
      id: "HOME fallback", environment: ["HOME": "/home/ana"],
      path: "/home/ana/.local/state/triage/history"),
    PathCase(id: "nothing", environment: [:], path: nil),
  ]

  @Test(arguments: pathCases)
  func defaultPath(_ c: PathCase) {
    #expect(History.defaultPath(environment: c.environment) == c.path)
  }
}

/// A fresh directory under the system temporary directory, removed when released.
private final class TemporaryDirectory {
  let path: String

  init() throws {
    let base = FileManager.default.temporaryDirectory.path
    path = base + "/triage-editor-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit {
    try? FileManager.default.removeItem(atPath: path)
  }
}
