import TriageCore

/// Writes a draft about one order for support or sales, from its `OrderView` and the site's
/// templates. Every statement carries the notes and records it rests on; a date is given only
/// when a note or an event supports it, otherwise the draft says when the next update comes (by
/// the policy, cited as such).
///
/// The composer decides *what* to tell (which blockers, which date, which general case); the
/// templates decide *how* it reads.
public struct DraftComposer {
  public let templates: DraftTemplates
  public let lexicon: Lexicon
  public let store: Store

  public init(templates: DraftTemplates, lexicon: Lexicon, store: Store) {
    self.templates = templates
    self.lexicon = lexicon
    self.store = store
  }

  /// Codes that still matter once an order has shipped (the state and promise rules agree).
  public static let afterShipping: Set<String> = [
    "carrier_delay", "delivery_failed", "customs_hold", "missing_item", "wrong_item", "damaged",
  ]

  /// At most this many blocker stories in a customer message; the rest are for the floor.
  static let maxStories = 3

  /// Composes the draft.
  public func compose(_ view: OrderView, for audience: DraftAudience) throws(TriageError) -> Draft {
    let facts = try OrderFacts(view, store: store, policy: templates.policy)
    var writer = StatementWriter(facts: facts, audience: audience, templates: templates)
    switch audience {
    case .support: writer.support()
    case .sales: writer.sales()
    }
    var warnings = writer.warnings
    if audience == .support {
      let text = Draft.layout(writer.statements)
      let leaks = InternalIdentifiers.find(
        InternalIdentifiers.collect(view, lexicon: lexicon), in: text)
      for l in leaks {
        warnings.append("the support text names the internal \(l.kind) '\(l.text)'")
      }
    }
    return Draft(
      orderID: view.order.orderID, audience: audience, statements: writer.statements,
      fingerprint: OrderFingerprint(view), composedFor: view.now, warnings: warnings)
  }
}

/// What the composer knows about an order beyond its view: how to address the customer, whether
/// and when it shipped, the dates the data supports.
struct OrderFacts {
  let view: OrderView
  let policy: DraftPolicy
  let name: CustomerName
  let shipped: Bool
  let shipment: EventRecord?
  let progress: OrderState
  /// The usable supported date of each kind (in the future, not withdrawn by a later note).
  let dates: [SupportedDate.Kind: SupportedDate]
  /// The blockers the draft talks about: open ones, and after shipping only those that matter then.
  let relevant: [Blocker]
  /// A note the customer wrote about the order.
  let customerNote: StoredNote?
  /// SKUs named in each note.
  let noteSKUs: [String: [String]]
  let noteByID: [String: StoredNote]
  let lines: [LineRecord]

  var order: OrderRecord { view.order }
  var cancelled: Bool { view.state == .cancelled }

  init(_ view: OrderView, store: Store, policy: DraftPolicy) throws(TriageError) {
    self.view = view
    self.policy = policy
    let o = view.order
    name = CustomerName(o.customer, channel: o.channel, policy: policy)
    lines = view.lines
    shipped = Reconciler.shipped(o, view.lines)
    shipment = try store.events(ref: o.orderID).filter {
      $0.type == "shipment" && $0.status == "ok"
    }.max { $0.at < $1.at }
    progress = OrderAnalyzer.progress(o, view.lines).0
    var skus: [String: [String]] = [:]
    var byID: [String: StoredNote] = [:]
    for (n, c) in zip(view.notes, view.classifications) {
      skus[n.noteID] = c.skus
      byID[n.noteID] = n
    }
    noteSKUs = skus
    noteByID = byID
    if view.state == .cancelled {
      relevant = []
    } else if shipped {
      relevant = view.openBlockers.filter { DraftComposer.afterShipping.contains($0.code) }
    } else {
      relevant = view.openBlockers
    }
    let customer = o.customer.lowercased()
    customerNote = view.notes.last { n in
      guard n.source == "support", !customer.isEmpty else { return false }
      let a = InternalIdentifiers.stripParenthetical(n.author).lowercased()
      return !a.isEmpty && (a == customer || customer.hasPrefix(a) || a.hasPrefix(customer))
    }
    dates = try OrderFacts.supportedDates(view, store: store, policy: policy, shipped: shipped)
  }

