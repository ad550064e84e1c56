import Testing
import TriageKit

@Suite struct ArgumentParserTests {
  static let spec = CommandSpec(
    "classify", abstract: "Classify notes.",
    arguments: [ArgumentSpec("FILE", help: "Notes to classify.", optional: true)],
    options: [
      OptionSpec(
        "--format", value: "FORMAT", help: "Output format.", choices: ["jsonl", "tsv", "table"]),
      .flag("--explain", "Show every entry."),
      OptionSpec("--jobs", short: "j", value: "N", help: "Worker threads."),
      OptionSpec("--tag", value: "TAG", help: "A tag.", repeats: true),
    ])

  static let usageHint =
    "\nusage: triage classify [--format <format>] [--explain] [--jobs <n>] [--tag <tag>] [<file>]\nsee 'triage help classify'"

  /// Parsed arguments as the tables write them: flags, then `--name=value` pairs, then the
  /// positionals, all sorted where order does not matter.
  private static func describe(_ p: ParsedArguments) -> String {
    var parts = p.flags.sorted()
    for (name, values) in p.values.sorted(by: { $0.key < $1.key }) {
      parts += values.map { "\(name)=\($0)" }
    }
    parts += p.positionals.map { "<\($0)>" }
    return parts.joined(separator: " ")
  }

  struct Case: CustomTestStringConvertible, Sendable {
    var id: String
    var args: [String]
    /// `describe` of the result, or the error's text.
    var expected: String
    var testDescription: String { id }

    init(_ id: String, _ args: [String], _ expected: String) {
      self.id = id
      self.args = args
      self.expected = expected
    }
  }

  static let cases: [Case] = [
    Case("nothing", [], ""),
    Case("flag", ["--explain"], "--explain"),
    Case("value", ["--format", "tsv"], "--format=tsv"),
    Case("value after =", ["--format=tsv"], "--format=tsv"),
    Case("value with = inside", ["--tag=a=b"], "--tag=a=b"),
    Case("short option", ["-j", "4"], "--jobs=4"),
    Case("positional", ["notes.csv"], "<notes.csv>"),
    Case(
      "options around a positional", ["--explain", "notes.csv", "-j", "2"],
      "--explain --jobs=2 <notes.csv>"),
    Case("dash is standard input", ["-"], "<->"),
    Case("double dash ends the options", ["--", "--explain"], "<--explain>"),
    Case("negative number is a positional", ["-5"], "<-5>"),
    Case("repeatable option", ["--tag", "a", "--tag", "b"], "--tag=a --tag=b"),
    Case("global option", ["--lexicons", "dir", "--strict"], "--strict --lexicons=dir"),
    Case(
      "global option given twice", ["--lexicons", "a", "--lexicons=b"], "--lexicons=a --lexicons=b"),
    Case("help skips the checks", ["--help", "a", "b"], "--help <a> <b>"),
    // Errors.
    Case(
      "unknown option with did-you-mean", ["--explian"],
      "error: unknown option '--explian'; did you mean '--explain'?" + usageHint),
    Case("unknown short option", ["-x"], "error: unknown option '-x'" + usageHint),
    Case("bundled short options", ["-jx"], "error: unknown option '-jx'" + usageHint),
    Case(
      "missing value", ["--format"],
      "error: option '--format' needs a value (FORMAT)" + usageHint),
    Case(
      "value not among the choices", ["--format", "csv"],
      "error: 'csv' is not a valid value for --format; expected jsonl, tsv, table; did you mean 'tsv'?"
    ),
    Case(
      "empty value not among the choices", ["--format="],
      "error: '' is not a valid value for --format; expected jsonl, tsv, table"),
    Case("value for a flag", ["--explain=yes"], "error: option '--explain' takes no value"),
    Case(
      "option given twice", ["--format", "tsv", "--format", "jsonl"],
      "error: option '--format' given twice"),
    Case(
      "too many positionals", ["a.csv", "b.csv"],
      "error: unexpected argument 'b.csv'" + usageHint),
  ]

  @Test(arguments: cases)
  func parses(_ c: Case) {
    do {
      let parsed = try ArgumentParser.parse(c.args, Self.spec)
      #expect(Self.describe(parsed) == c.expected)
    } catch {
      #expect(error.description == c.expected)
      #expect(error.status == .usage)
    }
  }

