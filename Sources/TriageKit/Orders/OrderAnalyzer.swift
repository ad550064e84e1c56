import TriageCore

/// Builds the `OrderView` of an order: its notes classified and folded into blockers, the data's
/// own findings, the state and the promise status (ARCHITECTURE.md documents the rules).
public struct OrderAnalyzer {
  public let store: Store
  public let classifier: Classifier
  public let settings: SiteSettings
  /// The time to answer for (--now, else the data's as_of, else the clock).
  public let now: Int64

  public init(store: Store, classifier: Classifier, settings: SiteSettings, now: Int64) {
    self.store = store
    self.classifier = classifier
    self.settings = settings
    self.now = now
  }

  var lexicon: Lexicon { classifier.lexicon }

  public func view(of order: OrderRecord) throws(TriageError) -> OrderView {
    let lines = try store.lines(order: order.orderID)
    let notes = try store.notes(forOrder: order.orderID)
    var scratch = ClassifierScratch()
    let classifications = notes.map { classifier.classify($0.text, scratch: &scratch) }
    let reconciler = Reconciler(store: store, settings: settings, observedAt: min(now, store.asOf ?? now))
    let findings = try reconciler.findings(order: order, lines: lines)
    let blockers = fold(notes: notes, classifications: classifications, findings: findings)
    let open = blockers.filter(\.isOpen)
    let approved = blockers.first { $0.effect == .substitute && !$0.isOpen }
    let (state, stateReason) = OrderAnalyzer.state(order, lines, open, approvedSubstitution: approved)
    let shipment = try store.events(ref: order.orderID).filter { $0.type == "shipment" && $0.status == "ok" }.map(\.at).max()
    let (promise, promiseReason) = promiseStatus(order, lines, state, open, shippedAt: shipment)
    return OrderView(
      order: order, lines: lines, notes: notes, classifications: classifications, blockers: blockers,
      state: state, stateReason: stateReason, promise: promise, promiseReason: promiseReason, now: now)
  }

  // MARK: Blockers

  /// Folds note mentions and data findings into one blocker per code. Each mention is an event
  /// (open or resolved at a time); the blocker's status is that of its latest event, so a later
  /// note resolves an earlier one, and a later note or data showing it again re-opens it.
  func fold(notes: [StoredNote], classifications: [Classification], findings: [DataFinding]) -> [Blocker] {
    struct Event {
      var at: Int64
      var order: Int
      var evidence: BlockerEvidence
    }
    var events: [String: [Event]] = [:]
    var sequence = 0
    for (note, c) in zip(notes, classifications) {
      for r in c.reasons {
        let terms = r.evidence.map { "'\($0.term)' \(Weight.format($0.weight))" }.joined(separator: ", ")
        events[r.code, default: []].append(Event(
          at: note.createdAt, order: sequence,
          evidence: BlockerEvidence(source: note.noteID, detail: terms, terms: r.evidence, at: note.createdAt, status: r.status)))
        sequence += 1
      }
    }
    for f in findings {
      events[f.code, default: []].append(Event(
        at: f.at ?? now, order: sequence,
        evidence: BlockerEvidence(source: f.source, detail: f.detail, terms: [], at: f.at, status: f.status)))
      sequence += 1
    }
    var blockers: [Blocker] = []
    for (code, list) in events {
      guard let info = lexicon.code(named: code) else { continue }
      let sorted = list.sorted { $0.at != $1.at ? $0.at < $1.at : $0.order < $1.order }
      // A data finding that is open now outranks an older note that says it is resolved; an
      // open data finding and a newer resolving note: the note is newer, it wins.
      let last = sorted.last?.evidence.status ?? .open
      var sources: [String] = []
      for e in sorted where !sources.contains(e.evidence.source) { sources.append(e.evidence.source) }
      blockers.append(Blocker(
        code: code, owner: info.owner, label: info.label, effect: info.effect, tellCustomer: info.tellCustomer,
        status: last, evidence: sorted.map(\.evidence), sources: sources, firstSeen: sorted.first?.at,
        lastSeen: sorted.last?.at, codeIndex: info.index))
    }
    // An approved substitution settles the shortage it answered: a stockout or short pick last
    // seen no later than the approval is resolved by it.
    if let sub = blockers.first(where: { $0.effect == .substitute && !$0.isOpen }), let approvedAt = sub.lastSeen {
      for i in blockers.indices where blockers[i].isOpen && blockers[i].effect == .short && blockers[i].code != "missing_item"
        && (blockers[i].lastSeen ?? .max) <= approvedAt
      {
        blockers[i].status = .resolved
        blockers[i].evidence.append(BlockerEvidence(
          source: sub.sources.last ?? "", detail: "settled by the approved substitution", terms: [], at: approvedAt, status: .resolved))
      }
    }
    // Open first, then taxonomy order.
    return blockers.sorted { a, b in
      a.isOpen != b.isOpen ? a.isOpen : a.codeIndex < b.codeIndex
    }
  }

