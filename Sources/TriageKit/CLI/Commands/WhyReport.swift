import TriageCore

/// The `why` answer for people.
enum WhyReport {
  static func render(_ v: OrderView, ctx: Context) -> String {
    let color = ctx.useColor
    let width = ctx.terminalWidth ?? 100
    func paint(_ s: String, _ style: Style?) -> String { color ? (style.map { $0.apply(s) } ?? s) : s }
    let o = v.order
    var out = paint(o.orderID, .bold)
    let who = [o.customer, o.channel, o.priority.isEmpty ? "" : "priority \(o.priority)"].filter { !$0.isEmpty }
    if !who.isEmpty { out += "  " + SafeText.escape(who.joined(separator: ", ")) }
    out += "\n"
    func row(_ label: String, _ value: String) {
      let lead = label.padding(toLength: 10, withPad: " ", startingAt: 0)
      // On a terminal, long values wrap under themselves rather than under the label.
      guard let width = ctx.terminalWidth, !value.contains("\n"),
        10 + DisplayWidth.of(Pager.stripSGR(value)) > width
      else {
        out += lead + value + "\n"
        return
      }
      // Greedy, at single spaces, so the two spaces after the state or promise stay.
      var lines: [String] = []
      var line = ""
      for word in value.split(separator: " ", omittingEmptySubsequences: false) {
        let longer = line.isEmpty ? String(word) : line + " " + word
        if !line.isEmpty && !word.isEmpty && DisplayWidth.of(Pager.stripSGR(longer)) > max(20, width - 10) {
          lines.append(line)
          line = String(word)
        } else {
          line = longer
        }
      }
      lines.append(line)
      out += lead + lines.joined(separator: "\n" + String(repeating: " ", count: 10)) + "\n"
    }
    row("state", paint(v.state.rawValue, v.state == .shipped ? .green : v.openBlockers.isEmpty ? nil : .yellow) + "  " + SafeText.escape(v.stateReason))
    row("promise", paint(v.promise.rawValue, OrderQueue.style(v.promise)) + "  " + SafeText.escape(v.promiseReason))
    var when: [String] = []
    if let c = o.cutoffAt {
      let rel = c >= v.now ? "in \(Duration.describe(c - v.now))" : "\(Duration.describe(v.now - c)) ago"
      when.append("cutoff \(Timestamp.format(seconds: c)) (\(rel))")
    }
    if let d = o.promiseDate { when.append("promised \(Timestamp.formatDate(day: d))") }
    when.append("as of \(Timestamp.format(seconds: v.now))")
    row("when", when.joined(separator: ", "))
    let systems = "ERP \(o.erpStatus.isEmpty ? "–" : o.erpStatus), WMS \(o.wmsStatus.isEmpty ? "–" : o.wmsStatus), storefront \(o.storefrontStatus.isEmpty ? "–" : o.storefrontStatus)"
    row("systems", systems + (o.carrier.isEmpty ? "" : "; \(SafeText.escape(o.carrier))\(o.tracking.isEmpty ? "" : " \(SafeText.escape(o.tracking))")"))
    if !v.lines.isEmpty {
      let ls = v.lines.map { l -> String in
        func q(_ x: Int?) -> String { x.map(String.init) ?? "–" }
        return "\(l.lineNo): \(SafeText.escape(l.sku)) \(q(l.picked))/\(q(l.ordered)) picked, \(q(l.packed)) packed, \(q(l.shipped)) shipped"
      }
      row("lines", ls.joined(separator: "\n" + String(repeating: " ", count: 10)))
    }
    let open = v.blockers.filter(\.isOpen)
    let resolved = v.blockers.filter { !$0.isOpen }
    out += "\n" + paint(open.isEmpty ? "nothing is blocking this order" : "open blockers (\(open.count))", .bold) + "\n"
    for b in open { out += blocker(b, v, width: width, color: color) }
    if !resolved.isEmpty {
      out += "\n" + paint("resolved (\(resolved.count))", .bold) + "\n"
      for b in resolved { out += blocker(b, v, width: width, color: color) }
    }
    out += "\n" + paint("notes (\(v.notes.count))", .bold) + "\n"
    if v.notes.isEmpty { out += "  (no notes about this order)\n" }
    for (n, c) in zip(v.notes, v.classifications) {
      let tags = c.reasons.map { $0.status == .resolved ? "\($0.code)/resolved" : $0.code }
      let head = "  \(Timestamp.format(seconds: n.createdAt).dropLast(4).replacingOccurrences(of: "T", with: " "))  \(n.source.padding(toLength: 7, withPad: " ", startingAt: 0)) \(SafeText.escape(n.noteID))"
      out += head + (tags.isEmpty ? "" : "  " + paint(tags.joined(separator: ", "), .cyan)) + "\n"
      out += TextLayout.wrap(SafeText.escape(n.text, .singleLine), width: max(30, width - 6), indent: "      ") + "\n"
    }
    return out
  }

