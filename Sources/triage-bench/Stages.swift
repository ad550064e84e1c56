import Foundation
import TriageCore

#if canImport(Glibc)
  import Glibc
#endif

/// The benchmark: generates (or reuses) its inputs, runs each stage with the release `triage`
/// binary as a child process, and reports medians against issue 7's targets.
final class Bench {
  let options: Options
  let triage: String
  let root: String
  let cache: String
  let bank: PhraseBank
  var rows: [Row] = []
  var environment: [String: String]

  init(options: Options, triage: String, root: String) throws {
    self.options = options
    self.triage = triage
    self.root = root
    cache = options.dataDir ?? (root as NSString).appendingPathComponent(".build/bench-data")
    let lexicons = (root as NSString).appendingPathComponent("Lexicons")
    bank = try PhraseBank.load(lexicons: lexicons)
    var env = ProcessInfo.processInfo.environment
    for k in ["TRIAGE_DATA", "TRIAGE_DEMO", "TRIAGE_TRACE", "TRIAGE_DB", "TRIAGE_CACHE_DIR"] { env[k] = nil }
    env["TRIAGE_LEXICONS"] = lexicons
    env["NO_COLOR"] = "1"
    // The session's history, the default store and the compiled-lexicon cache stay out of the
    // user's home (the cache is keyed by the triage binary: a rebuilt one compiles again).
    env["XDG_DATA_HOME"] = (cache as NSString).appendingPathComponent("home")
    env["XDG_STATE_HOME"] = (cache as NSString).appendingPathComponent("home")
    env["XDG_CACHE_HOME"] = (cache as NSString).appendingPathComponent("home")
    if !options.lexiconCache { env["TRIAGE_CACHE_DIR"] = "off" }
    environment = env
    try FileManager.default.createDirectory(atPath: cache + "/home", withIntermediateDirectories: true)
  }

  func log(_ s: String) {
    FileHandle.standardError.write(Data("bench: \(s)\n".utf8))
  }

  func path(_ name: String) -> String { (cache as NSString).appendingPathComponent(name) }

  // MARK: Data

  /// The 1M-note folder: 50,000 notes a day, a fifth as many orders, with lines, inventory and
  /// every event (the `classify`, `ingest` and `why` input).
  var whySpec: DataSpec {
    DataSpec(name: "store", notes: options.notes, days: max(1, options.notes / 50_000), orders: max(100, options.notes / 5), lines: true, allEvents: true)
  }

  /// 90 days at 50,000 notes a day (at the default size): notes, orders and failed hand-offs.
  var themesSpec: DataSpec {
    let notes = options.notes * 9 / 2
    return DataSpec(name: "themes", notes: notes, days: 90, orders: max(100, notes / 5), lines: false, allEvents: false)
  }

  func folder(_ spec: DataSpec) throws -> String {
    let dir = path("\(spec.name)-\(spec.notes)")
    let t0 = ContinuousClock.now
    if try DatasetWriter(spec: spec, bank: bank).ensure(at: dir, log: log) {
      log(String(format: "generated in %.1f s", (ContinuousClock.now - t0) / .seconds(1)))
    }
    return dir
  }

  static func size(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
  }

  func folderBytes(_ dir: String) -> Int {
    ["notes.csv", "orders.csv", "lines.csv", "inventory.csv", "events.csv"].reduce(0) { $0 + Bench.size(dir + "/" + $1) }
  }

