#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How reading one line ended.
public enum LineEditResult: Sendable, Equatable {
  /// Enter: the line, without the newline.
  case line(String)
  /// Ctrl-C: the line was dropped.
  case interrupted
  /// Ctrl-D on an empty line, or the end of the input.
  case endOfInput
}

/// What Tab can put in place of part of the line.
public struct Completion: Sendable, Equatable {
  /// The Characters of the line the candidates replace (usually the word before the cursor).
  public var replacing: Range<Int>
  /// The full texts that can replace it; empty when nothing fits.
  public var candidates: [String]

  public init(replacing: Range<Int>, candidates: [String]) {
    self.replacing = replacing
    self.candidates = candidates
  }
}

/// Supplies Tab completions for the line editor.
public protocol LineCompleter: Sendable {
  /// The completions for `line` with the cursor at Character offset `cursor`.
  func complete(line: String, cursor: Int) -> Completion
}

/// Completes the whitespace-delimited word before the cursor from a fixed list of words.
public struct WordCompleter: LineCompleter {
  /// The words offered, in the order candidates are listed.
  public var words: [String]

  public init(_ words: [String]) {
    self.words = words
  }

  public func complete(line: String, cursor: Int) -> Completion {
    let before = Array(line.prefix(cursor))
    var start = before.count
    while start > 0 && !before[start - 1].isWhitespace { start -= 1 }
    let prefix = String(before[start...])
    return Completion(
      replacing: start..<before.count, candidates: words.filter { $0.hasPrefix(prefix) })
  }
}

/// An interactive line editor for a terminal, in the manner of readline and linenoise: cursor
/// movement by grapheme cluster and by word, kill and yank, history with reverse incremental
/// search, Tab completion, bracketed paste, and lines that wrap over several rows.
///
/// It owns the terminal while `readLine` runs (raw mode, signal handlers that always restore
/// the settings) and gives it back unchanged between lines, so commands print normally. It is
/// a class because it has identity: the bytes typed ahead of the next prompt and the kill ring
/// carry over from one line to the next.
public final class LineEditor {
  /// The terminal keys are read from.
  public let input: Int32
  /// The terminal the line is drawn on.
  public let output: Int32
  /// The history Up/Down and Ctrl-R walk; accepted lines are added when `recordsHistory`.
  public var history: History
  /// Supplies Tab completions; Tab rings the bell without one.
  public var completer: (any LineCompleter)?
  /// Whether accepted lines are appended to `history`.
  public var recordsHistory = true
  /// How long, in milliseconds, a lone ESC waits for the rest of an escape sequence before it
  /// counts as the Escape key.
  public var escapeTimeout: Int32 = 50

  private var decoder = KeyDecoder()
  private var killed = ""
  private var lastSearch = ""

  public init(
    input: Int32 = 0, output: Int32 = 1, history: History = History(),
    completer: (any LineCompleter)? = nil
  ) {
    self.input = input
    self.output = output
    self.history = history
    self.completer = completer
  }

  /// True when `fd` is a terminal. When standard input is not one, read lines without an
  /// editor.
  public static func isTerminal(_ fd: Int32) -> Bool {
    Terminal.isTerminal(fd)
  }

  /// Shows `prompt` and reads one line with editing. The prompt may contain SGR colour
  /// sequences (they take no columns) and newlines (the lines before the last are printed
  /// once, above the editable line).
  public func readLine(prompt: String) -> LineEditResult {
    // Output redirected to a file or pipe: drawing there would only leave escape sequences.
    guard Self.isTerminal(input), Self.isTerminal(output) else {
      return readPlainLine(prompt: prompt)
    }
    return RawMode.lock.withLock {
      guard RawMode.enter(input) else { return readPlainLine(prompt: prompt) }
      defer {
        writeOut(Sequence.pasteOff)
        RawMode.leave()
      }
      let result = edit(prompt: prompt)
      if case .line(let line) = result, recordsHistory { history.append(line) }
      return result
    }
  }

  // MARK: - The loop

