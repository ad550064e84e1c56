import Testing
import TriageCore

@Suite struct DisplayWidthTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var id: String
    var text: String
    var width: Int
    var testDescription: String { id }
  }

  static let strings: [Case] = [
    Case(id: "empty", text: "", width: 0),
    Case(id: "ascii", text: "order 1042", width: 10),
    Case(id: "latin-1 accents", text: "café", width: 4),
    Case(id: "decomposed accent", text: "cafe\u{301}", width: 4),
    Case(id: "stacked combining marks", text: "a\u{300}\u{301}\u{302}b", width: 2),
    Case(id: "CJK ideographs", text: "注文", width: 4),
    Case(id: "hiragana and ascii", text: "ID:ちゅうもん", width: 13),
    Case(id: "hangul syllables", text: "주문", width: 4),
    Case(id: "hangul jamo sequence", text: "\u{1100}\u{1161}\u{11A8}", width: 2),
    Case(id: "fullwidth forms", text: "ＡＢ１", width: 6),
    Case(id: "halfwidth katakana", text: "ｱｲ", width: 2),
    Case(id: "ideographic space", text: "\u{3000}", width: 2),
    Case(id: "emoji presentation", text: "📦", width: 2),
    Case(id: "emoji with VS16", text: "❤\u{FE0F}", width: 2),
    Case(id: "text-default symbol", text: "❤", width: 1),
    Case(id: "skin tone", text: "👍\u{1F3FD}", width: 2),
    Case(id: "ZWJ family", text: "👨\u{200D}👩\u{200D}👧", width: 2),
    Case(id: "flag", text: "🇯🇵", width: 2),
    Case(id: "keycap", text: "1\u{FE0F}\u{20E3}", width: 2),
    Case(id: "C0 controls", text: "\u{1B}\u{7}\t\n", width: 0),
    Case(id: "CRLF cluster", text: "a\r\nb", width: 2),
    Case(id: "DEL and C1", text: "\u{7F}\u{9B}", width: 0),
    Case(id: "zero-width space and joiner", text: "a\u{200B}b\u{200D}", width: 2),
    Case(id: "soft hyphen is drawn", text: "\u{AD}", width: 1),
    Case(id: "box drawing", text: "─│┼", width: 3),
    Case(id: "CJK extension B", text: "\u{20000}", width: 2),
  ]

  @Test(arguments: strings)
  func stringWidth(_ c: Case) {
    #expect(DisplayWidth.of(c.text) == c.width)
    // A string's width is the sum of its Characters'.
    #expect(c.text.reduce(0) { $0 + DisplayWidth.of($1) } == c.width)
  }

  @Test func scalarWidths() {
    #expect(DisplayWidth.of(Unicode.Scalar("a")) == 1)
    #expect(DisplayWidth.of(Unicode.Scalar(0x301)!) == 0)
    #expect(DisplayWidth.of(Unicode.Scalar("字")) == 2)
    #expect(DisplayWidth.of(Unicode.Scalar(0x1B)!) == 0)
    #expect(DisplayWidth.of(Unicode.Scalar(0x9F)!) == 0)
    #expect(DisplayWidth.of(Unicode.Scalar(0xFF61)!) == 1)
  }

  struct TruncateCase: CustomTestStringConvertible, Sendable {
    var id: String
    var text: String
    var columns: Int
    var expected: String
    var testDescription: String { id }
  }

  static let truncations: [TruncateCase] = [
    TruncateCase(id: "fits", text: "abc", columns: 3, expected: "abc"),
    TruncateCase(id: "cut with ellipsis", text: "abcdef", columns: 4, expected: "abc…"),
    TruncateCase(id: "wide not split", text: "注文番号", columns: 6, expected: "注文…"),
    TruncateCase(id: "wide at odd limit", text: "注文番号", columns: 5, expected: "注文…"),
    TruncateCase(
      id: "combining kept", text: "e\u{301}e\u{301}e\u{301}", columns: 2,
      expected: "e\u{301}…"),
    TruncateCase(id: "zero columns", text: "abc", columns: 0, expected: ""),
    TruncateCase(id: "one column", text: "abc", columns: 1, expected: "…"),
  ]

  @Test(arguments: truncations)
  func truncate(_ c: TruncateCase) {
    let result = DisplayWidth.truncate(c.text, toColumns: c.columns)
    #expect(result == c.expected)
    #expect(DisplayWidth.of(result) <= c.columns)
  }

  @Test func pad() {
    #expect(DisplayWidth.pad("注文", toColumns: 6) == "注文  ")
    #expect(DisplayWidth.pad("注文", toColumns: 6, alignment: .right) == "  注文")
    #expect(DisplayWidth.pad("e\u{301}", toColumns: 3) == "e\u{301}  ")
    #expect(DisplayWidth.pad("toolong", toColumns: 3) == "toolong")
  }
}
