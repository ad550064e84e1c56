import Foundation
import TriageCore

/// `triage ingest DIR`: add a day's exports to the store.
enum IngestCommand {
  static let spec = CommandSpec(
    "ingest", abstract: "Add a data folder's exports to the store (idempotent, all or nothing).",
    discussion: """
      Reads DIR (notes.csv required; orders.csv, lines.csv, inventory.csv, events.csv when \
      present) into the store named by --db (default: $XDG_DATA_HOME/triage/triage.db). Notes \
      and events are keyed by their ids, so ingesting the same folder twice changes nothing; an \
      order, line or inventory row that changed is updated and the change kept as history. The \
      run is one transaction: a bad row stops it and the store stays as it was (with \
      --skip-bad, bad rows are reported, counted, written to DIR/ingest.rejects, and the rest is \
      ingested). New notes are classified as they are stored.
      """,
    arguments: [ArgumentSpec("DIR", help: "A data folder of exports (DATA.md).")],
    options: [
      .flag("--skip-bad", "Report and skip bad rows instead of stopping."),
      .flag("--force", "Replace an existing rejects file."),
      .flag("--json", "Print the counts as JSON."),
    ],
    examples: ["triage ingest exports/2026-11-23 --db ops.db", "triage ingest Corpus/demo --db /tmp/demo.db --json"])

  static let command = Command(spec) { args, ctx throws(TriageError) in
    let folder = try DataFolder(path: ctx.resolve(args.positionals[0]))
    if ctx.databasePath == nil { ctx.databasePath = Store.defaultPath(environment: ctx.environment) }
    let rejectsPath = (folder.path as NSString).appendingPathComponent("ingest.rejects")
    if args.has("--skip-bad") && !args.has("--force") && FileManager.default.fileExists(atPath: rejectsPath) {
      throw TriageError(.cannotCreate, "'\(rejectsPath)' already exists; pass --force to replace it")
    }
    let store = try ctx.store()
    let report = try store.ingest(folder, classifier: try ctx.classifier(), skipBad: args.has("--skip-bad"), clock: ctx.clock())
    for r in report.rejections { ctx.warn(Diagnostic(.warning, "skipped: " + r.diagnostic.message, at: r.diagnostic.location)) }
    if !report.rejections.isEmpty {
      var bytes: [UInt8] = []
      for r in report.rejections {
        bytes += Array("# \(r.diagnostic)\n".utf8) + r.raw
        if r.raw.last != ASCII.lf { bytes.append(ASCII.lf) }
      }
      try AtomicFile.write(bytes, to: rejectsPath, overwrite: args.has("--force"))
      ctx.warn(.warning("\(report.rejections.count) row(s) rejected, written to \(rejectsPath)"))
    }
    let notes = report.notes
    if notes.new + notes.changed + notes.unchanged + notes.rejected == 0 {
      ctx.warn(.warning("no notes: the file has a header row but no records", at: SourceLocation(file: folder.notesPath)))
    }
    if args.has("--json") {
      var w = JSONWriter()
      w.raw("{\"store\":")
      w.string(store.db.path)
      w.raw(",\"ingest\":")
      w.int(Int(report.ingestID))
      for (name, c) in [("notes", report.notes), ("orders", report.orders), ("lines", report.lines), ("inventory", report.inventory), ("events", report.events)] {
        w.raw(",")
        w.string(name)
        w.raw(":{\"new\":")
        w.int(c.new)
        w.raw(",\"changed\":")
        w.int(c.changed)
        w.raw(",\"unchanged\":")
        w.int(c.unchanged)
        w.raw(",\"rejected\":")
        w.int(c.rejected)
        w.raw("}")
      }
      w.raw("}\n")
      w.withBytes { ctx.out.write(bytes: $0) }
    } else {
      ctx.out.line("ingested \(SafeText.escape(folder.path)) into \(SafeText.escape(store.db.path))")
      ctx.out.write(summary(report))
    }
  }