  static func blocker(_ b: Blocker, _ v: OrderView, width: Int, color: Bool) -> String {
    var line = "  " + (color ? (b.isOpen ? Style.yellow : Style.green).apply(b.code) : b.code)
    line += "  owner \(b.owner)"
    if b.isOpen, let f = b.firstSeen {
      line += ", since \(Timestamp.format(seconds: f))"
    } else if !b.isOpen, let l = b.lastSeen {
      line += ", resolved \(Timestamp.format(seconds: l))"
    }
    var out = line + "\n"
    for e in b.evidence {
      let mark = e.status == .resolved ? " (resolved)" : ""
      out += TextLayout.wrap("\(SafeText.escape(e.source)): \(SafeText.escape(e.detail))\(mark)", width: max(30, width - 6), indent: "      ") + "\n"
    }
    return out
  }
}

/// JSON for `why`, `blocked` and `risk` (DATA.md's `why` object, extended).
enum OrderJSON {
  static func blockerJSON(_ b: Blocker, into w: inout JSONWriter) {
    w.raw("{\"code\":")
    w.string(b.code)
    w.raw(",\"owner\":")
    w.string(b.owner)
    w.raw(",\"label\":")
    w.string(b.label)
    w.raw(",\"status\":")
    w.string(b.status.rawValue)
    w.raw(",\"evidence\":[")
    for (i, e) in b.evidence.enumerated() {
      if i > 0 { w.raw(",") }
      w.raw("{\"source\":")
      w.string(e.source)
      w.raw(",\"detail\":")
      w.string(e.detail)
      w.raw(",\"status\":")
      w.string(e.status.rawValue)
      if let at = e.at {
        w.raw(",\"at\":")
        w.string(Timestamp.format(seconds: at))
      }
      if !e.terms.isEmpty {
        w.raw(",\"terms\":[")
        for (k, t) in e.terms.enumerated() {
          if k > 0 { w.raw(",") }
          w.raw("{\"term\":")
          w.string(t.term)
          w.raw(",\"weight\":")
          w.weight(t.weight)
          w.raw(",\"span\":[")
          w.int(t.span.lowerBound)
          w.raw(",")
          w.int(t.span.upperBound)
          w.raw("]}")
        }
        w.raw("]")
      }
      w.raw("}")
    }
    w.raw("],\"sources\":")
    w.strings(b.sources)
    w.raw(",\"first_seen\":")
    if let f = b.firstSeen { w.string(Timestamp.format(seconds: f)) } else { w.null() }
    w.raw(",\"last_seen\":")
    if let l = b.lastSeen { w.string(Timestamp.format(seconds: l)) } else { w.null() }
    w.raw("}")
  }

  static func time(_ t: Int64?, _ w: inout JSONWriter) {
    if let t { w.string(Timestamp.format(seconds: t)) } else { w.null() }
  }