  static func removeStore(_ db: String) {
    for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: db + suffix) }
  }

  /// A store built from a folder by one (untimed) ingest, kept while it is newer than both the
  /// folder's manifest and the triage binary.
  func store(for spec: DataSpec, folder dir: String) throws -> String {
    let db = path("\(spec.name)-\(spec.notes).db")
    let built = FileManager.default.fileExists(atPath: db)
      && Bench.mtime(db) > Bench.mtime(dir + "/MANIFEST") && Bench.mtime(db) > Bench.mtime(triage)
    if !built {
      Bench.removeStore(db)
      // Built under another name and renamed when done, so an interrupted build is never taken
      // for a finished store by the next run.
      let partial = db + ".building"
      Bench.removeStore(partial)
      log("building the store \(db) (one ingest of \(spec.notes) notes)")
      let u = try Child.run(triage, ["ingest", dir, "--db", partial], environment: environment)
      try FileManager.default.moveItem(atPath: partial, toPath: db)
      Bench.removeStore(partial)
      log(String(format: "built in %.1f s (%@ notes/s), peak %.0f MB", u.seconds, Report.count(Double(spec.notes) / u.seconds), Double(u.peakBytes) / 1_048_576))
    }
    return db
  }

  static func mtime(_ path: String) -> Double {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
  }

  // MARK: Runs

  /// Runs `body` `runs` times and returns the usages.
  func repeatRuns(_ what: String, _ body: () throws -> Usage) throws -> [Usage] {
    var out: [Usage] = []
    for i in 0..<options.runs {
      let u = try body()
      log(String(format: "%@ run %d: %.3f s, peak %.1f MB, cpu %.2f s", what, i + 1, u.seconds, Double(u.peakBytes) / 1_048_576, u.cpuSeconds))
      out.append(u)
    }
    return out
  }

  func row(_ stage: String, _ usages: [Usage], notes: Int?, bytes: Int?, target: String, met: (Row) -> Bool?, detail: String = "") -> Row {
    var r = Row(
      stage: stage, detail: detail, notes: notes, bytes: bytes, median: Stats.median(usages.map(\.seconds)), p99: nil,
      peakBytes: usages.map(\.peakBytes).max(), cpuSeconds: Stats.median(usages.map(\.cpuSeconds)), runs: usages.map(\.seconds),
      target: target, met: nil)
    r.met = met(r)
    return r
  }

  /// One untimed run before the stages, so that every timed run reads the compiled lexicons
  /// from the cache: the first run after a build (or a lexicon edit) compiles them and writes
  /// the cache (about 0.15 s and 12 MB more peak memory), which would otherwise land in the
  /// first stage's first run and its peak.
  func warmLexiconCache() throws {
    guard options.lexiconCache else { return }
    let u = try Child.run(triage, ["lexicon", "check"], environment: environment)
    guard u.status == 0 else { throw BenchError("'triage lexicon check' exited \(u.status)") }
    log(String(format: "lexicon cache ready (%.2f s)", u.seconds))
  }

  // MARK: Stages

  func classify() throws {
    let dir = try folder(whySpec)
    let notes = dir + "/notes.csv"
    let bytes = Bench.size(notes)
    let n = whySpec.notes
    let mem = 64 * 1_048_576
    let core = try repeatRuns("classify (classifier alone, 1 job)") {
      try Child.run(triage, ["classify", notes, "--jobs", "1", "--format", "none"], environment: environment)
    }
    rows.append(row("classify: classifier alone, 1 job", core, notes: n, bytes: bytes, target: "≥ 1,500,000/s", met: {
      ($0.notesPerSecond ?? 0) >= 1_500_000
    }))
    let one = try repeatRuns("classify → JSON Lines, 1 job") {
      try Child.run(triage, ["classify", notes, "--jobs", "1"], environment: environment)
    }
    let oneRow = row("classify → JSON Lines, 1 job", one, notes: n, bytes: bytes, target: "≥ 700,000/s, < 64 MB", met: {
      ($0.notesPerSecond ?? 0) >= 700_000 && ($0.peakBytes ?? .max) < mem
    })
    rows.append(oneRow)
    let two = try repeatRuns("classify → JSON Lines, 2 jobs") {
      try Child.run(triage, ["classify", notes, "--jobs", "2"], environment: environment)
    }
    let scale = (oneRow.median / max(1e-9, Stats.median(two.map(\.seconds))))
    rows.append(row(
      "classify → JSON Lines, 2 jobs", two, notes: n, bytes: bytes, target: "scales (≥ 1.5×), < 64 MB",
      met: { _ in scale >= 1.5 && (two.map(\.peakBytes).max() ?? .max) < mem },
      detail: String(format: "%.2f× the 1-job rate; output to /dev/null", scale)))
  }

  func ingest() throws {
    let dir = try folder(whySpec)
    let db = path("ingest-run.db")
    let spec = whySpec
    let usages = try repeatRuns("ingest") {
      Bench.removeStore(db)
      return try Child.run(triage, ["ingest", dir, "--db", db], environment: environment)
    }
    rows.append(row(
      "ingest", usages, notes: spec.notes, bytes: folderBytes(dir), target: "≥ 200,000/s", met: { ($0.notesPerSecond ?? 0) >= 200_000 },
      detail: "\(spec.notes) notes with \(spec.orders) orders, their lines, inventory and events, into a new store; MB/s counts every file"))
    // The last run's store is the why stage's store.
    let keep = path("\(spec.name)-\(spec.notes).db")
    Bench.removeStore(keep)
    try FileManager.default.moveItem(atPath: db, toPath: keep)
    Bench.removeStore(db)
  }

  func why() throws {
    let spec = whySpec
    let db = try store(for: spec, folder: try folder(spec))
    var rng = SplitMix64(seed: 0x7768_79)
    let queries = (0..<options.queries).map { _ in "SO-\(100_000 + rng.below(spec.orders))" }
    var medians: [Double] = []
    var p99s: [Double] = []
    var firsts: [Double] = []
    var all: [Double] = []
    var usages: [Usage] = []
    for run in 0..<max(1, options.runs) {
      let c = try Child(triage, ["repl", "--db", db, "--no-history"], environment: environment, stdin: .pipe, stdout: .pipe)
      // The first answer pays for starting the process, loading the lexicons and opening the
      // store; it is reported apart.
      try c.send("why SO-100000 --json\n")
      _ = try c.readLine()
      firsts.append((ContinuousClock.now - c.started) / .seconds(1))
      var latencies: [Double] = []
      for q in queries {
        let t0 = ContinuousClock.now
        try c.send("why \(q) --json\n")
        let line = try c.readLine()
        latencies.append((ContinuousClock.now - t0) / .seconds(1))
        guard line.hasPrefix("{\"order_id\":") else { throw BenchError("unexpected answer to 'why \(q)': \(line.prefix(200))") }
      }
      try c.send("quit\n")
      let u = c.wait()
      guard u.status == 0 else { throw BenchError("the session exited \(u.status)\(c.stderrTail())") }
      usages.append(u)
      medians.append(Stats.median(latencies))
      p99s.append(Stats.percentile(latencies, 99))
      all += latencies
      log(String(format: "why run %d: median %.2f ms, p99 %.2f ms, max %.2f ms, first answer %.0f ms, peak %.1f MB", run + 1,
        medians.last! * 1000, p99s.last! * 1000, (latencies.max() ?? 0) * 1000, firsts.last! * 1000, Double(u.peakBytes) / 1_048_576))
    }
    var r = Row(
      stage: "why (per query)", detail: "", notes: nil, bytes: nil, median: Stats.median(medians), p99: Stats.median(p99s),
      peakBytes: usages.map(\.peakBytes).max(), cpuSeconds: nil, runs: medians, target: "p99 < 20 ms", met: nil)
    r.met = (r.p99 ?? 1) < 0.020
    r.detail = String(
      format: "%d queries × %d session(s) on %d notes / %d orders, one `triage repl` session each, `why ORDER --json`, order ids drawn uniformly; max %.1f ms; first answer (process start, lexicons, store open) %.0f ms",
      options.queries, max(1, options.runs), spec.notes, spec.orders, (all.max() ?? 0) * 1000, Stats.median(firsts) * 1000)
    rows.append(r)
  }

  func themes() throws {
    let spec = themesSpec
    let db = try store(for: spec, folder: try folder(spec))
    let args = ["themes", "--since", "90d", "--db", db]
    // One run first: it reads the store into the page cache (the medians are warm runs).
    _ = try Child.run(triage, args, environment: environment)
    let usages = try repeatRuns("themes --since 90d") { try Child.run(triage, args, environment: environment) }
    rows.append(row(
      "themes --since 90d", usages, notes: spec.notes, bytes: nil, target: "< 2 s", met: { $0.median < 2 },
      detail: "\(spec.notes) notes over 90 days, \(spec.orders) orders; the full default run (counts, time to resolve, examples, recurrence); warm page cache"))
  }

  func repl() throws {
    let demo = (root as NSString).appendingPathComponent("Corpus/demo")
    var firsts: [Double] = []
    var usages: [Usage] = []
    for run in 0..<max(1, options.runs) {
      let c = try Child(triage, ["repl", "--data", demo, "--no-history"], environment: environment, stdin: .pipe, stdout: .pipe)
      try c.send("why SO-10294\n")
      _ = try c.readLine()
      firsts.append((ContinuousClock.now - c.started) / .seconds(1))
      try c.send("quit\n")
      let u = c.wait()
      guard u.status == 0 else { throw BenchError("the session exited \(u.status)\(c.stderrTail())") }
      usages.append(u)
      log(String(format: "repl run %d: first answer after %.0f ms, peak %.1f MB", run + 1, firsts.last! * 1000, Double(u.peakBytes) / 1_048_576))
    }
    var r = Row(
      stage: "REPL start → first answer", detail: "`triage repl --data Corpus/demo`, stdin a pipe, `why SO-10294`: from spawn to the answer's first line",
      notes: nil, bytes: nil, median: Stats.median(firsts), p99: nil, peakBytes: usages.map(\.peakBytes).max(), cpuSeconds: nil,
      runs: firsts, target: "< 300 ms", met: nil)
    r.met = r.median < 0.3
    rows.append(r)
  }

  /// Deletes the stores built for the run (the generated folders stay, so a rerun is fast).
  func cleanUp() {
    guard !options.keepData else { return }
    for spec in [whySpec, themesSpec] { Bench.removeStore(path("\(spec.name)-\(spec.notes).db")) }
  }
}