  /// The per-file counts as a small table.
  static func summary(_ r: IngestReport) -> String {
    var t = Table([.init("file"), .init("new", alignRight: true), .init("changed", alignRight: true), .init("unchanged", alignRight: true), .init("rejected", alignRight: true)])
    for (name, c) in [("notes", r.notes), ("orders", r.orders), ("lines", r.lines), ("inventory", r.inventory), ("events", r.events)] {
      t.add([name, String(c.new), String(c.changed), String(c.unchanged), String(c.rejected)])
    }
    return t.render(width: nil)
  }
}

/// `triage why ORDER`: what's blocking an order.
enum WhyCommand {
  static let spec = CommandSpec(
    "why", abstract: "What's blocking an order: state, promise, blockers with evidence, notes.",
    discussion: """
      Answers a support agent's question about one order: its state and promise status against \
      the cutoff (at --now), each open blocker with its owner, evidence and sources (note ids and \
      data records such as lines.csv:SO-1001/4), blockers already resolved, and the timeline of \
      notes. ORDER may be SO-10023, #10023 or 10023.
      """,
    arguments: [ArgumentSpec("ORDER", help: "The order id.")],
    options: [.flag("--json", "Print one JSON object (DATA.md).")],
    examples: ["triage why SO-10294", "triage why 10294 --json", "triage why SO-10294 --data Corpus/demo --now 2026-11-23T15:00:00Z"])

  static let command = Command(spec) { args, ctx throws(TriageError) in
    let order = try ctx.order(args.positionals[0])
    let view = try ctx.analyzer().view(of: order)
    if args.has("--json") {
      ctx.out.write(OrderJSON.why(view, lexicon: try ctx.lexicon()))
    } else {
      ctx.out.write(WhyReport.render(view, ctx: ctx))
    }
  }
}

/// `triage blocked`: the blocker queue.
enum BlockedCommand {
  static let spec = CommandSpec(
    "blocked", abstract: "The queue of open blockers, by priority and time to cutoff.",
    discussion: """
      Lists every open blocker on an order still in play (cutoff within the last 7 days or later; \
      --all for older), highest priority first, then soonest cutoff. Filter by the owning team, \
      the reason code or the order priority.
      """,
    options: [
      OptionSpec("--owner", value: "OWNER", help: "Only blockers this team owns (codes.txt owner=)."),
      OptionSpec("--reason", value: "CODE", help: "Only this reason code."),
      OptionSpec("--priority", value: "PRIORITY", help: "Only orders of this priority.", choices: ["high", "normal", "low"]),
      .flag("--all", "Include orders whose cutoff is more than 7 days past."),
      .flag("--json", "Print a JSON array."),
    ],
    examples: ["triage blocked", "triage blocked --owner packing", "triage blocked --reason short_pick --json"])

  static let command = Command(spec) { args, ctx throws(TriageError) in
    let lexicon = try ctx.lexicon()
    let owner = args.value("--owner") ?? ctx.ownerDefault
    if let owner {
      let owners = Set(lexicon.codes.map(\.owner))
      guard owners.contains(owner) else {
        throw .usage(Suggest.unknown("owner", owner, in: owners.sorted(), listedAs: "owners"))
      }
    }
    if let reason = args.value("--reason"), lexicon.code(named: reason) == nil {
      throw .usage(
        Suggest.unknown("reason code", reason, in: lexicon.codes.map(\.code), listedAs: "codes"))
    }
    let views = try OrderQueue.liveViews(ctx, all: args.has("--all"))
    var rows: [(OrderView, Blocker)] = []
    for v in views {
      if let p = args.value("--priority"), v.order.priority != p { continue }
      for b in v.openBlockers {
        if let owner, b.owner != owner { continue }
        if let r = args.value("--reason"), b.code != r { continue }
        rows.append((v, b))
      }
    }
    rows.sort { a, b in
      let pa = OrderQueue.priorityRank(a.0.order.priority)
      let pb = OrderQueue.priorityRank(b.0.order.priority)
      if pa != pb { return pa < pb }
      let ca = a.0.order.cutoffAt ?? Int64.max
      let cb = b.0.order.cutoffAt ?? Int64.max
      if ca != cb { return ca < cb }
      if a.0.order.orderID != b.0.order.orderID { return a.0.order.orderID < b.0.order.orderID }
      return a.1.codeIndex < b.1.codeIndex
    }
    if args.has("--json") {
      ctx.out.write(OrderJSON.blocked(rows))
      return
    }
    if rows.isEmpty {
      ctx.out.line("no open blockers\(owner.map { " owned by \($0)" } ?? "")")
      return
    }
    // Only the evidence is cut while that is enough; on a narrower terminal (80 columns) the
    // word columns are cut too, widest first, rather than every row wrapping onto the next.
    func table(cuttingWords: Bool) -> Table {
      func word(_ title: String) -> Table.Column {
        cuttingWords ? .init(title, flexible: true, truncate: true, minWidth: 8) : .init(title)
      }
      var t = Table([
        .init("order"), .init("pri"), .init("cutoff"), word("reason"), word("owner"), word("state"),
        word("promise"), .init("evidence", flexible: true, truncate: true, minWidth: cuttingWords ? 8 : 12),
      ])
      for (v, b) in rows {
        let cutoff = v.secondsToCutoff.map { $0 >= 0 ? "in \(Duration.describe($0))" : "\(Duration.describe(-$0)) ago" } ?? "–"
        let evidence = b.evidence.last.map { "\($0.source): \($0.detail)" } ?? ""
        t.add([v.order.orderID, v.order.priority, cutoff, b.code, b.owner, v.state.rawValue, v.promise.rawValue, evidence], style: OrderQueue.style(v.promise))
      }
      return t
    }
    let t = OrderQueue.fitted(width: ctx.terminalWidth, table)
    ctx.out.write(t.render(width: ctx.terminalWidth, color: ctx.useColor))
    ctx.out.line("\(rows.count) open blocker(s) on \(Set(rows.map { $0.0.order.orderID }).count) order(s)")
  }
}

