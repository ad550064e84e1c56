import Testing
import TriageCore

@Suite struct DiagnosticTests {
  @Test func printsPathLineColumn() {
    let d = Diagnostic.error("expected a weight, found 'x'", at: SourceLocation(file: "a.txt", line: 3, column: 7))
    #expect(d.description == "a.txt:3:7: error: expected a weight, found 'x'")
  }

  @Test func lineIndexCountsScalars() {
    let index = LineIndex("ab\ncé d\n")
    #expect(index.position(ofByte: 0) == (1, 1))
    #expect(index.position(ofByte: 3) == (2, 1))
    // 'é' is two bytes, one column.
    #expect(index.position(ofByte: 6) == (2, 3))
  }

  @Test func escapesTerminalSequences() {
    #expect(SafeText.escape("a\u{1B}[2Jb") == "a\\e[2Jb")
    #expect(SafeText.escape("x\u{9B}y") == "x\\x9By")
    #expect(SafeText.escape("l1\nl2", .multiLine) == "l1\nl2")
    #expect(SafeText.escape("l1\nl2") == "l1\\nl2")
    #expect(SafeText.escape(bytes: [0x61, 0xFF, 0x62]) == "a\\xFFb")
    #expect(SafeText.escape("\u{202E}evil") == "\\u{202E}evil")
  }
}