  static func orderHead(_ v: OrderView, into w: inout JSONWriter) {
    let o = v.order
    w.raw("{\"order_id\":")
    w.string(o.orderID)
    w.raw(",\"customer\":")
    w.string(o.customer)
    w.raw(",\"priority\":")
    w.string(o.priority)
    w.raw(",\"state\":")
    w.string(v.state.rawValue)
    w.raw(",\"state_reason\":")
    w.string(v.stateReason)
    w.raw(",\"promise\":")
    w.string(v.promise.rawValue)
    w.raw(",\"promise_reason\":")
    w.string(v.promiseReason)
    w.raw(",\"cutoff_at\":")
    time(o.cutoffAt, &w)
    w.raw(",\"promise_date\":")
    if let d = o.promiseDate { w.string(Timestamp.formatDate(day: d)) } else { w.null() }
    w.raw(",\"now\":")
    w.string(Timestamp.format(seconds: v.now))
  }

  static func why(_ v: OrderView, lexicon: Lexicon) -> String {
    var w = JSONWriter()
    orderHead(v, into: &w)
    let o = v.order
    w.raw(",\"erp_status\":")
    w.string(o.erpStatus)
    w.raw(",\"wms_status\":")
    w.string(o.wmsStatus)
    w.raw(",\"storefront_status\":")
    w.string(o.storefrontStatus)
    w.raw(",\"carrier\":")
    w.string(o.carrier)
    w.raw(",\"tracking\":")
    w.string(o.tracking)
    w.raw(",\"blockers\":[")
    for (i, b) in v.blockers.enumerated() {
      if i > 0 { w.raw(",") }
      blockerJSON(b, into: &w)
    }
    w.raw("],\"lines\":[")
    for (i, l) in v.lines.enumerated() {
      if i > 0 { w.raw(",") }
      w.raw("{\"line_no\":")
      w.int(l.lineNo)
      w.raw(",\"sku\":")
      w.string(l.sku)
      for (name, q) in [("qty_ordered", l.ordered), ("qty_allocated", l.allocated), ("qty_picked", l.picked), ("qty_packed", l.packed), ("qty_shipped", l.shipped)] {
        w.raw(",")
        w.string(name)
        w.raw(":")
        if let q { w.int(q) } else { w.null() }
      }
      w.raw("}")
    }
    w.raw("],\"notes\":[")
    for (i, (n, c)) in zip(v.notes, v.classifications).enumerated() {
      if i > 0 { w.raw(",") }
      w.raw("{\"note_id\":")
      w.string(n.noteID)
      w.raw(",\"created_at\":")
      w.string(Timestamp.format(seconds: n.createdAt))
      w.raw(",\"source\":")
      w.string(n.source)
      w.raw(",\"text\":")
      w.string(n.text)
      w.raw(",\"reasons\":[")
      for (k, r) in c.reasons.enumerated() {
        if k > 0 { w.raw(",") }
        w.raw("{\"code\":")
        w.string(r.code)
        w.raw(",\"status\":")
        w.string(r.status.rawValue)
        w.raw(",\"score\":")
        w.weight(r.score)
        w.raw("}")
      }
      w.raw("]}")
    }
    w.raw("]}\n")
    return String(decoding: w.bytes, as: UTF8.self)
  }

  static func blocked(_ rows: [(OrderView, Blocker)]) -> String {
    var w = JSONWriter()
    w.raw("[")
    for (i, (v, b)) in rows.enumerated() {
      if i > 0 { w.raw(",\n") }
      orderHead(v, into: &w)
      w.raw(",\"blocker\":")
      blockerJSON(b, into: &w)
      w.raw("}")
    }
    w.raw("]\n")
    return String(decoding: w.bytes, as: UTF8.self)
  }

  static func risk(_ views: [OrderView]) -> String {
    var w = JSONWriter()
    w.raw("[")
    for (i, v) in views.enumerated() {
      if i > 0 { w.raw(",\n") }
      orderHead(v, into: &w)
      w.raw(",\"open_blockers\":")
      w.strings(v.openBlockers.lazy.map(\.code))
      w.raw("}")
    }
    w.raw("]\n")
    return String(decoding: w.bytes, as: UTF8.self)
  }
}