/// `triage risk`: the customer-promise view.
enum RiskCommand {
  static let spec = CommandSpec(
    "risk", abstract: "Which orders are safe, at risk, need communication, or missed the promise.",
    discussion: """
      Groups the orders in play (cutoff within the last 7 days or later) by promise status at \
      --now: missed, needs_communication, at_risk and safe; kept orders are counted, and --all \
      lists them too along with older orders. Each row says why.
      """,
    options: [
      OptionSpec("--status", value: "STATUS", help: "Only this promise status.", choices: PromiseStatus.allCases.map(\.rawValue)),
      .flag("--all", "Also list kept promises, and orders whose cutoff is more than 7 days past."),
      .flag("--json", "Print a JSON array."),
    ],
    examples: ["triage risk", "triage risk --status needs_communication", "triage risk --json"])

  static let command = Command(spec) { args, ctx throws(TriageError) in
    var views = try OrderQueue.liveViews(ctx, all: args.has("--all"))
    views.sort { a, b in
      if a.promise.urgency != b.promise.urgency { return a.promise.urgency < b.promise.urgency }
      let pa = OrderQueue.priorityRank(a.order.priority)
      let pb = OrderQueue.priorityRank(b.order.priority)
      if pa != pb { return pa < pb }
      let ca = a.order.cutoffAt ?? Int64.max
      let cb = b.order.cutoffAt ?? Int64.max
      return ca != cb ? ca < cb : a.order.orderID < b.order.orderID
    }
    if let s = args.value("--status") { views = views.filter { $0.promise.rawValue == s } }
    if args.has("--json") {
      ctx.out.write(OrderJSON.risk(views))
      return
    }
    var counts: [PromiseStatus: Int] = [:]
    for v in views { counts[v.promise, default: 0] += 1 }
    ctx.out.line(PromiseStatus.allCases.sorted { $0.urgency < $1.urgency }.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: "   "))
    let shown = views.filter { args.has("--all") || args.value("--status") != nil || $0.promise != .kept }
    if shown.isEmpty { return }
    let t = OrderQueue.fitted(width: ctx.terminalWidth) { cuttingWords in
      func word(_ title: String) -> Table.Column {
        cuttingWords ? .init(title, flexible: true, truncate: true, minWidth: 8) : .init(title)
      }
      var t = Table([
        word("promise"), .init("order"), .init("pri"), .init("customer", flexible: true, truncate: true, minWidth: 8),
        word("state"), .init("cutoff"), .init("why", flexible: true, minWidth: cuttingWords ? 12 : 16),
      ])
      for v in shown {
        let cutoff = v.order.cutoffAt.map { Timestamp.format(seconds: $0).replacingOccurrences(of: ":00Z", with: "Z") } ?? "–"
        t.add([v.promise.rawValue, v.order.orderID, v.order.priority, v.order.customer, v.state.rawValue, cutoff, v.promiseReason], style: OrderQueue.style(v.promise))
      }
      return t
    }
    ctx.out.line()
    ctx.out.write(t.render(width: ctx.terminalWidth, color: ctx.useColor))
  }
}

