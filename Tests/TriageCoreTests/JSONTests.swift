import Testing
import TriageCore

@Suite struct JSONTests {
  struct Valid: CustomTestStringConvertible, Sendable {
    var name: String
    var input: String
    /// The value written back as compact JSON.
    var compact: String
    var testDescription: String { name }
  }

  static let valid: [Valid] = [
    Valid(name: "null", input: "null", compact: "null"),
    Valid(name: "booleans", input: "[true,false]", compact: "[true,false]"),
    Valid(name: "whitespace around", input: " \t\r\n{ } \n", compact: "{}"),
    Valid(name: "empty array", input: "[ ]", compact: "[]"),
    Valid(
      name: "numbers keep their text", input: "[0, -0, 1.50, 1e3, -2.5E-3, 12345678901234567890]",
      compact: "[0,-0,1.50,1e3,-2.5E-3,12345678901234567890]"),
    Valid(
      name: "members in order", input: "{\"b\": 1, \"a\": [2, {\"c\": null}]}",
      compact: "{\"b\":1,\"a\":[2,{\"c\":null}]}"),
    Valid(
      name: "simple escapes", input: #""q\" b\\ s\/ \b\f\n\r\t""#,
      compact: #""q\" b\\ s/ \u0008\u000c\n\r\t""#),
    Valid(name: "unicode escape", input: #""caf\u00e9 \u65E5""#, compact: "\"café 日\""),
    Valid(name: "surrogate pair", input: #""\ud83d\ude00""#, compact: "\"😀\""),
    Valid(name: "raw UTF-8", input: "\"naïve 日本 😀\"", compact: "\"naïve 日本 😀\""),
    Valid(name: "escaped NUL", input: #""a\u0000b""#, compact: #""a\u0000b""#),
    Valid(
      name: "long string with late escape",
      input: "\"" + String(repeating: "abcdefgh", count: 4) + "\\n\"",
      compact: "\"" + String(repeating: "abcdefgh", count: 4) + "\\n\""),
  ]

  @Test(arguments: valid)
  func parses(_ c: Valid) throws {
    let value = try JSONValue(parsing: c.input)
    #expect(value.jsonText == c.compact)
    #expect(try JSONValue(parsing: Array(c.input.utf8)) == value)
  }

  struct Invalid: CustomTestStringConvertible, Sendable {
    var name: String
    var input: [UInt8]
    var error: String
    var testDescription: String { name }

    init(_ name: String, _ input: String, _ error: String) {
      self.init(name, bytes: Array(input.utf8), error)
    }

    init(_ name: String, bytes: [UInt8], _ error: String) {
      self.name = name
      self.input = bytes
      self.error = error
    }
  }

  static let invalid: [Invalid] = [
    Invalid(
      "missing comma in object", #"{"a":1 "b":2}"#,
      "<json>:1:8: error: expected ',' or '}' after object member, found '\"'"),
    Invalid(
      "missing comma in array", "[1 2]",
      "<json>:1:4: error: expected ',' or ']' after array element, found '2'"),
    Invalid("unterminated string", #"{"a": "abc"#, "<json>:1:7: error: unterminated string"),
    Invalid(
      "invalid escape", #""a\qb""#,
      #"<json>:1:3: error: invalid escape '\q'; expected one of \" \\ \/ \b \f \n \r \t \uXXXX"#),
    Invalid(
      "short unicode escape", #""\u12G4""#,
      #"<json>:1:2: error: invalid escape '\u12G'; expected '\u' and four hex digits"#),
    Invalid(
      "unpaired high surrogate", #""\ud83d x""#,
      #"<json>:1:2: error: unpaired surrogate '\uD83D' in string"#),
    Invalid(
      "unpaired low surrogate", #""\ude00""#,
      #"<json>:1:2: error: unpaired surrogate '\uDE00' in string"#),
    Invalid(
      "unexpected end of input", "[1, 2",
      "<json>:1:6: error: unexpected end of input; expected ',' or ']' after array element"),
    Invalid("empty input", "", "<json>:1:1: error: unexpected end of input; expected a JSON value"),
    Invalid(
      "blank input", "  \n ", "<json>:2:2: error: unexpected end of input; expected a JSON value"),
    Invalid(
      "trailing characters", "{} x",
      "<json>:1:4: error: trailing characters after JSON value: 'x'"),
    Invalid(
      "two values", "1 2", "<json>:1:3: error: trailing characters after JSON value: '2'"),
    Invalid(
      "invalid UTF-8", bytes: Array("[\"caf".utf8) + [0xE9] + Array("\"]".utf8),
      "<json>:1:6: error: invalid UTF-8 byte 0xE9 in string"),
    Invalid(
      "control character in string", "\"a\nb\"",
      #"<json>:1:3: error: control character 0x0A in string; "#
        + #"write it as an escape such as '\n' or '\u000A'"#),
    Invalid(
      "line and column on a later line", "{\n  \"a\": tru\n}",
      "<json>:2:8: error: unexpected 'tru'; expected a JSON value"),
    Invalid(
      "truncated literal", "nul", "<json>:1:4: error: unexpected end of input; expected 'null'"),
    Invalid(
      "single quotes", "{'a': 1}",
      "<json>:1:2: error: expected a string key in object, found '''"),
    Invalid(
      "trailing comma in object", #"{"a":1,}"#,
      "<json>:1:8: error: expected a string key in object, found '}'"),
    Invalid(
      "trailing comma in array", "[1,]",
      "<json>:1:4: error: unexpected ']'; expected a JSON value"),
    Invalid(
      "missing colon", #"{"a" 1}"#, "<json>:1:6: error: expected ':' after object key, found '1'"),
    Invalid(
      "leading zero", "012", "<json>:1:1: error: invalid number: leading zeros are not allowed"),
    Invalid(
      "bare minus", "[-]",
      "<json>:1:3: error: invalid number: expected a digit after '-', found ']'"
    ),
    Invalid(
      "fraction without digits", "1.e5",
      "<json>:1:3: error: invalid number: expected a digit after '.', found 'e'"),
    Invalid(
      "exponent without digits", "1e+",
      "<json>:1:4: error: invalid number: expected a digit in the exponent, found the end of "
        + "input"),
    Invalid("plus sign", "+1", "<json>:1:1: error: unexpected '+'; expected a JSON value"),
    Invalid(
      "duplicate key", #"{"a":1,"b":2,"a":3}"#, "<json>:1:14: error: duplicate key 'a' in object"),
    Invalid(
      "non-ASCII where a value belongs", "[é]",
      "<json>:1:2: error: unexpected 'é'; expected a JSON value"),
    Invalid(
      "too deep", String(repeating: "[", count: 513) + String(repeating: "]", count: 513),
      "<json>:1:513: error: nesting deeper than 512 levels of arrays and objects"),
  ]

  @Test(arguments: invalid)
  func reportsErrors(_ c: Invalid) {
    let error = #expect(throws: TriageError.self) { try JSONValue(parsing: c.input) }
    #expect(error?.description == c.error)
    #expect(error?.status == .dataError)
  }

  @Test func acceptsTheDepthLimit() throws {
    let deep = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
    #expect(throws: Never.self) { try JSONValue(parsing: deep) }
    let error = #expect(throws: TriageError.self) {
      try JSONValue(parsing: "[[[1]]]", name: "x.json", maxDepth: 2)
    }
    #expect(
      error?.description == "x.json:1:3: error: nesting deeper than 2 levels of arrays and objects")
  }

  @Test func readsNumbers() throws {
    let value = try JSONValue(
      parsing: "[42, -9223372036854775808, 12345678901234567890, 1.5e2, 0.1, 1e400]")
    let numbers = (value.arrayValue ?? []).compactMap { $0.numberValue }
    try #require(numbers.count == 6)
    #expect(numbers.map(\.int64) == [42, Int64.min, nil, nil, nil, nil])
    #expect(
      numbers.map(\.double) == [
        42, -9.223372036854775808e18, 1.2345678901234567e19, 150, 0.1, .infinity,
      ])
    #expect(numbers[3].literal == "1.5e2")
  }

  @Test func looksUpMembers() throws {
    var text = "{"
    for i in 0..<40 { text += "\"k\(i)\": \(i)," }
    text += "\"name\": \"x\", \"nested\": {\"list\": [1, \"two\"]}}"
    let value = try JSONValue(parsing: text)
    #expect(value["k0"]?.numberValue?.int64 == 0)
    #expect(value["k39"]?.doubleValue == 39)
    #expect(value["name"]?.stringValue == "x")
    #expect(value["nested"]?["list"]?[1]?.stringValue == "two")
    #expect(value["nested"]?["list"]?[2] == nil)
    #expect(value["missing"] == nil)
    #expect(value.objectValue?.count == 42)
    #expect(value.objectValue?.keys.first == "k0")
    #expect(value.kind == "object")
    #expect(try JSONValue(parsing: #"{"a":true}"#)["a"]?.boolValue == true)
  }

  @Test func buildsObjects() {
    let object = JSONObject([("id", .string("n-1")), ("n", .number(JSONNumber(3))), ("id", .null)])
    #expect(JSONValue.object(object).jsonText == #"{"id":null,"n":3}"#)
  }

  /// Random values written as JSON and read back are the same values.
  @Test func roundTripsRandomValues() throws {
    var rng = SplitMix64(seed: 2026)
    let pieces = ["a", "é", "\"", "\\", "\n", "\u{1}", "日本", "😀", " ", "/", "\u{7F}"]

    func string() -> String {
      (0..<Int(rng.next() % 12)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }
        .joined()
    }
    func value(_ depth: Int) -> JSONValue {
      switch rng.next() % (depth > 4 ? 4 : 6) {
      case 0: return .null
      case 1: return .bool(rng.next() % 2 == 0)
      case 2:
        let n = Int64(bitPattern: rng.next()) >> Int64(rng.next() % 64)
        return .number(JSONNumber(n))
      case 3: return .string(string())
      case 4: return .array((0..<Int(rng.next() % 5)).map { _ in value(depth + 1) })
      default:
        var keys = Set<String>()
        var members: [(key: String, value: JSONValue)] = []
        for _ in 0..<Int(rng.next() % 20) {
          let key = string()
          if keys.insert(key).inserted { members.append((key, value(depth + 1))) }
        }
        return .object(JSONObject(members))
      }
    }

    for _ in 0..<300 {
      let v = value(0)
      let text = v.jsonText
      #expect(try JSONValue(parsing: text) == v, "\(text)")
    }
  }
}
