import Foundation
import Testing
import TriageKit

/// One session over the demo, run in-process: the data and lexicons are read once, every use
/// goes through `lock` (one SQLite connection, one context) and starts from the session's
/// defaults with fresh output streams.
final class DemoSession: @unchecked Sendable {
  let ctx: Context
  private let lock = NSLock()

  private init() throws {
    ctx = Context.capturing(
      environment: ["TRIAGE_LEXICONS": DraftPaths.lexicons, "NO_COLOR": "1"],
      workingDirectory: DraftPaths.root)
    ctx.dataFolder = DraftPaths.demo
    _ = try ctx.store()
  }

  private static let loaded = Result<DemoSession, any Error> { try DemoSession() }

  static func shared() throws -> DemoSession { try loaded.get() }

  struct Run {
    var out: String
    var err: String
    var failedLines: [Int]
  }

  /// Runs `lines` in a new scripted session.
  func run(_ lines: [String]) -> Run {
    lock.lock()
    defer { lock.unlock() }
    ctx.out = OutputStream(.memory)
    ctx.err = OutputStream(.memory)
    ctx.nowOverride = nil
    ctx.ownerDefault = nil
    let session = Session(context: ctx)
    for line in lines { session.execute(line) }
    ctx.out.flush()
    ctx.err.flush()
    return Run(out: ctx.out.text, err: ctx.err.text, failedLines: session.failedLines)
  }

  func completer() -> TriageCompleter {
    lock.lock()
    defer { lock.unlock() }
    return Session(context: ctx).completer()
  }
}

/// A line typed up to the cursor (`|` marks it; at the end when there is none) and what Tab
/// offers there.
struct CompletionCase: CustomTestStringConvertible, Sendable {
  var id: String
  var line: String
  var expected: [String]

  var testDescription: String { "\(id): '\(line)'" }

  init(_ id: String, _ line: String, _ expected: [String]) {
    self.id = id
    self.line = line
    self.expected = expected
  }

  var text: String { line.replacingOccurrences(of: "|", with: "") }
  var cursor: Int { line.firstIndex(of: "|").map { line.distance(from: line.startIndex, to: $0) } ?? line.count }
}

/// A session line with a mistake and the "did you mean" it gets.
struct SuggestionCase: CustomTestStringConvertible, Sendable {
  var id: String
  var line: String
  var message: String

  var testDescription: String { "\(id): '\(line)'" }

  init(_ id: String, _ line: String, _ message: String) {
    self.id = id
    self.line = line
    self.message = message
  }
}

@Suite struct REPLCompletionTests {
  static let completions: [CompletionCase] = [
    .init("command", "bl", ["blocked"]),
    .init("commands and builtins", "re", ["reject", "reload", "replay", "report", "review"]),
    .init("builtin", "q", ["quit"]),
    .init("builtin load", "lo", ["load"]),
    .init("case folded", "WH", ["why"]),
    .init("no such command", "zz", []),
    .init("help topic", "help dr", ["draft", "drafts", "drift"]),
    .init("option", "blocked --ow", ["--owner"]),
    .init("options of this command only", "why --j", ["--json"]),
    .init("global option", "risk --no-p", ["--no-pager"]),
    .init("owner value", "blocked --owner pa", ["packing"]),
    .init("owners", "blocked --owner i", ["inventory_control", "it_integration"]),
    .init("reason code", "blocked --reason short", ["short_pick"]),
    .init("reason codes", "blocked --reason s", ["short_pick", "stockout_backorder", "substitution"]),
    .init("choices of this command's option", "risk --status n", ["needs_communication"]),
    .init("another command's same option", "drafts --status a", ["approved"]),
    .init("audience", "draft SO-10313 --for s", ["sales", "support"]),
    .init("a free value offers nothing", "themes --since ", []),
    .init("no positional, nothing", "blocked ", []),
    .init(
      "order ids", "why SO-1029",
      (0...9).map { "SO-1029\($0)" }),
    .init("order id case folded", "why so-10313", ["SO-10313"]),
    .init("order id mid-line", "why SO-1031| --json", (0...9).map { "SO-1031\($0)" }),
    .init("order for draft", "draft SO-1031", (0...9).map { "SO-1031\($0)" }),
    .init("draft subcommand", "draft sh", ["show"]),
    .init("lexicon subcommands", "lexicon ", ["check", "dump", "fmt"]),
    .init("skus", "drift 473", ["47305", "47306", "47320", "47330"]),
    .init("sku with letters", "drift HOOD-GRY", ["HOOD-GRY-L", "HOOD-GRY-M"]),
    .init("note ids", "explain wms-4137", ["wms-41371", "wms-41374", "wms-41376", "wms-41377"]),
    .init("set what", "set ", ["now", "owner"]),
    .init("set owner", "set owner fi", ["finance"]),
    .init("set owner none", "set owner no", ["none"]),
    .init("set now clock", "set now c", ["clock"]),
  ]

