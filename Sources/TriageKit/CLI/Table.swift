import TriageCore

/// A table for people: columns fitted to the terminal width, long cells wrapped (or cut with an
/// ellipsis), every cell escaped so note text cannot drive the terminal.
public struct Table: Sendable {
  public struct Column: Sendable {
    public var title: String
    public var alignRight: Bool
    /// May this column shrink below its natural width (wrapping its cells)?
    public var flexible: Bool
    /// Cut instead of wrap when shrunk.
    public var truncate: Bool
    public var minWidth: Int

    public init(
      _ title: String, alignRight: Bool = false, flexible: Bool = false, truncate: Bool = false,
      minWidth: Int = 4
    ) {
      self.title = title
      self.alignRight = alignRight
      self.flexible = flexible
      self.truncate = truncate
      self.minWidth = minWidth
    }
  }

  public var columns: [Column]
  public var rows: [[String]] = []
  /// Per row, an optional style applied to the whole line (severity colour).
  public var rowStyles: [Style?] = []

  public init(_ columns: [Column]) { self.columns = columns }

  /// Adds a row. A cell may hold several lines ("\n"); every other control character, a tab
  /// included, is shown escaped, so the column widths stay what the terminal shows.
  public mutating func add(_ cells: [String], style: Style? = nil) {
    rows.append(
      cells.map {
        let safe = SafeText.escape($0, .multiLine)
        return safe.contains("\t") ? safe.replacingOccurrences(of: "\t", with: "\\t") : safe
      })
    rowStyles.append(style)
  }

  /// Renders the table; `width` nil means unlimited (not a terminal).
  public func render(width: Int?, color: Bool = false) -> String {
    let gap = 2
    var widths = columns.map { DisplayWidth.of($0.title) }
    for row in rows {
      for (i, cell) in row.enumerated() where i < widths.count {
        widths[i] = max(widths[i], cell.split(separator: "\n").map { DisplayWidth.of(String($0)) }.max() ?? 0)
      }
    }
    if let width {
      var total = widths.reduce(0, +) + gap * max(0, columns.count - 1)
      // Shrink the widest flexible column step by step until the table fits.
      while total > width {
        var best = -1
        for (i, c) in columns.enumerated() where c.flexible && widths[i] > c.minWidth {
          if best < 0 || widths[i] > widths[best] { best = i }
        }
        if best < 0 { break }
        widths[best] -= 1
        total -= 1
      }
    }
    var out = ""
    func line(_ cells: [String], style: Style?) {
      // Each cell becomes one or more physical lines.
      var cellLines: [[String]] = []
      for (i, col) in columns.enumerated() {
        let text = i < cells.count ? cells[i] : ""
        if DisplayWidth.of(text) <= widths[i] && !text.contains("\n") {
          cellLines.append([text])
        } else if col.truncate {
          cellLines.append([DisplayWidth.truncate(text.replacingOccurrences(of: "\n", with: " "), toColumns: widths[i])])
        } else {
          cellLines.append(TextLayout.wrapHard(text, width: widths[i]))
        }
      }
      let height = cellLines.map(\.count).max() ?? 1
      for r in 0..<height {
        var parts: [String] = []
        for (i, col) in columns.enumerated() {
          let t = r < cellLines[i].count ? cellLines[i][r] : ""
          let isLast = i == columns.count - 1
          if col.alignRight {
            parts.append(DisplayWidth.pad(t, toColumns: widths[i], alignment: .right))
          } else {
            parts.append(isLast ? t : DisplayWidth.pad(t, toColumns: widths[i]))
          }
        }
        var text = parts.joined(separator: String(repeating: " ", count: gap))
        while text.hasSuffix(" ") { text.removeLast() }
        if color, let style { text = style.apply(text) }
        out += text + "\n"
      }
    }
    let header = columns.map(\.title)
    line(header, style: color ? .bold : nil)
    for (k, row) in rows.enumerated() { line(row, style: rowStyles[k]) }
    return out
  }
}

/// SGR styles for severity and promise status; applied only on a terminal without NO_COLOR.
public enum Style: Sendable {
  case bold, dim, red, yellow, green, cyan, magenta

  var code: String {
    switch self {
    case .bold: "1"
    case .dim: "2"
    case .red: "31"
    case .yellow: "33"
    case .green: "32"
    case .cyan: "36"
    case .magenta: "35"
    }
  }

  public func apply(_ s: String) -> String { "\u{1B}[\(code)m\(s)\u{1B}[0m" }
}

extension TextLayout {
  /// Wraps at spaces, and inside a word when it alone is wider than the width.
  public static func wrapHard(_ text: String, width: Int) -> [String] {
    let w = max(1, width)
    var lines: [String] = []
    for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
      var line = ""
      var lineWidth = 0
      for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
        var piece = String(word)
        var pw = DisplayWidth.of(piece)
        if lineWidth > 0 && lineWidth + 1 + pw > w {
          lines.append(line)
          line = ""
          lineWidth = 0
        }
        while pw > w {
          // Break a long word at the width.
          var head = ""
          var hw = 0
          var rest = Substring(piece)
          while let c = rest.first, hw + DisplayWidth.of(c) <= w - lineWidth - (lineWidth > 0 ? 1 : 0) {
            head.append(c)
            hw += DisplayWidth.of(c)
            rest = rest.dropFirst()
          }
          if head.isEmpty {
            lines.append(line)
            line = ""
            lineWidth = 0
            continue
          }
          line += (lineWidth > 0 ? " " : "") + head
          lines.append(line)
          line = ""
          lineWidth = 0
          piece = String(rest)
          pw = DisplayWidth.of(piece)
        }
        if !piece.isEmpty {
          line += (lineWidth > 0 ? " " : "") + piece
          lineWidth += (lineWidth > 0 ? 1 : 0) + pw
        }
      }
      lines.append(line)
    }
    return lines
  }
}
