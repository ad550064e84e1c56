import TriageCore

/// How a SKU's drift reads: a technical hand-off failure, a process gap, or both.
public enum DriftVerdict: String, Sendable {
  /// Consistent with logged failures: the gap equals what rejected or errored events carried.
  case integration
  /// Irregular and unlogged: manual adjustments, cycle counts, nothing failed.
  case process
  /// A logged failure explains part of the gap; the rest is unexplained or manual.
  case both
}

/// The drift picture of one SKU.
public struct DriftReport: Sendable {
  public var sku: String
  public var counts: Reconciler.Counts
  public var drifts: Bool
  public var detail: String
  public var gap: Int
  public var failedEvents: [EventRecord]
  public var adjustments: [EventRecord]
  public var notes: [StoredNote]
  public var verdict: DriftVerdict?
  public var verdictReason: String
  public var waitingOrders: [String]
}

extension Reconciler {
  /// The drift report of a SKU, with the fork verdict (ARCHITECTURE.md, "Drift").
  public func report(sku: String, notesAbout: [StoredNote]) throws(TriageError) -> DriftReport {
    let c = try counts(sku: sku)
    let state = driftState(c)
    let values = [c.wms, c.erp, c.storefront].compactMap { $0 }
    var gap = 0
    for a in values { for b in values { gap = max(gap, abs(a - b)) } }
    let events = try store.events(ref: sku)
    let failed = events.filter { e in
      e.failed && e.status != "duplicate"
        && !events.contains { $0.status == "ok" && $0.at > e.at && !e.idempotencyKey.isEmpty && $0.idempotencyKey == e.idempotencyKey }
    }
    let adjustments = events.filter { $0.type == "adjustment" && $0.status == "ok" }
    let failedQty = failed.reduce(0) { $0 + abs($1.qty ?? 0) }
    let tolerance = max(settings.driftUnits, Int(Double(gap) * settings.driftPercent / 100))
    var verdict: DriftVerdict?
    var reason = ""
    if state.drifts {
      // Does any pair of counts differ by exactly what the failed events carried?
      let pairs = [(c.wms, c.erp), (c.wms, c.storefront), (c.erp, c.storefront)].compactMap { a, b -> Int? in
        guard let a, let b else { return nil }
        return abs(a - b)
      }
      let consistent = failedQty > 0 && pairs.contains { abs($0 - failedQty) <= tolerance && $0 > settings.driftUnits }
      if failedQty > 0 && consistent && adjustments.isEmpty {
        verdict = .integration
        reason = "the gap (\(gap)) matches the \(failedQty) unit(s) of \(failed.count) failed hand-off(s) (\(failed.map(\.eventID).joined(separator: ", "))): consistent, logged"
      } else if failedQty > 0 {
        verdict = .both
        reason = "\(failed.count) failed hand-off(s) carried \(failedQty) unit(s) (\(failed.map(\.eventID).joined(separator: ", "))), but the gap is \(gap)"
          + (adjustments.isEmpty ? "" : "; \(adjustments.count) manual adjustment(s) as well")
          + ": part logged failure, part unexplained"
      } else {
        verdict = .process
        var why: [String] = []
        if !adjustments.isEmpty { why.append("\(adjustments.count) adjustment(s) went through (\(adjustments.map(\.eventID).joined(separator: ", ")))") }
        if !notesAbout.isEmpty { why.append("\(notesAbout.count) note(s) about counts or adjustments") }
        reason = "no failed hand-off logged; the gap (\(gap)) is irregular" + (why.isEmpty ? "" : ": " + why.joined(separator: ", "))
      }
    }
    var waiting: [String] = []
    for l in try store.lines(sku: sku) where (l.picked ?? 0) < (l.ordered ?? 0) || l.picked == nil {
      if let o = try store.order(l.orderID), !Reconciler.cancelled(o), !Reconciler.shipped(o, try store.lines(order: o.orderID)) {
        if !waiting.contains(o.orderID) { waiting.append(o.orderID) }
      }
    }
    return DriftReport(
      sku: sku, counts: c, drifts: state.drifts, detail: state.detail, gap: gap, failedEvents: failed,
      adjustments: adjustments, notes: notesAbout, verdict: verdict, verdictReason: reason, waitingOrders: waiting)
  }
}

/// `triage drift [SKU]`: where systems disagree on stock.
enum DriftCommand {
  static let spec = CommandSpec(
    "drift", abstract: "Where WMS, ERP and storefront disagree on stock, and why.",
    discussion: """
      Without a SKU: every SKU whose counts drift beyond the site's tolerance (settings.txt), \
      with the orders waiting on it. With a SKU: its counts per system and location, the events \
      and notes behind the drift, and the verdict: integration (consistent with a logged \
      technical failure), process (irregular, manual adjustments or cycle counts, nothing \
      logged) or both.
      """,
    arguments: [ArgumentSpec("SKU", help: "One SKU to explain.", optional: true)],
    options: [.flag("--json", "Print JSON.")],
    examples: ["triage drift", "triage drift 47305", "triage drift --json"])