  @Test(arguments: completions)
  func completes(_ c: CompletionCase) throws {
    let completer = try DemoSession.shared().completer()
    let result = completer.complete(line: c.text, cursor: c.cursor)
    #expect(result.candidates == c.expected)
    // The word before the cursor is what is replaced.
    let before = Array(c.text.prefix(c.cursor))
    let wordStart = (before.lastIndex(of: " ").map { $0 + 1 }) ?? 0
    #expect(result.replacing == wordStart..<c.cursor)
  }

  @Test func completesPathsForLoadAndOpen() throws {
    let dir = DraftPaths.tempDirectory()
    defer { DraftPaths.cleanUp(dir) }
    try FileManager.default.createDirectory(atPath: dir + "/day1", withIntermediateDirectories: true)
    try DraftPaths.write("", to: dir + "/day1.db")
    try DraftPaths.write("", to: dir + "/.hidden")
    let completer = try DemoSession.shared().completer()
    func offered(_ line: String) -> [String] {
      completer.complete(line: line, cursor: line.count).candidates
    }
    #expect(offered("load \(dir)/da") == ["\(dir)/day1.db", "\(dir)/day1/"])
    #expect(offered("open \(dir)/day1.") == ["\(dir)/day1.db"])
    #expect(offered("why --data \(dir)/d") == ["\(dir)/day1.db", "\(dir)/day1/"])
    // Dot files are not data: never offered.
    #expect(offered("load \(dir)/") == ["\(dir)/day1.db", "\(dir)/day1/"])
  }

  static let suggestions: [SuggestionCase] = [
    .init("command", "whyy SO-10313", "unknown command 'whyy'; did you mean 'why'?"),
    .init("builtin", "relaod", "unknown command 'relaod'; did you mean 'reload'?"),
    .init("help topic", "help blokced", "no help for 'blokced'; did you mean 'blocked'?"),
    .init("order id", "why SO-1O313", "unknown order 'SO-1O313'; did you mean 'SO-10313'?"),
    .init("order id for a draft", "draft SO-1O313 --for support", "did you mean 'SO-10313'?"),
    .init("usage as typed here", "blocked --ownr x", "usage: blocked [--owner <owner>]"),
    .init("help as typed here", "blocked --ownr x", "see 'help blocked'"),
    .init("reason code", "blocked --reason short_pik", "unknown reason code 'short_pik'; did you mean 'short_pick'?"),
    .init("owner", "blocked --owner pakcing", "unknown owner 'pakcing'; did you mean 'packing'?"),
    .init("owner in set", "set owner pakcing", "unknown owner 'pakcing'; did you mean 'packing'?"),
    .init("option", "blocked --ownr packing", "unknown option '--ownr'; did you mean '--owner'?"),
    .init("setting", "set onwer packing", "unknown setting 'onwer'; did you mean 'owner'?"),
    .init(
      "owner far off lists them", "set owner xyz",
      "unknown owner 'xyz'; owners: customer_service, finance, inventory_control"),
  ]

  @Test(arguments: suggestions)
  func suggests(_ c: SuggestionCase) throws {
    let run = try DemoSession.shared().run([c.line])
    #expect(run.err.contains(c.message), "\(run.err)")
    #expect(run.failedLines == [1])
    #expect(run.out.isEmpty)
  }
}