  /// Reads dates from the order's notes, from notes about the SKUs it still waits on, and from
  /// future receipts of those SKUs in the event log. Per kind, the latest mention decides: a
  /// withdrawal or a date already past leaves no date.
  static func supportedDates(
    _ view: OrderView, store: Store, policy: DraftPolicy, shipped: Bool
  ) throws(TriageError) -> [SupportedDate.Kind: SupportedDate] {
    var mentions: [SupportedDate] = []
    func scan(_ n: StoredNote) {
      mentions += DateExtractor.mentions(
        in: n.text, writtenAt: n.createdAt, writtenDay: policy.localDay(n.createdAt),
        source: n.noteID,
        businessDays: policy.businessDays)
    }
    view.notes.forEach(scan)
    let cancelled = view.state == .cancelled
    if !shipped && !cancelled {
      var seen = Set(view.notes.map(\.noteID))
      let waiting = Set(
        view.lines.filter { ($0.picked ?? 0) < ($0.ordered ?? 0) || $0.picked == nil }.map(\.sku))
      for sku in waiting.sorted() {
        for n in try store.notes(mentioning: sku, kind: .sku) where seen.insert(n.noteID).inserted {
          // Only the restock dates of a SKU note speak for this order.
          mentions += DateExtractor.mentions(
            in: n.text, writtenAt: n.createdAt, writtenDay: policy.localDay(n.createdAt),
            source: n.noteID,
            businessDays: policy.businessDays
          ).filter { $0.kind == .restock }
        }
        for e in try store.events(ref: sku)
        where e.type == "receipt" && e.status == "ok" && e.at > view.now {
          let qty = e.qty.map { " of \($0)" } ?? ""
          mentions.append(
            SupportedDate(
              kind: .restock, day: policy.localDay(e.at), source: e.source,
              phrase: "receipt\(qty) \(sku) scheduled \(Timestamp.format(seconds: e.at))", at: e.at)
          )
        }
      }
    }
    let today = policy.localDay(view.now)
    var out: [SupportedDate.Kind: SupportedDate] = [:]
    for kind in SupportedDate.Kind.allCases {
      // A receipt scheduled in the future counts as written now (the freshest data there is);
      // otherwise the latest mention wins, and in one note the last.
      func written(_ m: SupportedDate) -> Int64 { min(m.at, view.now) }
      let list = mentions.enumerated().filter { $0.element.kind == kind }
      guard
        let last = list.max(by: { a, b in
          written(a.element) != written(b.element)
            ? written(a.element) < written(b.element) : a.offset < b.offset
        })?.element
      else { continue }
      if let d = last.day, d >= today { out[kind] = last }
    }
    return out
  }

  // MARK: Words

  /// When the blocker's current open spell began: the first open evidence after the last
  /// resolved one (a hand-off that failed and was fixed last month is not "since" then).
  static func openSince(_ b: Blocker) -> Int64? {
    var start: Int64?
    for e in b.evidence {
      if e.status == .resolved {
        start = nil
      } else if start == nil {
        start = e.at
      }
    }
    return start ?? b.firstSeen
  }

  func day(_ d: Int64, _ audience: DraftAudience) -> String {
    audience == .support ? DraftCalendar.long(day: d) : DraftCalendar.short(day: d)
  }

  /// A day said from today, with its preposition, for customers: "today", "yesterday", "tomorrow,
  /// Tuesday, November 24", "on Tuesday, December 1"; for sales the short date alone.
  func relativeDay(_ d: Int64, _ audience: DraftAudience) -> String {
    guard audience == .support else { return day(d, audience) }
    let today = policy.localDay(view.now)
    switch d - today {
    case 0: return "today"
    case -1: return "yesterday"
    case 1: return "tomorrow, \(day(d, audience))"
    default: return "on \(day(d, audience))"
    }
  }

  /// "by the end of the day today", "by 5:00 pm ET Mon Nov 23".
  func nextUpdate(_ audience: DraftAudience) -> String {
    let at = policy.nextUpdate(after: view.now)
    let d = policy.localDay(at)
    let today = policy.localDay(view.now)
    switch (policy.nextUpdate, audience) {
    case (.within(let s), .support):
      return s % 3600 == 0
        ? "within \(s / 3600) hours"
        : "by \(DraftCalendar.clock(policy.localTimeOfDay(at))) on \(day(d, .support))"
    case (.endOfBusinessDay, .support):
      if d == today { return "by the end of the day today" }
      if d == today + 1 { return "by the end of the day tomorrow" }
      return "by the end of the day on \(day(d, .support))"
    case (_, .sales):
      return
        "by \(DraftCalendar.clock(policy.localTimeOfDay(at))) \(policy.zoneName) \(day(d, .sales))"
    }
  }

  func cutoffWords() -> String? {
    guard let c = order.cutoffAt else { return nil }
    let left = c - view.now
    let rel = left >= 0 ? "in \(Duration.describe(left))" : "\(Duration.describe(-left)) ago"
    return
      "\(day(policy.localDay(c), .sales)) \(DraftCalendar.clock(policy.localTimeOfDay(c))) \(policy.zoneName), \(rel)"
  }

  static func stateWords(_ s: OrderState) -> String {
    switch s {
    case .released: "released, waiting to be picked"
    case .pickable: "ready to pick"
    case .picked: "picked, not packed yet"
    case .packed: "packed, no carrier label yet"
    case .held: "on hold"
    case .short: "short of stock"
    case .substituted: "waiting on a substitution"
    case .delayed: "delayed"
    case .readyForCarrier: "packed and labelled, waiting for the carrier"
    case .shipped: "shipped"
    case .cancelled: "cancelled"
    }
  }

