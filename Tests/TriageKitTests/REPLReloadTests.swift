import Foundation
import Testing
import TriageKit

/// A broken lexicon edit and what `reload` makes of it.
struct BrokenEdit: CustomTestStringConvertible, Sendable {
  var id: String
  /// The file under the lexicon directory, and the line appended to it.
  var file: String
  var line: String
  /// What the error says after `path:line:col: error: `.
  var message: String

  var testDescription: String { id }
}

/// `reload` re-reads the lexicons; a broken edit is reported as `path:line:col: error: …` and
/// the session keeps answering with the lexicons it had. Each test works on its own copy of
/// `Lexicons/`.
@Suite struct REPLReloadTests {
  static let edits: [BrokenEdit] = [
    BrokenEdit(
      id: "unclosed group", file: "reasons/short_pick.txt", line: "3.0   (bin|slot empty",
      message: ""),
    BrokenEdit(
      id: "weight with three decimals", file: "reasons/short_pick.txt",
      line: "3.125 zorbled bin", message: ""),
    BrokenEdit(
      id: "unknown cue kind", file: "cues.txt", line: "negat before 3 nothing", message: ""),
  ]

  /// A copy of the repository's lexicons in a fresh temporary directory.
  static func lexiconCopy() throws -> (dir: String, lexicons: String) {
    let dir = DraftPaths.tempDirectory()
    let lexicons = dir + "/Lexicons"
    try FileManager.default.copyItem(atPath: DraftPaths.lexicons, toPath: lexicons)
    return (dir, lexicons)
  }

  static func append(_ line: String, to path: String) throws -> Int {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let body = text.hasSuffix("\n") ? text : text + "\n"
    try (body + line + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    return body.split(separator: "\n", omittingEmptySubsequences: false).count
  }

  @Test(arguments: edits)
  func brokenEditKeepsTheOldLexicons(_ edit: BrokenEdit) throws {
    let (dir, lexicons) = try Self.lexiconCopy()
    defer { DraftPaths.cleanUp(dir) }
    let ctx = Context.capturing(
      environment: ["TRIAGE_LEXICONS": lexicons, "NO_COLOR": "1"], workingDirectory: dir)
    ctx.dataFolder = DraftPaths.demo
    let session = Session(context: ctx)
    session.execute("classify \"short pick at B-14-02\"", lineNumber: 1)

    let path = lexicons + "/" + edit.file
    let lineNumber = try Self.append(edit.line, to: path)
    session.execute("reload", lineNumber: 2)
    session.execute("classify \"short pick at B-14-02\"", lineNumber: 3)
    ctx.out.flush()
    ctx.err.flush()

    let err = ctx.err.text
    #expect(err.contains("triage: \(path):\(lineNumber):"), "\(err)")
    #expect(err.contains(": error: "), "\(err)")
    #expect(
      err.contains("triage: error: the lexicons were not reloaded; the session keeps the ones it had"))
    #expect(session.failedLines == [2])
    // Both answers came from the lexicons loaded before the edit.
    let answers = ctx.out.text.components(separatedBy: "short_pick  open").count - 1
    #expect(answers == 2, "\(ctx.out.text)")
  }

  /// With the compiled-lexicon cache on too: the edit changes the files, so the key.
  @Test(arguments: [false, true])
  func fixedEditIsPickedUp(cached: Bool) throws {
    let (dir, lexicons) = try Self.lexiconCopy()
    defer { DraftPaths.cleanUp(dir) }
    let environment = [
      "TRIAGE_LEXICONS": lexicons, "NO_COLOR": "1",
      "TRIAGE_CACHE_DIR": cached ? dir + "/cache" : "off",
    ]
    let ctx = Context.capturing(environment: environment, workingDirectory: dir)
    #expect((ctx.lexiconCache != nil) == cached)
    let session = Session(context: ctx)
    session.execute("classify \"zorbled at B-14-02\"")
    _ = try Self.append("3.0   zorbled", to: lexicons + "/reasons/short_pick.txt")
    session.execute("reload")
    session.execute("classify \"zorbled at B-14-02\"")
    ctx.out.flush()
    ctx.err.flush()
    #expect(!session.failed, "\(ctx.err.text)")
    #expect(ctx.out.text.contains("reloaded \(lexicons): "))
    #expect(ctx.out.text.components(separatedBy: "short_pick  open").count - 1 == 1)
    // A new session starts from the cache of the edited files, and finds the edit.
    let next = Context.capturing(environment: ctx.environment, workingDirectory: dir)
    let second = Session(context: next)
    second.execute("classify \"zorbled at B-14-02\"")
    next.out.flush()
    #expect(next.out.text.components(separatedBy: "short_pick  open").count - 1 == 1)
    let files = (try? FileManager.default.contentsOfDirectory(atPath: dir + "/cache")) ?? []
    #expect(files.count == (cached ? 2 : 0), "\(files)")
  }

  /// The same through the built binary and `--lexicons`: the edit is made while the session
  /// runs, between two lines of its input.
  @Test(.enabled(if: TriageBinary.path != nil, TriageBinary.skipReason))
  func reloadInARunningSession() throws {
    let (dir, lexicons) = try Self.lexiconCopy()
    defer { DraftPaths.cleanUp(dir) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try #require(TriageBinary.path))
    process.arguments = ["--lexicons", lexicons, "--data", DraftPaths.demo, "--no-history"]
    var env = TriageBinary.environment
    env["TRIAGE_LEXICONS"] = nil
    process.environment = env
    let input = Pipe()
    let outPath = dir + "/out.txt"
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    let output = try #require(FileHandle(forWritingAtPath: outPath))
    process.standardInput = input
    process.standardOutput = output
    process.standardError = output
    try process.run()
    func read() -> String {
      String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self)
    }
    func send(_ line: String) { input.fileHandleForWriting.write(Data((line + "\n").utf8)) }

    send("classify \"short pick at B-14-02\"")
    let deadline = Date().addingTimeInterval(30)
    while !read().contains("short_pick"), Date() < deadline, process.isRunning {
      Thread.sleep(forTimeInterval: 0.02)
    }
    let path = lexicons + "/reasons/short_pick.txt"
    let lineNumber = try Self.append("3.0   (bin|slot empty", to: path)
    send("reload")
    send("classify \"short pick at B-14-02\"")
    try input.fileHandleForWriting.close()
    process.waitUntilExit()
    try output.close()

    let text = read()
    #expect(process.terminationStatus == 1)
    #expect(text.contains("triage: \(path):\(lineNumber):"), "\(text)")
    #expect(text.contains("the session keeps the ones it had"))
    #expect(text.components(separatedBy: "short_pick  open").count - 1 == 2, "\(text)")
    #expect(text.hasSuffix("triage: error: 1 of 3 commands failed (line 2)\n"), "\(text)")
  }
}
