import Foundation
import Testing
import TriageKit

/// The bad-input suite (issue 8): every kind of broken input, run through the built binary by
/// each command that reads it, with the exact message and exit status it must give. One case a
/// row; big inputs are generated when the test runs, never committed.
///
/// Placeholders in arguments and messages: `$D` is the test's directory, `$L` the lexicon
/// directory in use, `$N` the line a lexicon case appended.
@Suite(.enabled(if: TriageBinary.path != nil, TriageBinary.skipReason))
struct BadInputTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var id: String
    /// Files to write, by path relative to the test's directory.
    var files: @Sendable () -> [String: [UInt8]]
    var arguments: [String]
    var status: Int32
    /// The whole of stderr, one message a line (each printed after `triage: `).
    var stderr: [String]
    /// A line appended to a file of a copy of the lexicons, which the run then uses.
    var lexiconEdit: (file: String, line: String)?

    var testDescription: String { id }

    init(
      _ id: String, _ files: @escaping @Sendable () -> [String: [UInt8]], _ arguments: [String],
      status: Int32, _ stderr: [String], lexiconEdit: (String, String)? = nil
    ) {
      self.id = id
      self.files = files
      self.arguments = arguments
      self.status = status
      self.stderr = stderr
      self.lexiconEdit = lexiconEdit.map { (file: $0.0, line: $0.1) }
    }
  }

  static let header = "note_id,created_at,source,text"
  static let good = "n-1,2026-11-23T10:00:00Z,wms,short pick at B-14-02"

  /// A data folder holding notes.csv (header, one good row, then `rows`).
  static func notes(_ rows: String, header: String = header) -> @Sendable () -> [String: [UInt8]] {
    { ["data/notes.csv": Array("\(header)\n\(good)\n\(rows)".utf8)] }
  }

  static func bytes(_ files: [String: [UInt8]]) -> @Sendable () -> [String: [UInt8]] { { files } }

  static func json(_ lines: String) -> @Sendable () -> [String: [UInt8]] {
    { ["data/notes.jsonl": Array(lines.utf8)] }
  }

  static let ingest = ["ingest", "$D/data", "--db", "$D/store.db"]
  static let classify = ["classify", "$D/data/notes.csv"]
  static let data = ["blocked", "--data", "$D/data"]
  static let unclosedQuote =
    "unclosed quote: the quoted field that opens here never ends, so the rest of the file "
    + "cannot be read; add the missing closing '\"' (and double any '\"' inside the field)"

  static let cases: [Case] = [
    // CSV structure, through each command that reads notes.
    Case(
      "csv unclosed quote / classify", notes("n-2,2026-11-23T10:00:00Z,wms,\"never closed\nn-3,x,wms,y\n"),
      classify, status: 65, ["$D/data/notes.csv:3:30: error: " + unclosedQuote]),
    Case(
      "csv unclosed quote / ingest", notes("n-2,2026-11-23T10:00:00Z,wms,\"never closed\n"), ingest,
      status: 65, ["$D/data/notes.csv:3:30: error: " + unclosedQuote]),
    Case(
      "csv ragged row, too few / ingest", notes("n-2,2026-11-23T10:00:00Z,wms\n"), ingest, status: 65,
      ["$D/data/notes.csv:3: error: expected 4 fields as in the header, found 3"]),
    Case(
      "csv ragged row, too many / data folder", notes("n-2,2026-11-23T10:00:00Z,wms,a,b\n"), data,
      status: 65,
      [
        "$D/data/notes.csv:3:32: error: expected 4 fields as in the header, found 5; a field that "
          + "contains ',' must be in double quotes"
      ]),
    Case(
      "csv missing required column / ingest", notes("", header: "note_id,created_at,txt"), ingest,
      status: 65,
      [
        "$D/data/notes.csv:1: error: missing required columns 'source', 'text' (found columns: "
          + "note_id, created_at, txt); did you mean 'txt' for 'text'?"
      ]),
    Case(
      "csv missing required column / classify", notes("", header: "id,txt"), classify, status: 65,
      [
        "$D/data/notes.csv:1: error: missing required column 'text' (found columns: id, txt); "
          + "did you mean 'txt'?"
      ]),
    Case(
      "csv duplicate header / classify", notes("", header: header + ",Text"), classify, status: 65,
      [
        "$D/data/notes.csv:1:32: error: duplicate column 'Text': columns 4 and 5 have the same "
          + "name; rename one of them"
      ]),
    Case(
      "csv empty file / ingest", bytes(["data/notes.csv": []]), ingest, status: 65,
      [
        "$D/data/notes.csv: error: empty file: expected a header row with columns note_id, "
          + "created_at, source, text"
      ]),
    Case(
      "csv empty file / data folder", bytes(["data/notes.csv": []]), data, status: 65,
      [
        "$D/data/notes.csv: error: empty file: expected a header row with columns note_id, "
          + "created_at, source, text"
      ]),
    Case(
      "csv header only / ingest", bytes(["data/notes.csv": Array("\(header)\n".utf8)]), ingest,
      status: 0, ["$D/data/notes.csv: warning: no notes: the file has a header row but no records"]),
    Case(
      "csv header only / classify", bytes(["data/notes.csv": Array("\(header)\r\n".utf8)]), classify,
      status: 0, ["$D/data/notes.csv: warning: no notes: the file has a header row but no records"]),
    Case(
      "csv byte order mark / ingest", bytes(["data/notes.csv": [0xEF, 0xBB, 0xBF] + Array("\(header)\n\(good)\n".utf8)]),
      ingest, status: 0, []),
    Case(
      "csv CRLF and a CRLF inside a quoted field / ingest",
      bytes(["data/notes.csv": Array("\(header)\r\n\(good)\r\nn-2,2026-11-23T10:00:00Z,wms,\"two\r\nlines\"\r\n".utf8)]),
      ingest, status: 0, []),
    Case(
      "csv NUL byte / data folder", notes("n-2,2026-11-23T10:00:00Z,wms,bad\0byte\n"), data, status: 65,
      ["$D/data/notes.csv:3:33: error: NUL byte (0x00) in field 4; expected UTF-8 text (is the file UTF-16 or binary?)"]),
    Case(
      "csv invalid UTF-8 / classify",
      bytes(["data/notes.csv": Array("\(header)\n\(good)\nn-2,2026-11-23T10:00:00Z,wms,caf".utf8) + [0xE9, 0x0A]]),
      classify, status: 65,
      [
        "$D/data/notes.csv:3:33: error: invalid UTF-8 byte 0xE9 in field 4; expected UTF-8 text "
          + "(re-export the file as UTF-8, or convert it with iconv)"
      ]),
    Case(
      "csv invalid UTF-8 / ingest",
      bytes(["data/notes.csv": Array("\(header)\n\(good)\nn-2,2026-11-23T10:00:00Z,wms,caf".utf8) + [0xE9, 0x0A]]),
      ingest, status: 65,
      [
        "$D/data/notes.csv:3:33: error: invalid UTF-8 byte 0xE9 in field 4; expected UTF-8 text "
          + "(re-export the file as UTF-8, or convert it with iconv)"
      ]),
    Case(
      "csv a 10 MB note / classify",
      {
        let text = String(repeating: "short pick at bin B-14-02 ", count: 420_000)
        return ["data/notes.csv": Array("\(header)\nn-1,2026-11-23T10:00:00Z,wms,\"\(text)\"\n".utf8)]
      },
      classify, status: 0,
      [
        "$D/data/notes.csv: warning: 1 note(s) longer than 1048576 bytes were matched on their "
          + "first 1048576 bytes only (--max-note-bytes)"
      ]),
    Case(
      "csv a note over --max-note-bytes / classify", notes("n-2,2026-11-23T10:00:00Z,wms,\(String(repeating: "dmg box ", count: 20))\n"),
      classify + ["--max-note-bytes", "100"], status: 0,
      [
        "$D/data/notes.csv: warning: 1 note(s) longer than 100 bytes were matched on their first "
          + "100 bytes only (--max-note-bytes)"
      ]),
    Case(
      "csv a line of a million commas / classify",
      notes(String(repeating: ",", count: 1_000_000) + "\n"), classify, status: 65,
      [
        "$D/data/notes.csv:3:5: error: expected 4 fields as in the header, found 1000001; a field "
          + "that contains ',' must be in double quotes"
      ]),

    // JSON Lines.
    Case(
      "jsonl broken object / ingest",
      json("{\"note_id\":\"n-1\",\"created_at\":\"2026-11-23T10:00:00Z\",\"source\":\"wms\",\"text\":\"ok\"}\n{\"note_id\":\"n-2\",\"text\":\"x\"\n"),
      ["ingest", "$D/data", "--db", "$D/store.db"], status: 65,
      [
        "$D/data/notes.jsonl:2:28: error: unexpected end of input; expected ',' or '}' after "
          + "object member (each line must hold one complete JSON value)"
      ]),
    Case(
      "jsonl wrong type / classify",
      json("{\"note_id\":\"n-1\",\"created_at\":\"2026-11-23T10:00:00Z\",\"source\":\"wms\",\"text\":42}\n"),
      ["classify", "$D/data/notes.jsonl"], status: 65,
      ["$D/data/notes.jsonl:1:76: error: field 'text' must be a string, found number"]),
    Case(
      "jsonl missing field / data folder",
      json("{\"note_id\":\"n-1\",\"created_at\":\"2026-11-23T10:00:00Z\",\"source\":\"wms\",\"txt\":\"x\"}\n"),
      data, status: 65, ["$D/data/notes.jsonl:1: error: missing field 'text'; did you mean 'txt'?"]),
    Case(
      "jsonl not an object / ingest", json("[1, 2]\n"), ["ingest", "$D/data", "--db", "$D/store.db"],
      status: 65, ["$D/data/notes.jsonl:1:1: error: expected a JSON object on each line, found array"]),

    // Times.
    Case(
      "csv created_at in the wrong format / ingest", notes("n-2,23/11/2026 10:00,wms,x\n"), ingest,
      status: 65,
      [
        "$D/data/notes.csv:3:5: error: invalid created_at '23/11/2026 10:00': expected a "
          + "timestamp like 2026-11-23T14:30:00Z, found '23/11/2026 10:00'"
      ]),
    Case(
      "jsonl created_at in the wrong format / ingest",
      json("{\"note_id\":\"n-1\",\"created_at\":\"Nov 23\",\"source\":\"wms\",\"text\":\"x\"}\n"),
      ["ingest", "$D/data", "--db", "$D/store.db"], status: 65,
      [
        "$D/data/notes.jsonl:1:31: error: invalid created_at 'Nov 23': expected a timestamp like "
          + "2026-11-23T14:30:00Z, found 'Nov 23'"
      ]),
    Case(
      "orders placed_at in the wrong format / data folder",
      {
        [
          "data/notes.csv": Array("\(header)\n\(good)\n".utf8),
          "data/orders.csv": Array("order_id,placed_at\nSO-1,yesterday\n".utf8),
        ]
      },
      data, status: 65,
      [
        "$D/data/orders.csv:2:6: error: invalid placed_at 'yesterday': expected a timestamp like "
          + "2026-11-23T14:30:00Z, found 'yesterday'"
      ]),

    // Quantities.
    Case(
      "lines negative quantity / ingest",
      {
        [
          "data/notes.csv": Array("\(header)\n\(good)\n".utf8),
          "data/lines.csv": Array("order_id,line_no,sku,qty_ordered\nSO-1,1,88213,-3\n".utf8),
        ]
      },
      ingest, status: 65,
      ["$D/data/lines.csv:2:14: error: invalid qty_ordered '-3': a quantity cannot be negative"]),
    Case(
      "lines non-numeric quantity / data folder",
      {
        [
          "data/notes.csv": Array("\(header)\n\(good)\n".utf8),
          "data/lines.csv": Array("order_id,line_no,sku,qty_picked\nSO-1,1,88213,three\n".utf8),
        ]
      },
      data, status: 65,
      ["$D/data/lines.csv:2:14: error: invalid qty_picked 'three': expected a whole number"]),
    Case(
      "events non-numeric quantity / ingest",
      {
        [
          "data/notes.csv": Array("\(header)\n\(good)\n".utf8),
          "data/events.csv": Array("event_id,at,type,status,qty\nev-1,2026-11-23T10:00:00Z,receipt,ok,1.5\n".utf8),
        ]
      },
      ingest, status: 65,
      ["$D/data/events.csv:2:38: error: invalid qty '1.5': expected a whole number"]),

    // Ids.
    Case(
      "duplicate note id with different text / ingest", notes("n-1,2026-11-23T11:00:00Z,wms,other text\n"),
      ingest, status: 65,
      [
        "$D/data/notes.csv:3:1: error: duplicate note id 'n-1' with different text: an earlier row "
          + "of this file has the same id; note ids must be unique"
      ]),
    Case(
      "duplicate note id with different text / data folder",
      notes("n-1,2026-11-23T11:00:00Z,wms,other text\n"), data, status: 65,
      [
        "$D/data/notes.csv:3:1: error: duplicate note id 'n-1' with different text: an earlier row "
          + "of this file has the same id; note ids must be unique"
      ]),

    // Lexicons: the same message from `lexicon check` and from any command that loads them.
    Case(
      "lexicon bad weight / lexicon check", bytes([:]), ["lexicon", "check"], status: 65,
      ["$L/reasons/damaged.txt:$N:1: error: expected a weight such as '2.5' (at most two decimals), found '2.x'"],
      lexiconEdit: ("reasons/damaged.txt", "2.x crumpled")),
    Case(
      "lexicon weight out of range / classify", notes(""), classify, status: 65,
      ["$L/reasons/damaged.txt:$N:1: error: weight '99' is out of range (-10 to 10)"],
      lexiconEdit: ("reasons/damaged.txt", "99 crumpled")),
    Case(
      "lexicon unknown code in a cue / ingest", notes(""), ingest, status: 65,
      ["$L/cues.txt:$N:20: error: unknown reason code 'damagedd'; did you mean 'damaged'?"],
      lexiconEdit: ("cues.txt", "negate before 3 no codes=damagedd")),
    Case(
      "lexicon reason file of an unknown code / lexicon check", bytes([:]), ["lexicon", "check"],
      status: 65, ["$L/reasons/bogus.txt:$N:6: error: unknown reason code 'bogus'"],
      lexiconEdit: ("reasons/bogus.txt", "code bogus")),
    Case(
      "lexicon unclosed pattern capture / lexicon check", bytes([:]), ["lexicon", "check"], status: 65,
      ["$L/reasons/damaged.txt:$N:20: error: unclosed pattern capture in '{n': expected '}'"],
      lexiconEdit: ("reasons/damaged.txt", "pattern 3.0 picked {n of {m} where n < m")),
    Case(
      "lexicon unclosed group / eval", bytes(["gold.tsv": Array("id\tsource\ttext\tlabels\ng1\twms\tx\tnone\n".utf8)]),
      ["eval", "$D/gold.tsv"], status: 65, ["$L/reasons/damaged.txt:$N:5: error: unclosed '(': expected ')'"],
      lexiconEdit: ("reasons/damaged.txt", "3.0 (crumpled|bent")),
    Case(
      "lexicon unclosed quote / lexicon check", bytes([:]), ["lexicon", "check"], status: 65,
      ["$L/reasons/damaged.txt:$N:5: error: unclosed quote: expected '\"' before the end of the line"],
      lexiconEdit: ("reasons/damaged.txt", "3.0 \"crumpled box")),
    Case(
      "lexicon shorthand cycle / data folder", notes(""), data, status: 65,
      ["$L/shorthand.txt:$N:1: error: shorthand cycle: 'zzqa' → 'zzqb' → 'zzqa'"],
      lexiconEdit: ("shorthand.txt", "zzqa zzqb\nzzqb zzqa")),
    Case(
      "lexicon empty entry / lexicon check", bytes([:]), ["lexicon", "check"], status: 65,
      ["$L/reasons/damaged.txt:$N:4: error: empty entry: expected the entry's words"],
      lexiconEdit: ("reasons/damaged.txt", "3.0")),
    Case(
      "lexicon empty group / lexicon check", bytes([:]), ["lexicon", "check"], status: 65,
      ["$L/reasons/damaged.txt:$N:5: error: empty group '()'"],
      lexiconEdit: ("reasons/damaged.txt", "3.0 ()")),
    Case(
      "lexicon shorthand without expansion / lexicon check", bytes([:]), ["lexicon", "check"], status: 65,
      ["$L/shorthand.txt:$N:5: error: expected the expansion after shorthand 'zzqa'"],
      lexiconEdit: ("shorthand.txt", "zzqa")),

    // Gold files.
    Case(
      "gold ragged row / eval", bytes(["gold.tsv": Array("id\tsource\ttext\tlabels\ng1\twms\tx\tnone\ng2\twms\ty\n".utf8)]),
      ["eval", "$D/gold.tsv"], status: 65,
      ["$D/gold.tsv:3:1: error: expected 4 tab-separated fields as in the header, found 3"]),
    Case(
      "gold missing column / eval", bytes(["gold.tsv": Array("id\tsource\ttext\tlabel\n".utf8)]),
      ["eval", "$D/gold.tsv"], status: 65,
      [
        "$D/gold.tsv:1:1: error: missing column 'labels' in the header; found 'id', 'source', "
          + "'text', 'label'; did you mean 'label'?"
      ]),
    Case(
      "gold empty file / eval", bytes(["gold.tsv": []]), ["eval", "$D/gold.tsv"], status: 65,
      ["$D/gold.tsv:1: error: empty gold file: expected a header 'id<TAB>source<TAB>text<TAB>labels'"]),
    Case(
      "gold header only / eval", bytes(["gold.tsv": Array("id\tsource\ttext\tlabels\n".utf8)]),
      ["eval", "$D/gold.tsv"], status: 65,
      ["$D/gold.tsv: error: no labelled notes: the file has a header row but no notes"]),
    Case(
      "gold invalid UTF-8 / eval",
      bytes(["gold.tsv": Array("id\tsource\ttext\tlabels\ng1\twms\tcaf".utf8) + [0xE9] + Array("\tnone\n".utf8)]),
      ["eval", "$D/gold.tsv"], status: 65,
      ["$D/gold.tsv:2:11: error: invalid UTF-8 byte 0xE9; gold files must be UTF-8"]),

    // Bad usage (64) and missing inputs (66).
    Case(
      "usage: ingest without a folder", bytes([:]), ["ingest"], status: 64,
      [
        "error: missing argument <dir>: A data folder of exports (DATA.md).\n"
          + "usage: triage ingest [--skip-bad] [--force] [--json] <dir>\nsee 'triage help ingest'"
      ]),
    Case(
      "usage: --max-note-bytes too small", notes(""), classify + ["--max-note-bytes", "10"], status: 64,
      ["error: --max-note-bytes expects a number of bytes (at least 64), found '10'"]),
    Case(
      "usage: --now not a time", notes(""), data + ["--now", "yesterday"], status: 64,
      [
        "error: --now expects a time like 2026-11-23T14:30:00Z: expected a timestamp like "
          + "2026-11-23T14:30:00Z, found 'yesterday'"
      ]),
    Case(
      "missing: ingest given a file, not a folder", notes(""),
      ["ingest", "$D/data/notes.csv", "--db", "$D/store.db"], status: 66,
      ["error: '$D/data/notes.csv' is a file, not a data folder: give the folder that holds notes.csv"]),
    Case(
      "missing: classify a file that is not there", bytes([:]), ["classify", "$D/nope.csv"], status: 66,
      ["error: cannot read '$D/nope.csv': no such file or directory"]),
    Case(
      "missing: a data folder without notes", bytes(["data/orders.csv": Array("order_id\nSO-1\n".utf8)]),
      ingest, status: 66,
      ["error: data folder '$D/data' has no notes.csv (or notes.jsonl); it is the one file a data folder needs"]),
  ]

  @Test(arguments: cases)
  func answersWithTheExactErrorAndStatus(_ c: Case) throws {
    let dir = try TempDirectory()
    for (name, bytes) in c.files() {
      let path = dir.path + "/" + name
      try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
    }
    var lexicons = TriageBinary.lexicons
    var appendedLine = 0
    if let edit = c.lexiconEdit {
      (lexicons, appendedLine) = try Self.lexiconCopy(in: dir, appending: edit.line, to: edit.file)
    }
    func fill(_ s: String) -> String {
      s.replacingOccurrences(of: "$D", with: dir.path).replacingOccurrences(of: "$L", with: lexicons)
        .replacingOccurrences(of: "$N", with: String(appendedLine))
    }
    let r = try TriageBinary.run(c.arguments.map(fill), lexicons: lexicons, in: dir)
    #expect(r.status == c.status)
    let expected = c.stderr.map { "triage: " + fill($0) + "\n" }.joined()
    #expect(r.stderr == expected)
    if c.status != 0 { #expect(r.stdout == "", "nothing on stdout after an error") }
  }

  // MARK: --skip-bad: every bad row reported, counted and written; every good row processed

  @Test func classifySkipBadReportsCountsAndKeepsEveryBadRow() throws {
    let dir = try TempDirectory()
    let rows: [[UInt8]] = [
      Array("n-2,2026-11-23T10:00:00Z,wms".utf8),
      Array("n-3,2026-11-23T10:00:00Z,wms,nul\0here".utf8),
      Array("n-4,2026-11-23T10:00:00Z,wms,caf".utf8) + [0xE9],
      Array("n-5,2026-11-23T10:00:00Z,wms,dmg box".utf8),
      Array("n-6,2026-11-23T10:00:00Z,wms,a,b".utf8),
      Array("n-7,2026-11-23T10:00:00Z,wms,\"quoted\"after".utf8),
      Array("n-8,2026-11-23T10:00:00Z,wms,\"two\nlines\"".utf8),
    ]
    var csv = Array("\(Self.header)\n\(Self.good)\n".utf8)
    for r in rows { csv += r + [0x0A] }
    let path = dir.path + "/notes.csv"
    #expect(FileManager.default.createFile(atPath: path, contents: Data(csv)))
    let r = try TriageBinary.run(["classify", path, "--skip-bad", "--format", "tsv"], in: dir)
    #expect(r.status == 0)
    #expect(r.stdout.split(separator: "\n").map { $0.split(separator: "\t")[0] } == ["id", "n-1", "n-5", "n-8"])
    let problems = [
      "\(path):3: error: expected 4 fields as in the header, found 3",
      "\(path):4:33: error: NUL byte (0x00) in field 4; expected UTF-8 text (is the file UTF-16 or binary?)",
      "\(path):5:33: error: invalid UTF-8 byte 0xE9 in field 4; expected UTF-8 text (re-export the file as UTF-8, or convert it with iconv)",
      "\(path):7:32: error: expected 4 fields as in the header, found 5; a field that contains ',' must be in double quotes",
      "\(path):8:38: error: unexpected 'a' after the closing quote of a quoted field; expected ',' or a line end (double a '\"' inside a quoted field)",
    ]
    let warnings = problems.map { "triage: " + $0.replacingOccurrences(of: ": error: ", with: ": warning: skipped: ") + "\n" }
    #expect(r.stderr == warnings.joined() + "triage: 3 note(s) read, 5 rejected (written to \(path).rejects)\n")
    // The rejects file: each bad row as it was, after a comment saying what was wrong with it.
    var expected: [UInt8] = []
    for (problem, row) in zip(problems, [rows[0], rows[1], rows[2], rows[4], rows[5]]) {
      expected += Array("# \(problem)\n".utf8) + row + [0x0A]
    }
    #expect(FileManager.default.contents(atPath: path + ".rejects") == Data(expected))
    // Never replaced without --force, before any work is done.
    let again = try TriageBinary.run(["classify", path, "--skip-bad"], in: dir)
    #expect(again.status == 73)
    #expect(again.stdout == "")
    #expect(again.stderr == "triage: error: '\(path).rejects' already exists; pass --force to replace it\n")
    let forced = try TriageBinary.run(["classify", path, "--skip-bad", "--force"], in: dir)
    #expect(forced.status == 0)
    #expect(FileManager.default.contents(atPath: path + ".rejects") == Data(expected))
  }

  @Test func classifySkipBadStillStopsWhereTheRestCannotBeRead() throws {
    let dir = try TempDirectory()
    let path = try dir.write("notes.csv", "\(Self.header)\n\(Self.good)\nn-2,x,wms,\"never closed\nn-3,x,wms,y\n")
    let r = try TriageBinary.run(["classify", path, "--skip-bad"], in: dir)
    #expect(r.status == 65)
    #expect(r.stderr == "triage: \(path):3:11: error: \(Self.unclosedQuote)\n")
  }

  @Test func ingestSkipBadCountsEveryRejectedRowOnce() throws {
    let dir = try TempDirectory()
    let data = dir.path + "/data"
    try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
    let notes = """
      \(Self.header)
      \(Self.good)
      n-2,not a time,wms,x
      n-3,2026-11-23T10:00:00Z,wms
      n-1,2026-11-23T10:00:00Z,wms,the same id with other text
      n-4,2026-11-23T10:00:00Z,carrier,"parcel delayed, weather"

      """
    let events = """
      event_id,at,type,status,ref,qty
      ev-1,2026-11-23T09:00:00Z,receipt,ok,88213,4
      ev-2,2026-11-23T09:05:00Z,reciept,ok,88213,4
      ev-3,2026-11-23T09:06:00Z,receipt,okay,88213,4

      """
    let lines = "order_id,line_no,sku,qty_ordered\nSO-1,1,88213,-3\nSO-1,2,88214,2\n"
    for (name, text) in [("notes.csv", notes), ("events.csv", events), ("lines.csv", lines)] {
      try Data(text.utf8).write(to: URL(fileURLWithPath: data + "/" + name))
    }
    let db = dir.path + "/store.db"
    let r = try TriageBinary.run(["ingest", data, "--db", db, "--skip-bad", "--json"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    let counts = try JSONValue(parsing: r.stdout)
    func count(_ file: String, _ key: String) -> Int64? { counts[file]?[key]?.numberValue?.int64 }
    #expect(count("notes", "new") == 2)
    #expect(count("notes", "rejected") == 3, "a bad time, a ragged row and a reused id")
    #expect(count("events", "new") == 1)
    // Regression: rejected events were subtracted from the notes' count, reused ids counted twice.
    #expect(count("events", "rejected") == 2)
    #expect(count("lines", "new") == 1)
    #expect(count("lines", "rejected") == 1)
    let rejects = String(decoding: FileManager.default.contents(atPath: data + "/ingest.rejects") ?? Data(), as: UTF8.self)
    #expect(rejects.split(separator: "\n").filter { $0.hasPrefix("# ") }.count == 6, "\(rejects)")
    #expect(r.stderr.hasSuffix("triage: warning: 6 row(s) rejected, written to \(data)/ingest.rejects\n"))
    #expect(r.stderr.contains("triage: \(data)/events.csv:3:27: warning: skipped: invalid type 'reciept'"))
    #expect(r.stderr.contains("triage: \(data)/notes.csv:5:1: warning: skipped: duplicate note id 'n-1' with different text"))
    // A second run refuses to replace the rejects file, and touches nothing.
    let again = try TriageBinary.run(["ingest", data, "--db", db, "--skip-bad", "--json"], in: dir)
    #expect(again.status == 73)
    #expect(again.stderr == "triage: error: '\(data)/ingest.rejects' already exists; pass --force to replace it\n")
    let forced = try TriageBinary.run(["ingest", data, "--db", db, "--skip-bad", "--json", "--force"], in: dir)
    #expect(forced.status == 0)
    let rerun = try JSONValue(parsing: forced.stdout)
    #expect(rerun["notes"]?["unchanged"]?.numberValue?.int64 == 2)
    #expect(rerun["notes"]?["rejected"]?.numberValue?.int64 == 3)
  }

  // MARK: Untrusted text

  @Test func tsvIdsCannotSplitRowsRunFormulasOrReachTheTerminal() throws {
    let dir = try TempDirectory()
    let path = try dir.write(
      "notes.csv", "id,text\n\"=HYPERLINK(\"\"x\"\")\",dmg box\n\"a\tb\nc\",thanks\n\"\u{1B}[2Jx\",ok\n")
    let r = try TriageBinary.run(["classify", path, "--format", "tsv"], in: dir)
    #expect(r.status == 0)
    #expect(
      r.stdout
        == "id\tcodes\ttop_score\n'=HYPERLINK(\"x\")\tdamaged\t3.0\na\\tb\\nc\tnone\t0.0\n\\e[2Jx\tnone\t0.0\n")
  }

  /// A copy of the repository's lexicons with `line` appended to `file` (created when missing,
  /// with its version line); returns the copy and the number of the first appended line.
  static func lexiconCopy(in dir: TempDirectory, appending line: String, to file: String) throws
    -> (String, Int)
  {
    let copy = dir.path + "/Lexicons"
    try FileManager.default.copyItem(atPath: TriageBinary.lexicons, toPath: copy)
    let path = copy + "/" + file
    var text = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
      ?? "version 1\n"
    if !text.hasSuffix("\n") { text += "\n" }
    let number = text.split(separator: "\n", omittingEmptySubsequences: false).count
    try Data((text + line + "\n").utf8).write(to: URL(fileURLWithPath: path))
    return (copy, number)
  }
}
