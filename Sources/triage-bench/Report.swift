import Foundation

/// One line of the benchmark's table.
struct Row {
  var stage: String
  var detail: String
  var notes: Int?
  var bytes: Int?
  /// Median seconds of the runs (for `why`: the median query latency).
  var median: Double
  var p99: Double?
  var peakBytes: Int?
  var cpuSeconds: Double?
  var runs: [Double]
  var target: String
  var met: Bool?

  var notesPerSecond: Double? { notes.map { Double($0) / median } }
  var mbPerSecond: Double? { bytes.map { Double($0) / 1_000_000 / median } }
}

/// Medians and percentiles (nearest rank).
enum Stats {
  static func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    guard !s.isEmpty else { return 0 }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
  }

  static func percentile(_ xs: [Double], _ p: Double) -> Double {
    let s = xs.sorted()
    guard !s.isEmpty else { return 0 }
    let rank = Int((p / 100 * Double(s.count)).rounded(.up))
    return s[max(0, min(s.count - 1, rank - 1))]
  }
}

enum Report {
  static func table(_ rows: [Row], machine: String, runs: Int) -> String {
    let head = ["stage", "notes/s", "MB/s", "peak MB", "median", "p99", "target", ""]
    var cells: [[String]] = [head]
    for r in rows {
      cells.append([
        r.stage,
        r.notesPerSecond.map(count) ?? "",
        r.mbPerSecond.map { String(format: "%.1f", $0) } ?? "",
        r.peakBytes.map { String(format: "%.1f", Double($0) / 1_048_576) } ?? "",
        time(r.median),
        r.p99.map(time) ?? "",
        r.target,
        r.met.map { $0 ? "✓" : "✗" } ?? "",
      ])
    }
    let widths = head.indices.map { c in cells.map { $0[c].count }.max() ?? 0 }
    let right: Set<Int> = [1, 2, 3, 4, 5]
    var out = ""
    for (i, row) in cells.enumerated() {
      let line = row.enumerated().map { c, s in
        let pad = String(repeating: " ", count: widths[c] - s.count)
        return right.contains(c) ? pad + s : s + pad
      }.joined(separator: "  ")
      out += line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
      if i == 0 { out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
    }
    out += "\n"
    for r in rows where !r.detail.isEmpty { out += "\(r.stage): \(r.detail)\n" }
    out += "\nmedians of \(runs) run(s) on \(machine)\n"
    return out
  }

  static func json(_ rows: [Row], machine: String, runs: Int) -> String {
    func num(_ x: Double?) -> String {
      guard let x else { return "null" }
      return String(format: "%.6g", x)
    }
    func str(_ s: String) -> String {
      var o = "\""
      for u in s.unicodeScalars {
        switch u {
        case "\"": o += "\\\""
        case "\\": o += "\\\\"
        case "\n": o += "\\n"
        default: o.unicodeScalars.append(u)
        }
      }
      return o + "\""
    }
    let items = rows.map { r in
      "{\"stage\":\(str(r.stage)),\"notes\":\(r.notes.map(String.init) ?? "null"),\"bytes\":\(r.bytes.map(String.init) ?? "null"),"
        + "\"notes_per_s\":\(num(r.notesPerSecond)),\"mb_per_s\":\(num(r.mbPerSecond)),\"median_s\":\(num(r.median)),"
        + "\"p99_s\":\(num(r.p99)),\"peak_bytes\":\(r.peakBytes.map(String.init) ?? "null"),\"cpu_s\":\(num(r.cpuSeconds)),"
        + "\"runs_s\":[\(r.runs.map { num($0) }.joined(separator: ","))],\"target\":\(str(r.target)),"
        + "\"met\":\(r.met.map { $0 ? "true" : "false" } ?? "null"),\"detail\":\(str(r.detail))}"
    }
    return "{\"machine\":\(str(machine)),\"runs\":\(runs),\"stages\":[\n" + items.joined(separator: ",\n") + "\n]}\n"
  }

  static func count(_ x: Double) -> String {
    let n = Int(x.rounded())
    var s = String(n)
    var i = s.count - 3
    while i > 0 {
      s.insert(",", at: s.index(s.startIndex, offsetBy: i))
      i -= 3
    }
    return s
  }

  static func time(_ s: Double) -> String {
    if s < 0.001 { return String(format: "%.0f µs", s * 1e6) }
    if s < 1 { return String(format: "%.1f ms", s * 1000) }
    return String(format: "%.2f s", s)
  }
}