  private func edit(prompt: String) -> LineEditResult {
    drainWakePipe()
    var session = EditSession(
      prompt: EditorPrompt(prompt), history: history, completer: completer, killed: killed,
      lastSearch: lastSearch, columns: currentColumns())
    defer {
      killed = session.buffer.killed
      lastSearch = session.lastSearch
    }
    session.output += Sequence.pasteOn
    session.start()
    while true {
      // Keys already buffered first: type-ahead from before this prompt, or a pasted batch.
      while let key = decoder.next() {
        if let result = dispatch(key, &session) { return result }
      }
      session.renderIfNeeded()
      flush(&session)
      var fds = [
        pollfd(fd: input, events: Int16(POLLIN), revents: 0),
        pollfd(fd: RawMode.wakeFD, events: Int16(POLLIN), revents: 0),
      ]
      let waitsForSequence = decoder.hasPendingBytes && !decoder.isInPaste
      let ready = poll(&fds, nfds_t(fds.count), waitsForSequence ? escapeTimeout : -1)
      if ready < 0 {
        if errno == EINTR || errno == EAGAIN { continue }
        return finish(.endOfInput, &session)
      }
      if ready == 0 {
        // The rest of an escape sequence did not come: it was the Escape key (or garbage).
        for key in decoder.flush() {
          if let result = dispatch(key, &session) { return result }
        }
        continue
      }
      if fds[1].revents & Int16(POLLIN) != 0 {
        handleWakeEvents(&session)
      }
      // POLLNVAL too: a closed descriptor must end the line, not spin this loop.
      if fds[0].revents & Int16(POLLIN | POLLHUP | POLLERR | POLLNVAL) != 0 {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let n = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
        if n > 0 {
          decoder.feed(chunk[0..<n])
        } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
          // The terminal hung up (EIO once the other side of a pty is closed).
          return finish(.endOfInput, &session)
        }
      }
    }
  }

  /// Handles one key; a result ends the line.
  private func dispatch(_ key: KeyEvent, _ session: inout EditSession) -> LineEditResult? {
    switch session.handle(key) {
    case .none: return nil
    case .finish(let result): return finish(result, &session)
    case .suspend:
      session.moveToEnd()
      session.output += "^Z"
      flush(&session)
      writeOut(Sequence.pasteOff)
      if RawMode.suspend() {
        writeOut(Sequence.pasteOn)
        session.output += "\r"
        session.restart()
      } else {
        writeOut(Sequence.pasteOn)
        session.output += "\u{7}"
        session.needsRender = true
      }
      flush(&session)
      return nil
    }
  }

  private func finish(_ result: LineEditResult, _ session: inout EditSession) -> LineEditResult {
    session.finish(result)
    flush(&session)
    return result
  }

  private func handleWakeEvents(_ session: inout EditSession) {
    var events = [UInt8](repeating: 0, count: 64)
    let n = events.withUnsafeMutableBytes { read(RawMode.wakeFD, $0.baseAddress, $0.count) }
    guard n > 0 else { return }
    // SIGTSTP's handler and SIGCONT's both report a resume: act on each kind of event once.
    var seen = Set<UInt8>()
    for byte in events[0..<n] where seen.insert(byte).inserted {
      switch WakeEvent(rawValue: byte) {
      case .resized:
        session.resize(columns: currentColumns())
      case .continued:
        session.output += "\r"
        session.resize(columns: currentColumns())
        session.restart()
      case .restored:
        RawMode.reenter()
        writeOut(Sequence.pasteOn)
        session.needsRender = true
      case nil:
        break
      }
    }
  }

  private func drainWakePipe() {
    var scratch = [UInt8](repeating: 0, count: 64)
    while scratch.withUnsafeMutableBytes({ read(RawMode.wakeFD, $0.baseAddress, $0.count) }) > 0 {}
  }

  private func currentColumns() -> Int {
    Terminal.size(of: output)?.columns ?? Terminal.size(of: input)?.columns ?? 80
  }

  private func flush(_ session: inout EditSession) {
    guard !session.output.isEmpty else { return }
    writeOut(session.output)
    session.output = ""
  }

  private func writeOut(_ text: String) {
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { buffer in
        write(output, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
      }
      if n > 0 {
        offset += n
      } else if n < 0 && (errno == EINTR || errno == EAGAIN) {
        var out = pollfd(fd: output, events: Int16(POLLOUT), revents: 0)
        _ = poll(&out, 1, 100)
      } else {
        return  // the terminal is gone; reading will notice
      }
    }
  }

  /// Without a terminal: the prompt, then bytes up to a newline, no editing.
  private func readPlainLine(prompt: String) -> LineEditResult {
    writeOut(prompt)
    var line: [UInt8] = []
    var byte: UInt8 = 0
    while true {
      let n = read(input, &byte, 1)
      if n < 0 && errno == EINTR { continue }
      if n <= 0 {
        return line.isEmpty ? .endOfInput : accept(line)
      }
      if byte == UInt8(ascii: "\n") { return accept(line) }
      line.append(byte)
    }
  }

  private func accept(_ bytes: [UInt8]) -> LineEditResult {
    var text = String(decoding: bytes, as: UTF8.self)
    if text.hasSuffix("\r") { text.removeLast() }
    if recordsHistory { history.append(text) }
    return .line(text)
  }

  enum Sequence {
    static let pasteOn = "\u{1B}[?2004h"
    static let pasteOff = "\u{1B}[?2004l"
  }
}

