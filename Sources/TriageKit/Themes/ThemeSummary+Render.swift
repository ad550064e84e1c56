import TriageCore

extension ThemeSummary {
  /// The table, recurring problems and examples for people.
  ///
  /// - Parameters:
  ///   - width: the terminal width, nil when not a terminal.
  ///   - unicode: block-character sparklines and arrows (else ASCII).
  ///   - compact: only the table (the REPL's view).
  public func render(width: Int?, unicode: Bool, color: Bool = false, compact: Bool = false) -> String {
    var out = ""
    let what = dimension == .reason ? "reason" : dimension.rawValue
    out += "Blocker mentions by \(what), \(window), against the \(ThemeWindow.describe(window.length)) before\n"
    out += "\(total) open mention(s) (previous window \(previousTotal)), \(resolvedTotal) resolved"
    if unattributed > 0 { out += "; \(unattributed) name no \(what)" }
    out += "\n\n"
    if groups.isEmpty {
      out += "no blocker mentions in the window\n"
      return out
    }
    let bucketed = groups.first.map { Sparkline.bucketed($0.daily, window: window).count } ?? 0
    let perBar = bucketed < window.days.count ? " (\(Int((Double(window.days.count) / Double(max(1, bucketed))).rounded(.up)))d/bar)" : ""
    let sparkTitle = "\(String(Timestamp.formatDate(day: window.firstDay).dropFirst(5)))..\(String(Timestamp.formatDate(day: window.lastDay).dropFirst(5)))\(perBar)"
    var columns: [Table.Column] = [
      .init(what, flexible: true, truncate: true, minWidth: 12), .init("mentions", alignRight: true),
      .init("share", alignRight: true), .init("trend"),
    ]
    if !compact { columns += [.init("resolved", alignRight: true), .init("to resolve")] }
    columns.append(.init(sparkTitle))
    var t = Table(columns)
    for g in groups {
      let delta = g.trend == .new ? "new" : "\(g.trend.rawValue) \(g.previous)→\(g.count)"
      var row = [
        g.key, String(g.count), Self.percent(g.share), "\(g.trend.symbol(unicode: unicode)) \(delta)",
      ]
      if !unicode { row[3] = row[3].replacingOccurrences(of: "→", with: "->") }
      if !compact {
        row.append(String(g.resolved))
        row.append(g.timeToResolve.map { "\(Duration.describe($0.median)) (\($0.episodes)\($0.sampled ? "+" : ""))" } ?? "–")
      }
      row.append(Sparkline.render(Sparkline.bucketed(g.daily, window: window), unicode: unicode))
      let style: Style? = g.trend == .up || g.trend == .new ? .yellow : g.trend == .down ? .green : nil
      t.add(row, style: style)
    }
    out += t.render(width: width, color: color)
    if compact { return out }

    if !recurring.isEmpty {
      out += "\nRecurring (Lexicons/recurrence.txt)\n"
      for h in recurring {
        out += "  \(h.count)× \(SafeText.escape(h.value))  \(h.rule.title)"
        out += h.events > 0 ? " (\(h.notes) note(s), \(h.events) failed event(s))" : ""
        out += ", min \(h.threshold)\n"
        out += "      → \(SafeText.escape(h.rule.theme)): \(SafeText.escape(h.rule.suggestion))\n"
        let refs = h.exampleNotes + h.exampleEvents
        if !refs.isEmpty { out += "      " + refs.map { SafeText.escape($0) }.joined(separator: ", ") + "\n" }
      }
    }
    let withExamples = groups.filter { !$0.examples.isEmpty }
    if !withExamples.isEmpty {
      out += "\nExamples\n"
      let textWidth = max(40, (width ?? 100) - 8)
      for g in withExamples {
        let codes = g.codes.count > 1 || dimension != .reason
          ? " (" + g.codes.prefix(4).map { "\($0.code) \($0.count)" }.joined(separator: ", ") + (g.codes.count > 4 ? ", ..." : "") + ")"
          : ""
        out += "  \(SafeText.escape(g.key))\(codes)\n"
        for e in g.examples {
          let when = String(Timestamp.format(seconds: e.createdAt).dropFirst(5).prefix(11)).replacingOccurrences(of: "T", with: " ")
          out += "    \(SafeText.escape(e.noteID))  \(when)  \(e.code)\n"
          let text = SafeText.escape(e.text)
          out += TextLayout.wrap(text, width: textWidth, indent: "      ") + "\n"
        }
      }
    }
    return out
  }

  static func percent(_ x: Double) -> String {
    let p = x * 100
    if p > 0 && p < 1 { return "<1%" }
    return "\(Int(p.rounded()))%"
  }

