import Testing
import TriageCore

@Suite struct JSONWriterTests {
  struct StringCase: CustomTestStringConvertible, Sendable {
    var id: String
    var input: [UInt8]
    /// The JSON text written.
    var output: String
    /// The string a JSON reader gets back.
    var decoded: String
    var testDescription: String { id }

    init(_ id: String, _ input: [UInt8], _ output: String, decoded: String) {
      self.id = id
      self.input = input
      self.output = output
      self.decoded = decoded
    }

    init(_ id: String, _ input: String, _ output: String) {
      self.init(id, Array(input.utf8), output, decoded: input)
    }
  }

  static let strings: [StringCase] = [
    StringCase("plain", "short pick", #""short pick""#),
    StringCase("empty", "", #""""#),
    StringCase("quote and backslash", #"say "hi" \ bye"#, #""say \"hi\" \\ bye""#),
    StringCase("line feed, return, tab", "a\nb\rc\td", #""a\nb\rc\td""#),
    StringCase("other control bytes", "\u{0}\u{1}\u{1B}\u{1F}", #""\u0000\u0001\u001b\u001f""#),
    StringCase("DEL is allowed raw", "a\u{7F}b", "\"a\u{7F}b\""),
    StringCase("valid UTF-8 kept", "é 日本 😀 \u{2028}", "\"é 日本 😀 \u{2028}\""),
    StringCase("slash not escaped", "a/b", #""a/b""#),
    StringCase(
      "invalid byte", [0x61, 0xFF, 0x62], "\"a\u{FFFD}b\"", decoded: "a\u{FFFD}b"),
    StringCase(
      "overlong encoding", [0xC0, 0xAF, 0xE0, 0x80, 0xAF],
      "\"\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\"",
      decoded: "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),
    StringCase(
      "surrogate code point", [0xED, 0xA0, 0x80], "\"\u{FFFD}\u{FFFD}\u{FFFD}\"",
      decoded: "\u{FFFD}\u{FFFD}\u{FFFD}"),
    StringCase(
      "beyond U+10FFFF", [0xF4, 0x90, 0x80, 0x80],
      "\"\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\"", decoded: "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),
    StringCase(
      "sequence cut at the end", [0x61, 0xE2, 0x82], "\"a\u{FFFD}\u{FFFD}\"",
      decoded: "a\u{FFFD}\u{FFFD}"),
    StringCase(
      "lone continuation byte then quote", [0x80, 0x22], "\"\u{FFFD}\\\"\"",
      decoded: "\u{FFFD}\""),
  ]

  @Test(arguments: strings)
  func escapes(_ c: StringCase) throws {
    var w = JSONWriter()
    c.input.withUnsafeBufferPointer { w.string($0) }
    #expect(String(decoding: w.bytes, as: UTF8.self) == c.output)
    #expect(String(validating: w.bytes, as: UTF8.self) != nil, "always valid UTF-8")
    #expect(try JSONValue(parsing: w.bytes).stringValue == c.decoded)
  }

  /// Strings are checked eight bytes at a time (the last word overlapping; under eight bytes,
  /// two overlapping halves): every byte value at every position of strings of every length
  /// from 2 to 20 is escaped exactly as the byte alone is.
  @Test func everyByteAtEveryPositionOfEveryLength() {
    for b in 0...255 {
      var alone = JSONWriter()
      [UInt8(b)].withUnsafeBufferPointer { alone.string($0) }
      let escaped = Array(alone.bytes.dropFirst().dropLast())
      for n in 2...20 {
        for k in 0..<n {
          var input = [UInt8](repeating: UInt8(ascii: "a"), count: n)
          input[k] = UInt8(b)
          var w = JSONWriter()
          input.withUnsafeBufferPointer { w.string($0) }
          let expected = [ASCII.quote] + input[..<k] + escaped + input[(k + 1)...] + [ASCII.quote]
          #expect(w.bytes == expected, "byte \(b) at \(k) of \(n)")
        }
      }
    }
  }

  @Test func stringFromASwiftString() {
    var w = JSONWriter()
    w.string("tab\there \"q\"")
    #expect(String(decoding: w.bytes, as: UTF8.self) == #""tab\there \"q\"""#)
  }

  @Test func arraysOfStrings() {
    var w = JSONWriter()
    w.strings([String]())
    w.raw(" ")
    w.strings(["a", "tab\t", "\"q\""])
    w.raw(" ")
    w.strings(["x", "y"].lazy.map { $0.uppercased() })
    #expect(String(decoding: w.bytes, as: UTF8.self) == #"[] ["a","tab\t","\"q\""] ["X","Y"]"#)
  }

  struct WeightCase: CustomTestStringConvertible, Sendable {
    var centi: Int32
    var text: String
    var testDescription: String { "\(centi) → \(text)" }
  }

  static let weights: [WeightCase] = [
    WeightCase(centi: 300, text: "3.0"),
    WeightCase(centi: 225, text: "2.25"),
    WeightCase(centi: -50, text: "-0.5"),
    WeightCase(centi: 250, text: "2.5"),
    WeightCase(centi: 0, text: "0.0"),
    WeightCase(centi: 5, text: "0.05"),
    WeightCase(centi: -5, text: "-0.05"),
    WeightCase(centi: 1000, text: "10.0"),
    WeightCase(centi: -125, text: "-1.25"),
    WeightCase(centi: 12345, text: "123.45"),
    WeightCase(centi: Int32.max, text: "21474836.47"),
  ]

  @Test(arguments: weights)
  func weightsInJSON(_ c: WeightCase) throws {
    var w = JSONWriter()
    w.weight(c.centi)
    #expect(String(decoding: w.bytes, as: UTF8.self) == c.text)
    #expect(try JSONValue(parsing: w.bytes).numberValue?.literal == c.text)
  }

  @Test(arguments: weights)
  func weightsForPeople(_ c: WeightCase) {
    #expect(Weight.format(c.centi) == c.text)
  }

  @Test func weightsParse() {
    #expect(Weight.parse("2.5") == 250)
    #expect(Weight.parse("2") == 200)
    #expect(Weight.parse("2.25") == 225)
    #expect(Weight.parse("-1.25") == -125)
    #expect(Weight.parse("+3") == 300)
    #expect(Weight.parse("0.05") == 5)
    for bad in ["", "2.", ".5", "2.555", "abc", "1e2", "2,5", "12345", "--1", " 2"] {
      #expect(Weight.parse(bad) == nil, "'\(bad)'")
    }
    for c: Int32 in [300, 225, -50, 5, 1000] {
      #expect(Weight.parse(Weight.format(c)) == c)
    }
  }

  @Test func integers() {
    for (v, text) in [
      (0, "0"), (7, "7"), (-5, "-5"), (1_234_567_890, "1234567890"),
      (Int.min, "-9223372036854775808"), (Int.max, "9223372036854775807"),
    ] {
      var w = JSONWriter()
      w.int(v)
      #expect(String(decoding: w.bytes, as: UTF8.self) == text)
    }
  }

  @Test func structureParses() throws {
    var w = JSONWriter()
    w.raw("{")
    w.key("a")
    w.bool(true)
    w.raw(",")
    w.key("b")
    w.null()
    w.raw(",")
    w.key("c")
    w.number("0.913")
    w.raw(",")
    w.key("d")
    w.bool(false)
    w.raw("}")
    #expect(String(decoding: w.bytes, as: UTF8.self) == #"{"a":true,"b":null,"c":0.913,"d":false}"#)
    #expect(try JSONValue(parsing: w.bytes)["c"]?.doubleValue == 0.913)
  }
}
