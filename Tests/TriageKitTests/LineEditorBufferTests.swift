import Testing
import TriageKit

/// Cursor positions are written into the text with `‸`, swift-format-marker style.
@Suite struct LineBufferTests {
  enum Edit: Sendable {
    case insert(String)
    case left, right, home, end, wordLeft, wordRight
    case backspace, delete
    case killToEnd, killToStart, killBigWord, killWord, killNextWord
    case yank, transpose
  }

  struct Case: CustomTestStringConvertible, Sendable {
    var id: String
    var start: String
    var edits: [Edit]
    var expected: String
    var killed: String? = nil
    var testDescription: String { id }
  }

  static let cases: [Case] = [
    // Inserting
    Case(id: "insert at end", start: "ab‸", edits: [.insert("c")], expected: "abc‸"),
    Case(id: "insert mid-line", start: "a‸c", edits: [.insert("b")], expected: "ab‸c"),
    Case(
      id: "insert multi-byte", start: "‸", edits: [.insert("注文"), .insert("é")],
      expected: "注文é‸"),
    Case(
      id: "combining mark merges into the letter before", start: "cafe‸",
      edits: [.insert("\u{301}"), .left], expected: "caf‸e\u{301}"),
    Case(
      id: "paste-sized insert", start: "x‸y", edits: [.insert("status:open order:1042")],
      expected: "xstatus:open order:1042‸y"),
    // Moving by grapheme cluster
    Case(
      id: "left over decomposed accent", start: "ae\u{301}‸", edits: [.left],
      expected: "a‸e\u{301}"),
    Case(
      id: "left over emoji ZWJ sequence", start: "a👨\u{200D}👩\u{200D}👧‸", edits: [.left],
      expected: "a‸👨\u{200D}👩\u{200D}👧"),
    Case(id: "right over flag", start: "‸🇯🇵x", edits: [.right], expected: "🇯🇵‸x"),
    Case(id: "right over CJK", start: "‸注文", edits: [.right, .right], expected: "注文‸"),
    Case(id: "left stops at start", start: "‸ab", edits: [.left, .left], expected: "‸ab"),
    Case(id: "right stops at end", start: "ab‸", edits: [.right], expected: "ab‸"),
    Case(
      id: "home and end", start: "ab‸cd", edits: [.home, .insert(">"), .end, .insert("<")],
      expected: ">abcd<‸"),
    // Words
    Case(
      id: "word left skips spaces then word", start: "show order_id  ‸", edits: [.wordLeft],
      expected: "show ‸order_id  "),
    Case(
      id: "word left stops at punctuation", start: "status:open‸", edits: [.wordLeft],
      expected: "status:‸open"),
    Case(
      id: "word right", start: "‸  show orders", edits: [.wordRight, .wordRight],
      expected: "  show orders‸"),
    Case(
      id: "word moves over CJK words", start: "注文 番号‸", edits: [.wordLeft],
      expected: "注文 ‸番号"),
    // Deleting
    Case(
      id: "backspace removes whole cluster", start: "ae\u{301}‸", edits: [.backspace],
      expected: "a‸"),
    Case(
      id: "backspace at start does nothing", start: "‸ab", edits: [.backspace],
      expected: "‸ab"),
    Case(id: "delete under cursor", start: "a‸注b", edits: [.delete], expected: "a‸b"),
    Case(id: "delete at end does nothing", start: "ab‸", edits: [.delete], expected: "ab‸"),
    // Kills and yank
    Case(
      id: "kill to end", start: "show ‸orders", edits: [.killToEnd], expected: "show ‸",
      killed: "orders"),
    Case(
      id: "kill to start", start: "show ‸orders", edits: [.killToStart],
      expected: "‸orders", killed: "show "),
    Case(
      id: "ctrl-w kills whitespace-delimited word", start: "find status:open ‸",
      edits: [.killBigWord], expected: "find ‸", killed: "status:open "),
    Case(
      id: "alt-backspace stops at punctuation", start: "find status:open‸",
      edits: [.killWord], expected: "find status:‸", killed: "open"),
    Case(
      id: "alt-d kills next word", start: "find ‸status open", edits: [.killNextWord],
      expected: "find ‸ open", killed: "status"),
    Case(
      id: "consecutive backward kills add up", start: "a b c‸",
      edits: [.killBigWord, .killBigWord, .yank], expected: "a b c‸", killed: "b c"),
    Case(
      id: "consecutive forward kills add up", start: "‸one two three",
      edits: [.killNextWord, .killNextWord, .end, .yank], expected: " threeone two‸",
      killed: "one two"),
    Case(
      id: "a move ends the kill run", start: "a b c‸",
      edits: [.killBigWord, .left, .killBigWord], expected: "a ‸ ", killed: "b"),
    Case(
      id: "yank inserts at cursor", start: "order 1042‸",
      edits: [.killBigWord, .home, .yank, .insert(" ")], expected: "1042 ‸order "),
    Case(id: "yank with nothing killed", start: "ab‸", edits: [.yank], expected: "ab‸"),
    // Transpose
    Case(id: "transpose mid-line", start: "a‸bc", edits: [.transpose], expected: "ba‸c"),
    Case(
      id: "transpose at end swaps last two", start: "abc‸", edits: [.transpose],
      expected: "acb‸"),
    Case(
      id: "transpose clusters", start: "e\u{301}‸注", edits: [.transpose],
      expected: "注e\u{301}‸"),
  ]