// MARK: - The prompt

/// A prompt split into what is printed once (lines before the last newline) and the part the
/// line is edited after, with the latter's visible width.
struct EditorPrompt {
  var header: String
  var text: String
  var widths: [Int]

  init(_ prompt: String) {
    if let newline = prompt.lastIndex(of: "\n") {
      header = String(prompt[...newline])
      text = String(prompt[prompt.index(after: newline)...])
    } else {
      header = ""
      text = prompt
    }
    widths = Self.visibleText(text).map { DisplayWidth.of($0) }
  }

  /// `text` without escape sequences (SGR colours, OSC titles) and readline's \x01/\x02
  /// markers, which take no columns.
  static func visibleText(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    var scalars = text.unicodeScalars.makeIterator()
    while let scalar = scalars.next() {
      switch scalar {
      case "\u{1}", "\u{2}": continue
      case "\u{1B}":
        guard let kind = scalars.next() else { break }
        if kind == "[" {
          while let s = scalars.next(), !(0x40...0x7E).contains(s.value) {}
        } else if kind == "]" {
          // OSC ends with BEL or ESC \.
          while let s = scalars.next(), s != "\u{7}" {
            if s == "\u{1B}" {
              _ = scalars.next()
              break
            }
          }
        }
      default:
        out.append(scalar)
      }
    }
    return String(out)
  }
}

// MARK: - Editing state and rendering

/// One `readLine` in progress: the buffer, the history walk, search, and what was drawn.
/// Handling a key only changes state and queues output; the editor writes it.
struct EditSession {
  enum Outcome {
    case finish(LineEditResult)
    case suspend
  }

  /// Reverse incremental search (Ctrl-R) in progress.
  struct Search {
    var query = ""
    /// The entry shown, if any matched.
    var match: Int?
    /// Where in the entry the query was found, in Characters.
    var offset = 0
    var failed = false
    /// The line as it was before the search, for Ctrl-G.
    var original: LineBuffer
    /// The history position the search started from.
    var start: Int
  }

  var buffer: LineBuffer
  var navigator: History.Navigator
  let history: History
  let prompt: EditorPrompt
  let completer: (any LineCompleter)?
  var columns: Int
  var search: Search?
  var lastSearch: String
  var lastKeyWasTab = false
  /// Candidates waiting for an answer to "Display all N possibilities? (y or n)".
  var pendingListing: [String]?
  /// More candidates than this ask before listing, as readline's completion-query-items.
  static let listingQueryThreshold = 100

  /// Bytes to write.
  var output = ""
  var needsRender = false
  /// The row, counted from the prompt's first row, the cursor was left on by the last render.
  var renderedCursorRow = 0

  init(
    prompt: EditorPrompt, history: History, completer: (any LineCompleter)?, killed: String,
    lastSearch: String, columns: Int
  ) {
    self.prompt = prompt
    self.completer = completer
    self.history = history
    self.buffer = LineBuffer("", killed: killed)
    self.navigator = History.Navigator(history: history)
    self.lastSearch = lastSearch
    self.columns = max(columns, 1)
  }

  /// Draws the prompt for the first time.
  mutating func start() {
    output += prompt.header
    renderedCursorRow = 0
    render()
  }

  /// Draws everything again from the current cursor row, as after a suspend.
  mutating func restart() {
    renderedCursorRow = 0
    output += prompt.header
    render()
  }

  mutating func resize(columns newColumns: Int) {
    guard newColumns != columns else { return }
    columns = max(newColumns, 1)
    needsRender = true
  }

  mutating func renderIfNeeded() {
    if needsRender { render() }
  }

  /// Leaves the cursor after the line, on its last row.
  mutating func moveToEnd() {
    render(cursorAtEnd: true)
  }

