import Foundation
import TriageCore

/// The draft commands: `draft`, `drafts`, `approve`, `edit`, `reject`, `export drafts`, and the
/// cutoff-review pair `changes` and `review`.
public enum DraftCommands {
  /// Every command of the drafts stage, in the order `help` lists them.
  public static var all: [Command] {
    [
      DraftCommand.command, DraftsCommand.command, ApproveCommand.command, EditCommand.command,
      RejectCommand.command,
      ExportCommand.command, ChangesCommand.command, ReviewCommand.command,
    ]
  }

  static let byOption = OptionSpec(
    "--by", value: "NAME", help: "Who does it (default: $TRIAGE_USER, else $USER).")

  /// Who is acting: --by, else $TRIAGE_USER, else $USER.
  static func who(_ args: ParsedArguments, _ ctx: Context) -> String {
    for candidate in [args.value("--by"), ctx.environment["TRIAGE_USER"], ctx.environment["USER"]] {
      if let c = candidate?.trimmingCharacters(in: .whitespaces), !c.isEmpty { return c }
    }
    return "unknown"
  }

  /// The store, when it is a file (drafts and reviews are kept only there).
  static func fileStore(_ ctx: Context) throws(TriageError) -> Store? {
    let store = try ctx.store()
    return store.db.path == ":memory:" ? nil : store
  }

  static func requireFileStore(_ ctx: Context, _ command: String) throws(TriageError) -> Store {
    guard let store = try fileStore(ctx) else {
      throw .usage(
        "'\(command)' works on what a store keeps: pass --db FILE (a store made by 'triage ingest'); a data folder is read into memory and nothing is kept"
      )
    }
    return store
  }

  static func review(_ ctx: Context, _ store: Store) throws(TriageError) -> DraftReview {
    DraftReview(store: store, analyzer: try ctx.analyzer())
  }

  static func templates(_ ctx: Context) throws(TriageError) -> DraftTemplates {
    try DraftTemplates.load(
      directory: try ctx.findLexiconDirectory(), codes: try ctx.lexicon().codes)
  }

  static func draftID(_ text: String) throws(TriageError) -> Int64 {
    let t = text.hasPrefix("#") ? String(text.dropFirst()) : text
    guard let id = Int64(t), id > 0 else {
      throw .usage(
        "expected a draft id (a number, as 'triage drafts' lists them), found '\(SafeText.escape(text))'"
      )
    }
    return id
  }

  static func warn(_ messages: [String], _ ctx: Context) throws(TriageError) {
    if ctx.strict, let first = messages.first { throw .data(first) }
    for m in messages { ctx.warn(.warning(m)) }
  }

  /// The support-text leak check for an edited text.
  static func leaks(in text: String, of d: StoredDraft, _ ctx: Context) throws(TriageError)
    -> [String]
  {
    guard d.audience == .support, let order = try ctx.store().order(d.orderID) else { return [] }
    let view = try ctx.analyzer().view(of: order)
    return InternalIdentifiers.find(
      InternalIdentifiers.collect(view, lexicon: try ctx.lexicon()), in: text
    ).map {
      "the support text names the internal \($0.kind) '\($0.text)'"
    }
  }

  // MARK: Rendering

  static func time(_ t: Int64) -> String {
    Timestamp.format(seconds: t).dropLast(4).replacingOccurrences(of: "T", with: " ")
  }

  static func sourcesText(_ statements: [DraftStatement], width: Int, edited: Bool) -> String {
    Draft.sourcesListing(statements, width: width, edited: edited)
  }

