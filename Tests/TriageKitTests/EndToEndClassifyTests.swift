import Foundation
import Testing
import TriageKit

/// The built `triage` binary and the package it belongs to.
enum TriageBinary {
  /// The package root: $TRIAGE_ROOT (bin/test sets it), else found from this file.
  static let root: String = {
    if let r = ProcessInfo.processInfo.environment["TRIAGE_ROOT"], !r.isEmpty { return r }
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()

  static var lexicons: String { root + "/Lexicons" }

  /// $TRIAGE_BINARY (bin/test sets it), else the release build when there is one.
  static let path: String? = {
    if let p = ProcessInfo.processInfo.environment["TRIAGE_BINARY"], !p.isEmpty { return p }
    let fallback = root + "/.build/release/triage"
    return FileManager.default.isExecutableFile(atPath: fallback) ? fallback : nil
  }()

  /// Where the triage processes the tests start keep their compiled lexicons: in the build
  /// directory, never the user's ~/.cache (and the end-to-end tests run with the cache on).
  static var cacheDirectory: String { root + "/.build/test-cache" }

  /// The environment for a triage the tests start: this process's, with the lexicon cache in
  /// `cacheDirectory`.
  static var environment: [String: String] {
    var env = ProcessInfo.processInfo.environment
    env["TRIAGE_CACHE_DIR"] = cacheDirectory
    return env
  }

  static let skipReason: Comment =
    "no triage binary: set TRIAGE_BINARY, or run 'swift build -c release --product triage' (bin/test does both)"

  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// Runs triage with `arguments` (and `--lexicons` of the repository unless told otherwise).
  static func run(
    _ arguments: [String], stdin: String = "", lexicons: String? = TriageBinary.lexicons,
    environment: [String: String] = [:], stdoutPath: String? = nil, in dir: TempDirectory
  ) throws -> Result {
    let binary = try #require(path)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments + (lexicons.map { ["--lexicons", $0] } ?? [])
    process.currentDirectoryURL = URL(fileURLWithPath: dir.path)
    var env = TriageBinary.environment
    env["TRIAGE_LEXICONS"] = nil
    env["NO_COLOR"] = "1"
    env.merge(environment) { $1 }
    process.environment = env
    // Standard output goes to a file of the test's (read back), or where the test says.
    let outPath = stdoutPath ?? dir.path + "/.stdout"
    let errPath = dir.path + "/.stderr"
    let inPath = dir.path + "/.stdin"
    try Data(stdin.utf8).write(to: URL(fileURLWithPath: inPath))
    if stdoutPath == nil { _ = FileManager.default.createFile(atPath: outPath, contents: nil) }
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    let out = try #require(FileHandle(forWritingAtPath: outPath))
    let err = try #require(FileHandle(forWritingAtPath: errPath))
    let input = try #require(FileHandle(forReadingAtPath: inPath))
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    process.waitUntilExit()
    try out.close()
    try err.close()
    try input.close()
    func read(_ p: String) -> String {
      String(decoding: FileManager.default.contents(atPath: p) ?? Data(), as: UTF8.self)
    }
    return Result(
      status: process.terminationStatus, stdout: stdoutPath == nil ? read(outPath) : "", stderr: read(errPath))
  }
}

/// A directory for one test, removed when the value goes away.
final class TempDirectory {
  let path: String

