import Foundation

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

  static let usage = """
    OVERVIEW: issue 7's benchmark: classify, ingest, why, themes and REPL start-up, timed on
    generated data with the release triage binary.

    USAGE: bin/bench [--only STAGE[,STAGE...]] [--runs N] [--notes N] [--json] [--keep-data]

    OPTIONS:
      --only STAGES   classify, ingest, why, themes, repl (comma-separated; default all)
      --runs N        runs per stage; the table shows medians (default 3)
      --notes N       notes in the classify/ingest/why corpus (default 1000000; themes uses
                      4.5 × N over 90 days, why N/5 orders)
      --queries N     why queries per session (default 500)
      --json          one JSON object instead of the table
      --keep-data     also keep the stores built for why and themes (the generated folders
                      in .build/bench-data are always kept and reused)
      --data-dir DIR  where generated data lives (default .build/bench-data)

    """

  static func parse(_ args: [String]) throws -> Options {
    var o = Options()
    var i = 0
    func value() throws -> String {
      i += 1
      guard i < args.count else { throw BenchError("\(args[i - 1]) needs a value") }
      return args[i]
    }
    func number(_ min: Int) throws -> Int {
      let v = try value()
      guard let n = Int(v.replacingOccurrences(of: "_", with: "")), n >= min else {
        throw BenchError("\(args[i - 1]) expects a whole number of at least \(min), found '\(v)'")
      }
      return n
    }
    while i < args.count {
      switch args[i] {
      case "--only":
        let list = try value().split(separator: ",").map(String.init)
        for s in list where !stages.contains(s) {
          throw BenchError("unknown stage '\(s)'; expected \(stages.joined(separator: ", "))")
        }
        o.only = list
      case "--runs": o.runs = try number(1)
      case "--notes": o.notes = try number(1000)
      case "--queries": o.queries = try number(1)
      case "--json": o.json = true
      case "--keep-data": o.keepData = true
      case "--data-dir": o.dataDir = try value()
      case "--help", "-h":
        print(usage, terminator: "")
        exit(0)
      default: throw BenchError("unknown option '\(args[i])'\n\(usage)")
      }
      i += 1
    }
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
  let options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
  let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
  let triage = exe.appendingPathComponent("triage").path
  guard FileManager.default.isExecutableFile(atPath: triage) else {
    throw BenchError("no triage binary beside triage-bench ('\(triage)'); build with 'swift build -c release'")
  }
  let root = ProcessInfo.processInfo.environment["TRIAGE_ROOT"] ?? FileManager.default.currentDirectoryPath
  let bench = try Bench(options: options, triage: triage, root: root)
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
} catch {
  FileHandle.standardError.write(Data("triage-bench: error: \(error)\n".utf8))
  exit(1)
}