  static func draftJSON(
    id: Int64?, orderID: String, audience: DraftAudience, status: String, text: String,
    statements: [DraftStatement],
    extra: (inout JSONWriter) -> Void = { _ in }
  ) -> [UInt8] {
    let d = Draft(
      orderID: orderID, audience: audience, statements: statements,
      fingerprint: OrderFingerprint(promise: "", blockers: []), composedFor: 0)
    var w = JSONWriter()
    w.raw("{\"id\":")
    if let id { w.int(Int(id)) } else { w.null() }
    w.raw(",\"order_id\":")
    w.string(orderID)
    w.raw(",\"audience\":")
    w.string(audience.rawValue)
    w.raw(",\"status\":")
    w.string(status)
    w.raw(",\"text\":")
    w.string(text)
    w.raw(",\"sources\":")
    w.strings(d.sources)
    w.raw(",\"statements\":[")
    for (i, s) in statements.enumerated() {
      if i > 0 { w.raw(",") }
      w.raw("{\"topic\":")
      w.string(s.topic)
      w.raw(",\"text\":")
      w.string(s.text)
      w.raw(",\"sources\":[")
      for (k, src) in s.sources.enumerated() {
        if k > 0 { w.raw(",") }
        w.raw("{\"ref\":")
        w.string(src.ref)
        w.raw(",\"detail\":")
        w.string(src.detail)
        w.raw("}")
      }
      w.raw("]}")
    }
    w.raw("]")
    extra(&w)
    w.raw("}\n")
    return w.bytes
  }

  static func trailJSON(_ trail: [DraftAuditEntry], into w: inout JSONWriter) {
    w.raw("[")
    for (i, t) in trail.enumerated() {
      if i > 0 { w.raw(",") }
      w.raw("{\"at\":")
      w.string(Timestamp.format(seconds: t.at))
      w.raw(",\"who\":")
      w.string(t.who)
      w.raw(",\"action\":")
      w.string(t.action)
      w.raw(",\"from\":")
      if let f = t.fromStatus { w.string(f) } else { w.null() }
      w.raw(",\"to\":")
      if let f = t.toStatus { w.string(f) } else { w.null() }
      w.raw(",\"note\":")
      w.string(t.note)
      w.raw("}")
    }
    w.raw("]")
  }

  static func storedJSON(_ d: StoredDraft, trail: [DraftAuditEntry]?) -> [UInt8] {
    draftJSON(
      id: d.id, orderID: d.orderID, audience: d.audience, status: d.displayStatus, text: d.text,
      statements: d.statements
    ) { w in
      w.raw(",\"review_status\":")
      w.string(d.status.rawValue)
      w.raw(",\"stale\":")
      w.bool(d.isStale)
      w.raw(",\"stale_because\":")
      if let s = d.staleBecause { w.string(s) } else { w.null() }
      w.raw(",\"version\":")
      w.int(d.version)
      w.raw(",\"parent\":")
      if let p = d.parent { w.int(Int(p)) } else { w.null() }
      w.raw(",\"edited\":")
      w.bool(d.edited)
      w.raw(",\"fingerprint\":")
      w.string(d.fingerprint.description)
      w.raw(",\"created_at\":")
      w.string(Timestamp.format(seconds: d.createdAt))
      w.raw(",\"created_by\":")
      w.string(d.createdBy)
      w.raw(",\"updated_at\":")
      w.string(Timestamp.format(seconds: d.updatedAt))
      w.raw(",\"updated_by\":")
      w.string(d.updatedBy)
      if let trail {
        w.raw(",\"trail\":")
        trailJSON(trail, into: &w)
      }
    }
  }

  /// `draft 12 · SO-10303 · for support · draft (version 1)` and the text, then the sources.
  static func storedText(_ d: StoredDraft, trail: [DraftAuditEntry]?, ctx: Context) -> String {
    let width = ctx.terminalWidth ?? 100
    func bold(_ s: String) -> String { ctx.useColor ? Style.bold.apply(s) : s }
    var head =
      "draft \(d.id) · \(d.orderID) · for \(d.audience.rawValue) · \(d.displayStatus) (version \(d.version)"
    if let p = d.parent { head += ", from draft \(p)" }
    head += ")"
    var out = bold(head) + "\n"
    if let why = d.staleBecause { out += "stale: the order changed since it was written: \(why)\n" }
    out += "\n" + SafeText.escape(d.text, .multiLine) + "\n\n"
    out += sourcesText(d.statements, width: width, edited: d.edited)
    if let trail {
      out += "\n" + bold("trail") + "\n"
      var t = Table([
        .init("when"), .init("who"), .init("action"), .init("status"),
        .init("note", flexible: true, minWidth: 12),
      ])
      for e in trail {
        let status = [e.fromStatus, e.toStatus].compactMap { $0 }
        t.add([
          time(e.at), e.who, e.action,
          status.count == 2 && status[0] != status[1]
            ? "\(status[0]) → \(status[1])" : (status.last ?? ""), e.note,
        ])
      }
      out += t.render(width: width)
    }
    return out
  }
}