  @Test func missingRequiredArgument() {
    let spec = CommandSpec(
      "eval", abstract: "Score.", arguments: [ArgumentSpec("GOLD", help: "A gold TSV file.")])
    let error = #expect(throws: TriageError.self) { try ArgumentParser.parse([], spec) }
    #expect(
      error?.description
        == "error: missing argument <gold>: A gold TSV file.\nusage: triage eval <gold>\nsee 'triage help eval'"
    )
    #expect(error?.status == .usage)
  }

  @Test func variadicArguments() throws {
    let spec = CommandSpec(
      "explain", abstract: "Explain.",
      arguments: [ArgumentSpec("NOTE", help: "Text.", variadic: true)])
    let p = try ArgumentParser.parse(["short", "pick", "-5"], spec)
    #expect(p.positionals == ["short", "pick", "-5"])
  }

  @Test func values() throws {
    let p = try ArgumentParser.parse(
      ["--jobs", "8", "--lexicons", "a", "--lexicons", "b"], Self.spec)
    #expect(p.value("--lexicons") == "b")
    #expect(p.all("--lexicons") == ["a", "b"])
    #expect(p.has("--jobs") && !p.has("--explain"))
    #expect(try p.int("--jobs", default: 1, range: 1...256) == 8)
    #expect(try p.int("--tag", default: 3, range: 1...256) == 3)
    let bad = try ArgumentParser.parse(["--jobs", "many"], Self.spec)
    let error = #expect(throws: TriageError.self) {
      try bad.int("--jobs", default: 1, range: 1...256)
    }
    #expect(
      error?.description == "error: --jobs expects a whole number from 1 to 256, found 'many'")
  }

  // MARK: REPL lines

  struct SplitCase: CustomTestStringConvertible, Sendable {
    var id: String
    var line: String
    var args: [String]
    var testDescription: String { id }
  }

  static let splits: [SplitCase] = [
    SplitCase(id: "words", line: "classify --format tsv", args: ["classify", "--format", "tsv"]),
    SplitCase(id: "runs of spaces and tabs", line: "  a \t b  ", args: ["a", "b"]),
    SplitCase(id: "empty line", line: "   ", args: []),
    SplitCase(
      id: "double quotes", line: #"explain "short pick at bin""#,
      args: ["explain", "short pick at bin"]),
    SplitCase(
      id: "single quotes", line: "explain 'dmg box, 2 short'",
      args: ["explain", "dmg box, 2 short"]),
    SplitCase(
      id: "quotes inside a word", line: #"--text="dmg box" x"#, args: ["--text=dmg box", "x"]),
    SplitCase(
      id: "the other quote inside quotes", line: #"say "it's" 'a "b"'"#,
      args: ["say", "it's", #"a "b""#]),
    SplitCase(id: "empty quoted argument", line: #"a "" b"#, args: ["a", "", "b"]),
    SplitCase(id: "backslash escapes a space", line: #"a\ b c"#, args: ["a b", "c"]),
    SplitCase(id: "backslash escapes a quote", line: #""say \"hi\"""#, args: [#"say "hi""#]),
    SplitCase(id: "no escapes in single quotes", line: #"'a\b'"#, args: [#"a\b"#]),
    SplitCase(id: "trailing backslash kept", line: #"a\"#, args: [#"a\"#]),
  ]

  @Test(arguments: splits)
  func splitsREPLLines(_ c: SplitCase) throws {
    #expect(try ArgumentParser.split(c.line) == c.args)
  }

  @Test func unclosedQuote() {
    let error = #expect(throws: TriageError.self) {
      try ArgumentParser.split("explain \"short pick\u{1B}")
    }
    #expect(error?.description == #"error: unclosed quote in 'explain "short pick\e'"#)
    #expect(error?.status == .usage)
  }

  // MARK: Help

  @Test func helpSections() {
    let help = Self.spec.help(width: 80)
    #expect(
      help.hasPrefix("OVERVIEW: Classify notes.\n\nUSAGE: triage classify [--format <format>]"))
    #expect(help.contains("\nARGUMENTS:\n  <file>"))
    #expect(help.contains("\nOPTIONS:\n  --format <format>"))
    #expect(help.contains("Output format. (jsonl|tsv|table)"))
    #expect(help.contains("  -j, --jobs <n>"))
    #expect(help.contains("  --lexicons <dir>"), "global options are listed")
    // Everything wraps to the width, the USAGE line included.
    #expect(help.split(separator: "\n").allSatisfy { $0.count <= 80 })
    let narrow = Self.spec.help(width: 40)
    let usage = narrow.split(separator: "\n", omittingEmptySubsequences: false)
      .drop { !$0.hasPrefix("USAGE:") }.prefix { !$0.isEmpty }
    #expect(usage.count > 1)
    #expect(usage.allSatisfy { $0.count <= 40 })
    // Continuation lines are indented and start with an option or an argument.
    #expect(usage.dropFirst().allSatisfy { $0.hasPrefix("    ") && "[<".contains($0.drop { $0 == " " }.first ?? "?") })
  }

  // MARK: A tool of its own

  /// bin/bench parses with the same parser: its own program name, no command name, and none
  /// of triage's global options.
  static var tool: CommandSpec {
    var s = CommandSpec(
      "", abstract: "Benchmark.",
      options: [OptionSpec("--runs", value: "N", help: "Runs."), .flag("--help", short: "h", "Help.")])
    s.program = "bin/bench"
    s.shared = []
    return s
  }

  @Test func aToolNamesItselfAndTakesNoGlobalOptions() throws {
    #expect(try ArgumentParser.parse(["--runs", "2"], Self.tool).value("--runs") == "2")
    let error = #expect(throws: TriageError.self) { try ArgumentParser.parse(["--db", "x.db"], Self.tool) }
    #expect(error?.description == "error: unknown option '--db'\nusage: bin/bench [--runs <n>]\nsee 'bin/bench --help'")
    let help = Self.tool.help(width: 80)
    #expect(help.contains("\nUSAGE: bin/bench [--runs <n>]\n"))
    #expect(!help.contains("--lexicons"), "triage's global options are not the tool's")
    #expect(help.contains("  -h, --help"))
  }
}