  static func promiseWords(_ p: PromiseStatus) -> String {
    switch p {
    case .safe: "holds"
    case .atRisk: "at risk"
    case .needsCommunication: "at risk; the customer needs to hear from us"
    case .missed: "missed"
    case .kept: "kept"
    }
  }

  // MARK: Sources

  /// `2026-11-23T22:00:00Z (site 2026-11-23 17:00)`: the instant, and the site-local date the
  /// drafts speak of.
  func siteTime(_ t: Int64) -> String {
    let tod = policy.localTimeOfDay(t)
    let hh = tod / 3600
    let mm = tod % 3600 / 60
    let clock = (hh < 10 ? "0" : "") + "\(hh):" + (mm < 10 ? "0" : "") + "\(mm)"
    return
      "\(Timestamp.format(seconds: t)) (site \(Timestamp.formatDate(day: policy.localDay(t))) \(clock))"
  }

  var orderSource: String { "orders.csv:\(order.orderID)" }

  var customerSource: DraftSource {
    source(
      orderSource,
      "customer '\(order.customer)'\(order.channel.isEmpty ? "" : " (\(order.channel))")")
  }

  var datesSource: DraftSource {
    let promise = order.promiseDate.map { Timestamp.formatDate(day: $0) } ?? "–"
    return source(
      orderSource, "promise_date \(promise), cutoff \(order.cutoffAt.map(siteTime) ?? "–")")
  }

  var statusSource: DraftSource {
    let o = order
    return source(
      orderSource,
      "ERP \(o.erpStatus), WMS \(o.wmsStatus.isEmpty ? "–" : o.wmsStatus), storefront \(o.storefrontStatus)"
    )
  }

  /// The promise rule's verdict (ARCHITECTURE.md, "Promise status"), at the time drafted for.
  var promiseSource: DraftSource {
    source(
      orderSource,
      "promise \(view.promise.rawValue) at \(Timestamp.format(seconds: view.now)): \(view.promiseReason)"
    )
  }

  var shipmentSource: DraftSource? {
    shipment.map { source($0.source, "shipment \($0.status) at \(siteTime($0.at))") }
  }

  func source(_ ref: String, _ detail: String) -> DraftSource {
    DraftSource(ref: ref, detail: detail)
  }

  /// How a note reads as a source: `wms note 2026-11-23 12:35 by rf-114: "picked 2 of 6 ..."`.
  func noteDetail(_ n: StoredNote) -> String {
    var text = n.text.replacingOccurrences(of: "\n", with: " ")
    if text.count > 140 { text = String(text.prefix(137)) + "..." }
    let when = Timestamp.format(seconds: n.createdAt).dropLast(4).replacingOccurrences(
      of: "T", with: " ")
    return "\(n.source) note \(when)\(n.author.isEmpty ? "" : " by \(n.author)"): \"\(text)\""
  }

  /// The sources of a blocker: each note and record once, with what it says.
  func sources(of b: Blocker) -> [DraftSource] {
    var out: [DraftSource] = []
    for ref in b.sources {
      if let n = noteByID[ref] {
        out.append(source(ref, noteDetail(n)))
      } else {
        let detail = b.evidence.last { $0.source == ref }?.detail ?? b.label
        out.append(source(ref, detail))
      }
    }
    return out
  }

  func dateSource(_ d: SupportedDate) -> DraftSource {
    let what = d.kind == .restock ? "restock date" : "delivery date"
    return source(d.source, "\(what) \(Timestamp.formatDate(day: d.day ?? 0)) from \"\(d.phrase)\"")
  }

  /// The SKUs a blocker is about: its lines, inventory rows, events and the SKUs its notes name.
  func skus(of b: Blocker) -> [String] {
    var out: [String] = []
    func add(_ s: String) { if !s.isEmpty && !out.contains(s) { out.append(s) } }
    for ref in b.sources {
      if ref.hasPrefix("lines.csv:"), let slash = ref.lastIndex(of: "/"),
        let n = Int(ref[ref.index(after: slash)...])
      {
        if let l = lines.first(where: { $0.lineNo == n }) { add(l.sku) }
      } else if ref.hasPrefix("inventory.csv:") {
        add(String(ref.dropFirst("inventory.csv:".count)))
      } else if ref.hasPrefix("events.csv:") {
        continue
      } else {
        for s in noteSKUs[ref] ?? [] { add(s) }
        // A SKU of the order named in the note, whatever its shape.
        if let text = noteByID[ref]?.text.uppercased() {
          for l in lines where !l.sku.isEmpty && text.contains(l.sku.uppercased()) { add(l.sku) }
        }
      }
    }
    return out
  }
}