/// `triage draft ORDER --for support|sales`, and `triage draft show ID`.
enum DraftCommand {
  static let spec = CommandSpec(
    "draft",
    abstract:
      "Draft a status message about an order for support or sales; 'draft show ID' shows a kept one.",
    discussion: """
      Writes a message about ORDER from what triage knows of it: for support, a customer-safe note \
      (what is happening, what is being done, when the customer hears next; no internal \
      identifiers); for sales, the account view (priority, promise and whether it holds, the \
      blockers with their owners, what would change the outlook). Every statement lists the notes \
      and records it rests on. A date is given only when a note or an event supports it (a \
      carrier ETA, a PO or restock date); otherwise the draft says when the next update comes, by \
      the policy in Lexicons/templates/policy.txt. The wording is in Lexicons/templates/. With \
      --db the draft is kept for review (see 'triage help approve'); with a data folder it is only \
      printed.
      """,
    arguments: [
      ArgumentSpec(
        "ORDER", help: "The order id (SO-10023, #10023 or 10023); or 'show' and a draft id.")
    ],
    options: [
      OptionSpec(
        "--for", value: "AUDIENCE", help: "Who the draft is for.",
        choices: DraftAudience.allCases.map(\.rawValue)),
      DraftCommands.byOption,
      .flag("--json", "Print {id, order_id, audience, status, text, sources, statements}."),
    ],
    examples: [
      "triage draft SO-10288 --for support --data Corpus/demo",
      "triage draft SO-10305 --for sales --db ops.db",
      "triage draft show 12 --db ops.db",
    ],
    subcommands: [("show ID", "Show a kept draft: its text, sources, status and review trail.")])

  static let command = Command(spec) { args, ctx throws(TriageError) in
    if args.positionals.first == "show" {
      guard args.positionals.count == 2 else { throw .usage("usage: triage draft show ID") }
      let store = try DraftCommands.requireFileStore(ctx, "draft show")
      let review = try DraftCommands.review(ctx, store)
      let d = try review.draft(try DraftCommands.draftID(args.positionals[1]))
      let trail = try review.trail(d.id)
      if args.has("--json") {
        ctx.out.write(bytes: DraftCommands.storedJSON(d, trail: trail))
      } else {
        ctx.out.write(DraftCommands.storedText(d, trail: trail, ctx: ctx))
      }
      return
    }
    guard args.positionals.count == 1 else {
      throw .usage(
        "unexpected argument '\(SafeText.escape(args.positionals[1]))'\nusage: \(spec.usage)")
    }
    guard let audienceName = args.value("--for"),
      let audience = DraftAudience(rawValue: audienceName)
    else {
      throw .usage(
        "which audience? pass --for support (the customer) or --for sales (the account manager)")
    }
    let order = try ctx.order(args.positionals[0])
    let view = try ctx.analyzer().view(of: order)
    let composer = DraftComposer(
      templates: try DraftCommands.templates(ctx), lexicon: try ctx.lexicon(),
      store: try ctx.store())
    let draft = try composer.compose(view, for: audience)
    try DraftCommands.warn(draft.warnings, ctx)
    if let store = try DraftCommands.fileStore(ctx) {
      let review = try DraftCommands.review(ctx, store)
      let stored = try review.save(draft, by: DraftCommands.who(args, ctx), at: ctx.clock())
      if args.has("--json") {
        ctx.out.write(bytes: DraftCommands.storedJSON(stored, trail: nil))
      } else {
        ctx.out.write(DraftCommands.storedText(stored, trail: nil, ctx: ctx))
        ctx.out.line(
          "\nkept as draft \(stored.id): 'triage approve \(stored.id)', 'triage edit \(stored.id)' or 'triage reject \(stored.id) --why ...'"
        )
      }
      return
    }
    if args.has("--json") {
      ctx.out.write(
        bytes: DraftCommands.draftJSON(
          id: nil, orderID: draft.orderID, audience: audience, status: DraftStatus.draft.rawValue,
          text: draft.text,
          statements: draft.statements))
      return
    }
    let width = ctx.terminalWidth ?? 100
    let head =
      "draft · \(draft.orderID) · for \(audience.rawValue) · not kept (pass --db FILE to keep it for review)"
    ctx.out.line(ctx.useColor ? Style.bold.apply(head) : head)
    ctx.out.line()
    ctx.out.line(SafeText.escape(draft.text, .multiLine))
    ctx.out.line()
    ctx.out.write(DraftCommands.sourcesText(draft.statements, width: width, edited: false))
  }
}

