/// The text of the line being edited and the cursor in it: the editing model, without I/O.
///
/// Positions count `Character`s (grapheme clusters), so the cursor never lands inside an
/// accented letter, an emoji sequence or a flag. Kills go to a one-entry kill ring that Ctrl-Y
/// yanks back; consecutive kills add up, as in readline, so Ctrl-W Ctrl-W then Ctrl-Y restores
/// both words.
public struct LineBuffer: Sendable, Equatable {
  /// The line.
  public private(set) var text: String
  /// The cursor, in Characters from the start: 0...count.
  public private(set) var cursor: Int
  /// What the last kill (or run of kills) removed; what `yank()` inserts.
  public private(set) var killed: String = ""
  /// Whether the previous edit was a kill, so that the next one adds to `killed`.
  private var lastWasKill = false

  /// A buffer holding `text` with the cursor at `cursor` (at the end when nil), and `killed`
  /// ready to yank (the kill ring carries over from one line to the next).
  public init(_ text: String = "", cursor: Int? = nil, killed: String = "") {
    self.text = text
    self.killed = killed
    self.cursor = min(max(cursor ?? text.count, 0), text.count)
  }

  /// The number of Characters in the line.
  public var count: Int { text.count }

  /// True when the line is empty.
  public var isEmpty: Bool { text.isEmpty }

  /// The text before the cursor.
  public var beforeCursor: Substring { text[..<index(cursor)] }

  /// The text from the cursor on.
  public var afterCursor: Substring { text[index(cursor)...] }

  // MARK: - Inserting

  /// Inserts `string` at the cursor and moves the cursor past it.
  public mutating func insert(_ string: String) {
    endKillRun()
    guard !string.isEmpty else { return }
    let head = String(beforeCursor) + string
    let tail = afterCursor
    text = head + tail
    // A combining mark typed after a letter merges into it, so count rather than add.
    cursor = min(head.count, text.count)
  }

  /// Replaces the whole line and puts the cursor at the end (or at `cursor`).
  public mutating func replaceAll(with string: String, cursor newCursor: Int? = nil) {
    endKillRun()
    text = string
    cursor = min(max(newCursor ?? string.count, 0), string.count)
  }

  /// Replaces the Characters in `range` (clamped to the line) and puts the cursor after the
  /// replacement; for completion.
  public mutating func replace(_ range: Range<Int>, with string: String) {
    endKillRun()
    let lower = min(max(range.lowerBound, 0), count)
    let upper = min(max(range.upperBound, lower), count)
    let head = String(text[..<index(lower)]) + string
    text = head + text[index(upper)...]
    cursor = min(head.count, text.count)
  }

  // MARK: - Moving

  /// Moves one Character left; false at the start.
  @discardableResult public mutating func moveLeft() -> Bool {
    endKillRun()
    guard cursor > 0 else { return false }
    cursor -= 1
    return true
  }

  /// Moves one Character right; false at the end.
  @discardableResult public mutating func moveRight() -> Bool {
    endKillRun()
    guard cursor < count else { return false }
    cursor += 1
    return true
  }

  /// Moves to the start of the line.
  public mutating func moveToStart() {
    endKillRun()
    cursor = 0
  }

  /// Moves to the end of the line.
  public mutating func moveToEnd() {
    endKillRun()
    cursor = count
  }

  /// Moves to the start of the word before the cursor (Alt-b, Ctrl-Left).
  public mutating func moveWordLeft() {
    endKillRun()
    cursor = wordStart(before: cursor, isWord: Self.isWordCharacter)
  }

  /// Moves past the end of the word after the cursor (Alt-f, Ctrl-Right).
  public mutating func moveWordRight() {
    endKillRun()
    cursor = wordEnd(after: cursor)
  }

  // MARK: - Deleting

  /// Deletes the Character before the cursor (Backspace); false at the start.
  @discardableResult public mutating func deleteBackward() -> Bool {
    endKillRun()
    guard cursor > 0 else { return false }
    text.remove(at: index(cursor - 1))
    // Removing a separator can fuse its neighbours (two regional indicators), so clamp.
    cursor = min(cursor - 1, count)
    return true
  }

