import Testing
import TriageKit

@Suite struct KeyDecoderTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var id: String
    var bytes: [UInt8]
    var keys: [KeyEvent]
    var testDescription: String { id }

    init(_ id: String, _ input: String, _ keys: [KeyEvent]) {
      self.id = id
      self.bytes = Array(input.utf8)
      self.keys = keys
    }

    init(_ id: String, bytes: [UInt8], _ keys: [KeyEvent]) {
      self.id = id
      self.bytes = bytes
      self.keys = keys
    }
  }

  static let esc = "\u{1B}"

  static let cases: [Case] = [
    Case("printable run is one key", "show orders", [.text("show orders")]),
    Case("multi-byte UTF-8", "注文é👍", [.text("注文é👍")]),
    Case("enter as CR", "ab\r", [.text("ab"), .enter]),
    Case("enter as LF", "\n", [.enter]),
    Case("CR LF is one enter", "a\r\nb", [.text("a"), .enter, .text("b")]),
    Case("tab", "\t", [.tab]),
    Case("backspace as DEL", "\u{7F}", [.backspace]),
    Case("backspace as BS", "\u{8}", [.backspace]),
    Case(
      "control letters", "\u{1}\u{5}\u{B}\u{15}\u{17}\u{19}\u{12}\u{3}\u{4}\u{1A}",
      [
        .ctrl("a"), .ctrl("e"), .ctrl("k"), .ctrl("u"), .ctrl("w"), .ctrl("y"), .ctrl("r"),
        .ctrl("c"), .ctrl("d"), .ctrl("z"),
      ]),
    Case(
      "control punctuation", bytes: [0x00, 0x1C, 0x1D, 0x1F],
      [.ctrl("@"), .ctrl("\\"), .ctrl("]"), .ctrl("_")]),
    Case(
      "arrows CSI", esc + "[A" + esc + "[B" + esc + "[C" + esc + "[D",
      [.up, .down, .right, .left]),
    Case(
      "arrows SS3", esc + "OA" + esc + "OB" + esc + "OC" + esc + "OD",
      [.up, .down, .right, .left]),
    Case(
      "home and end variants",
      esc + "[H" + esc + "[F" + esc + "[1~" + esc + "[4~" + esc + "[7~" + esc + "[8~" + esc
        + "OH" + esc + "OF",
      [.home, .end, .home, .end, .home, .end, .home, .end]),
    Case(
      "delete insert page keys", esc + "[3~" + esc + "[2~" + esc + "[5~" + esc + "[6~",
      [.delete, .insert, .pageUp, .pageDown]),
    Case("ctrl arrows", esc + "[1;5D" + esc + "[1;5C", [.wordLeft, .wordRight]),
    Case("alt arrows", esc + "[1;3D" + esc + "[1;3C", [.wordLeft, .wordRight]),
    Case("shift arrows stay arrows", esc + "[1;2D", [.left]),
    Case("rxvt ctrl arrows", esc + "Od" + esc + "Oc", [.wordLeft, .wordRight]),
    Case("modified delete", esc + "[3;5~", [.delete]),
    Case("alt letters", esc + "b" + esc + "f" + esc + "d", [.alt("b"), .alt("f"), .alt("d")]),
    Case("alt chord followed by text", esc + "bxy", [.alt("b"), .text("xy")]),
    Case("alt multi-byte", esc + "é", [.alt("é")]),
    Case("alt backspace", esc + "\u{7F}", [.altBackspace]),
    Case("escape then control", esc + "\r", [.escape, .enter]),
    Case("double escape", esc + esc + "[D", [.escape, .left]),
    Case("lone escape at end", esc, [.escape]),
    Case(
      "bracketed paste", esc + "[200~line one\nline two" + esc + "[201~x",
      [.paste("line one\nline two"), .text("x")]),
    Case(
      "paste keeps escapes literally", esc + "[200~a" + esc + "[2Jb" + esc + "[201~",
      [.paste("a\u{1B}[2Jb")]),
    Case(
      "unknown CSI consumed whole", esc + "[15;2~abc",
      [.unknown(Array((esc + "[15;2~").utf8)), .text("abc")]),
    Case(
      "private CSI consumed whole", esc + "[?1;2c" + "a",
      [
        .unknown(Array((esc + "[?1;2c").utf8)),
        .text("a"),
      ]),
    Case("focus event ignored", esc + "[I", [.unknown(Array((esc + "[I").utf8))]),
    Case("function key SS3 ignored", esc + "OP", [.unknown(Array((esc + "OP").utf8))]),
    Case(
      "malformed CSI does not swallow the next key", esc + "[1\r",
      [.unknown(Array((esc + "[1").utf8)), .enter]),
    Case(
      "X10 mouse report is not text", esc + "[M !!z",
      [
        .unknown(Array((esc + "[M !!").utf8)),
        .text("z"),
      ]),
    Case("invalid UTF-8 becomes U+FFFD", bytes: [0x61, 0xFF, 0x62], [.text("a\u{FFFD}b")]),
  ]

  @Test(arguments: cases)
  func decodesWholeInput(_ c: Case) {
    #expect(KeyDecoder.keys(in: c.bytes) == c.keys)
  }

  /// The same bytes arriving one at a time, and split at every position into two reads, give
  /// the same keys: sequences and UTF-8 characters are put back together across reads.
  @Test(arguments: cases)
  func decodesSplitInput(_ c: Case) {
    var oneByOne = KeyDecoder()
    var keys: [KeyEvent] = []
    for byte in c.bytes {
      oneByOne.feed([byte])
      while let key = oneByOne.next() { keys.append(key) }
    }
    keys += oneByOne.flush()
    #expect(Self.merged(keys) == Self.merged(c.keys))

    for split in 0...c.bytes.count {
      var decoder = KeyDecoder()
      var keys: [KeyEvent] = []
      decoder.feed(c.bytes[..<split])
      while let key = decoder.next() { keys.append(key) }
      decoder.feed(c.bytes[split...])
      while let key = decoder.next() { keys.append(key) }
      keys += decoder.flush()
      #expect(Self.merged(keys) == Self.merged(c.keys), "split at \(split)")
    }
  }

  @Test func incompleteSequenceWaitsForMoreBytes() {
    var decoder = KeyDecoder()
    decoder.feed(Array("\u{1B}[1;".utf8))
    #expect(decoder.next() == nil)
    #expect(decoder.hasPendingBytes)
    decoder.feed(Array("5C".utf8))
    #expect(decoder.next() == .wordRight)
    #expect(!decoder.hasPendingBytes)
  }

  @Test func incompleteUTF8WaitsForMoreBytes() {
    var decoder = KeyDecoder()
    let bytes = Array("注".utf8)
    decoder.feed(bytes[..<2])
    #expect(decoder.next() == nil)
    decoder.feed(bytes[2...])
    #expect(decoder.next() == .text("注"))
  }

  @Test func unfinishedPasteIsNotFlushed() {
    var decoder = KeyDecoder()
    decoder.feed(Array("\u{1B}[200~half of it".utf8))
    #expect(decoder.next() == nil)
    #expect(decoder.isInPaste)
    decoder.feed(Array(" and the rest\u{1B}[201~".utf8))
    #expect(decoder.next() == .paste("half of it and the rest"))
  }

  @Test func timeoutSettlesEscapeAndAltChord() {
    var decoder = KeyDecoder()
    decoder.feed([0x1B])
    #expect(decoder.next() == nil)
    #expect(decoder.flush() == [.escape])
    decoder.feed(Array("\u{1B}[".utf8))
    #expect(decoder.flush() == [.unknown([0x1B, 0x5B])])
    decoder.feed(Array("\u{1B}O".utf8))
    #expect(decoder.flush() == [.alt("O")])
  }

  /// Text split across reads arrives as several `.text` keys; join neighbours to compare.
  static func merged(_ keys: [KeyEvent]) -> [KeyEvent] {
    var out: [KeyEvent] = []
    for key in keys {
      if case .text(let b) = key, case .text(let a)? = out.last {
        out[out.count - 1] = .text(a + b)
      } else {
        out.append(key)
      }
    }
    return out
  }
}