/// `triage drafts [--status S]`.
enum DraftsCommand {
  static let statuses = DraftStatus.allCases.map(\.rawValue) + ["stale"]

  static let spec = CommandSpec(
    "drafts", abstract: "List the drafts kept in the store, newest first.",
    discussion: """
      Lists drafts with their status: draft (waiting for review), stale (waiting, but the order's \
      blockers or promise status changed since it was written), approved, rejected, superseded \
      (an approved draft a later approval replaced). Needs --db.
      """,
    options: [
      OptionSpec(
        "--status", value: "STATUS", help: "Only drafts with this status.", choices: statuses),
      OptionSpec("--order", value: "ORDER", help: "Only drafts about this order."),
      .flag("--json", "Print a JSON array."),
    ],
    examples: ["triage drafts --db ops.db", "triage drafts --status stale --db ops.db"])

  static let command = Command(spec) { args, ctx throws(TriageError) in
    let store = try DraftCommands.requireFileStore(ctx, "drafts")
    var order: String?
    if let o = args.value("--order") { order = try ctx.order(o).orderID }
    let list = try DraftCommands.review(ctx, store).list(
      status: args.value("--status"), order: order)
    if args.has("--json") {
      var w = JSONWriter()
      w.raw("[")
      for (i, d) in list.enumerated() {
        if i > 0 { w.raw(",\n") }
        var bytes = DraftCommands.storedJSON(d, trail: nil)
        if bytes.last == ASCII.lf { bytes.removeLast() }
        bytes.withUnsafeBufferPointer { w.append($0) }
      }
      w.raw("]\n")
      ctx.out.write(bytes: w.bytes)
      return
    }
    if list.isEmpty {
      ctx.out.line("no drafts\(args.value("--status").map { " with status \($0)" } ?? "")")
      return
    }
    var t = Table([
      .init("id", alignRight: true), .init("order"), .init("for"), .init("ver", alignRight: true),
      .init("status"),
      .init("updated"), .init("by"), .init("text", flexible: true, truncate: true, minWidth: 12),
    ])
    for d in list {
      let firstLines = d.text.split(separator: "\n").prefix(3).joined(separator: " ")
      t.add([
        String(d.id), d.orderID, d.audience.rawValue, String(d.version), d.displayStatus,
        DraftCommands.time(d.updatedAt), d.updatedBy, firstLines,
      ])
    }
    ctx.out.write(t.render(width: ctx.terminalWidth))
  }
}

/// `triage approve ID`.
enum ApproveCommand {
  static let spec = CommandSpec(
    "approve", abstract: "Approve a draft: it is frozen and may be exported.",
    discussion: """
      Approves a draft waiting for review. An approved draft is frozen: an edit makes a new \
      version. A stale draft (its order changed since it was written) is refused unless --force. \
      An earlier approved draft of the same order and audience becomes superseded. Who and when \
      go into the draft's trail ('triage draft show ID'). Needs --db.
      """,
    arguments: [ArgumentSpec("ID", help: "The draft id ('triage drafts' lists them).")],
    options: [
      DraftCommands.byOption,
      OptionSpec("--note", value: "TEXT", help: "A comment for the trail."),
      .flag("--force", "Approve a stale draft anyway."),
      .flag("--json", "Print the draft as JSON."),
    ],
    examples: ["triage approve 12 --db ops.db", "triage approve 12 --by alice --db ops.db"])