/// The orders `blocked` and `risk` look at, and shared ordering.
enum OrderQueue {
  /// The table `make(false)` builds when it fits the terminal, else `make(true)`, which may cut
  /// its word columns (codes, owners, states), so rows never wrap onto the next line.
  static func fitted(width: Int?, _ make: (Bool) -> Table) -> Table {
    let t = make(false)
    guard let width,
      t.render(width: width).split(separator: "\n").contains(where: { DisplayWidth.of(String($0)) > width })
    else { return t }
    return make(true)
  }

  /// The window `blocked` and `risk` look at by default: orders whose cutoff (or, without one,
  /// promise date) is at most this long before now, or later.
  static let window: Int64 = 7 * Timestamp.secondsPerDay

  /// Orders in play: within the window (unless `all`), and not shipped, or shipped with
  /// something still open after shipping, or shipped within the last two days (so kept
  /// promises are counted).
  static func liveViews(_ ctx: Context, all: Bool = false) throws(TriageError) -> [OrderView] {
    let analyzer = try ctx.analyzer()
    let store = try ctx.store()
    var out: [OrderView] = []
    for o in try store.orders() {
      let due = o.cutoffAt ?? o.promiseDate.map { ($0 + 1) * Timestamp.secondsPerDay }
      if !all, let due, analyzer.now - due > window { continue }
      let v = try analyzer.view(of: o)
      if v.state == .shipped && v.openBlockers.isEmpty {
        let recent = o.cutoffAt.map { analyzer.now - $0 < 2 * Timestamp.secondsPerDay } ?? false
        if !recent { continue }
      }
      out.append(v)
    }
    return out
  }

  static func priorityRank(_ p: String) -> Int {
    switch p {
    case "high": 0
    case "normal": 1
    case "low": 2
    default: 3
    }
  }

  static func style(_ p: PromiseStatus) -> Style? {
    switch p {
    case .missed: .red
    case .needsCommunication: .magenta
    case .atRisk: .yellow
    case .safe: .green
    case .kept: .dim
    }
  }
}

/// `triage unmatched`: notes whose order references match no known order.
enum UnmatchedCommand {
  static let spec = CommandSpec(
    "unmatched", abstract: "Notes that name an order the data does not have.",
    discussion: "Notes whose order_id, or (without one) whose order references in the text, match no order in orders.csv. They are kept and counted, never dropped: a typo in a reference, or an order from another system.",
    options: [.flag("--json", "Print a JSON array.")],
    examples: ["triage unmatched"])

  static let command = Command(spec) { args, ctx throws(TriageError) in
    let rows = try ctx.store().unmatchedNotes()
    if args.has("--json") {
      var w = JSONWriter()
      w.raw("[")
      for (i, r) in rows.enumerated() {
        if i > 0 { w.raw(",") }
        w.raw("{\"note_id\":")
        w.string(r.note.noteID)
        w.raw(",\"refs\":")
        w.strings(r.refs)
        w.raw(",\"text\":")
        w.string(r.note.text)
        w.raw("}")
      }
      w.raw("]\n")
      w.withBytes { ctx.out.write(bytes: $0) }
      return
    }
    ctx.out.line("\(rows.count) note(s) name an order that is not in the data")
    guard !rows.isEmpty else { return }
    var t = Table([.init("note"), .init("created"), .init("refs"), .init("text", flexible: true, truncate: true, minWidth: 16)])
    for r in rows {
      t.add([r.note.noteID, Timestamp.format(seconds: r.note.createdAt), r.refs.joined(separator: ", "), r.note.text])
    }
    ctx.out.write(t.render(width: ctx.terminalWidth))
  }
}
