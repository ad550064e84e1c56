import Foundation
import Testing
import TriageKit

/// A session script run by the built binary over the demo, as `triage --echo < script`.
struct REPLScript: CustomTestStringConvertible, Sendable {
  var id: String
  var lines: [String]
  /// 0 for a clean script; 1 when a command in it fails.
  var status: Int32

  var testDescription: String { id }
}

/// Scripted sessions over the demo, compared with `Goldens/repl/<id>.txt`: the commands (echoed
/// after `triage> `) with their stdout and stderr in the order they were written, paths under
/// the repository shown relative to it.
///
/// The transcripts carry classifier output (reasons, scores, evidence, themes), which changes
/// whenever the lexicons do. After such a change re-record them with
/// `TRIAGE_RECORD=1 bin/test --filter REPLTranscript`, then read the diff as a support agent
/// would: a changed answer should be an intended one.
@Suite(.enabled(if: TriageBinary.path != nil, TriageBinary.skipReason))
struct REPLTranscriptTests {
  static let scripts: [REPLScript] = [
    REPLScript(
      id: "demo-tour",
      lines: [
        "help",
        "help why",
        "# held: the card was declined",
        "why SO-10313",
        "# short, with the cutoff less than 2h away",
        "why SO-10315",
        "# shipped, then delayed by the carrier",
        "why SO-10233",
        "# substituted",
        "why SO-10296",
        "blocked",
        "blocked --owner packing",
        "risk",
        "drift",
        "classify \"dmg box, short 2 at B-14-02\"",
        "explain wms-41371",
        "themes",
        "draft SO-10313 --for support",
        "# three hours earlier, the short order is not yet urgent",
        "set now 2026-11-23T12:00:00Z",
        "why SO-10315",
        "set owner transportation",
        "blocked",
        "show",
        "# a command pasted from the README",
        "bin/triage drift 47305",
        "reload",
        "quit",
        "why SO-10313",
      ],
      status: 0),
    REPLScript(
      id: "mistakes",
      lines: [
        "whyy SO-10313",
        "why SO-1O313",
        "blocked --reason short_pik",
        "blocked --owner pakcing",
        "blocked --ownr packing",
        "set owner pakcing",
        "set tz UTC",
        "help blokced",
        "# the session goes on after a mistake",
        "why 10313",
      ],
      status: 1),
  ]

  @Test(arguments: scripts)
  func transcript(_ script: REPLScript) throws {
    let run = try REPLBinary.run(
      ["--data", "Corpus/demo", "--no-history", "--echo"], script: script.lines)
    #expect(run.status == script.status, "exit status \(run.status)\n\(run.output)")
    // Scripted: no prompt drawing, no colour, even with a colour-capable TERM.
    #expect(!run.output.contains("\u{1B}"), "an escape code in the scripted output")
    try GoldenFile.check(run.output, "repl/\(script.id).txt")
  }

  @Test func failedScriptNamesTheFailedLines() throws {
    let run = try REPLBinary.run(
      ["--data", "Corpus/demo", "--no-history"],
      script: ["why SO-10313", "wyh SO-10313", "", "# fine", "risk --status nope", "drift"])
    #expect(run.status == 1)
    #expect(
      run.output.hasSuffix("triage: error: 2 of 4 commands failed (lines 2, 5)\n"), "\(run.output)")
    // Without --echo, nothing but the answers.
    #expect(!run.output.contains("triage> "))
  }
}

/// Golden files under `Tests/TriageKitTests/Goldens/`, recorded with `TRIAGE_RECORD=1`
/// (`DraftPaths.recording`).
enum GoldenFile {
  static var directory: String { DraftPaths.root + "/Tests/TriageKitTests/Goldens" }

  static func check(_ actual: String, _ name: String) throws {
    let path = directory + "/" + name
    if DraftPaths.recording {
      try DraftPaths.write(actual, to: path)
      return
    }
    guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
      Issue.record("missing golden \(path); record it with TRIAGE_RECORD=1")
      return
    }
    #expect(
      actual == expected, "\(path) differs; re-record with TRIAGE_RECORD=1 and read the diff")
  }
}

/// Runs the built binary as a scripted session: the script on stdin, stdout and stderr into one
/// file so the transcript keeps their order, as a terminal would show them.
enum REPLBinary {
  struct Result {
    var status: Int32
    var output: String
  }

  static func run(
    _ arguments: [String], script: [String], environment extra: [String: String] = [:]
  ) throws -> Result {
    let binary = try #require(TriageBinary.path)
    let dir = try TempDirectory()
    let root = TriageBinary.root
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: root)
    var env = TriageBinary.environment
    for key in ["TRIAGE_DATA", "TRIAGE_DEMO", "NO_COLOR", "PAGER"] { env[key] = nil }
    env["TRIAGE_LEXICONS"] = root + "/Lexicons"
    env["TERM"] = "xterm-256color"
    env.merge(extra) { $1 }
    process.environment = env
    let inPath = dir.path + "/script.txt"
    let outPath = dir.path + "/transcript.txt"
    try DraftPaths.write(script.map { $0 + "\n" }.joined(), to: inPath)
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    let input = try #require(FileHandle(forReadingAtPath: inPath))
    let output = try #require(FileHandle(forWritingAtPath: outPath))
    process.standardInput = input
    process.standardOutput = output
    process.standardError = output
    try process.run()
    process.waitUntilExit()
    try input.close()
    try output.close()
    let text = String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self)
    return Result(
      status: process.terminationStatus,
      output: text.replacingOccurrences(of: root + "/", with: ""))
  }
}