  init() throws {
    path =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("triage-e2e-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  @discardableResult
  func write(_ name: String, _ text: String) throws -> String {
    let p = path + "/" + name
    try Data(text.utf8).write(to: URL(fileURLWithPath: p))
    return p
  }
}

@Suite(.enabled(if: TriageBinary.path != nil, TriageBinary.skipReason))
struct EndToEndClassifyTests {
  static let notesCSV = """
    note_id,created_at,source,text,order_id
    n-1,2026-11-23T10:00:00Z,wms,"Short pick at bin B-14-02, picked 2 of 6 for #10023",
    n-2,2026-11-23T10:05:00Z,order,Credit hold released by finance,SO-10023
    n-3,2026-11-23T10:07:00Z,support,"Thanks, all good!",
    n-4,2026-11-23T10:09:00Z,carrier,"Package damaged in transit, ""crushed"" box",

    """

  /// The note texts of `notesCSV`, to check spans against.
  static let texts = [
    "Short pick at bin B-14-02, picked 2 of 6 for #10023", "Credit hold released by finance",
    "Thanks, all good!", "Package damaged in transit, \"crushed\" box",
  ]

  /// The compiled-lexicon cache changes nothing but the time: the first run writes it, the
  /// next ones read it, and all print what a run without it prints.
  @Test func lexiconCacheGivesTheSameOutput() throws {
    let dir = try TempDirectory()
    let notes = TriageBinary.root + "/Corpus/demo/notes.csv"
    let cache = ["TRIAGE_CACHE_DIR": dir.path + "/cache"]
    for args in [["classify", notes, "--explain"], ["lexicon", "check"]] {
      let off = try TriageBinary.run(args, environment: ["TRIAGE_CACHE_DIR": "off"], in: dir)
      #expect(off.status == 0)
      #expect(off.stdout.count > 100)
      let cold = try TriageBinary.run(args, environment: cache, in: dir)
      let warm = try TriageBinary.run(args, environment: cache, in: dir)
      for r in [cold, warm] {
        #expect(r.status == off.status)
        #expect(r.stdout == off.stdout, "\(args)")
        #expect(r.stderr == off.stderr)
      }
    }
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/cache")
    #expect(files.count == 1 && files[0].hasPrefix("lexicon-"), "\(files)")
  }

  @Test func classifyCSVWritesJSONLines() throws {
    let dir = try TempDirectory()
    let csv = try dir.write("notes.csv", Self.notesCSV)
    let r = try TriageBinary.run(["classify", csv], in: dir)
    #expect(r.status == 0)
    #expect(r.stderr == "")
    #expect(r.stdout.hasSuffix("\n"))
    let records = try r.stdout.split(separator: "\n").map { try JSONValue(parsing: String($0)) }
    try #require(records.count == 4)
    #expect(records.map { $0["id"]?.stringValue } == ["n-1", "n-2", "n-3", "n-4"])
    #expect(records.map { $0["source"]?.stringValue } == ["wms", "order", "support", "carrier"])
    for (record, text) in zip(records, Self.texts) {
      let keys = record.objectValue?.keys ?? []
      for field in ["id", "source", "order_refs", "skus", "reasons"] {
        #expect(keys.contains(field), "DATA.md field '\(field)'")
      }
      let reasons = record["reasons"]?.arrayValue ?? []
      let scores = reasons.compactMap { $0["score"]?.doubleValue }
      #expect(scores == scores.sorted(by: >), "reasons sorted by score, highest first")
      for reason in reasons {
        #expect(["open", "resolved"].contains(reason["status"]?.stringValue))
        for e in reason["evidence"]?.arrayValue ?? [] {
          let span = e["span"]?.arrayValue?.compactMap { $0.numberValue?.int64 } ?? []
          try #require(span.count == 2)
          #expect(0 <= span[0] && span[0] < span[1] && span[1] <= Int64(text.utf8.count))
          #expect(e["term"]?.stringValue?.isEmpty == false)
        }
      }
    }
    let codes = records.map { r in
      (r["reasons"]?.arrayValue ?? []).compactMap { $0["code"]?.stringValue }
    }
    #expect(codes[0].contains("short_pick"))
    #expect(records[0]["order_refs"]?.arrayValue?.compactMap(\.stringValue) == ["SO-10023"])
    #expect(records[0]["locations"]?.arrayValue?.compactMap(\.stringValue) == ["B-14-02"])
    // DATA.md: the order_id column is the note's order; the text is searched only without one.
    #expect(records[1]["order_refs"]?.arrayValue?.compactMap(\.stringValue) == ["SO-10023"])
    let hold = records[1]["reasons"]?.arrayValue?.first {
      $0["code"]?.stringValue == "payment_hold"
    }
    #expect(hold?["status"]?.stringValue == "resolved", "TAXONOMY.md: credit hold released")
    #expect(codes[2] == [])
    #expect(codes[3].contains("damaged"))
  }

  @Test func classifyTSV() throws {
    let dir = try TempDirectory()
    let csv = try dir.write("notes.csv", Self.notesCSV)
    let r = try TriageBinary.run(["classify", "--format", "tsv", csv], in: dir)
    #expect(r.status == 0)
    #expect(r.stderr == "")
    let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    try #require(lines.count == 6)
    #expect(lines[0] == "id\tcodes\ttop_score")
    #expect(lines.dropFirst().dropLast().map { $0.split(separator: "\t").count } == [3, 3, 3, 3])
    #expect(
      lines.dropFirst().dropLast().map { $0.split(separator: "\t")[0] } == [
        "n-1", "n-2", "n-3", "n-4",
      ])
    #expect(lines[1].split(separator: "\t")[1].split(separator: ",").contains("short_pick"))
    #expect(
      lines[2].split(separator: "\t")[1].split(separator: ",").contains("payment_hold/resolved"))
    #expect(lines[3] == "n-3\tnone\t0.0")
    #expect(lines[5] == "")
  }

