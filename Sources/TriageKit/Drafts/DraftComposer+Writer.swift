import TriageCore

/// Lays out the statements of one draft: which template sections, in which order, with which
/// values, and the sources of each statement (the placeholders and conditions it used, and the
/// blockers it tells about).
struct StatementWriter {
  let facts: OrderFacts
  let audience: DraftAudience
  let templates: DraftTemplates
  let general: TemplateFile
  let base: [String: String]
  var statements: [DraftStatement] = []
  var warnings: [String] = []

  init(facts: OrderFacts, audience: DraftAudience, templates: DraftTemplates) {
    self.facts = facts
    self.audience = audience
    self.templates = templates
    general =
      templates.general[audience]
      ?? TemplateFile(path: "", audience: audience, code: nil, story: nil, dates: [], sections: [:])
    base = StatementWriter.values(facts, audience)
  }

  // MARK: Support: the customer's message

  mutating func support() {
    say(general, "greeting", topic: "greeting", layout: .paragraph)
    say(general, "intro", topic: "intro", layout: .paragraph)
    if facts.cancelled {
      say(general, "cancelled", topic: "cancelled", layout: .paragraph)
    } else if facts.relevant.isEmpty {
      if facts.shipped {
        say(general, "shipped", topic: "shipped", layout: .paragraph)
      } else {
        say(general, "nothing_blocking", topic: "nothing blocking", layout: .paragraph)
      }
    } else {
      if facts.shipped { say(general, "in_transit", topic: "in transit", layout: .paragraph) }
      for story in stories().prefix(DraftComposer.maxStories) {
        guard let lead = story.first, let file = reasonFile(lead.code) else { continue }
        let codes = story.map(\.code).joined(separator: ", ")
        let sources = story.flatMap { facts.sources(of: $0) }
        let values = reasonValues(lead, file: file)
        let eta = reasonDate(file)
        let said = say(
          file, "happening", topic: "what is happening (\(codes))", layout: .paragraph,
          values: values, eta: eta, extra: sources)
        say(
          file, "doing", topic: "what we are doing (\(codes))",
          layout: said ? .sentence : .paragraph, values: values, eta: eta, extra: sources)
      }
    }
    say(general, "next_update", topic: "next update", layout: .paragraph)
    say(general, "sorry", topic: "apology", layout: .sentence)
    say(general, "closing", topic: "closing", layout: .paragraph)
    say(general, "sign_off", topic: "sign-off", layout: .paragraph)
    say(general, "signature", topic: "signature", layout: .line)
  }

  /// The relevant blockers grouped into the stories a customer hears: one per template `story`,
  /// told by its first blocker. Things the customer must act on or know come first, then holds,
  /// substitutions, shortages and delays.
  func stories() -> [[Blocker]] {
    func rank(_ b: Blocker) -> (Int, Int, Int) {
      let effect: Int
      switch b.effect {
      case .hold: effect = 0
      case .substitute: effect = 1
      case .short: effect = 2
      case .delay: effect = 3
      }
      return (b.tellCustomer ? 0 : 1, effect, b.codeIndex)
    }
    var order: [String] = []
    var groups: [String: [Blocker]] = [:]
    var told = facts.relevant.sorted(by: { rank($0) < rank($1) })
    if let alone = told.first(where: { reasonFile($0.code)?.exclusive ?? false }) {
      told = [alone]
    }
    for b in told {
      let key = reasonFile(b.code)?.story ?? b.code
      if groups[key] == nil { order.append(key) }
      groups[key, default: []].append(b)
    }
    return order.compactMap { groups[$0] }
  }

  // MARK: Sales: the account manager's brief

