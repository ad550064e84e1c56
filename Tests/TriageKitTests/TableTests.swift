import Testing
import TriageKit

@Suite struct TableTests {
  /// id, a right-aligned score, reasons that wrap, and text that is cut.
  private func sample() -> Table {
    var t = Table([
      .init("id"), .init("score", alignRight: true), .init("reasons", flexible: true, minWidth: 8),
      .init("text", flexible: true, truncate: true, minWidth: 8),
    ])
    t.add(["n-1", "6.5", "short_pick", "Short pick at bin B-14-02, picked 2 of 6"])
    t.add(["n-22", "12.0", "damaged wrong_item payment_hold", "日本語 crushed box"])
    return t
  }

  @Test func naturalWidth() {
    #expect(
      sample().render(width: nil) == """
        id    score  reasons                          text
        n-1     6.5  short_pick                       Short pick at bin B-14-02, picked 2 of 6
        n-22   12.0  damaged wrong_item payment_hold  日本語 crushed box

        """)
  }

  @Test func shrinksToTheWidth() {
    // Flexible columns shrink, widest first: reasons wrap at spaces, text is cut with '…'.
    // Wide characters count two columns: the second text fits its 18 columns exactly.
    #expect(
      sample().render(width: 50) == """
        id    score  reasons            text
        n-1     6.5  short_pick         Short pick at bin…
        n-22   12.0  damaged            日本語 crushed box
                     wrong_item
                     payment_hold

        """)
  }

  @Test(arguments: [120, 80, 60, 50, 40, 31])
  func fitsTheWidth(_ width: Int) {
    let out = sample().render(width: width)
    let lines = out.split(separator: "\n")
    #expect(lines.allSatisfy { DisplayWidth.of(String($0)) <= width })
    // Nothing of the wrapped column is lost.
    #expect(out.contains("payment_hold") || out.contains("payment_"))
  }

  @Test func longWordsBreakWhenTheyMust() {
    let out = sample().render(width: 31)
    #expect(
      out == """
        id    score  reasons   text
        n-1     6.5  short_pi  Short p…
                     ck
        n-22   12.0  damaged   日本語 …
                     wrong_it
                     em
                     payment_
                     hold

        """)
  }

  @Test func neverNarrowerThanTheMinimum() {
    // Too narrow for the minimum widths: the table stays readable rather than fitting.
    let out = sample().render(width: 10)
    #expect(out == sample().render(width: 31))
  }

  @Test func escapesControlCharacters() {
    var t = Table([.init("id"), .init("text", flexible: true)])
    t.add(["n\u{1B}]0;x\u{7}", "crushed\u{1B}[2J box \u{202E}gnp.exe \u{9B}31m tab\there"])
    let out = t.render(width: nil)
    #expect(
      !out.unicodeScalars.contains {
        ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) || $0 == "\u{202E}"
      })
    #expect(out.contains(#"n\e]0;x\x07"#))
    #expect(out.contains(#"crushed\e[2J box \u{202E}gnp.exe \x9B31m tab\there"#))
  }

  @Test func coloursOnlyWhenAsked() {
    var t = Table([.init("reason"), .init("status")])
    t.add(["payment_hold", "open"], style: .yellow)
    t.add(["damaged", "resolved"], style: .green)
    #expect(!t.render(width: nil).contains("\u{1B}"))
    #expect(
      t.render(width: nil, color: true) == """
        \u{1B}[1mreason        status\u{1B}[0m
        \u{1B}[33mpayment_hold  open\u{1B}[0m
        \u{1B}[32mdamaged       resolved\u{1B}[0m

        """)
  }

  @Test func emptyCellsAndMissingCells() {
    var t = Table([.init("a"), .init("b"), .init("c")])
    t.add(["1"])
    t.add(["", "2", ""])
    #expect(t.render(width: nil) == "a  b  c\n1\n   2\n")
  }

  /// Regression: `classify --format table` lists a note's reasons one a line (it joins them with
  /// "\n"), and `Table.render` lays out multi-line cells; but `Table.add` escapes every cell with
  /// `SafeText.escape(_:.singleLine)`, which turns the line break into the two characters `\n`,
  /// so the table shows `short_pick 3.5\ndamaged 3.0` on one line.
  @Test func multiLineCells() {
    var t = Table([.init("id"), .init("reasons")])
    t.add(["n-1", "short_pick 3.5\ndamaged 3.0"])
    #expect(t.render(width: nil) == "id   reasons\nn-1  short_pick 3.5\n     damaged 3.0\n")
  }

  @Test func wrapHard() {
    #expect(
      TextLayout.wrapHard("abcdefghijklmnop qr stuvwxyz", width: 5) == [
        "abcde", "fghij", "klmno", "p qr", "stuvw", "xyz",
      ])
    #expect(TextLayout.wrapHard("a\nb c", width: 10) == ["a", "b c"])
    #expect(TextLayout.wrapHard("", width: 4) == [""])
    #expect(TextLayout.wrapHard("日本語日本語", width: 4) == ["日本", "語日", "本語"])
  }

  @Test func wrap() {
    #expect(
      TextLayout.wrap("one two three four five six", width: 10, indent: "  ")
        == "  one two\n  three\n  four\n  five six")
    #expect(TextLayout.wrap("keep\n\nparagraphs", width: 80) == "keep\n\nparagraphs")
  }
}