  static let command = Command(spec) { args, ctx throws(TriageError) in
    let store = try DraftCommands.requireFileStore(ctx, "approve")
    let d = try DraftCommands.review(ctx, store).approve(
      try DraftCommands.draftID(args.positionals[0]), by: DraftCommands.who(args, ctx),
      at: ctx.clock(),
      force: args.has("--force"), note: args.value("--note") ?? "")
    if args.has("--json") {
      ctx.out.write(bytes: DraftCommands.storedJSON(d, trail: nil))
    } else {
      ctx.out.line(
        "approved draft \(d.id) (\(d.orderID), for \(d.audience.rawValue)) by \(SafeText.escape(d.updatedBy))"
      )
    }
  }
}

/// `triage edit ID [--text T]`.
enum EditCommand {
  static let spec = CommandSpec(
    "edit", abstract: "Edit a draft's text in $VISUAL / $EDITOR, or with --text.",
    discussion: """
      Opens the draft's text in $VISUAL (else $EDITOR) on a temporary file, or takes it from \
      --text. A draft waiting for review changes in place; an approved or rejected draft is frozen, \
      so the edit becomes a new version (a draft) that names the one it came from. The sources \
      stay those of the composed draft. An unchanged text records nothing. Needs --db.
      """,
    arguments: [ArgumentSpec("ID", help: "The draft id.")],
    options: [
      OptionSpec("--text", value: "TEXT", help: "The new text (instead of an editor)."),
      DraftCommands.byOption,
      .flag("--json", "Print the draft as JSON."),
    ],
    examples: ["triage edit 12 --db ops.db", "triage edit 12 --text \"Hi Priya, ...\" --db ops.db"])

  static let command = Command(spec) { args, ctx throws(TriageError) in
    let store = try DraftCommands.requireFileStore(ctx, "edit")
    let review = try DraftCommands.review(ctx, store)
    let id = try DraftCommands.draftID(args.positionals[0])
    let current = try review.draft(id)
    let text: String
    if let given = args.value("--text") {
      text = given
    } else {
      text = try Editor.edit(current.text, name: "triage-draft-\(id)", ctx: ctx)
    }
    try DraftCommands.warn(try DraftCommands.leaks(in: text, of: current, ctx), ctx)
    let outcome = try review.edit(id, text: text, by: DraftCommands.who(args, ctx), at: ctx.clock())
    let d: StoredDraft
    switch outcome {
    case .unchanged(let x):
      d = x
      if !args.has("--json") {
        ctx.out.line("draft \(id): the text is unchanged; nothing recorded")
      }
    case .edited(let x):
      d = x
      if !args.has("--json") {
        ctx.out.line(
          "edited draft \(id)"
            + (x.isStale ? " (still stale: write a new one to refresh its facts)" : ""))
      }
    case .newVersion(let x, let from):
      d = x
      if !args.has("--json") {
        ctx.out.line(
          "draft \(from) is \(current.status.rawValue) and frozen; the edit is a new version: draft \(x.id) (version \(x.version)), waiting for review"
        )
      }
    }
    if args.has("--json") { ctx.out.write(bytes: DraftCommands.storedJSON(d, trail: nil)) }
  }
}

/// `triage reject ID --why "..."`.
enum RejectCommand {
  static let spec = CommandSpec(
    "reject", abstract: "Reject a draft, with a reason.",
    discussion:
      "Rejects a draft waiting for review; the reason goes into its trail. A rejected draft is frozen (an edit makes a new version). Needs --db.",
    arguments: [ArgumentSpec("ID", help: "The draft id.")],
    options: [
      OptionSpec("--why", value: "REASON", help: "Why it is rejected (required)."),
      DraftCommands.byOption,
      .flag("--json", "Print the draft as JSON."),
    ],
    examples: ["triage reject 12 --why \"promise date is wrong\" --db ops.db"])

  static let command = Command(spec) { args, ctx throws(TriageError) in
    guard let why = args.value("--why") else {
      throw .usage("a rejection needs a reason: --why \"...\"")
    }
    let store = try DraftCommands.requireFileStore(ctx, "reject")
    let d = try DraftCommands.review(ctx, store).reject(
      try DraftCommands.draftID(args.positionals[0]), why: why, by: DraftCommands.who(args, ctx),
      at: ctx.clock())
    if args.has("--json") {
      ctx.out.write(bytes: DraftCommands.storedJSON(d, trail: nil))
    } else {
      ctx.out.line(
        "rejected draft \(d.id) (\(d.orderID), for \(d.audience.rawValue)) by \(SafeText.escape(d.updatedBy))"
      )
    }
  }
}

