import Testing
import TriageKit

/// Just enough of a VT100/xterm to check what the line editor draws: printable characters with
/// auto-wrap (a wide character that does not fit in the last column wraps early, as in xterm),
/// CR, LF, BS, BEL, and the CSI sequences A B C D G H J K. It does not reflow on resize, like
/// xterm.
struct VTScreen {
  private(set) var rows: Int
  private(set) var columns: Int
  /// Each cell holds the text drawn there; "" is the right half of a wide character.
  private var cells: [[String]]
  private(set) var row = 0
  private(set) var column = 0
  /// The cursor is past the last column and the next character wraps.
  private var pendingWrap = false
  private(set) var bells = 0
  private(set) var bracketedPasteOn = 0
  private(set) var bracketedPasteOff = 0
  private(set) var scrolledRows = 0
  private var state = ParseState.ground
  private var utf8 = UTF8Pending()

  enum ParseState: Equatable {
    case ground, escape, osc
    case csi(String)
  }

  struct UTF8Pending {
    var bytes: [UInt8] = []
  }

  init(rows: Int, columns: Int) {
    self.rows = rows
    self.columns = columns
    cells = Array(repeating: Array(repeating: " ", count: columns), count: rows)
  }

  /// The rows as text, trailing blanks removed.
  var lines: [String] {
    cells.map { row in
      var line = row.joined()
      while line.last == " " { line.removeLast() }
      return line
    }
  }

  /// The rows up to the last one that is not blank.
  var text: [String] {
    var all = lines
    while all.last == "" { all.removeLast() }
    return all
  }

  /// Where the cursor is drawn.
  var cursor: Cursor { Cursor(row: row, column: column) }

  struct Cursor: Equatable, CustomStringConvertible {
    var row: Int
    var column: Int
    var description: String { "(\(row), \(column))" }
  }

  /// Changes the size without reflowing, like xterm: rows keep their cells, cut or padded.
  mutating func resize(columns newColumns: Int) {
    cells = cells.map { row in
      newColumns <= row.count
        ? Array(row.prefix(newColumns))
        : row + Array(repeating: " ", count: newColumns - row.count)
    }
    columns = newColumns
    column = min(column, columns - 1)
    pendingWrap = false
  }

  mutating func feed(_ bytes: [UInt8]) {
    utf8.bytes += bytes
    // Decode whole UTF-8 sequences only; keep a split one for the next feed.
    var end = utf8.bytes.count
    var back = 0
    while back < 3 && end - back - 1 >= 0 {
      let b = utf8.bytes[end - back - 1]
      if b & 0xC0 == 0x80 {
        back += 1
        continue
      }
      let needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
      if needed > back + 1 { end -= back + 1 }
      break
    }
    let text = String(decoding: utf8.bytes[..<end], as: UTF8.self)
    utf8.bytes.removeFirst(end)
    for scalar in text.unicodeScalars { feed(scalar) }
  }

  mutating func feed(_ text: String) {
    feed(Array(text.utf8))
  }

  private mutating func feed(_ scalar: Unicode.Scalar) {
    switch state {
    case .ground: ground(scalar)
    case .escape:
      switch scalar {
      case "[": state = .csi("")
      case "]": state = .osc
      default: state = .ground  // two-byte escapes (ESC 7, ESC =, …) do nothing here
      }
    case .osc:
      if scalar == "\u{7}" { state = .ground }
    case .csi(let parameters):
      if (0x40...0x7E).contains(scalar.value) {
        state = .ground
        csi(parameters, scalar)
      } else {
        state = .csi(parameters + String(scalar))
      }
    }
  }

  private mutating func ground(_ scalar: Unicode.Scalar) {
    switch scalar.value {
    case 0x1B: state = .escape
    case 0x0D:
      column = 0
      pendingWrap = false
    case 0x0A:
      lineFeed()
      pendingWrap = false
    case 0x08:
      column = max(column - 1, 0)
      pendingWrap = false
    case 0x07: bells += 1
    case 0x09: column = min((column / 8 + 1) * 8, columns - 1)
    case 0..<0x20, 0x7F: break
    default: put(scalar)
    }
  }

  private mutating func put(_ scalar: Unicode.Scalar) {
    let width = DisplayWidth.of(scalar)
    if width == 0 {
      // A combining mark joins the character before the cursor.
      let target = pendingWrap ? column : max(column - 1, 0)
      cells[row][target] += String(scalar)
      return
    }
    if pendingWrap || column + width > columns {
      column = 0
      lineFeed()
    }
    pendingWrap = false
    cells[row][column] = String(scalar)
    if width == 2 && column + 1 < columns { cells[row][column + 1] = "" }
    column += width
    if column >= columns {
      column = columns - 1
      pendingWrap = true
    }
  }