  @Test func classifyStandardInputAsLines() throws {
    let dir = try TempDirectory()
    let r = try TriageBinary.run(
      ["classify", "--input", "lines", "-"], stdin: "dmg box at bin B-14-02\nthanks\n", in: dir)
    #expect(r.status == 0)
    let records = try r.stdout.split(separator: "\n").map { try JSONValue(parsing: String($0)) }
    #expect(records.count == 2)
    #expect(records.first?["reasons"]?[0]?["code"]?.stringValue == "damaged")
    #expect(records.last?["reasons"]?.arrayValue?.isEmpty == true)
  }

  @Test func jobsDoNotChangeTheOutput() throws {
    // More notes than one batch (2048), so several batches run at once with --jobs 2.
    let dir = try TempDirectory()
    var csv = "note_id,created_at,source,text\n"
    let texts = [
      "short pick at bin B-14-02", "dmg box, #10023", "thanks!", "credit hold released",
      "carrier missed pickup", "picked 2 of 6 sku 88213",
    ]
    for i in 0..<5000 {
      csv += "n-\(i),2026-11-23T10:00:00Z,wms,\"\(texts[i % texts.count]) \(i)\"\n"
    }
    let path = try dir.write("many.csv", csv)
    let one = try TriageBinary.run(["classify", "--jobs", "1", path], in: dir)
    let two = try TriageBinary.run(["classify", "--jobs", "2", path], in: dir)
    #expect(one.status == 0 && two.status == 0)
    #expect(one.stdout.split(separator: "\n").count == 5000)
    #expect(one.stdout == two.stdout, "input order, whatever the number of threads")
  }

  // MARK: Errors: exit status and message

  /// A full disk is an error, not a success over a truncated output: the batch loop stops at the
  /// first write that fails, and the command says why.
  @Test(.enabled(if: FileManager.default.isWritableFile(atPath: "/dev/full"), "no /dev/full here"))
  func outputThatCannotBeWrittenFails() throws {
    let dir = try TempDirectory()
    var csv = "note_id,created_at,source,text\n"
    for i in 0..<5000 { csv += "n-\(i),2026-11-23T10:00:00Z,wms,short pick at bin B-14-02 \(i)\n" }
    let path = try dir.write("many.csv", csv)
    for jobs in ["1", "2"] {
      let r = try TriageBinary.run(["classify", "--jobs", jobs, path], stdoutPath: "/dev/full", in: dir)
      #expect(r.status == 1)
      #expect(r.stderr == "triage: error: cannot write the output: No space left on device\n")
    }
    let small = try TriageBinary.run(["classify", "short pick at bin B-14-02"], stdoutPath: "/dev/full", in: dir)
    #expect(small.status == 1)
    #expect(small.stderr == "triage: error: cannot write the output: No space left on device\n")
  }

  @Test func missingFile() throws {
    let dir = try TempDirectory()
    let path = dir.path + "/nope.csv"
    let r = try TriageBinary.run(["classify", path], in: dir)
    #expect(r.status == 66)
    #expect(r.stdout == "")
    #expect(r.stderr == "triage: error: cannot read '\(path)': no such file or directory\n")
  }