  @Test(arguments: cases)
  func edit(_ c: Case) {
    var buffer = Self.parse(c.start)
    for edit in c.edits { Self.apply(edit, to: &buffer) }
    #expect(Self.show(buffer) == c.expected)
    if let killed = c.killed { #expect(buffer.killed == killed) }
  }

  @Test func cursorIsClampedAndCountsCharacters() {
    let buffer = LineBuffer("注e\u{301}👍\u{1F3FD}", cursor: 99)
    #expect(buffer.count == 3)
    #expect(buffer.cursor == 3)
    #expect(LineBuffer("abc", cursor: -4).cursor == 0)
  }

  @Test func replaceRangeForCompletion() {
    var buffer = LineBuffer("show ord x", cursor: 8)
    buffer.replace(5..<8, with: "orders ")
    #expect(Self.show(buffer) == "show orders ‸ x")
    #expect(buffer.beforeCursor == "show orders ")
    #expect(buffer.afterCursor == " x")
  }

  @Test func killRingCarriesIntoANewBuffer() {
    var buffer = LineBuffer("", killed: "from before")
    buffer.yank()
    #expect(buffer.text == "from before")
  }

  // MARK: Helpers

  static func parse(_ marked: String) -> LineBuffer {
    guard let marker = marked.firstIndex(of: "‸") else { return LineBuffer(marked) }
    let cursor = marked.distance(from: marked.startIndex, to: marker)
    var text = marked
    text.remove(at: marker)
    return LineBuffer(text, cursor: cursor)
  }

  static func show(_ buffer: LineBuffer) -> String {
    String(buffer.beforeCursor) + "‸" + String(buffer.afterCursor)
  }

  static func apply(_ edit: Edit, to buffer: inout LineBuffer) {
    switch edit {
    case .insert(let s): buffer.insert(s)
    case .left: buffer.moveLeft()
    case .right: buffer.moveRight()
    case .home: buffer.moveToStart()
    case .end: buffer.moveToEnd()
    case .wordLeft: buffer.moveWordLeft()
    case .wordRight: buffer.moveWordRight()
    case .backspace: buffer.deleteBackward()
    case .delete: buffer.deleteForward()
    case .killToEnd: buffer.killToEnd()
    case .killToStart: buffer.killToStart()
    case .killBigWord: buffer.killPreviousBigWord()
    case .killWord: buffer.killPreviousWord()
    case .killNextWord: buffer.killNextWord()
    case .yank: buffer.yank()
    case .transpose: buffer.transpose()
    }
  }
}