  mutating func sales() {
    say(general, "headline", topic: "headline", layout: .paragraph)
    say(general, "promise", topic: "promise", layout: .line)
    say(general, "state", topic: "state", layout: .line)
    if facts.cancelled {
      say(general, "cancelled", topic: "cancelled", layout: .paragraph)
    } else {
      if facts.shipped { say(general, "shipped", topic: "shipped", layout: .paragraph) }
      if facts.relevant.isEmpty {
        if !facts.shipped {
          say(general, "nothing_blocking", topic: "nothing blocking", layout: .paragraph)
        }
        say(general, "outlook_none", topic: "outlook", layout: .sentence)
      } else {
        say(general, "blockers_heading", topic: "blockers", layout: .paragraph)
        for b in facts.relevant {
          guard let file = reasonFile(b.code) else { continue }
          say(
            file, "blocker", topic: "blocker (\(b.code))", layout: .bullet,
            values: reasonValues(b, file: file), eta: reasonDate(file), extra: facts.sources(of: b))
        }
        say(general, "outlook_heading", topic: "outlook", layout: .paragraph)
        var told = Set<String>()
        for b in facts.relevant {
          guard let file = reasonFile(b.code) else { continue }
          let values = reasonValues(b, file: file)
          let eta = reasonDate(file)
          guard let (text, _) = file.say("outlook", values: values, holds: { holds($0, eta: eta) }),
            told.insert(text).inserted
          else {
            continue
          }
          say(
            file, "outlook", topic: "outlook (\(b.code))", layout: .bullet, values: values,
            eta: eta, extra: facts.sources(of: b))
        }
      }
    }
    say(general, "next_update", topic: "next update", layout: .paragraph)
  }

  // MARK: Saying a section

  func reasonFile(_ code: String) -> TemplateFile? { templates.reasons[audience]?[code] }

  /// The date a reason's template accepts (its `dates` kinds), if the data supports one.
  func reasonDate(_ file: TemplateFile) -> SupportedDate? {
    SupportedDate.Kind.allCases.lazy.filter { file.dates.contains($0) }.compactMap {
      facts.dates[$0]
    }.first
  }

  /// Renders a section and appends it as a statement with its sources; false when nothing was said.
  @discardableResult
  mutating func say(
    _ file: TemplateFile, _ section: String, topic: String, layout: DraftLayout,
    values: [String: String]? = nil,
    eta: SupportedDate? = nil, extra: [DraftSource] = []
  ) -> Bool {
    // General sections: a delivery date for the customer; any supported date for sales.
    let eta =
      values == nil
      ? (facts.dates[.delivery] ?? (audience == .sales ? facts.dates[.restock] : nil)) : eta
    var v = values ?? base
    if let eta, let d = eta.day {
      v["eta"] = facts.relativeDay(d, audience)
      v["eta_basis"] =
        "\(eta.kind == .restock ? "restock" : "delivery") per \(eta.source): \"\(eta.phrase)\""
    }
    guard let (text, variant) = file.say(section, values: v, holds: { holds($0, eta: eta) }) else {
      return false
    }
    guard !text.isEmpty else { return false }
    var sources: [DraftSource] = []
    for p in variant.placeholders { sources += placeholderSources(p, eta: eta, code: file.code) }
    for c in variant.conditions where !c.negated { sources += conditionSources(c.name, eta: eta) }
    sources += extra
    sources = DraftSource.merged(sources)
    statements.append(DraftStatement(topic: topic, text: text, layout: layout, sources: sources))
    return true
  }

  /// Whether a template condition holds for this order.
  func holds(_ c: TemplateCondition, eta: SupportedDate?) -> Bool {
    let f = facts
    let value: Bool
    switch c.name {
    case "shipped": value = f.shipped
    case "unshipped": value = !f.shipped
    case "late":
      value =
        f.shipped && (f.shipment.map { s in f.order.cutoffAt.map { s.at > $0 } ?? false } ?? false)
    case "preparing": value = !f.shipped && [.released, .pickable, .picked].contains(f.progress)
    case "packed": value = !f.shipped && [.packed, .readyForCarrier].contains(f.progress)
    case "dated": value = eta?.day != nil
    case "person": value = !f.name.isBusiness
    case "business": value = f.name.isBusiness
    case "customer_asked": value = f.view.blockers.contains { $0.code == "customer_change" }
    case "customer_wrote": value = f.customerNote != nil
    case "cutoff_today":
      value =
        f.order.cutoffAt.map { f.policy.localDay($0) == f.policy.localDay(f.view.now) } ?? false
    case "cutoff_passed": value = f.order.cutoffAt.map { $0 <= f.view.now } ?? false
    case "cancelled": value = f.cancelled
    case "blocked": value = !f.relevant.isEmpty
    default: value = PromiseStatus(rawValue: c.name).map { $0 == f.view.promise } ?? false
    }
    return value != c.negated
  }

  // MARK: Values