  @Test func badCSVNamesFileAndLine() throws {
    let dir = try TempDirectory()
    let path = try dir.write(
      "bad.csv",
      "note_id,created_at,source,text\nn-1,2026-11-23T10:00:00Z,wms,fine\nn-2,2026-11-23T10:00:00Z,wms\n"
    )
    let r = try TriageBinary.run(["classify", path], in: dir)
    #expect(r.status == 65)
    #expect(r.stderr == "triage: \(path):3: error: expected 4 fields as in the header, found 3\n")
  }

  @Test func unclosedQuoteNamesFileLineAndColumn() throws {
    let dir = try TempDirectory()
    let path = try dir.write(
      "bad.csv", "note_id,created_at,source,text\nn-1,2026-11-23T10:00:00Z,wms,\"unclosed\n")
    let r = try TriageBinary.run(["classify", path], in: dir)
    #expect(r.status == 65)
    #expect(r.stderr.hasPrefix("triage: \(path):2:30: error: unclosed quote"))
  }

  @Test func unknownOptionSuggests() throws {
    let dir = try TempDirectory()
    let r = try TriageBinary.run(["classify", "--formt", "tsv"], in: dir)
    #expect(r.status == 64)
    #expect(r.stdout == "")
    #expect(
      r.stderr.hasPrefix(
        "triage: error: unknown option '--formt'; did you mean '--format'?\nusage: triage classify "
      ))
    #expect(r.stderr.hasSuffix("\nsee 'triage help classify'\n"))
  }

