import Testing
import TriageCore

@Suite struct SafeTextTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var id: String
    var input: String
    var singleLine: String
    var multiLine: String
    var testDescription: String { id }
  }

  static let cases: [Case] = [
    Case(
      id: "plain text unchanged", input: "short pick at B-14-02",
      singleLine: "short pick at B-14-02",
      multiLine: "short pick at B-14-02"),
    Case(
      id: "escape sequence", input: "a\u{1B}[2Jb", singleLine: #"a\e[2Jb"#, multiLine: #"a\e[2Jb"#),
    Case(
      id: "line feed and tab", input: "l1\nl2\tx", singleLine: #"l1\nl2\tx"#, multiLine: "l1\nl2\tx"
    ),
    Case(id: "carriage return", input: "a\rb", singleLine: #"a\rb"#, multiLine: #"a\rb"#),
    Case(id: "NUL and BEL", input: "\u{0}\u{7}", singleLine: #"\0\x07"#, multiLine: #"\0\x07"#),
    Case(id: "DEL", input: "\u{7F}", singleLine: #"\x7F"#, multiLine: #"\x7F"#),
    Case(
      id: "C1 control (8-bit CSI)", input: "x\u{9B}31m", singleLine: #"x\x9B31m"#,
      multiLine: #"x\x9B31m"#),
    Case(
      id: "bidi override", input: "\u{202E}evil", singleLine: #"\u{202E}evil"#,
      multiLine: #"\u{202E}evil"#),
    Case(
      id: "bidi isolate", input: "\u{2066}x\u{2069}", singleLine: #"\u{2066}x\u{2069}"#,
      multiLine: #"\u{2066}x\u{2069}"#),
    Case(
      id: "line separator", input: "a\u{2028}b", singleLine: #"a\u{2028}b"#,
      multiLine: #"a\u{2028}b"#),
    Case(
      id: "other scripts and emoji kept", input: "café 日本 😀 👍🏽", singleLine: "café 日本 😀 👍🏽",
      multiLine: "café 日本 😀 👍🏽"),
  ]

  @Test(arguments: cases)
  func escapes(_ c: Case) {
    #expect(SafeText.escape(c.input) == c.singleLine)
    #expect(SafeText.escape(c.input, .multiLine) == c.multiLine)
    #expect(SafeText.escape(bytes: Array(c.input.utf8)) == c.singleLine)
    #expect(SafeText.escape(bytes: Array(c.input.utf8), .multiLine) == c.multiLine)
  }

  @Test func invalidBytesAreShownAsHex() {
    #expect(SafeText.escape(bytes: [0x61, 0xFF, 0x62]) == #"a\xFFb"#)
    #expect(SafeText.escape(bytes: [0xC3]) == #"\xC3"#)
    #expect(SafeText.escape(bytes: [0xED, 0xA0, 0x80]) == #"\xED\xA0\x80"#)
    #expect(SafeText.escape(bytes: [0xC3, 0xA9, 0x1B]) == #"é\e"#)
    #expect(SafeText.escape(bytes: []) == "")
  }

  @Test func nothingEscapedReachesATerminal() {
    var all = ""
    for v in 0..<0x300 { if let u = Unicode.Scalar(v) { all.unicodeScalars.append(u) } }
    let safe = SafeText.escape(all)
    #expect(!safe.unicodeScalars.contains { SafeText.needsEscape($0, .singleLine) })
    let safeML = SafeText.escape(all, .multiLine)
    #expect(!safeML.unicodeScalars.contains { SafeText.needsEscape($0, .multiLine) })
  }

  @Test func lossyUTF8() {
    #expect(String(lossyUTF8: [0x61, 0xFF, 0x62]) == "a\u{FFFD}b")
    #expect(String(lossyUTF8: Array("é".utf8)) == "é")
  }
}