  /// Deletes the Character under the cursor (Delete, Ctrl-D); false at the end.
  @discardableResult public mutating func deleteForward() -> Bool {
    endKillRun()
    guard cursor < count else { return false }
    text.remove(at: index(cursor))
    cursor = min(cursor, count)
    return true
  }

  /// Kills from the cursor to the end of the line (Ctrl-K).
  public mutating func killToEnd() {
    kill(cursor..<count)
  }

  /// Kills from the start of the line to the cursor (Ctrl-U).
  public mutating func killToStart() {
    kill(0..<cursor)
  }

  /// Kills the whitespace-delimited word before the cursor (Ctrl-W, readline's
  /// unix-word-rubout): `status:open` goes in one stroke.
  public mutating func killPreviousBigWord() {
    kill(wordStart(before: cursor) { !$0.isWhitespace }..<cursor)
  }

  /// Kills the word before the cursor, stopping at punctuation (Alt-Backspace).
  public mutating func killPreviousWord() {
    kill(wordStart(before: cursor, isWord: Self.isWordCharacter)..<cursor)
  }

  /// Kills from the cursor to the end of the next word (Alt-d).
  public mutating func killNextWord() {
    kill(cursor..<wordEnd(after: cursor))
  }

  /// Inserts the last killed text at the cursor (Ctrl-Y); false when nothing was killed.
  @discardableResult public mutating func yank() -> Bool {
    guard !killed.isEmpty else {
      endKillRun()
      return false
    }
    insert(killed)
    return true
  }

  /// Swaps the Characters around the cursor and moves right (Ctrl-T); at the end of the line
  /// swaps the last two. False when there are not two Characters to swap.
  @discardableResult public mutating func transpose() -> Bool {
    endKillRun()
    guard count >= 2, cursor > 0 else { return false }
    let right = cursor == count ? cursor - 1 : cursor
    var characters = Array(text)
    characters.swapAt(right - 1, right)
    text = String(characters)
    cursor = min(right + 1, text.count)
    return true
  }

  // MARK: - Helpers

  /// Letters, digits and `_` make words for Alt-b/f/d and Alt-Backspace, so `order_id` is one.
  static func isWordCharacter(_ c: Character) -> Bool {
    c.isLetter || c.isNumber || c == "_"
  }

  private func index(_ offset: Int) -> String.Index {
    text.index(text.startIndex, offsetBy: min(max(offset, 0), text.count))
  }

  /// Removes `range` and records it as killed, adding to a run of kills.
  private mutating func kill(_ range: Range<Int>) {
    guard !range.isEmpty else {
      lastWasKill = true
      return
    }
    let lower = index(range.lowerBound)
    let upper = index(range.upperBound)
    let removed = String(text[lower..<upper])
    // Killing backwards prepends to the run, killing forwards appends.
    let backwards = range.upperBound == cursor && range.lowerBound < cursor
    if lastWasKill {
      killed = backwards ? removed + killed : killed + removed
    } else {
      killed = removed
    }
    text.removeSubrange(lower..<upper)
    if backwards { cursor = range.lowerBound }
    cursor = min(cursor, count)
    lastWasKill = true
  }

  private mutating func endKillRun() {
    lastWasKill = false
  }

  /// The start of the run of `isWord` Characters before `position`, after skipping others.
  private func wordStart(before position: Int, isWord: (Character) -> Bool) -> Int {
    let characters = Array(text.prefix(position))
    var i = characters.count
    while i > 0 && !isWord(characters[i - 1]) { i -= 1 }
    while i > 0 && isWord(characters[i - 1]) { i -= 1 }
    return i
  }

  /// The end of the next word at or after `position`.
  private func wordEnd(after position: Int) -> Int {
    let characters = Array(text.dropFirst(position))
    var i = 0
    while i < characters.count && !Self.isWordCharacter(characters[i]) { i += 1 }
    while i < characters.count && Self.isWordCharacter(characters[i]) { i += 1 }
    return position + i
  }
}
