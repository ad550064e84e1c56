import TriageCore

/// The report's inline SVG: a stacked bar per day (or run of days) of blocker mentions, one
/// colour per theme.
enum ReportChart {
  /// Colours for themes, in the order the themes first appear in codes.txt, so a theme keeps
  /// its colour from one week's report to the next. Chosen to stay apart in print too.
  static let palette = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
    "#79706e", "#2f4b7c", "#d37295", "#bcbd22", "#17becf", "#bab0ac",
  ]

  static func colors(lexicon: Lexicon) -> [String: String] {
    var out: [String: String] = [:]
    for c in lexicon.codes where out[c.theme] == nil {
      out[c.theme] = palette[out.count % palette.count]
    }
    return out
  }

  /// The stacked bars. `groups` are drawn bottom-up in the order given.
  static func stackedBars(_ s: ThemeSummary, colors: [String: String]) -> String {
    let w = s.window
    let buckets = w.buckets(max: 31)
    let series = s.groups.filter { $0.count > 0 }.map { g in
      (g.key, buckets.map { r in r.reduce(0) { $0 + g.daily[Int($1 - w.firstDay)] } })
    }
    let totals = buckets.indices.map { i in series.reduce(0) { $0 + $1.1[i] } }
    let top = max(1, totals.max() ?? 1)
    let step = niceStep(top)
    let yMax = Int((Double(top) / Double(step)).rounded(.up)) * step
    let width = 960.0
    let height = 300.0
    let left = 44.0
    let right = 8.0
    let topPad = 12.0
    let bottom = 44.0
    let plotW = width - left - right
    let plotH = height - topPad - bottom
    let band = plotW / Double(max(1, buckets.count))
    let barW = min(64, band * 0.72)
    var svg = """
      <svg class="chart" viewBox="0 0 \(HTML.num(width)) \(HTML.num(height))" role="img" \
      aria-label="Blocker mentions per theme per day" xmlns="http://www.w3.org/2000/svg">

      """
    // Grid and y labels.
    var y = 0
    while y <= yMax {
      let py = topPad + plotH - Double(y) / Double(yMax) * plotH
      svg += "<line x1=\"\(HTML.num(left))\" x2=\"\(HTML.num(width - right))\" y1=\"\(HTML.num(py))\" y2=\"\(HTML.num(py))\" class=\"grid\"/>"
      svg += "<text x=\"\(HTML.num(left - 6))\" y=\"\(HTML.num(py + 4))\" class=\"ylab\">\(y)</text>\n"
      y += step
    }
    for (i, r) in buckets.enumerated() {
      let cx = left + band * (Double(i) + 0.5)
      var acc = 0
      for (key, values) in series where values[i] > 0 {
        let y0 = topPad + plotH - Double(acc) / Double(yMax) * plotH
        acc += values[i]
        let y1 = topPad + plotH - Double(acc) / Double(yMax) * plotH
        svg += "<rect x=\"\(HTML.num(cx - barW / 2))\" y=\"\(HTML.num(y1))\" width=\"\(HTML.num(barW))\" height=\"\(HTML.num(max(0.5, y0 - y1 - 0.6)))\" fill=\"\(colors[key] ?? "#999")\"><title>\(HTML.escape(key)): \(values[i])</title></rect>"
      }
      svg += "\n"
      if totals[i] > 0 {
        svg += "<text x=\"\(HTML.num(cx))\" y=\"\(HTML.num(topPad + plotH - Double(totals[i]) / Double(yMax) * plotH - 4))\" class=\"total\">\(totals[i])</text>"
      }
      let first = r.lowerBound
      let date = Timestamp.civil(day: first)
      let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int(((first % 7) + 7) % 7)]
      let label = r.count > 1 ? String(format2(date.month)) + "-" + format2(date.day) + "+" : format2(date.month) + "-" + format2(date.day)
      svg += "<text x=\"\(HTML.num(cx))\" y=\"\(HTML.num(height - bottom + 16))\" class=\"xlab\">\(label)</text>"
      let partial = w.partialDays.contains { $0.day == first } && r.count == 1
      svg += "<text x=\"\(HTML.num(cx))\" y=\"\(HTML.num(height - bottom + 30))\" class=\"xsub\">\(r.count > 1 ? "\(r.count) days" : weekday + (partial ? " (part)" : ""))</text>\n"
    }
    svg += "<line x1=\"\(HTML.num(left))\" x2=\"\(HTML.num(width - right))\" y1=\"\(HTML.num(topPad + plotH))\" y2=\"\(HTML.num(topPad + plotH))\" class=\"axis\"/>\n"
    svg += "</svg>\n"
    return svg
  }

  /// 1, 2, 5, 10, 20, 50...: the smallest giving at most five steps up to `top`.
  static func niceStep(_ top: Int) -> Int {
    var magnitude = 1
    while magnitude < Int.max / 10 {
      for m in [1, 2, 5] where top / (m * magnitude) <= 5 { return m * magnitude }
      magnitude *= 10
    }
    return magnitude
  }

  /// A tiny bar row for a table cell.
  static func miniBars(_ values: [Int], color: String) -> String {
    let top = max(1, values.max() ?? 1)
    let barW = 6.0
    let gap = 2.0
    let h = 22.0
    let width = Double(values.count) * (barW + gap)
    var svg = "<svg class=\"mini\" viewBox=\"0 0 \(HTML.num(width)) \(HTML.num(h))\" width=\"\(HTML.num(width))\" height=\"\(HTML.num(h))\" aria-hidden=\"true\">"
    for (i, v) in values.enumerated() {
      let bh = v == 0 ? 1.0 : max(2, Double(v) / Double(top) * h)
      svg += "<rect x=\"\(HTML.num(Double(i) * (barW + gap)))\" y=\"\(HTML.num(h - bh))\" width=\"\(HTML.num(barW))\" height=\"\(HTML.num(bh))\" fill=\"\(v == 0 ? "#d9dde3" : color)\"/>"
    }
    return svg + "</svg>"
  }
}

func format2(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
