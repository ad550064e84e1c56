/// A row of bars, one character per day (or per run of days on a long window), for tables.
///
/// Block characters ▁▂▃▄▅▆▇█ when the terminal's locale says UTF-8, else plain ASCII
/// `_.-~=+*#`. A day with nothing is a space; any other day shows at least the lowest bar, so a
/// single mention is never invisible. Bars are scaled to the row's own largest value.
public enum Sparkline {
  public static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
  public static let ascii: [Character] = ["_", ".", "-", "~", "=", "+", "*", "#"]
  /// A window of more days than this is drawn in runs of days.
  public static let maxColumns = 31

  /// The bars for some counts.
  public static func render(_ values: [Int], unicode: Bool) -> String {
    let levels = unicode ? blocks : ascii
    let top = values.max() ?? 0
    guard top > 0 else { return String(repeating: " ", count: values.count) }
    var out = ""
    for v in values {
      if v <= 0 {
        out.append(" ")
      } else {
        let level = (v * levels.count + top - 1) / top - 1
        out.append(levels[min(levels.count - 1, max(0, level))])
      }
    }
    return out
  }

  /// Sums daily counts into the window's buckets (`ThemeWindow.buckets`).
  public static func bucketed(_ daily: [Int], window: ThemeWindow, max columns: Int = maxColumns) -> [Int] {
    guard daily.count > columns else { return daily }
    return window.buckets(max: columns).map { r in
      r.reduce(0) { sum, day in
        let i = Int(day - window.firstDay)
        return sum + (i < daily.count ? daily[i] : 0)
      }
    }
  }

  /// Whether the locale says UTF-8: `LC_ALL`, else `LC_CTYPE`, else `LANG` (the first one set
  /// decides, as POSIX reads them).
  public static func unicodeAllowed(environment: [String: String]) -> Bool {
    for name in ["LC_ALL", "LC_CTYPE", "LANG"] {
      if let v = environment[name], !v.isEmpty {
        let folded = v.lowercased()
        return folded.contains("utf-8") || folded.contains("utf8")
      }
    }
    return false
  }
}
