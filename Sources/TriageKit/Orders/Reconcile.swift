import TriageCore

/// The reconciliation rules: blockers the data shows on its own, each with the records behind
/// it (ARCHITECTURE.md, "Reconciliation").
///
/// - the pick-pack confirmation gap: a line picked more than it was packed or shipped, on an
///   order that shipped or closed a box → `missing_item`;
/// - a short line: picked below ordered once picking is done → `short_pick`;
/// - fulfilled in the ERP or storefront with no WMS pick or pack record, and rejected, errored or
///   duplicate events about the order or a SKU it waits on → `integration_error`;
/// - a SKU whose WMS, ERP and storefront counts disagree beyond the site's tolerance, or that the
///   storefront sells while the WMS has none → `inventory_drift` for the orders waiting on it.
///
/// A finding is open while the data shows it, and resolved when an earlier ingest showed it and
/// the data no longer does (the gap closed, a failed event was re-sent, counts agree again).
public struct Reconciler {
  public let store: Store
  public let settings: SiteSettings
  /// When the data was taken: the time current findings carry.
  public let observedAt: Int64

  public init(store: Store, settings: SiteSettings, observedAt: Int64) {
    self.store = store
    self.settings = settings
    self.observedAt = observedAt
  }

  /// Whether the order has shipped or closed a box (so a pick-pack gap means a missing item).
  static func packedOrShipped(_ o: OrderRecord, _ lines: [LineRecord]) -> Bool {
    o.wmsStatus == "packed" || o.wmsStatus == "shipped" || o.erpStatus == "fulfilled"
      || o.storefrontStatus == "fulfilled" || lines.contains { ($0.shipped ?? 0) > 0 }
  }

  static func pickingDone(_ o: OrderRecord, _ lines: [LineRecord]) -> Bool {
    ["picked", "packed", "shipped"].contains(o.wmsStatus) || lines.contains { $0.packed != nil || $0.shipped != nil }
  }

  static func shipped(_ o: OrderRecord, _ lines: [LineRecord]) -> Bool {
    o.wmsStatus == "shipped"
      || (!lines.isEmpty && lines.allSatisfy { l in (l.shipped ?? -1) >= (l.ordered ?? Int.max) && l.ordered != nil })
  }

  static func cancelled(_ o: OrderRecord) -> Bool {
    o.erpStatus == "cancelled" || o.storefrontStatus == "cancelled"
  }

  /// The pick-pack gap of a line, as (picked, confirmed, what confirmed means) when there is one.
  static func gap(_ o: OrderRecord, _ lines: [LineRecord], _ l: LineRecord) -> (Int, Int, String)? {
    guard packedOrShipped(o, lines), let picked = l.picked else { return nil }
    let isShipped = o.wmsStatus == "shipped" || o.erpStatus == "fulfilled" || o.storefrontStatus == "fulfilled"
    if isShipped, let s = l.shipped, picked > s { return (picked, s, "shipped") }
    if let p = l.packed, picked > p { return (picked, p, "packed") }
    return nil
  }

  static func short(_ o: OrderRecord, _ lines: [LineRecord], _ l: LineRecord) -> (Int, Int)? {
    guard pickingDone(o, lines), let picked = l.picked, let ordered = l.ordered, picked < ordered else { return nil }
    return (picked, ordered)
  }

  /// The findings for one order.
  public func findings(order o: OrderRecord, lines: [LineRecord]) throws(TriageError) -> [DataFinding] {
    var out: [DataFinding] = []
    let done = Reconciler.cancelled(o)
    for l in lines {
      // The line as it was before its last recorded change, to tell a closed gap.
      let previous = try previousVersion(of: l)
      if let (picked, confirmed, what) = Reconciler.gap(o, lines, l) {
        out.append(DataFinding(code: "missing_item", status: .open, source: l.source,
          detail: "picked \(picked), \(what) \(confirmed): \(picked - confirmed) not confirmed \(what)", at: observedAt))
      } else if let (prev, at) = previous, Reconciler.gap(o, lines, prev) != nil {
        out.append(DataFinding(code: "missing_item", status: .resolved, source: l.source,
          detail: "pick-pack gap closed (now picked \(l.picked.map(String.init) ?? "–"), packed \(l.packed.map(String.init) ?? "–"))", at: at))
      }
      if !done, let (picked, ordered) = Reconciler.short(o, lines, l) {
        out.append(DataFinding(code: "short_pick", status: .open, source: l.source,
          detail: "picked \(picked) of \(ordered) (SKU \(l.sku))", at: observedAt))
      } else if let (prev, at) = previous, Reconciler.short(o, lines, prev) != nil {
        out.append(DataFinding(code: "short_pick", status: .resolved, source: l.source,
          detail: "short line closed (now picked \(l.picked.map(String.init) ?? "–") of \(l.ordered.map(String.init) ?? "–"))", at: at))
      }
    }
    // Fulfilled upstream, never picked or packed in the WMS.
    let upstreamFulfilled = o.erpStatus == "fulfilled" || o.storefrontStatus == "fulfilled"
    let noWMSRecord =
      ["", "released", "picking"].contains(o.wmsStatus)
      && lines.allSatisfy { ($0.picked ?? 0) == 0 && ($0.packed ?? 0) == 0 }
    if upstreamFulfilled && noWMSRecord {
      let who = [o.erpStatus == "fulfilled" ? "ERP" : nil, o.storefrontStatus == "fulfilled" ? "storefront" : nil]
        .compactMap { $0 }.joined(separator: " and ")
      out.append(DataFinding(code: "integration_error", status: .open, source: "orders.csv:\(o.orderID)",
        detail: "\(who) \(who.contains(" and ") ? "say" : "says") fulfilled, but the WMS has no pick or pack record (wms_status '\(o.wmsStatus)')", at: observedAt))
    }
    // Failed hand-offs about the order itself.
    out += try failedEvents(ref: o.orderID, about: "order")
    // SKUs the order still waits on: failed events and drift.
    if !done && !Reconciler.shipped(o, lines) {
      var seen = Set<String>()
      for l in lines where (l.picked ?? 0) < (l.ordered ?? 0) || l.picked == nil {
        guard seen.insert(l.sku).inserted else { continue }
        out += try failedEvents(ref: l.sku, about: "SKU \(l.sku)")
        if let drift = try drift(sku: l.sku) {
          out.append(DataFinding(code: "inventory_drift", status: drift.status, source: "inventory.csv:\(l.sku)",
            detail: drift.detail, at: drift.status == .open ? observedAt : drift.at))
        }
      }
    }
    return out
  }