/// `triage export drafts --approved`.
enum ExportCommand {
  static let spec = CommandSpec(
    "export", abstract: "Export approved drafts as JSON Lines or CSV.",
    discussion: """
      'export drafts --approved' writes the approved drafts only (never a draft waiting for \
      review, a rejected or a superseded one), oldest first: id, order_id, audience, version, \
      status, stale, approved_by, approved_at, text, sources. CSV cells that a spreadsheet would \
      run as a formula (starting with =, +, -, @) get a leading apostrophe. With --out the file \
      is written atomically and an existing one is replaced only with --force. Needs --db.
      """,
    arguments: [ArgumentSpec("WHAT", help: "What to export: drafts.")],
    options: [
      .flag("--approved", "Approved drafts (the default, and the only ones ever exported)."),
      OptionSpec(
        "--format", value: "FORMAT", help: "The output format (default jsonl).",
        choices: DraftExport.Format.allCases.map(\.rawValue)),
      OptionSpec("--out", value: "FILE", help: "Write to FILE instead of stdout."),
      .flag("--force", "Replace FILE when it exists."),
    ],
    examples: [
      "triage export drafts --approved --db ops.db",
      "triage export drafts --approved --format csv --out approved.csv --db ops.db",
    ],
    subcommands: [("drafts", "Approved drafts.")])

  static let command = Command(spec) { args, ctx throws(TriageError) in
    guard args.positionals.count == 1, args.positionals[0] == "drafts" else {
      let what = args.positionals.first ?? ""
      throw .usage(
        "unknown export '\(SafeText.escape(what))'\(Suggest.didYouMean(what, in: ["drafts"])); triage exports: drafts"
      )
    }
    let store = try DraftCommands.requireFileStore(ctx, "export drafts")
    let review = try DraftCommands.review(ctx, store)
    let approved = try review.approved()
    var approvals: [Int64: DraftAuditEntry] = [:]
    for d in approved {
      approvals[d.id] = try store.draftTrail(id: d.id).last { $0.action == "approved" }
    }
    let format = args.value("--format").flatMap(DraftExport.Format.init(rawValue:)) ?? .jsonl
    let bytes = DraftExport.render(approved, approvals: approvals, format: format)
    if let out = args.value("--out") {
      let path = ctx.resolve(out)
      try AtomicFile.write(bytes, to: path, overwrite: args.has("--force"))
      ctx.err.line("triage: wrote \(approved.count) approved draft(s) to \(SafeText.escape(path))")
    } else {
      ctx.out.write(bytes: bytes)
    }
  }
}

/// `triage changes --since last-review|TIME`.
enum ChangesCommand {
  static let spec = CommandSpec(
    "changes", abstract: "Orders that changed since the last cutoff review, high priority first.",
    discussion: """
      Compares every live order now with the snapshot of a cutoff review ('triage review mark'): \
      which orders changed state, gained or lost blockers, or moved promise status, each with a \
      one-line summary; orders new since the review are listed too. --since last-review (the \
      default) uses the latest review; --since TIME the latest review taken at or before TIME \
      (its data time). Needs --db.
      """,
    options: [
      OptionSpec("--since", value: "WHEN", help: "last-review (default), or an ISO 8601 time."),
      .flag("--json", "Print one JSON object."),
    ],
    examples: [
      "triage changes --db ops.db",
      "triage changes --since 2026-11-23T14:00:00Z --json --db ops.db",
    ])

