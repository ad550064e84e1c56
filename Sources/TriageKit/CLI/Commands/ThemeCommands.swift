import Foundation
import TriageCore

/// `triage themes`: which blockers keep coming back.
enum ThemesCommand {
  static let spec = CommandSpec(
    "themes", abstract: "Recurring blocker themes: counts, trends, recurrence, examples; or what the lexicons miss.",
    discussion: """
      Counts the open blocker mentions (a note raising a reason) in the window, grouped by \
      theme (default), reason, owner, SKU, location, customer, carrier or source, with each \
      group's share, its trend against the previous window of the same length, the resolved \
      mentions and the median time to resolve, a bar per day, and two or three example notes. \
      Trend: 'new' when the previous window had none; 'up' or 'down' when the count moved by at \
      least 3 and by at least 25% of the previous count; else 'flat'. Time to resolve: per order \
      and reason, from the first open mention to the first later resolved one, for resolutions \
      in the window (the newest 200 per reason; '+' marks a sampled median). \
      Then what recurs: the rules of Lexicons/recurrence.txt (the same SKU, location, SKU at a \
      location, customer, carrier, order or named place hitting the same reasons again and \
      again) with the theme each suggests. \
      The window ends at --until (default: --now, else the data's as_of) and starts --since \
      before it (a duration like 7d, or a date). \
      With --unclassified: the notes in the window that matched no reason, grouped by their most \
      frequent words and two-word phrases (stop words from Lexicons/stopwords.txt removed), as \
      candidate lexicon entries with example notes.
      """,
    options: [
      OptionSpec("--since", value: "WHEN", help: "Start: a duration before the end (7d, 36h, 2w) or a date (default 7d)."),
      OptionSpec("--until", value: "WHEN", help: "End: a date (included) or a time (default: now)."),
      OptionSpec("--by", value: "GROUPING", help: "What to group by (default theme).", choices: ThemeDimension.allCases.map(\.rawValue)),
      OptionSpec("--limit", value: "N", help: "At most N groups (default: all themes, reasons and owners; 15 otherwise)."),
      .flag("--compact", "Only the table with a sparkline per row (the interactive session's default)."),
      .flag("--full", "Examples, time to resolve and what recurs too (the default outside the session)."),
      .flag("--unclassified", "List the notes that matched nothing, grouped into candidate lexicon entries."),
      .flag("--json", "Print one JSON object."),
    ],
    examples: [
      "triage themes", "triage themes --since 7d --by reason", "triage themes --by sku --since 30d",
      "triage themes --since 2026-11-01 --until 2026-11-15 --json", "triage themes --unclassified",
    ])

  static let command = Command(spec) { args, ctx throws(TriageError) in
    let store = try ctx.store()
    ThemeAnalyzer.tune(store)
    let window = try ThemeWindow.parse(since: args.value("--since"), until: args.value("--until"), now: try ctx.now())
    if args.has("--unclassified") {
      try UnclassifiedCommand.run(args, ctx, window: window)
      return
    }
    let dimension = ThemeDimension(rawValue: args.value("--by") ?? "theme") ?? .theme
    let limit = try args.int("--limit", default: dimension.byCode ? 1000 : 15, range: 1...100_000)
    let lexicon = try ctx.lexicon()
    let rules = try RecurrenceRules.load(directory: try ctx.findLexiconDirectory(), codes: lexicon.codes)
    let compact = args.has("--compact") || (ctx.interactive && !args.has("--full") && !args.has("--json"))
    let analyzer = ThemeAnalyzer(store: store, lexicon: lexicon, rules: rules)
    let summary = try analyzer.summary(
      window, by: dimension,
      options: .init(examples: !compact, timeToResolve: !compact, recurrence: !compact, limit: limit))
    if args.has("--json") {
      ctx.out.write(bytes: summary.json())
      return
    }
    ctx.out.write(
      summary.render(
        width: ctx.terminalWidth, unicode: Sparkline.unicodeAllowed(environment: ctx.environment),
        color: ctx.useColor, compact: compact))
  }
}