  /// The summary as one JSON object (see `triage help themes`).
  public func json() -> [UInt8] {
    var w = JSONWriter()
    w.raw("{\"by\":")
    w.string(dimension.rawValue)
    w.raw(",\"window\":")
    Self.window(&w, window)
    w.raw(",\"previous_window\":")
    Self.window(&w, window.previous)
    w.raw(",\"days\":[")
    for (i, d) in window.days.enumerated() {
      if i > 0 { w.raw(",") }
      w.string(Timestamp.formatDate(day: d))
    }
    w.raw("],\"total\":")
    w.int(total)
    w.raw(",\"previous_total\":")
    w.int(previousTotal)
    w.raw(",\"resolved_total\":")
    w.int(resolvedTotal)
    w.raw(",\"unattributed\":")
    w.int(unattributed)
    w.raw(",\"trend_rule\":{\"min_change\":")
    w.int(Trend.minChange)
    w.raw(",\"min_relative\":")
    w.number(String(Trend.minRelative))
    w.raw("},\"groups\":[")
    for (i, g) in groups.enumerated() {
      if i > 0 { w.raw(",") }
      w.raw("\n{\"key\":")
      w.string(g.key)
      w.raw(",\"count\":")
      w.int(g.count)
      w.raw(",\"previous\":")
      w.int(g.previous)
      w.raw(",\"share\":")
      w.number(String(format3(g.share)))
      w.raw(",\"trend\":")
      w.string(g.trend.rawValue)
      w.raw(",\"resolved\":")
      w.int(g.resolved)
      w.raw(",\"time_to_resolve\":")
      if let t = g.timeToResolve {
        w.raw("{\"median_seconds\":")
        w.int(Int(t.median))
        w.raw(",\"episodes\":")
        w.int(t.episodes)
        w.raw(",\"sampled\":")
        w.bool(t.sampled)
        w.raw("}")
      } else {
        w.null()
      }
      w.raw(",\"daily\":[")
      for (k, n) in g.daily.enumerated() {
        if k > 0 { w.raw(",") }
        w.int(n)
      }
      w.raw("],\"codes\":[")
      for (k, c) in g.codes.enumerated() {
        if k > 0 { w.raw(",") }
        w.raw("{\"code\":")
        w.string(c.code)
        w.raw(",\"count\":")
        w.int(c.count)
        w.raw("}")
      }
      w.raw("],\"examples\":[")
      for (k, e) in g.examples.enumerated() {
        if k > 0 { w.raw(",") }
        w.raw("{\"note_id\":")
        w.string(e.noteID)
        w.raw(",\"created_at\":")
        w.string(Timestamp.format(seconds: e.createdAt))
        w.raw(",\"source\":")
        w.string(e.source)
        w.raw(",\"order_id\":")
        w.string(e.orderID)
        w.raw(",\"code\":")
        w.string(e.code)
        w.raw(",\"text\":")
        w.string(e.text)
        w.raw("}")
      }
      w.raw("]}")
    }
    w.raw("],\"recurring\":[")
    for (i, h) in recurring.enumerated() {
      if i > 0 { w.raw(",") }
      w.raw("\n")
      Self.hit(&w, h)
    }
    w.raw("]}\n")
    return w.bytes
  }

  static func window(_ w: inout JSONWriter, _ x: ThemeWindow) {
    w.raw("{\"start\":")
    w.string(Timestamp.format(seconds: x.start))
    w.raw(",\"end\":")
    w.string(Timestamp.format(seconds: x.end))
    w.raw("}")
  }

  static func hit(_ w: inout JSONWriter, _ h: RecurrenceHit) {
    w.raw("{\"rule\":")
    w.string(h.rule.title)
    w.raw(",\"codes\":")
    w.strings(h.rule.codes)
    w.raw(",\"by\":")
    w.string(h.rule.kind.rawValue)
    w.raw(",\"value\":")
    w.string(h.value)
    w.raw(",\"count\":")
    w.int(h.count)
    w.raw(",\"notes\":")
    w.int(h.notes)
    w.raw(",\"events\":")
    w.int(h.events)
    w.raw(",\"threshold\":")
    w.int(h.threshold)
    w.raw(",\"theme\":")
    w.string(h.rule.theme)
    w.raw(",\"suggestion\":")
    w.string(h.rule.suggestion)
    w.raw(",\"example_notes\":")
    w.strings(h.exampleNotes)
    w.raw(",\"example_events\":")
    w.strings(h.exampleEvents)
    w.raw(",\"last_seen\":")
    if let t = h.lastSeen { w.string(Timestamp.format(seconds: t)) } else { w.null() }
    w.raw("}")
  }
}

/// A fraction with three decimals for JSON: 0.142.
func format3(_ x: Double) -> String {
  let v = Int((x * 1000).rounded())
  let frac = String(v % 1000)
  return "\(v / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
}