  // MARK: State

  /// The state rules, first match wins (ARCHITECTURE.md).
  static func state(
    _ o: OrderRecord, _ lines: [LineRecord], _ open: [Blocker], approvedSubstitution: Blocker? = nil
  ) -> (OrderState, String) {
    func has(_ codes: Set<String>) -> Blocker? { open.first { codes.contains($0.code) } }
    func effect(_ e: BlockerEffect) -> Blocker? { open.first { $0.effect == e } }
    if Reconciler.cancelled(o) {
      return (.cancelled, o.erpStatus == "cancelled" ? "cancelled in the ERP" : "cancelled on the storefront")
    }
    if Reconciler.shipped(o, lines) {
      if let b = has(["carrier_delay", "delivery_failed", "customs_hold"]) {
        return (.delayed, "shipped, then \(b.label) (\(b.code))")
      }
      return (.shipped, o.wmsStatus == "shipped" ? "the WMS shipped it" : "every line shipped in full")
    }
    if let b = effect(.hold) { return (.held, "open \(b.label) (\(b.code)) holds it") }
    // A substitution in progress (offered, or approved and not yet packed) is what happens to
    // the order next, so it names the state before the shortage behind it.
    let progress = OrderAnalyzer.progress(o, lines)
    if let b = effect(.substitute) { return (.substituted, "open \(b.label) (\(b.code))") }
    let beforePacking: Set<OrderState> = [.released, .pickable, .picked]
    if let b = approvedSubstitution, beforePacking.contains(progress.0) {
      return (.substituted, "\(b.label) approved, not packed yet (\(progress.0.rawValue))")
    }
    if let b = effect(.short) { return (.short, "open \(b.label) (\(b.code))") }
    if let l = lines.first(where: { Reconciler.short(o, lines, $0) != nil }) {
      return (.short, "line \(l.lineNo) picked \(l.picked ?? 0) of \(l.ordered ?? 0)")
    }
    if let b = effect(.delay) { return (.delayed, "open \(b.label) (\(b.code)); warehouse progress: \(progress.0.rawValue)") }
    return progress
  }

  /// How far the warehouse got, ignoring blockers.
  static func progress(_ o: OrderRecord, _ lines: [LineRecord]) -> (OrderState, String) {
    let all = !lines.isEmpty
    func full(_ f: (LineRecord) -> Int?) -> Bool {
      all && lines.allSatisfy { l in (f(l) ?? -1) >= (l.ordered ?? Int.max) && l.ordered != nil }
    }
    if o.wmsStatus == "packed" || full(\.packed) {
      if !o.tracking.isEmpty { return (.readyForCarrier, "packed and labelled (tracking \(o.tracking))") }
      return (.packed, "packed, no carrier label yet")
    }
    if o.wmsStatus == "picked" || full(\.picked) { return (.picked, "picked, not packed yet") }
    if ["released", "picking"].contains(o.wmsStatus) {
      let allocatedReported = all && lines.allSatisfy { $0.allocated != nil }
      if !allocatedReported || full(\.allocated) {
        return (.pickable, o.wmsStatus == "picking" ? "being picked" : "released to the WMS, allocated")
      }
      return (.released, "in the WMS, allocation incomplete")
    }
    return (.released, o.wmsStatus.isEmpty ? "released by the ERP, not yet in the WMS" : "in the WMS")
  }