  private mutating func lineFeed() {
    if row == rows - 1 {
      cells.removeFirst()
      cells.append(Array(repeating: " ", count: columns))
      scrolledRows += 1
    } else {
      row += 1
    }
  }

  private mutating func csi(_ parameters: String, _ final: Unicode.Scalar) {
    if parameters.hasPrefix("?") {
      if parameters == "?2004" && final == "h" { bracketedPasteOn += 1 }
      if parameters == "?2004" && final == "l" { bracketedPasteOff += 1 }
      return
    }
    let numbers = parameters.split(separator: ";", omittingEmptySubsequences: false).map {
      Int($0) ?? 0
    }
    let n = max(numbers.first ?? 1, 1)
    pendingWrap = false
    switch final {
    case "A": row = max(row - n, 0)
    case "B": row = min(row + n, rows - 1)
    case "C": column = min(column + n, columns - 1)
    case "D": column = max(column - n, 0)
    case "G": column = min(n - 1, columns - 1)
    case "H", "f":
      row = min(max((numbers.first ?? 1) - 1, 0), rows - 1)
      column = min(max((numbers.count > 1 ? numbers[1] : 1) - 1, 0), columns - 1)
    case "K":
      switch numbers.first ?? 0 {
      case 1: clear(row: row, from: 0, to: column + 1)
      case 2: clear(row: row, from: 0, to: columns)
      default: clear(row: row, from: column, to: columns)
      }
    case "J":
      switch numbers.first ?? 0 {
      case 1:
        for r in 0..<row { clear(row: r, from: 0, to: columns) }
        clear(row: row, from: 0, to: column + 1)
      case 2, 3:
        for r in 0..<rows { clear(row: r, from: 0, to: columns) }
      default:
        clear(row: row, from: column, to: columns)
        for r in (row + 1)..<rows { clear(row: r, from: 0, to: columns) }
      }
    default: break
    }
  }

  private mutating func clear(row r: Int, from start: Int, to end: Int) {
    guard start < end else { return }
    for c in start..<min(end, columns) { cells[r][c] = " " }
  }
}

@Suite struct LineEditorScreenEmulatorTests {
  @Test func wrapsAtTheLastColumn() {
    var screen = VTScreen(rows: 3, columns: 4)
    screen.feed("abcd")
    #expect(screen.cursor == VTScreen.Cursor(row: 0, column: 3))
    screen.feed("e")
    #expect(screen.lines == ["abcd", "e", ""])
    #expect(screen.cursor == VTScreen.Cursor(row: 1, column: 1))
  }

  @Test func wideCharacterWrapsEarly() {
    var screen = VTScreen(rows: 2, columns: 4)
    screen.feed("abc注")
    #expect(screen.lines == ["abc", "注"])
    #expect(screen.cursor == VTScreen.Cursor(row: 1, column: 2))
  }

  @Test func combiningMarkJoinsPreviousCell() {
    var screen = VTScreen(rows: 1, columns: 4)
    screen.feed("e\u{301}x")
    #expect(screen.lines == ["e\u{301}x"])
    #expect(screen.cursor.column == 2)
  }

  @Test func cursorMovesAndErases() {
    var screen = VTScreen(rows: 3, columns: 6)
    screen.feed("abcdef\r\nghij\u{1B}[1A\r\u{1B}[2C\u{1B}[J")
    #expect(screen.lines == ["ab", "", ""])
    screen.feed("\u{1B}[3;4HX\u{1B}[1GY\u{1B}[K")
    #expect(screen.lines == ["ab", "", "Y"])
    screen.feed("\u{1B}[2J")
    #expect(screen.text == [])
  }

  @Test func scrollsAtTheBottom() {
    var screen = VTScreen(rows: 2, columns: 3)
    screen.feed("a\r\nb\r\nc")
    #expect(screen.lines == ["b", "c"])
    #expect(screen.scrolledRows == 1)
  }

  @Test func splitUTF8AcrossFeeds() {
    var screen = VTScreen(rows: 1, columns: 4)
    let bytes = Array("注".utf8)
    screen.feed(Array(bytes[..<1]))
    screen.feed(Array(bytes[1...]))
    #expect(screen.lines == ["注"])
  }
}
