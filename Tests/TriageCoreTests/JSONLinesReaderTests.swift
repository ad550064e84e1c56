import Testing
import TriageCore

/// Reads every line, going on after errors: values as compact JSON, or error descriptions.
private func readAll(_ text: String, chunkSize: Int = ByteSource.defaultChunkSize) -> [String] {
  var reader = JSONLinesReader(bytes: Array(text.utf8), name: "n.jsonl", chunkSize: chunkSize)
  var out: [String] = []
  while true {
    do {
      guard try reader.next() else { break }
      out.append("\(reader.line): \(reader.value.jsonText)")
    } catch {
      out.append(error.description)
      if !reader.canContinue { break }
    }
  }
  return out
}

@Suite struct JSONLinesReaderTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var input: String
    var expected: [String]
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "one value a line", input: "{\"a\":1}\n[2]\n\"s\"\n",
      expected: ["1: {\"a\":1}", "2: [2]", "3: \"s\""]),
    Case(
      name: "blank lines skipped and counted", input: "\n  \n{\"a\":1}\n\t\r\n\n{\"b\":2}",
      expected: ["3: {\"a\":1}", "6: {\"b\":2}"]),
    Case(
      name: "CRLF", input: "{\"a\":1}\r\n{\"b\":2}\r\n",
      expected: ["1: {\"a\":1}", "2: {\"b\":2}"]),
    Case(name: "byte order mark", input: "\u{FEFF}{\"a\":1}\n", expected: ["1: {\"a\":1}"]),
    Case(name: "empty input", input: "", expected: []),
    Case(
      name: "broken line then recovery", input: "{\"a\":1}\n{\"a\":1,}\n{\"c\":3}\n",
      expected: [
        "1: {\"a\":1}",
        "n.jsonl:2:8: error: expected a string key in object, found '}'",
        "3: {\"c\":3}",
      ]),
    Case(
      name: "object split over lines", input: "{\n\"a\": 1\n}\n",
      expected: [
        "n.jsonl:1:2: error: unexpected end of input; expected a string key (each line must hold "
          + "one complete JSON value)",
        "n.jsonl:2:4: error: trailing characters after JSON value: ':'",
        "n.jsonl:3:1: error: unexpected '}'; expected a JSON value",
      ]),
    Case(
      name: "column counts characters", input: "{\"é\": 1 2}\n",
      expected: ["n.jsonl:1:9: error: expected ',' or '}' after object member, found '2'"]),
    Case(
      name: "unterminated string at end of input", input: "{\"a\": \"b",
      expected: [
        "n.jsonl:1:7: error: unterminated string (each line must hold one complete JSON value)"
      ]),
  ]

  @Test(arguments: cases)
  func reads(_ c: Case) {
    #expect(readAll(c.input) == c.expected)
    for chunk in [1, 2, 3, 5, 8, 13] {
      #expect(readAll(c.input, chunkSize: chunk) == c.expected, "chunk size \(chunk)")
    }
  }

  struct FieldCase: CustomTestStringConvertible, Sendable {
    var name: String
    var line: String
    var key: String
    var acceptingNumber = false
    var expected: String
    var testDescription: String { name }
  }

  static let fieldCases: [FieldCase] = [
    FieldCase(name: "string", line: #"{"note_id":"n-1"}"#, key: "note_id", expected: "n-1"),
    FieldCase(
      name: "number as id", line: #"{"note_id": 1042}"#, key: "note_id", acceptingNumber: true,
      expected: "1042"),
    FieldCase(
      name: "number not accepted", line: #"{"note_id":"n-1", "text": 12}"#, key: "text",
      expected: "x.jsonl:1:27: error: field 'text' must be a string, found number"),
    FieldCase(
      name: "object not accepted with numbers", line: #"{"note_id": {"a": 1}}"#, key: "note_id",
      acceptingNumber: true,
      expected: "x.jsonl:1:13: error: field 'note_id' must be a string or a number, found object"),
    FieldCase(
      name: "missing", line: #"{"text":"x"}"#, key: "note_id",
      expected: "x.jsonl:1: error: missing field 'note_id'"),
    FieldCase(
      name: "missing with a near miss", line: #"{"noteid":"x"}"#, key: "note_id",
      expected: "x.jsonl:1: error: missing field 'note_id'; did you mean 'noteid'?"),
    FieldCase(
      name: "null", line: #"{"note_id":null}"#, key: "note_id",
      expected: "x.jsonl:1:12: error: field 'note_id' must be a string, found null"),
    FieldCase(
      name: "not an object", line: #"  [1, 2]"#, key: "note_id",
      expected: "x.jsonl:1:3: error: expected a JSON object on each line, found array"),
  ]

  @Test(arguments: fieldCases)
  func requiresStrings(_ c: FieldCase) throws {
    var reader = JSONLinesReader(bytes: Array(c.line.utf8), name: "x.jsonl")
    #expect(try reader.next())
    do {
      #expect(try reader.requireString(c.key, acceptingNumber: c.acceptingNumber) == c.expected)
    } catch {
      #expect(error.description == c.expected)
      #expect(error.status == .dataError)
    }
  }

  @Test func readsOptionalFields() throws {
    let line =
      #"{"order_id": null, "author": "ana", "created_at": "2026-11-23T14:30:00Z", "x": "bad"}"#
    var reader = JSONLinesReader(bytes: Array(line.utf8), name: "x.jsonl")
    #expect(try reader.next())
    #expect(try reader.optionalString("order_id") == nil)
    #expect(try reader.optionalString("missing") == nil)
    #expect(try reader.optionalString("author") == "ana")
    #expect(try reader.optionalTimestamp("created_at")?.seconds == 1_795_444_200)
    let error = #expect(throws: TriageError.self) { try reader.optionalTimestamp("x") }
    #expect(
      error?.description
        == "x.jsonl:1:80: error: field 'x': expected a timestamp like 2026-11-23T14:30:00Z, "
        + "found 'bad'")
    #expect(reader.location(ofField: "author").description == "x.jsonl:1:30")
    #expect(reader.lineBytes == Array(line.utf8))
    #expect(try reader.next() == false)
  }

  @Test func keepsTheBadLineForRejects() throws {
    var reader = JSONLinesReader(bytes: Array("{\"a\":1}\r\n{oops}\r\n".utf8))
    #expect(try reader.next())
    #expect(throws: TriageError.self) { try reader.next() }
    #expect(reader.line == 2)
    #expect(reader.lineBytes == Array("{oops}".utf8))
    #expect(reader.canContinue)
    #expect(try reader.next() == false)
  }

  @Test func readsATenMegabyteLine() throws {
    let text = String(repeating: "note text with \\\"escapes\\\" ", count: 400_000)
    let input = "{\"id\":1}\n{\"text\":\"" + text + "\"}\n{\"id\":3}\n"
    for chunk in [ByteSource.defaultChunkSize, 4096] {
      var reader = JSONLinesReader(bytes: Array(input.utf8), chunkSize: chunk)
      #expect(try reader.next())
      #expect(try reader.next())
      let value = try reader.requireString("text")
      #expect(value.utf8.count == 400_000 * 25)
      #expect(value.hasPrefix("note text with \"escapes\" "))
      #expect(try reader.next())
      #expect(reader.line == 3)
      #expect(try reader.next() == false)
    }
  }

  @Test func stopsAtTheLineLimit() throws {
    let input = "{\"a\":1}\n{\"a\":\"" + String(repeating: "x", count: 100) + "\"}\n{\"a\":3}\n"
    for chunk in [ByteSource.defaultChunkSize, 1, 7] {
      var reader = JSONLinesReader(
        bytes: Array(input.utf8), name: "n.jsonl", maxLineBytes: 64, chunkSize: chunk)
      #expect(try reader.next())
      let error = #expect(throws: TriageError.self) { try reader.next() }
      #expect(
        error?.description
          == "n.jsonl:2: error: line longer than 64 bytes, the line size limit; the rest of the "
          + "file cannot be read")
      #expect(!reader.canContinue)
      #expect(try reader.next() == false)
    }
  }
}