  /// Rejected, errored and duplicate events about a ref; resolved when a later event with the
  /// same idempotency key (or, without one, of the same type) went through.
  func failedEvents(ref: String, about: String) throws(TriageError) -> [DataFinding] {
    guard !ref.isEmpty else { return [] }
    let events = try store.events(ref: ref)
    var out: [DataFinding] = []
    for e in events where e.failed {
      let fixed = events.first { later in
        later.status == "ok" && later.at > e.at
          && (e.idempotencyKey.isEmpty ? later.type == e.type : later.idempotencyKey == e.idempotencyKey)
      }
      let what = "\(e.type) \(e.fromSystem.isEmpty ? "" : "\(e.fromSystem)→\(e.toSystem) ")\(e.status)"
        + (e.message.isEmpty ? "" : ": \(e.message)") + " (\(about))"
      if let fixed {
        out.append(DataFinding(code: "integration_error", status: .resolved, source: e.source,
          detail: what + "; went through in \(fixed.eventID)", at: fixed.at))
      } else {
        out.append(DataFinding(code: "integration_error", status: .open, source: e.source, detail: what, at: e.at))
      }
    }
    return out
  }

  /// A SKU's counts per system, summed over its locations.
  public struct Counts: Sendable, Equatable {
    public var wms: Int?
    public var erp: Int?
    public var storefront: Int?
    public var rows: [InventoryRecord]
  }

  public func counts(sku: String) throws(TriageError) -> Counts {
    let rows = try store.inventory(sku: sku)
    func sum(_ f: (InventoryRecord) -> Int?) -> Int? {
      let vs = rows.compactMap(f)
      return vs.isEmpty ? nil : vs.reduce(0, +)
    }
    return Counts(wms: sum(\.wms), erp: sum(\.erp), storefront: sum(\.storefront), rows: rows)
  }

  /// Whether a SKU's counts drift, and how it reads.
  public func driftState(_ c: Counts) -> (drifts: Bool, detail: String) {
    let named = [("WMS", c.wms), ("ERP", c.erp), ("storefront", c.storefront)]
    var reasons: [String] = []
    for i in 0..<named.count {
      for j in (i + 1)..<named.count {
        if let a = named[i].1, let b = named[j].1, settings.drifts(a, b) {
          reasons.append("\(named[i].0) \(a) vs \(named[j].0) \(b)")
        }
      }
    }
    if let s = c.storefront, s > 0, c.wms == 0 { reasons.append("storefront sells \(s) while the WMS has none") }
    let counts = named.map { "\($0.0) \($0.1.map(String.init) ?? "–")" }.joined(separator: ", ")
    return (!reasons.isEmpty, counts + (reasons.isEmpty ? "" : " (" + reasons.joined(separator: "; ") + ")"))
  }

  func drift(sku: String) throws(TriageError) -> (status: ReasonStatus, detail: String, at: Int64?)? {
    let c = try counts(sku: sku)
    guard !c.rows.isEmpty else { return nil }
    let now = driftState(c)
    if now.drifts { return (.open, now.detail, observedAt) }
    // Drifted before the last change of its rows?
    for r in c.rows {
      let changes = try store.history(entity: "inventory", key: "\(r.sku)@\(r.location)")
      guard let last = changes.last else { continue }
      var prev = c
      prev.rows = c.rows.map { row in
        guard row.location == r.location else { return row }
        var p = row
        for h in changes where h.ingest == last.ingest {
          switch h.field {
          case "wms_on_hand": p.wms = Int(h.old)
          case "erp_on_hand": p.erp = Int(h.old)
          case "storefront_available": p.storefront = Int(h.old)
          default: break
          }
        }
        return p
      }
      func sum(_ f: (InventoryRecord) -> Int?) -> Int? {
        let vs = prev.rows.compactMap(f)
        return vs.isEmpty ? nil : vs.reduce(0, +)
      }
      prev.wms = sum(\.wms)
      prev.erp = sum(\.erp)
      prev.storefront = sum(\.storefront)
      if driftState(prev).drifts {
        return (.resolved, "counts agree again: \(now.detail)", last.at)
      }
    }
    return nil
  }

  /// The line before its last recorded change, and when that change was recorded.
  func previousVersion(of l: LineRecord) throws(TriageError) -> (LineRecord, Int64)? {
    let changes = try store.history(entity: "line", key: "\(l.orderID)/\(l.lineNo)")
    guard let last = changes.last else { return nil }
    var p = l
    for h in changes where h.ingest == last.ingest {
      let v = Int(h.old)
      switch h.field {
      case "qty_ordered": p.ordered = v
      case "qty_allocated": p.allocated = v
      case "qty_picked": p.picked = v
      case "qty_packed": p.packed = v
      case "qty_shipped": p.shipped = v
      case "sku": p.sku = h.old
      default: break
      }
    }
    return (p, last.at)
  }
}
