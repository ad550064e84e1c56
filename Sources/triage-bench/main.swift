import Foundation
import TriageKit

#if canImport(Glibc)
  import Glibc
#endif

/// `triage-bench`: issue 7's benchmark. bin/bench builds it and runs it from the repository.
struct Options {
  static let stages = ["classify", "ingest", "why", "themes", "repl"]
  var only: [String] = Options.stages
  var runs = 3
  var json = false
  var notes = 1_000_000
  var queries = 500
  var keepData = false
  var dataDir: String?
  var lexiconCache = true

  /// The options, parsed and described by TriageKit's parser (argument parsing is written once).
  static let spec: CommandSpec = {
    var s = CommandSpec(
      "",
      abstract: "Issue 7's benchmark: classify, ingest, why, themes and REPL start-up, timed on generated data with the release triage binary.",
      discussion: """
        Each stage runs the release triage as a child process; the table shows medians, the \
        throughput and the peak memory (getrusage). Generated data is cached in \
        .build/bench-data and reused. Exits 3 when a target is missed.
        """,
      options: [
        OptionSpec("--only", value: "STAGES", help: "Stages to run, comma-separated: \(stages.joined(separator: ", ")) (default all)."),
        OptionSpec("--runs", value: "N", help: "Runs per stage; the table shows medians (default 3)."),
        OptionSpec(
          "--notes", value: "N",
          help: "Notes in the classify, ingest and why corpus (default 1000000); themes uses 4.5 × N over 90 days, why N/5 orders."),
        OptionSpec("--queries", value: "N", help: "why queries per session (default 500)."),
        .flag("--json", "One JSON object instead of the table."),
        .flag("--keep-data", "Also keep the stores built for why and themes (the generated folders are always kept)."),
        OptionSpec("--data-dir", value: "DIR", help: "Where generated data lives (default .build/bench-data)."),
        .flag(
          "--no-lexicon-cache",
          "Compile the lexicons in every run (TRIAGE_CACHE_DIR=off), as before the compiled-lexicon cache."),
        .flag("--help", short: "h", "Show this help."),
      ],
      examples: ["bin/bench", "bin/bench --notes 200000 --runs 1", "bin/bench --only why,themes --json"])
    s.program = "bin/bench"
    s.shared = []
    return s
  }()

  /// The options, or nil when help was asked for (and printed).
  static func parse(_ args: [String]) throws(TriageError) -> Options? {
    let p = try ArgumentParser.parse(args, spec)
    if p.has("--help") {
      print(spec.help(), terminator: "")
      return nil
    }
    var o = Options()
    if let list = p.value("--only") {
      let names = list.split(separator: ",").map(String.init)
      for s in names where !stages.contains(s) {
        throw .usage("unknown stage '\(s)'\(Suggest.didYouMean(s, in: stages)); expected \(stages.joined(separator: ", "))")
      }
      o.only = names
    }
    o.runs = try p.int("--runs", default: o.runs, range: 1...1000)
    o.notes = try p.int("--notes", default: o.notes, range: 1000...100_000_000)
    o.queries = try p.int("--queries", default: o.queries, range: 1...1_000_000)
    o.json = p.has("--json")
    o.keepData = p.has("--keep-data")
    o.dataDir = p.value("--data-dir")
    o.lexiconCache = !p.has("--no-lexicon-cache")
    return o
  }
}

/// The machine, named for the figures: CPU model, cores and memory.
func machineName() -> String {
  let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
  let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
    .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? "unknown CPU"
  let memory = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
  return String(format: "%@, %d cores, %.0f GiB", model, ProcessInfo.processInfo.activeProcessorCount, memory)
}

do {
  guard let options = try Options.parse(Array(CommandLine.arguments.dropFirst())) else { exit(0) }
  let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
  let triage = exe.appendingPathComponent("triage").path
  guard FileManager.default.isExecutableFile(atPath: triage) else {
    throw BenchError("no triage binary beside triage-bench ('\(triage)'); build with 'swift build -c release'")
  }
  let root = ProcessInfo.processInfo.environment["TRIAGE_ROOT"] ?? FileManager.default.currentDirectoryPath
  let bench = try Bench(options: options, triage: triage, root: root)
  try bench.warmLexiconCache()
  for stage in Options.stages where options.only.contains(stage) {
    switch stage {
    case "classify": try bench.classify()
    case "ingest": try bench.ingest()
    case "why": try bench.why()
    case "themes": try bench.themes()
    default: try bench.repl()
    }
  }
  bench.cleanUp()
  let machine = machineName()
  print(options.json ? Report.json(bench.rows, machine: machine, runs: options.runs) : Report.table(bench.rows, machine: machine, runs: options.runs), terminator: "")
  exit(bench.rows.allSatisfy { $0.met != false } ? 0 : 3)
} catch let error as TriageError {
  FileHandle.standardError.write(Data("bench: \(error)\n".utf8))
  exit(error.status.rawValue)
} catch {
  FileHandle.standardError.write(Data("bench: error: \(error)\n".utf8))
  exit(1)
}