  static let command = Command(spec) { args, ctx throws(TriageError) in
    let store = try DraftCommands.requireFileStore(ctx, "changes")
    let reviews = try store.reviews()
    let since = args.value("--since") ?? "last-review"
    let review: CutoffReview
    if since == "last-review" {
      guard let r = reviews.first else {
        throw .usage(
          "no cutoff review recorded yet: record one with 'triage review mark', then 'changes' starts there"
        )
      }
      review = r
    } else {
      let t: Int64
      do throws(Timestamp.ParseError) { t = try Timestamp(since).seconds } catch {
        throw .usage(
          "--since expects 'last-review' or a time like 2026-11-23T14:00:00Z: \(error.message)")
      }
      guard let r = reviews.first(where: { $0.dataAt <= t }) else {
        throw .usage(
          "no cutoff review at or before \(Timestamp.format(seconds: t))\(reviews.isEmpty ? "; record one with 'triage review mark'" : "; the earliest is \(Timestamp.format(seconds: reviews[reviews.count - 1].dataAt))")"
        )
      }
      review = r
    }
    let before = try store.reviewSnapshot(review.id)
    var views = try OrderQueue.liveViews(ctx)
    let live = Set(views.map(\.order.orderID))
    let analyzer = try ctx.analyzer()
    for s in before where !live.contains(s.orderID) {
      if let o = try store.order(s.orderID) { views.append(try analyzer.view(of: o)) }
    }
    let changes = ChangeReview.compare(before: before, now: views.map(OrderSnapshot.init))
    let now = try ctx.now()
    if args.has("--json") {
      var w = JSONWriter()
      w.raw("{\"review\":{\"id\":")
      w.int(Int(review.id))
      w.raw(",\"data_at\":")
      w.string(Timestamp.format(seconds: review.dataAt))
      w.raw(",\"marked_at\":")
      w.string(Timestamp.format(seconds: review.markedAt))
      w.raw(",\"by\":")
      w.string(review.who)
      w.raw("},\"now\":")
      w.string(Timestamp.format(seconds: now))
      w.raw(",\"changes\":[")
      func snap(_ s: OrderSnapshot?, _ w: inout JSONWriter) {
        guard let s else { return w.null() }
        w.raw("{\"state\":")
        w.string(s.state)
        w.raw(",\"promise\":")
        w.string(s.promise)
        w.raw(",\"blockers\":")
        w.strings(s.blockers)
        w.raw("}")
      }
      for (i, c) in changes.enumerated() {
        if i > 0 { w.raw(",\n") }
        w.raw("{\"order_id\":")
        w.string(c.orderID)
        w.raw(",\"priority\":")
        w.string(c.priority)
        w.raw(",\"customer\":")
        w.string(c.customer)
        w.raw(",\"before\":")
        snap(c.before, &w)
        w.raw(",\"after\":")
        snap(c.after, &w)
        for (key, list) in [("gained", c.gained), ("lost", c.lost)] {
          w.raw(",")
          w.string(key)
          w.raw(":")
          w.strings(list)
        }
        w.raw(",\"summary\":")
        w.string(c.summary)
        w.raw("}")
      }
      w.raw("]}\n")
      ctx.out.write(bytes: w.bytes)
      return
    }
    ctx.out.line(
      "since cutoff review \(review.id) (orders as of \(Timestamp.format(seconds: review.dataAt)), recorded by \(SafeText.escape(review.who))): \(changes.count) order(s) changed, as of \(Timestamp.format(seconds: now))"
    )
    guard !changes.isEmpty else { return }
    var t = Table([
      .init("order"), .init("pri"), .init("customer", flexible: true, truncate: true, minWidth: 8),
      .init("promise"),
      .init("change", flexible: true, minWidth: 20),
    ])
    for c in changes {
      t.add(
        [c.orderID, c.priority, c.customer, c.after.promise, c.summary],
        style: PromiseStatus(rawValue: c.after.promise).flatMap(OrderQueue.style))
    }
    ctx.out.line()
    ctx.out.write(t.render(width: ctx.terminalWidth, color: ctx.useColor))
  }
}

/// `triage review mark` and `triage review list`.
enum ReviewCommand {
  static let spec = CommandSpec(
    "review", abstract: "Record a cutoff review (so 'changes' starts there), or list them.",
    discussion: """
      'review mark' keeps a snapshot of every live order (its state, promise status and open \
      blocker codes, judged at --now) as a cutoff review; the next 'triage changes' compares \
      against it. 'review list' lists the reviews. Needs --db.
      """,
    arguments: [ArgumentSpec("ACTION", help: "mark or list.")],
    options: [DraftCommands.byOption, .flag("--json", "Print JSON.")],
    examples: ["triage review mark --db ops.db", "triage review list --db ops.db"],
    subcommands: [("mark", "Record a cutoff review now."), ("list", "List the recorded reviews.")])