  @Test func unknownCommandSuggests() throws {
    let dir = try TempDirectory()
    let r = try TriageBinary.run(["clasify", "notes.csv"], in: dir)
    #expect(r.status == 64)
    #expect(
      r.stderr
        == "triage: error: unknown command 'clasify'; did you mean 'classify'?\nsee 'triage help' for the commands\n"
    )
  }

  @Test func badChoice() throws {
    let dir = try TempDirectory()
    let r = try TriageBinary.run(["classify", "--format", "csv", "x.csv"], in: dir)
    #expect(r.status == 64)
    #expect(
      r.stderr
        == "triage: error: 'csv' is not a valid value for --format; expected jsonl, tsv, table, none; did you mean 'tsv'?\n"
    )
  }

  // MARK: eval

  static let gold = """
    id\tsource\ttext\tlabels
    g1\twms\tShort pick at bin B-14-02\tshort_pick
    g2\torder\tCredit hold released by finance\tpayment_hold/resolved
    g3\tsupport\tThanks, all good!\tnone

    """

  @Test func evalPrintsTheReport() throws {
    let dir = try TempDirectory()
    let path = try dir.write("gold.tsv", Self.gold)
    let r = try TriageBinary.run(["eval", path], in: dir)
    #expect(r.status == 0)
    #expect(r.stderr == "")
    #expect(
      r.stdout.hasPrefix("code                    prec   recall  f1     support  tp   fp   fn\n"))
    #expect(r.stdout.contains("\nmicro   precision "))
    #expect(r.stdout.contains("\nmacro   precision "))
    #expect(r.stdout.contains("\nnotes   3, all codes right: "))
  }

  @Test func evalJSON() throws {
    let dir = try TempDirectory()
    let path = try dir.write("gold.tsv", Self.gold)
    let r = try TriageBinary.run(["eval", "--json", path], in: dir)
    #expect(r.status == 0)
    let report = try JSONValue(parsing: r.stdout)
    #expect(report["notes"]?.numberValue?.int64 == 3)
    #expect(report["per_code"]?.objectValue?.count == 21)
    #expect(
      report["micro"]?.objectValue?.keys == [
        "precision", "recall", "f1", "support", "tp", "fp", "fn",
      ])
    #expect(report["macro"]?.objectValue?.keys == ["precision", "recall", "f1"])
    #expect(report["micro"]?["support"]?.numberValue?.int64 == 2)
  }

  @Test func evalBadGoldFile() throws {
    let dir = try TempDirectory()
    let path = try dir.write("gold.tsv", "id\tsource\ttext\tlabels\ng1\twms\tx\tshortpick\n")
    let r = try TriageBinary.run(["eval", path], in: dir)
    #expect(r.status == 65)
    #expect(
      r.stderr
        == "triage: \(path):2:10: error: unknown reason code 'shortpick'; did you mean 'short_pick'?\n"
    )
  }

  @Test func explainText() throws {
    let dir = try TempDirectory()
    let r = try TriageBinary.run(["explain", "dmg box"], in: dir)
    #expect(r.status == 0)
    #expect(
      r.stdout.hasPrefix("note     \"dmg box\" (7 bytes)\ntokens   dmg→damaged(shorthand) box\n"))
  }

  // MARK: lexicon check

  @Test func lexiconCheck() throws {
    let dir = try TempDirectory()
    let r = try TriageBinary.run(["lexicon", "check"], in: dir)
    #expect(r.status == 0)
    #expect(r.stderr == "", "no warnings")
    #expect(r.stdout.hasPrefix("ok: \(TriageBinary.lexicons)\n  21 reason codes; "))
  }

  /// A copy of the repository's lexicons with one reason file changed.
  private func brokenCopy(_ dir: TempDirectory, appending line: String) throws -> (String, Int) {
    let copy = dir.path + "/Lexicons"
    try FileManager.default.copyItem(atPath: TriageBinary.lexicons, toPath: copy)
    let file = copy + "/reasons/damaged.txt"
    var text = String(
      decoding: try #require(FileManager.default.contents(atPath: file)), as: UTF8.self)
    if !text.hasSuffix("\n") { text += "\n" }
    let lineNumber = text.split(separator: "\n", omittingEmptySubsequences: false).count
    try Data((text + line + "\n").utf8).write(to: URL(fileURLWithPath: file))
    return (copy, lineNumber)
  }

  @Test func lexiconCheckOnABrokenCopy() throws {
    let dir = try TempDirectory()
    let (copy, line) = try brokenCopy(dir, appending: "2.x   crumpled")
    let r = try TriageBinary.run(["lexicon", "check"], lexicons: copy, in: dir)
    #expect(r.status == 65)
    #expect(r.stdout == "")
    #expect(
      r.stderr
        == "triage: \(copy)/reasons/damaged.txt:\(line):1: error: expected a weight such as '2.5' (at most two decimals), found '2.x'\n"
    )
  }

  @Test func lexiconCheckWarnsAndStrictFails() throws {
    let dir = try TempDirectory()
    // A plain entry after the patterns and near entries: out of order.
    let (copy, line) = try brokenCopy(dir, appending: "2.0   aaa crumpled")
    let warn = try TriageBinary.run(["lexicon", "check"], lexicons: copy, in: dir)
    #expect(warn.status == 0)
    #expect(
      warn.stderr.hasPrefix(
        "triage: \(copy)/reasons/damaged.txt:\(line):7: warning: entries are not sorted: 'aaa crumpled' should come before "
      ))
    #expect(warn.stdout.contains("\n  1 warning(s)\n"))
    let strict = try TriageBinary.run(["lexicon", "check", "--strict"], lexicons: copy, in: dir)
    #expect(strict.status == 65)
    #expect(strict.stderr.hasSuffix("triage: error: 1 warning(s) with --strict\n"))
  }

  @Test func lexiconFmtSortsACopy() throws {
    let dir = try TempDirectory()
    let (copy, _) = try brokenCopy(dir, appending: "2.0   aaa crumpled")
    let file = copy + "/reasons/damaged.txt"
    let check = try TriageBinary.run(["lexicon", "fmt", "--check"], lexicons: copy, in: dir)
    #expect(check.status == 1)
    #expect(check.stdout == "not formatted: \(file)\n")
    #expect(check.stderr == "triage: error: 1 file(s) not formatted; run 'triage lexicon fmt'\n")
    let fmt = try TriageBinary.run(["lexicon", "fmt"], lexicons: copy, in: dir)
    #expect(fmt.status == 0)
    #expect(fmt.stdout == "formatted: \(file)\n")
    let after = try TriageBinary.run(["lexicon", "check"], lexicons: copy, in: dir)
    #expect(after.status == 0)
    #expect(after.stderr == "", "sorted now: no warning")
    let again = try TriageBinary.run(["lexicon", "fmt", "--check"], lexicons: copy, in: dir)
    #expect(again.status == 0)
    #expect(again.stdout == "")
  }
}