  // MARK: Promise

  /// The promise rules (ARCHITECTURE.md).
  func promiseStatus(
    _ o: OrderRecord, _ lines: [LineRecord], _ state: OrderState, _ open: [Blocker], shippedAt: Int64?
  ) -> (PromiseStatus, String) {
    let promiseEnd = o.promiseDate.map { ($0 + 1) * Timestamp.secondsPerDay }
    func has(_ codes: Set<String>) -> Blocker? { open.first { codes.contains($0.code) } }
    func until(_ t: Int64) -> String { Duration.describe(t - now) }
    switch state {
    case .cancelled:
      return (.kept, "cancelled: the promise no longer applies")
    case .shipped:
      if let s = shippedAt, let c = o.cutoffAt, s > c {
        return (.missed, "handed over \(Duration.describe(s - c)) after the cutoff")
      }
      if let b = has(["missing_item", "wrong_item", "damaged"]) {
        return (.needsCommunication, "shipped, \(b.label) still open: the customer must hear what happens next")
      }
      return (.kept, shippedAt.map { "shipped \(Timestamp.format(seconds: $0))" } ?? "shipped")
    case .delayed where Reconciler.shipped(o, lines):
      if let end = promiseEnd, now >= end { return (.missed, "in transit past the promise date") }
      if let b = has(["delivery_failed"]) { return (.needsCommunication, "\(b.label) after shipping: the customer has to act") }
      if let b = has(["carrier_delay", "customs_hold"]) {
        if let end = promiseEnd, end - now <= 2 * Timestamp.secondsPerDay {
          return (.needsCommunication, "\(b.label) with the promise date \(until(end)) away")
        }
        return (.atRisk, "\(b.label) in transit; the promise date is \(promiseEnd.map(until) ?? "not set")")
      }
      return (.atRisk, "delayed in transit")
    default:
      if let c = o.cutoffAt, now >= c { return (.missed, "the cutoff passed \(Duration.describe(now - c)) ago, not handed to the carrier") }
      if o.cutoffAt == nil, let end = promiseEnd, now >= end { return (.missed, "the promise date passed, not shipped") }
      if let b = open.first(where: \.tellCustomer) {
        return (.needsCommunication, "open \(b.label): the customer must hear about it")
      }
      if let b = open.first {
        if let c = o.cutoffAt, c - now < settings.communicateWithin {
          return (.needsCommunication, "open \(b.label) with the cutoff \(until(c)) away")
        }
        return (.atRisk, "open \(b.label)" + (o.cutoffAt.map { "; cutoff in \(until($0))" } ?? ""))
      }
      guard let c = o.cutoffAt else { return (.safe, "nothing blocking; no cutoff set") }
      let progress = OrderAnalyzer.progress(o, lines).0
      let lead = settings.leadTime[progress] ?? 0
      if c - now < lead {
        return (.atRisk, "\(progress.rawValue) with the cutoff \(until(c)) away; the floor needs about \(Duration.describe(lead)) from here")
      }
      return (.safe, "nothing blocking; cutoff in \(until(c))")
    }
  }
}

/// Durations for people: "2h 15m", "3d 4h", "45m".
public enum Duration {
  public static func describe(_ seconds: Int64) -> String {
    let s = abs(seconds)
    let d = s / 86_400
    let h = (s % 86_400) / 3600
    let m = (s % 3600) / 60
    if d > 0 { return h > 0 ? "\(d)d \(h)h" : "\(d)d" }
    if h > 0 { return m > 0 ? "\(h)h \(m)m" : "\(h)h" }
    return "\(max(m, s > 0 ? 1 : 0))m"
  }
}