  static let command = Command(spec) { args, ctx throws(TriageError) in
    let store = try ctx.store()
    let reconciler = Reconciler(store: store, settings: try ctx.settings(), observedAt: try ctx.now())
    func notes(_ sku: String) throws(TriageError) -> [StoredNote] {
      let classifier = try ctx.classifier()
      return try store.notes(mentioning: sku, kind: .sku).filter { n in
        classifier.classify(n.text).codes.contains("inventory_drift")
      }
    }
    if let sku = args.positionals.first {
      let known = try store.skus()
      guard known.contains(sku) || known.contains(sku.uppercased()) else {
        throw .usage("unknown SKU '\(SafeText.escape(sku))'\(Suggest.didYouMean(sku, in: known))")
      }
      let r = try reconciler.report(sku: known.contains(sku) ? sku : sku.uppercased(), notesAbout: try notes(sku))
      if args.has("--json") {
        ctx.out.write(json([r]))
      } else {
        ctx.out.write(render(r, ctx: ctx))
      }
      return
    }
    var reports: [DriftReport] = []
    for sku in try store.skus() {
      let r = try reconciler.report(sku: sku, notesAbout: [])
      if r.drifts { reports.append(try reconciler.report(sku: sku, notesAbout: try notes(sku))) }
    }
    reports.sort { $0.gap != $1.gap ? $0.gap > $1.gap : $0.sku < $1.sku }
    if args.has("--json") {
      ctx.out.write(json(reports))
      return
    }
    if reports.isEmpty {
      ctx.out.line("no SKU drifts: WMS, ERP and storefront agree within tolerance")
      return
    }
    var t = Table([
      .init("sku"), .init("wms", alignRight: true), .init("erp", alignRight: true), .init("storefront", alignRight: true),
      .init("gap", alignRight: true), .init("verdict"), .init("waiting orders", flexible: true, minWidth: 10),
    ])
    func q(_ x: Int?) -> String { x.map(String.init) ?? "–" }
    for r in reports {
      t.add([r.sku, q(r.counts.wms), q(r.counts.erp), q(r.counts.storefront), String(r.gap), r.verdict?.rawValue ?? "", r.waitingOrders.joined(separator: ", ")])
    }
    ctx.out.write(t.render(width: ctx.terminalWidth, color: ctx.useColor))
    ctx.out.line("see 'triage drift SKU' for the events and notes behind each")
  }

  static func render(_ r: DriftReport, ctx: Context) -> String {
    var out = "SKU \(SafeText.escape(r.sku))  \(r.drifts ? "drifts" : "counts agree within tolerance")\n"
    out += "  \(SafeText.escape(r.detail))\n"
    var t = Table([.init("location"), .init("wms", alignRight: true), .init("erp", alignRight: true), .init("storefront", alignRight: true), .init("as of")])
    func q(_ x: Int?) -> String { x.map(String.init) ?? "–" }
    for row in r.counts.rows {
      t.add([row.location, q(row.wms), q(row.erp), q(row.storefront), row.asOf.map { Timestamp.format(seconds: $0) } ?? "–"])
    }
    t.add(["total", q(r.counts.wms), q(r.counts.erp), q(r.counts.storefront), ""])
    out += "\n" + t.render(width: ctx.terminalWidth)
    if let v = r.verdict { out += "\nverdict   \(v.rawValue): \(SafeText.escape(r.verdictReason))\n" }
    if !r.failedEvents.isEmpty || !r.adjustments.isEmpty {
      out += "\nevents\n"
      for e in (r.failedEvents + r.adjustments).sorted(by: { $0.at < $1.at }) {
        out += "  \(Timestamp.format(seconds: e.at))  \(SafeText.escape(e.eventID))  \(e.type) \(e.fromSystem)→\(e.toSystem) qty \(e.qty.map(String.init) ?? "–") \(e.status)\(e.message.isEmpty ? "" : ": " + SafeText.escape(e.message))\n"
      }
    }
    if !r.notes.isEmpty {
      out += "\nnotes\n"
      for n in r.notes { out += "  \(Timestamp.format(seconds: n.createdAt))  \(SafeText.escape(n.noteID))  \(SafeText.escape(n.text))\n" }
    }
    if !r.waitingOrders.isEmpty { out += "\nwaiting orders  \(r.waitingOrders.joined(separator: ", "))\n" }
    return out
  }

  static func json(_ reports: [DriftReport]) -> String {
    var w = JSONWriter()
    w.raw("[")
    for (i, r) in reports.enumerated() {
      if i > 0 { w.raw(",\n") }
      w.raw("{\"sku\":")
      w.string(r.sku)
      for (name, v) in [("wms", r.counts.wms), ("erp", r.counts.erp), ("storefront", r.counts.storefront)] {
        w.raw(",")
        w.string(name)
        w.raw(":")
        if let v { w.int(v) } else { w.null() }
      }
      w.raw(",\"drifts\":")
      w.bool(r.drifts)
      w.raw(",\"gap\":")
      w.int(r.gap)
      w.raw(",\"verdict\":")
      if let v = r.verdict { w.string(v.rawValue) } else { w.null() }
      w.raw(",\"reason\":")
      w.string(r.verdictReason)
      w.raw(",\"events\":[")
      for (k, e) in (r.failedEvents + r.adjustments).enumerated() {
        if k > 0 { w.raw(",") }
        w.string(e.source)
      }
      w.raw("],\"notes\":")
      w.strings(r.notes.lazy.map(\.noteID))
      w.raw(",\"waiting_orders\":")
      w.strings(r.waitingOrders)
      w.raw("}")
    }
    w.raw("]\n")
    return String(decoding: w.bytes, as: UTF8.self)
  }
}