extension ThemeAnalyzer {
  /// A larger page cache and memory-mapped reads for the theme queries' scans (a connection
  /// setting; the store file is unchanged).
  static func tune(_ store: Store) {
    try? store.db.execute("PRAGMA cache_size = -65536; PRAGMA mmap_size = 1073741824;")
  }
}

/// `themes --unclassified`: what the lexicons miss.
enum UnclassifiedCommand {
  static func run(_ args: ParsedArguments, _ ctx: Context, window: ThemeWindow) throws(TriageError) {
    let stop = try StopWords.load(directory: try ctx.findLexiconDirectory())
    let limit = try args.int("--limit", default: 20, range: 1...10_000)
    let (notes, total) = try ctx.store().unclassifiedNotes(in: window)
    let report = UnclassifiedAnalyzer(classifier: try ctx.classifier(), stopWords: stop)
      .analyze(notes, window: window, total: total, limit: limit)
    if args.has("--json") {
      ctx.out.write(bytes: report.json())
    } else {
      ctx.out.write(report.render(width: ctx.terminalWidth))
    }
  }
}

/// `triage report`: the weekly ops review as one HTML page.
enum ReportCommand {
  static let spec = CommandSpec(
    "report", abstract: "The weekly ops review as one self-contained HTML page.",
    discussion: """
      Writes one HTML file (inline CSS and SVG; no script and nothing loaded from elsewhere) for \
      the ops review of the window: blockers per theme per day against the window before, the \
      recurring SKUs, locations, carriers and places (Lexicons/recurrence.txt), open blockers on \
      the orders in play by age and owning team, promise outcomes, and the candidate lexicon \
      entries from the notes that matched nothing. It prints on A4 landscape with a page per \
      part. The file is written atomically and an existing one is only replaced with --force; \
      '--out -' writes to standard output.
      """,
    options: [
      OptionSpec("--since", value: "WHEN", help: "Start: a duration before the end (7d, 2w) or a date (default 7d)."),
      OptionSpec("--until", value: "WHEN", help: "End: a date (included) or a time (default: now)."),
      OptionSpec("--out", value: "FILE", help: "The HTML file to write (required; - for standard output)."),
      OptionSpec("--title", value: "TEXT", help: "The page title (default: Blockers and themes)."),
      .flag("--force", "Replace an existing file."),
    ],
    examples: ["triage report --since 7d --out review.html", "triage report --since 2026-11-16 --until 2026-11-22 --out w47.html --force"])

  static let command = Command(spec) { args, ctx throws(TriageError) in
    guard let out = args.value("--out") else {
      throw .usage("report needs --out FILE.html (or --out - for standard output)\nsee 'triage help report'")
    }
    let path = ctx.resolve(out)
    if path != "-" && !args.has("--force") && FileManager.default.fileExists(atPath: path) {
      throw TriageError(.cannotCreate, "'\(path)' already exists; pass --force to replace it")
    }
    let store = try ctx.store()
    ThemeAnalyzer.tune(store)
    let now = try ctx.now()
    let window = try ThemeWindow.parse(since: args.value("--since"), until: args.value("--until"), now: now)
    let lexicon = try ctx.lexicon()
    let dir = try ctx.findLexiconDirectory()
    let rules = try RecurrenceRules.load(directory: dir, codes: lexicon.codes)
    let themes = try ThemeAnalyzer(store: store, lexicon: lexicon, rules: rules).summary(window, by: .theme)
    let (blockers, promises) = OpsReport.orderSections(try OrderQueue.liveViews(ctx), now: now)
    let (notes, total) = try store.unclassifiedNotes(in: window)
    let unclassified = UnclassifiedAnalyzer(classifier: try ctx.classifier(), stopWords: try StopWords.load(directory: dir))
      .analyze(notes, window: window, total: total, limit: 12)
    var texts: [String: String] = [:]
    for hit in themes.recurring {
      for id in hit.exampleNotes.prefix(1) { texts[id] = try store.note(id: id)?.text }
    }
    let label = ctx.databasePath.map { "the store \($0)" } ?? ctx.dataFolder.map { "the data folder \($0)" } ?? "the store"
    let report = OpsReport(
      title: args.value("--title") ?? "Blockers and themes", generatedAt: now, dataLabel: label, themes: themes,
      openBlockers: blockers, promises: promises, unclassified: unclassified)
    let html = report.html(colors: ReportChart.colors(lexicon: lexicon), noteTexts: texts)
    if path == "-" {
      ctx.out.write(html)
      return
    }
    try AtomicFile.write(Array(html.utf8), to: path, overwrite: args.has("--force"))
    ctx.err.line("triage: wrote \(SafeText.escape(path)) (\(themes.total) mentions, \(themes.recurring.count) recurring, \(blockers.total) open blockers)")
  }
}