  static let command = Command(spec) { args, ctx throws(TriageError) in
    let action = args.positionals[0]
    guard args.positionals.count == 1, ["mark", "list"].contains(action) else {
      throw .usage(
        "unknown review action '\(SafeText.escape(action))'\(Suggest.didYouMean(action, in: ["mark", "list"])); expected mark or list"
      )
    }
    let store = try DraftCommands.requireFileStore(ctx, "review \(action)")
    func json(_ r: CutoffReview, _ w: inout JSONWriter) {
      w.raw("{\"id\":")
      w.int(Int(r.id))
      w.raw(",\"data_at\":")
      w.string(Timestamp.format(seconds: r.dataAt))
      w.raw(",\"marked_at\":")
      w.string(Timestamp.format(seconds: r.markedAt))
      w.raw(",\"by\":")
      w.string(r.who)
      w.raw(",\"orders\":")
      w.int(r.orders)
      w.raw("}")
    }
    if action == "list" {
      let reviews = try store.reviews()
      if args.has("--json") {
        var w = JSONWriter()
        w.raw("[")
        for (i, r) in reviews.enumerated() {
          if i > 0 { w.raw(",") }
          json(r, &w)
        }
        w.raw("]\n")
        ctx.out.write(bytes: w.bytes)
        return
      }
      if reviews.isEmpty {
        ctx.out.line("no cutoff reviews recorded")
        return
      }
      var t = Table([
        .init("id", alignRight: true), .init("orders as of"), .init("recorded"), .init("by"),
        .init("orders", alignRight: true),
      ])
      for r in reviews {
        t.add([
          String(r.id), Timestamp.format(seconds: r.dataAt), DraftCommands.time(r.markedAt), r.who,
          String(r.orders),
        ])
      }
      ctx.out.write(t.render(width: ctx.terminalWidth))
      return
    }
    let views = try OrderQueue.liveViews(ctx)
    let r = try store.recordReview(
      views.map(OrderSnapshot.init), dataAt: try ctx.now(), markedAt: ctx.clock(),
      by: DraftCommands.who(args, ctx))
    if args.has("--json") {
      var w = JSONWriter()
      json(r, &w)
      w.raw("\n")
      ctx.out.write(bytes: w.bytes)
    } else {
      ctx.out.line(
        "recorded cutoff review \(r.id): \(r.orders) live order(s) as of \(Timestamp.format(seconds: r.dataAt)), by \(SafeText.escape(r.who))"
      )
    }
  }
}

/// Runs the user's editor on a temporary file holding a text, and reads it back.
enum Editor {
  static func edit(_ text: String, name: String, ctx: Context) throws(TriageError) -> String {
    let env = ctx.environment
    guard
      let editor = [env["VISUAL"], env["EDITOR"]].compactMap({ $0 }).first(where: {
        !$0.trimmingCharacters(in: .whitespaces).isEmpty
      })
    else {
      throw .usage("no editor: set $VISUAL or $EDITOR, or pass the new text with --text")
    }
    let dir = env["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    let path = (dir as NSString).appendingPathComponent(
      "\(name)-\(UUID().uuidString.prefix(8)).txt")
    try AtomicFile.write(Array((text + "\n").utf8), to: path, overwrite: false, mode: 0o600)
    defer { try? FileManager.default.removeItem(atPath: path) }
    // The editor may carry arguments ("code -w"); the file is passed as "$1", never interpolated.
    // It runs in our process group (not Foundation's Process, which gives it a group of its own
    // where a terminal editor is stopped as soon as it reads a key).
    let status: Int32
    do {
      status = try TerminalProgram.run(
        shell: editor + " \"$1\"", arguments: ["triage-editor", path], environment: env)
    } catch {
      throw .failure("cannot start the editor '\(SafeText.escape(editor))': \(error)")
    }
    guard status == 0 else {
      throw .failure(
        "the editor '\(SafeText.escape(editor))' exited with status \(status); nothing was saved"
      )
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .failure("cannot read back '\(path)' after editing; nothing was saved")
    }
    return String(decoding: data, as: UTF8.self)
  }
}