  static func values(_ f: OrderFacts, _ audience: DraftAudience) -> [String: String] {
    let o = f.order
    var v: [String: String] = [
      "name": f.name.greeting, "customer": o.customer, "order_id": o.orderID, "carrier": o.carrier,
      "tracking": o.tracking, "next_update": f.nextUpdate(audience),
    ]
    if let d = o.promiseDate { v["promise_date"] = f.day(d, audience) }
    if let s = f.shipment { v["ship_date"] = f.relativeDay(f.policy.localDay(s.at), audience) }
    guard audience == .sales else { return v }
    v["priority"] = o.priority.isEmpty ? "not set" : o.priority
    v["channel"] = o.channel
    v["state"] = OrderFacts.stateWords(f.view.state)
    v["state_reason"] = f.view.stateReason
    v["promise"] = OrderFacts.promiseWords(f.view.promise)
    v["promise_reason"] = f.view.promiseReason
    v["cutoff"] = f.cutoffWords()
    v["progress"] = OrderFacts.stateWords(f.progress)
    v["open_count"] = f.relevant.isEmpty ? nil : String(f.relevant.count)
    return v
  }

  func reasonValues(_ b: Blocker, file: TemplateFile) -> [String: String] {
    var v = base
    v["owner"] = facts.policy.ownerName(b.owner)
    v["label"] = b.label
    v["code"] = b.code
    if let s = OrderFacts.openSince(b) { v["since"] = facts.day(facts.policy.localDay(s), .sales) }
    let skus = facts.skus(of: b)
    if !skus.isEmpty { v["skus"] = skus.joined(separator: ", ") }
    if let e = b.evidence.last(where: {
      $0.terms.isEmpty && $0.status == .open && facts.noteByID[$0.source] == nil
    }) {
      v["detail"] = e.detail
    }
    return v
  }

  // MARK: Sources of placeholders and conditions

  func placeholderSources(_ p: String, eta: SupportedDate?, code: String?) -> [DraftSource] {
    let f = facts
    switch p {
    case "name", "customer":
      return [f.customerSource]
    case "promise_date", "cutoff":
      return [f.datesSource]
    case "eta", "eta_basis":
      return eta.map { [f.dateSource($0)] } ?? []
    case "next_update":
      let at = f.policy.nextUpdate(after: f.view.now)
      return [
        f.source(
          "policy:next_update",
          "\(f.policy.nextUpdateText) (\(f.policy.file)): due \(f.siteTime(at))")
      ]
    case "carrier", "tracking":
      let o = f.order
      return [
        f.source(
          f.orderSource,
          "carrier \(o.carrier.isEmpty ? "–" : o.carrier), tracking \(o.tracking.isEmpty ? "–" : o.tracking)"
        )
      ]
    case "ship_date":
      return f.shipmentSource.map { [$0] } ?? []
    case "priority", "channel":
      let o = f.order
      return [
        f.source(
          f.orderSource,
          "priority \(o.priority.isEmpty ? "–" : o.priority), channel \(o.channel.isEmpty ? "–" : o.channel)"
        )
      ]
    case "state", "state_reason", "progress":
      return [
        f.statusSource,
        f.source(f.orderSource, "state \(f.view.state.rawValue): \(f.view.stateReason)"),
      ]
    case "promise", "promise_reason":
      return [f.datesSource, f.promiseSource]
    case "owner", "label", "code":
      guard let code, let info = blocker(code) else { return [] }
      return [f.source("codes.txt:\(code)", "owner \(info.owner), label '\(info.label)'")]
    default:
      return []
    }
  }

  func blocker(_ code: String) -> Blocker? { facts.view.blockers.first { $0.code == code } }

  func conditionSources(_ c: String, eta: SupportedDate?) -> [DraftSource] {
    let f = facts
    switch c {
    case "shipped", "late":
      return [f.statusSource] + (f.shipmentSource.map { [$0] } ?? [])
    case "unshipped", "preparing", "packed", "cancelled":
      return [f.statusSource]
    case "blocked":
      return []
    case "dated":
      return eta.map { [f.dateSource($0)] } ?? []
    case "customer_asked":
      return f.view.blockers.filter { $0.code == "customer_change" }.flatMap { f.sources(of: $0) }
    case "customer_wrote":
      return f.customerNote.map { [f.source($0.noteID, f.noteDetail($0))] } ?? []
    case "person", "business":
      return [f.customerSource]
    case "cutoff_today", "cutoff_passed":
      return [f.datesSource]
    default:
      return [f.datesSource, f.promiseSource]
    }
  }
}