  /// Draws the final state and moves below the line.
  mutating func finish(_ result: LineEditResult) {
    if search != nil, case .line = result {
      search = nil
    }
    let layout = render(cursorAtEnd: true)
    if result == .interrupted { output += "^C" }
    // A line that exactly fills its last row has already moved to a fresh row.
    if !(layout.endsWithNewline && result != .interrupted) { output += "\r\n" }
  }

  // MARK: Keys

  mutating func handle(_ key: KeyEvent) -> Outcome? {
    if search != nil { return handleSearch(key) }
    if let candidates = pendingListing {
      // y, space or Tab list them; any other key declines and is otherwise ignored.
      pendingListing = nil
      lastKeyWasTab = false
      output += "\r\n"
      switch key {
      case .tab, .text("y"), .text("Y"), .text(" "): printListing(candidates)
      default: break
      }
      renderedCursorRow = 0
      output += prompt.header
      needsRender = true
      return nil
    }
    let wasTab = lastKeyWasTab
    lastKeyWasTab = false
    // Set before the switch so keys that draw something themselves (a listing) can clear it;
    // an unbound key restores it, since an earlier key in the batch may still need drawing.
    let renderWasNeeded = needsRender
    needsRender = true
    switch key {
    case .text(let text): buffer.insert(text)
    case .paste(let text): buffer.insert(Self.flattenPaste(text))
    case .enter: return .finish(.line(buffer.text))
    case .tab:
      complete(listing: wasTab)
      lastKeyWasTab = true
    case .left, .ctrl("b"): buffer.moveLeft()
    case .right, .ctrl("f"): buffer.moveRight()
    case .home, .ctrl("a"): buffer.moveToStart()
    case .end, .ctrl("e"): buffer.moveToEnd()
    case .wordLeft, .alt("b"): buffer.moveWordLeft()
    case .wordRight, .alt("f"): buffer.moveWordRight()
    case .backspace: buffer.deleteBackward()
    case .delete: buffer.deleteForward()
    case .ctrl("d"):
      if buffer.isEmpty { return .finish(.endOfInput) }
      buffer.deleteForward()
    case .ctrl("k"): buffer.killToEnd()
    case .ctrl("u"): buffer.killToStart()
    case .ctrl("w"): buffer.killPreviousBigWord()
    case .altBackspace: buffer.killPreviousWord()
    case .alt("d"): buffer.killNextWord()
    case .ctrl("y"): if !buffer.yank() { bell() }
    case .ctrl("t"): if !buffer.transpose() { bell() }
    case .up, .ctrl("p"): recall(navigator.older(current: buffer.text))
    case .down, .ctrl("n"): recall(navigator.newer(current: buffer.text))
    case .ctrl("l"):
      output += "\u{1B}[H\u{1B}[2J" + prompt.header
      renderedCursorRow = 0
    case .ctrl("r"): startSearch()
    case .ctrl("c"): return .finish(.interrupted)
    case .ctrl("z"): return .suspend
    case .ctrl("g"): bell()
    default:
      // Unbound keys and unknown sequences do nothing, and are never inserted as text.
      needsRender = renderWasNeeded
    }
    return nil
  }