/// `triage replay DIR` (or `triage replay --lexicons DIR`): judge a lexicon edit on real
/// history before it goes live.
enum ReplayCommand {
  static let spec = CommandSpec(
    "replay", abstract: "Replay the stored notes with edited lexicons: which would change code or status.",
    discussion: """
      Classifies the notes of the window (default: the last 30 days) with the lexicons in DIR \
      (an edited copy of the lexicon directory) and compares with the classification the store \
      holds (made at ingest; for a data folder, made with the current lexicons). Lists, per \
      reason code, the notes that would gain it, lose it, or change status (open → resolved, \
      resolved → open), with examples, so an edit is judged on real history before it goes \
      live. The store is not changed. The edited directory is DIR, or --lexicons DIR when no DIR \
      is given (the current lexicons are then $TRIAGE_LEXICONS, else those beside triage).
      """,
    arguments: [ArgumentSpec("DIR", help: "The edited lexicon directory to replay with (else --lexicons).", optional: true)],
    options: [
      OptionSpec("--since", value: "WHEN", help: "Start: a duration before the end (30d) or a date (default 30d)."),
      OptionSpec("--until", value: "WHEN", help: "End: a date (included) or a time (default: now)."),
      .flag("--json", "Print one JSON object."),
    ],
    examples: [
      "cp -r Lexicons /tmp/edit && $EDITOR /tmp/edit/reasons/labor_capacity.txt && triage replay /tmp/edit",
      "triage replay --lexicons /tmp/edit --since 7d --json --db ops.db",
    ])

  static let command = Command(spec) { args, ctx throws(TriageError) in
    let dir: String
    let explicit = ctx.lexiconDirectory
    if let positional = args.positionals.first {
      dir = ctx.resolve(positional)
    } else if let explicit {
      // --lexicons names the edit; the store is read (a data folder classified) with the
      // lexicons triage would use without it.
      dir = ctx.resolve(explicit)
      ctx.lexiconDirectory = nil
    } else {
      throw TriageError(.usage, "replay needs the edited lexicon directory: triage replay DIR (or --lexicons DIR)")
    }
    defer { ctx.lexiconDirectory = explicit }
    let store = try ctx.store()
    let edited = try Lexicon.load(directory: dir, cache: ctx.lexiconCache)
    let window = try ThemeWindow.parse(
      since: args.value("--since"), until: args.value("--until"), now: try ctx.now(), defaultLength: 30 * Timestamp.secondsPerDay)
    let report = ReplayReport.compare(
      try store.notesWithReasons(in: window), classifier: Classifier(lexicon: edited), window: window, directory: dir)
    if args.has("--json") {
      ctx.out.write(bytes: report.json())
    } else {
      ctx.out.write(report.render(width: ctx.terminalWidth))
    }
  }
}