  /// Newlines in a paste become spaces, so a pasted block is edited as one line instead of
  /// running its first lines; tabs too, as they would otherwise show as ^I.
  static func flattenPaste(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    var previousWasCR = false
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\r":
        out.append(" ")
        previousWasCR = true
        continue
      case "\n":
        if !previousWasCR { out.append(" ") }
      case "\t": out.append(" ")
      default: out.append(scalar)
      }
      previousWasCR = false
    }
    return String(out)
  }

  private mutating func recall(_ entry: String?) {
    guard let entry else { return }
    buffer.replaceAll(with: entry)
  }

  private mutating func bell() {
    output += "\u{7}"
  }

  // MARK: Completion

  private mutating func complete(listing: Bool) {
    guard let completer else {
      bell()
      return
    }
    let completion = completer.complete(line: buffer.text, cursor: buffer.cursor)
    let candidates = completion.candidates
    guard !candidates.isEmpty else {
      bell()
      return
    }
    let lower = min(max(completion.replacing.lowerBound, 0), buffer.count)
    let upper = min(max(completion.replacing.upperBound, lower), buffer.count)
    let current = Array(buffer.text)[lower..<upper]
    if Set(candidates).count == 1, let only = candidates.first {
      // A unique completion ends the word: add a space, or step over the one already there.
      if buffer.text.dropFirst(upper).first == " " {
        buffer.replace(lower..<upper, with: only)
        buffer.moveRight()
      } else {
        buffer.replace(lower..<upper, with: only + " ")
      }
      return
    }
    let common = Self.commonPrefix(candidates)
    if common.count > current.count {
      buffer.replace(lower..<upper, with: common)
    } else if listing {
      list(candidates)
    } else {
      bell()
    }
  }

  static func commonPrefix(_ strings: [String]) -> String {
    guard var prefix = strings.first.map(Array.init) else { return "" }
    for string in strings.dropFirst() {
      let characters = Array(string)
      var n = 0
      while n < prefix.count && n < characters.count && prefix[n] == characters[n] { n += 1 }
      prefix.removeSubrange(n...)
    }
    return String(prefix)
  }

  /// Lists the candidates in columns below the line, then draws the prompt again under them.
  /// A long list is offered first, so a stray Tab does not scroll the screen away.
  private mutating func list(_ candidates: [String]) {
    let layout = render(cursorAtEnd: true)
    if !layout.endsWithNewline { output += "\r\n" }
    if candidates.count > Self.listingQueryThreshold {
      output += "Display all \(candidates.count) possibilities? (y or n)"
      pendingListing = candidates
      needsRender = false
      return
    }
    printListing(candidates)
    renderedCursorRow = 0
    output += prompt.header
    needsRender = true
  }

  /// The candidates in columns, down then across like readline and ls, each row ended.
  private mutating func printListing(_ candidates: [String]) {
    let items = candidates.map {
      DisplayWidth.truncate(SafeText.escape($0), toColumns: max(columns - 1, 1))
    }
    let widest = items.map { DisplayWidth.of($0) }.max() ?? 0
    let cellWidth = widest + 2
    let perRow = max(1, (columns + 1) / cellWidth)
    let rows = (items.count + perRow - 1) / perRow
    for row in 0..<rows {
      var line = ""
      var column = 0
      while column * rows + row < items.count {
        let item = items[column * rows + row]
        let isLast = (column + 1) * rows + row >= items.count
        line += isLast ? item : DisplayWidth.pad(item, toColumns: cellWidth)
        column += 1
      }
      output += line + "\r\n"
    }
  }

  // MARK: Search

  private mutating func startSearch() {
    // From a history entry reached with Up, the search includes that entry, as in readline.
    let start = navigator.index < history.entries.count ? navigator.index + 1 : navigator.index
    search = Search(original: buffer, start: start)
    needsRender = true
  }

  private mutating func handleSearch(_ key: KeyEvent) -> Outcome? {
    guard var state = search else { return nil }
    needsRender = true
    lastKeyWasTab = false
    switch key {
    case .text(let text), .paste(let text):
      state.query += Self.flattenPaste(text)
      find(&state, from: state.match.map { $0 + 1 } ?? state.start, direction: .older)
    case .backspace:
      guard !state.query.isEmpty else {
        bell()
        break
      }
      state.query.removeLast()
      state.match = nil
      state.failed = false
      find(&state, from: state.start, direction: .older)
    case .ctrl("r"):
      if state.query.isEmpty {
        // Ctrl-R Ctrl-R searches for the previous query again, as in readline.
        state.query = lastSearch
        find(&state, from: state.start, direction: .older)
      } else {
        find(&state, from: state.match ?? state.start, direction: .older)
      }
    case .ctrl("s"):
      if let match = state.match { find(&state, from: match, direction: .newer) }
    case .ctrl("g"), .ctrl("c"):
      buffer = state.original
      search = nil
      return nil
    case .enter:
      accept(state)
      return .finish(.line(buffer.text))
    case .escape:
      accept(state)
      return nil
    case .unknown:
      break
    default:
      // Any other editing key ends the search on the found line and then does its job.
      accept(state)
      return handle(key)
    }
    search = state
    return nil
  }

  private enum Direction { case older, newer }

  /// Finds the query in entries before `index` (older) or after it (newer).
  private mutating func find(_ state: inout Search, from index: Int, direction: Direction) {
    guard !state.query.isEmpty else {
      state.failed = false
      return
    }
    let found =
      switch direction {
      case .older: history.lastIndex(containing: state.query, before: index)
      case .newer: history.firstIndex(containing: state.query, after: index)
      }
    if let found {
      state.match = found
      state.offset = History.find(state.query, in: history.entries[found]) ?? 0
      state.failed = false
    } else {
      state.failed = true
      bell()
    }
  }

  private mutating func accept(_ state: Search) {
    lastSearch = state.query.isEmpty ? lastSearch : state.query
    search = nil
    guard let match = state.match else {
      buffer = state.original
      return
    }
    let line = navigator.jump(to: match, current: state.original.text, found: history.entries[match]) ?? ""
    buffer = LineBuffer(line, cursor: state.offset, killed: buffer.killed)
  }

  // MARK: Rendering

  /// Where things landed on the screen, in rows from the prompt's first row.
  struct Layout {
    var cursorRow = 0
    var cursorColumn = 0
    var endRow = 0
    /// The text exactly filled its last row, so a newline was written to put the cursor on a
    /// real cell below it.
    var endsWithNewline = false
  }

  /// The prompt and line of the current state: the search prompt during a search.
  private func shownText() -> (prompt: String, widths: [Int], line: String, cursor: Int) {
    guard let search else {
      return (prompt.text, prompt.widths, buffer.text, buffer.cursor)
    }
    let label = search.failed ? "(failed reverse-i-search)`" : "(reverse-i-search)`"
    let text = label + Self.visible(search.query).map(\.text).joined() + "': "
    let widths = Array(text).map { DisplayWidth.of($0) }
    if let match = search.match {
      return (text, widths, history.entries[match], search.offset)
    }
    return (text, widths, search.original.text, search.original.cursor)
  }

  /// Each Character of `line` as drawn: control characters as ^X (or SafeText's escape), so
  /// pasted escape sequences never reach the terminal raw.
  static func visible(_ line: String) -> [(text: String, width: Int)] {
    line.map { character in
      var needsEscape = false
      for scalar in character.unicodeScalars where SafeText.needsEscape(scalar, .singleLine) {
        needsEscape = true
        break
      }
      guard needsEscape else { return (String(character), DisplayWidth.of(character)) }
      var text = ""
      for scalar in character.unicodeScalars {
        let v = scalar.value
        if v < 0x20 {
          text += "^" + String(Unicode.Scalar(UInt8(v + 0x40)))
        } else if v == 0x7F {
          text += "^?"
        } else {
          text += SafeText.escape(String(scalar))
        }
      }
      return (text, DisplayWidth.of(text))
    }
  }

  /// Redraws the prompt and line in place: up to the prompt's first row, clear to the end of
  /// the screen, write, and put the cursor where it belongs. Rows are computed for the current
  /// width so long lines wrap over as many rows as they need.
  @discardableResult
  mutating func render(cursorAtEnd: Bool = false) -> Layout {
    needsRender = false
    let shown = shownText()
    let cells = Self.visible(shown.line)
    let cursor = cursorAtEnd ? cells.count : min(shown.cursor, cells.count)
    var layout = Layout()
    var row = 0
    var column = 0
    func place(_ width: Int) {
      if width > 0 && column + width > columns {
        row += 1
        column = 0
      }
      column += width
    }
    for width in shown.widths { place(width) }
    for (index, cell) in cells.enumerated() {
      if index == cursor {
        // The cursor sits where this cell is drawn, which may be the next row.
        if column >= columns || (cell.width > 0 && column + cell.width > columns) {
          (layout.cursorRow, layout.cursorColumn) = (row + 1, 0)
        } else {
          (layout.cursorRow, layout.cursorColumn) = (row, column)
        }
      }
      place(cell.width)
    }
    if column >= columns {
      layout.endsWithNewline = true
      row += 1
      column = 0
    }
    layout.endRow = row
    if cursor >= cells.count { (layout.cursorRow, layout.cursorColumn) = (row, column) }

    var out = ""
    if renderedCursorRow > 0 { out += "\u{1B}[\(renderedCursorRow)A" }
    out += "\r\u{1B}[J"
    out += shown.prompt
    for cell in cells { out += cell.text }
    if layout.endsWithNewline { out += "\r\n" }
    let up = layout.endRow - layout.cursorRow
    if up > 0 { out += "\u{1B}[\(up)A" }
    out += "\r"
    if layout.cursorColumn > 0 { out += "\u{1B}[\(layout.cursorColumn)C" }
    output += out
    renderedCursorRow = layout.cursorRow
    return layout
  }
}
