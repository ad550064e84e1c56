import Foundation
import Testing
import TriageCore

/// Reads every record, or the first error: records as strings with their lines.
private struct Read: Equatable, CustomStringConvertible {
  var records: [[String]] = []
  var lines: [Int] = []
  var error: String?

  var description: String { "records: \(records) lines: \(lines) error: \(error ?? "none")" }
}

private func readAll(
  _ bytes: [UInt8], name: String = "t.csv", chunkSize: Int = ByteSource.defaultChunkSize,
  options: CSVReader.Options = CSVReader.Options()
) -> Read {
  var reader = CSVReader(bytes: bytes, name: name, options: options, chunkSize: chunkSize)
  var read = Read()
  do {
    while try reader.next() {
      read.records.append((0..<reader.fieldCount).map { reader.string($0) })
      read.lines.append(reader.line)
    }
  } catch {
    read.error = error.description
  }
  return read
}

/// Chunk sizes that put a chunk boundary at every offset of short inputs.
private let tinyChunks = [1, 2, 3, 4, 5, 7, 8, 13, 64]

@Suite struct CSVReaderTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var input: [UInt8]
    var records: [[String]]
    var lines: [Int]
    var testDescription: String { name }

    init(_ name: String, _ input: String, _ records: [[String]], lines: [Int]) {
      self.name = name
      self.input = Array(input.utf8)
      self.records = records
      self.lines = lines
    }

    init(_ name: String, bytes: [UInt8], _ records: [[String]], lines: [Int]) {
      self.name = name
      self.input = bytes
      self.records = records
      self.lines = lines
    }
  }

  static let cases: [Case] = [
    Case("plain", "a,b,c\n1,2,3\n", [["a", "b", "c"], ["1", "2", "3"]], lines: [1, 2]),
    Case("quoted commas", "a,\"b,c\",d\n", [["a", "b,c", "d"]], lines: [1]),
    Case(
      "doubled quotes", "\"he said \"\"hi\"\"\",x\n\"\"\"\"\n",
      [["he said \"hi\"", "x"], ["\""]], lines: [1, 2]),
    Case(
      "embedded LF", "\"l1\nl2\",x\ny,z\n", [["l1\nl2", "x"], ["y", "z"]], lines: [1, 3]),
    Case(
      "embedded CRLF", "\"l1\r\nl2\r\nl3\",x\r\ny,z\r\n", [["l1\r\nl2\r\nl3", "x"], ["y", "z"]],
      lines: [1, 4]),
    Case("embedded lone CR", "\"a\rb\",c\nd\n", [["a\rb", "c"], ["d"]], lines: [1, 3]),
    // Fields of eight bytes and more are checked a word at a time for line breaks.
    Case(
      "embedded LF in a long field", "\"first line of a note\nsecond line, longer\",x\ny\n",
      [["first line of a note\nsecond line, longer", "x"], ["y"]], lines: [1, 3]),
    Case(
      "CRLF in the last bytes of a long field", "\"0123456789abcdef\r\n\",x\ny\n",
      [["0123456789abcdef\r\n", "x"], ["y"]], lines: [1, 3]),
    Case(
      "lone CR ending a long field", "\"0123456789abcdefg\r\",x\ny\n",
      [["0123456789abcdefg\r", "x"], ["y"]], lines: [1, 3]),
    Case(
      "tab but no line break in a long field", "\"col\tone two three four\",x\ny\n",
      [["col\tone two three four", "x"], ["y"]], lines: [1, 2]),
    Case(
      "byte order mark", "\u{FEFF}id,text\n1,x\n", [["id", "text"], ["1", "x"]], lines: [1, 2]),
    Case("CRLF", "a,b\r\n1,2\r\n", [["a", "b"], ["1", "2"]], lines: [1, 2]),
    Case("lone CR", "a,b\r1,2\r3,4", [["a", "b"], ["1", "2"], ["3", "4"]], lines: [1, 2, 3]),
    Case("missing final newline", "a,b\n1,2", [["a", "b"], ["1", "2"]], lines: [1, 2]),
    Case(
      "missing final newline after quote", "a,b\n1,\"2\"", [["a", "b"], ["1", "2"]],
      lines: [1, 2]),
    Case(
      "empty lines", "\na,b\n\n\r\n1,2\r\r\n\n3,4\n\n",
      [["a", "b"], ["1", "2"], ["3", "4"]], lines: [2, 5, 8]),
    Case("only empty lines", "\n\r\n\r", [], lines: []),
    Case("empty input", "", [], lines: []),
    Case("empty fields", ",,\n", [["", "", ""]], lines: [1]),
    Case("trailing delimiter at end", "a,", [["a", ""]], lines: [1]),
    Case("quoted empty fields", "\"\",\"\"\n", [["", ""]], lines: [1]),
    Case("quoted field at end of input", "\"a\"", [["a"]], lines: [1]),
    Case("CR at end of input", "a\r", [["a"]], lines: [1]),
    Case(
      "stray quote kept as text", "5\" box,x\nab\"\"c,y\n",
      [["5\" box", "x"], ["ab\"\"c", "y"]], lines: [1, 2]),
    Case("non-ascii", "é,\"ü,ß\",日本\n", [["é", "ü,ß", "日本"]], lines: [1]),
    Case("spaces kept", " a , b \n", [[" a ", " b "]], lines: [1]),
    Case(
      "quoted line breaks then more records", "x,\"1\n2\n3\"\ny,\"4\"\n",
      [["x", "1\n2\n3"], ["y", "4"]], lines: [1, 4]),
    Case(
      "bom alone is an empty file", bytes: [0xEF, 0xBB, 0xBF], [], lines: []),
  ]

  @Test(arguments: cases)
  func reads(_ c: Case) {
    let expected = Read(records: c.records, lines: c.lines)
    #expect(readAll(c.input) == expected)
    for chunk in tinyChunks {
      #expect(readAll(c.input, chunkSize: chunk) == expected, "chunk size \(chunk)")
    }
  }

  struct ErrorCase: CustomTestStringConvertible, Sendable {
    var name: String
    var input: [UInt8]
    var options = CSVReader.Options()
    var records: [[String]]
    var error: String
    var testDescription: String { name }
  }

  static let errorCases: [ErrorCase] = [
    ErrorCase(
      name: "unclosed quote reported where it opened",
      input: Array("id,text\n1,\"never closed\n2,x\n3,y\n".utf8),
      records: [["id", "text"]],
      error: "t.csv:2:3: error: unclosed quote: the quoted field that opens here never ends, so "
        + "the rest of the file cannot be read; add the missing closing '\"' (and double any '\"' "
        + "inside the field)"),
    ErrorCase(
      name: "garbage after closing quote",
      input: Array("id,text\n\"abc\"x,2\n".utf8),
      records: [["id", "text"]],
      error: "t.csv:2:6: error: unexpected 'x' after the closing quote of a quoted field; "
        + "expected ',' or a line end (double a '\"' inside a quoted field)"),
    ErrorCase(
      name: "space after closing quote",
      input: Array("\"abc\" ,2\n".utf8),
      records: [],
      error: "t.csv:1:6: error: unexpected byte 0x20 after the closing quote of a quoted field; "
        + "expected ',' or a line end (double a '\"' inside a quoted field)"),
    ErrorCase(
      name: "stray quote in strict mode",
      input: Array("a,b\nc,5\" box\n".utf8),
      options: CSVReader.Options(strictQuotes: true),
      records: [["a", "b"]],
      error: "t.csv:2:4: error: unexpected '\"' inside an unquoted field; quote the whole field "
        + "and double the quote ('\"\"')"),
    ErrorCase(
      name: "NUL byte",
      input: Array("a,b\nx,y\0z\n".utf8),
      records: [["a", "b"]],
      error: "t.csv:2:4: error: NUL byte (0x00) in field 2; expected UTF-8 text (is the file "
        + "UTF-16 or binary?)"),
    ErrorCase(
      name: "invalid UTF-8 names line, column and byte",
      input: Array("a,b\n\"x\ny\",caf".utf8) + [0xE9] + Array("\n".utf8),
      records: [["a", "b"]],
      error: "t.csv:3:7: error: invalid UTF-8 byte 0xE9 in field 2; expected UTF-8 text "
        + "(re-export the file as UTF-8, or convert it with iconv)"),
    ErrorCase(
      name: "invalid UTF-8 column counts characters",
      input: Array("é,ü".utf8) + [0xFF],
      records: [],
      error: "t.csv:1:4: error: invalid UTF-8 byte 0xFF in field 2; expected UTF-8 text "
        + "(re-export the file as UTF-8, or convert it with iconv)"),
    ErrorCase(
      name: "truncated UTF-8 sequence before a comma",
      input: [0x61, 0xE2, 0x82, 0x2C, 0x62],
      records: [],
      error: "t.csv:1:2: error: invalid UTF-8 byte 0xE2 in field 1; expected UTF-8 text "
        + "(re-export the file as UTF-8, or convert it with iconv)"),
    ErrorCase(
      name: "overlong UTF-8 encoding",
      input: [0xC0, 0xAF],
      records: [],
      error: "t.csv:1:1: error: invalid UTF-8 byte 0xC0 in field 1; expected UTF-8 text "
        + "(re-export the file as UTF-8, or convert it with iconv)"),
    ErrorCase(
      name: "record over the size limit",
      input: Array("a,b\n\(String(repeating: "x", count: 40)),y\nc,d\n".utf8),
      options: CSVReader.Options(maxRecordBytes: 16),
      records: [["a", "b"]],
      error: "t.csv:2: error: record longer than 16 bytes, the record size limit; the rest of the "
        + "file cannot be read"),
    ErrorCase(
      name: "record just over the size limit",
      input: Array("0123456789abcdef\r\n0123456789abcdefg\r\n".utf8),
      options: CSVReader.Options(maxRecordBytes: 16),
      records: [["0123456789abcdef"]],
      error: "t.csv:2: error: record longer than 16 bytes, the record size limit; the rest of the "
        + "file cannot be read"),
    ErrorCase(
      name: "unclosed quoted field over the size limit",
      input: Array("a,b\nc,\"\(String(repeating: "x", count: 40))\nc,d\n".utf8),
      options: CSVReader.Options(maxRecordBytes: 16),
      records: [["a", "b"]],
      error: "t.csv:2:3: error: record longer than 16 bytes, the record size limit, in a quoted "
        + "field that opens here; is a closing '\"' missing? the rest of the file cannot be read"),
    ErrorCase(
      name: "closed quoted field over the size limit",
      input: Array("a,b\nc,\"\(String(repeating: "x", count: 40))\"\nc,d\n".utf8),
      options: CSVReader.Options(maxRecordBytes: 16),
      records: [["a", "b"]],
      error: "t.csv:2:3: error: record longer than 16 bytes, the record size limit, in a quoted "
        + "field that opens here; is a closing '\"' missing? the rest of the file cannot be read"),
  ]

  @Test(arguments: errorCases)
  func reportsErrors(_ c: ErrorCase) {
    let expected = Read(records: c.records, lines: Array(1..<(c.records.count + 1)), error: c.error)
    #expect(readAll(c.input, options: c.options) == expected)
    for chunk in tinyChunks {
      #expect(readAll(c.input, chunkSize: chunk, options: c.options) == expected, "chunk \(chunk)")
    }
  }

  @Test func fieldBytesAreZeroCopyOrUnescaped() throws {
    var reader = CSVReader(bytes: Array("plain,\"quoted\",\"dou\"\"bled\"\n".utf8))
    #expect(try reader.next())
    #expect(reader.withField(0) { Array($0) } == Array("plain".utf8))
    #expect(reader.withField(1) { Array($0) } == Array("quoted".utf8))
    #expect(reader.withField(2) { Array($0) } == Array("dou\"bled".utf8))
    #expect(reader.recordBytes == Array("plain,\"quoted\",\"dou\"\"bled\"".utf8))
    #expect(reader.byteOffset == 0)
  }

  @Test func locatesFields() throws {
    let text = "h1,h2,h3\n\"a\nb\",é,\"x\"\"y\"\n"
    var reader = CSVReader(bytes: Array(text.utf8), name: "n.csv")
    #expect(try reader.next())
    #expect(reader.location(ofField: 2).description == "n.csv:1:7")
    #expect(try reader.next())
    #expect(reader.line == 2)
    #expect(reader.location.description == "n.csv:2")
    #expect(reader.location(ofField: 0).description == "n.csv:2:1")
    #expect(reader.location(ofField: 1).description == "n.csv:3:4")
    #expect(reader.location(ofField: 2).description == "n.csv:3:6")
    #expect(reader.byteOffset == 9)
  }

  @Test func readsTabSeparatedWithoutQuoting() throws {
    let text = "id\tsource\ttext\tlabels\nn-1\twms\t\"short\" pick, bay 4\tshort_pick\n"
    let options = CSVReader.Options(delimiter: 0x09, quoting: false)
    let read = readAll(Array(text.utf8), options: options)
    #expect(
      read.records == [
        ["id", "source", "text", "labels"], ["n-1", "wms", "\"short\" pick, bay 4", "short_pick"],
      ])
    for chunk in tinyChunks {
      #expect(readAll(Array(text.utf8), chunkSize: chunk, options: options) == read)
    }
  }

  @Test func validatesFieldsOnRequest() throws {
    let bytes = Array("a,\"x\"\"".utf8) + [0xE9] + Array("\"\n".utf8)
    var reader = CSVReader(bytes: bytes, options: CSVReader.Options(validatesText: false))
    #expect(try reader.next())
    #expect(throws: Never.self) { try reader.validateField(0) }
    let error = #expect(throws: TriageError.self) { try reader.validateField(1) }
    #expect(
      error?.description
        == "<bytes>:1:7: error: invalid UTF-8 byte 0xE9 in field 2; expected UTF-8 text "
        + "(re-export the file as UTF-8, or convert it with iconv)")
    #expect(error?.status == .dataError)
  }

  /// The scan lets an all-ASCII record skip the full text check; a NUL or a byte ≥ 0x80
  /// anywhere (each field position, a quoted field, the last bytes before a line end or the
  /// input's end, across chunk boundaries) must still be reported as the check reports it: the
  /// same line, column, field and byte as checking each field on its own finds.
  @Test(arguments: [[0x00], [0xFF], [0xE9], [0xC3], [0xC3, 0xA9, 0x00]] as [[UInt8]])
  func reportsBadTextWhereverTheScanMeetsIt(bad: [UInt8]) {
    let fields = ["", "a", "abcdefghi", "\"q,r\"", "\"d\"\"q\""]
    var mismatches: [String] = []
    for f0 in fields {
      for f1 in fields {
        for f2 in fields {
          let record = Array("\(f0),\(f1),\(f2)".utf8)
          for at in 0...record.count {
            var line = record
            line.insert(contentsOf: bad, at: at)
            for tail in ["\nz,z,z\n", "", "\r\n"] {
              let input = Array("h,h,h\n".utf8) + line + Array(tail.utf8)
              let expected = readMessages(input, chunkSize: ByteSource.defaultChunkSize, checkingFields: true)
              for chunk in [ByteSource.defaultChunkSize, 3, 8, 13] {
                let got = readMessages(input, chunkSize: chunk)
                if got != expected && mismatches.count < 5 {
                  mismatches.append("\(input) chunk \(chunk):\n got \(got)\n expected \(expected)")
                }
              }
            }
          }
        }
      }
    }
    #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
  }

  @Test func readsTimestampsAtTheirField() throws {
    var reader = CSVReader(
      bytes: Array("n-1,2026-11-23T14:30:00Z,23/11/2026\n".utf8), name: "n.csv")
    #expect(try reader.next())
    #expect(try reader.timestamp(1).seconds == 1_795_444_200)
    let error = #expect(throws: TriageError.self) { try reader.timestamp(2) }
    #expect(
      error?.description
        == "n.csv:1:26: error: expected a timestamp like 2026-11-23T14:30:00Z, found '23/11/2026'")
  }

  // MARK: Recovery

  @Test func skipsBadRowsAndGoesOn() throws {
    var bytes = Array("id,text\n1,ok\n2,too,many\n3,nul\0\n4,\"q\"x\n5,bad".utf8)
    bytes += [0xE9] + Array("\n6,fine\n".utf8)
    var reader = CSVReader(bytes: bytes, name: "r.csv")
    let header = try CSVHeader(reading: &reader)
    var good: [String] = []
    var errors: [String] = []
    var rejects: [String] = []
    while true {
      do {
        guard try reader.next() else { break }
        try header.checkFieldCount(of: reader)
        good.append(reader.string(0))
      } catch {
        #expect(reader.canContinue)
        errors.append(error.description)
        rejects.append(String(decoding: reader.recordBytes, as: UTF8.self))
      }
    }
    #expect(good == ["1", "6"])
    #expect(
      errors == [
        "r.csv:3:7: error: expected 2 fields as in the header, found 3; a field that contains ',' "
          + "must be in double quotes",
        "r.csv:4:6: error: NUL byte (0x00) in field 2; expected UTF-8 text (is the file UTF-16 "
          + "or binary?)",
        "r.csv:5:6: error: unexpected 'x' after the closing quote of a quoted field; expected ',' "
          + "or a line end (double a '\"' inside a quoted field)",
        "r.csv:6:6: error: invalid UTF-8 byte 0xE9 in field 2; expected UTF-8 text (re-export "
          + "the file as UTF-8, or convert it with iconv)",
      ])
    #expect(rejects == ["2,too,many", "3,nul\0", "4,\"q\"x", "5,bad\u{FFFD}"])
  }

  @Test func stopsAfterAnUnclosedQuote() throws {
    var reader = CSVReader(bytes: Array("a\n\"open\nb\nc\n".utf8))
    #expect(try reader.next())
    #expect(throws: TriageError.self) { try reader.next() }
    #expect(!reader.canContinue)
    #expect(try reader.next() == false)
  }

  // MARK: Header

  @Test func findsColumnsByName() throws {
    var reader = CSVReader(
      bytes: Array(" Note_ID ,created_at,SOURCE,text,extra,,Author\n".utf8), name: "notes.csv")
    let header = try CSVHeader(reading: &reader, expecting: ["note_id"])
    #expect(header.index(of: "note_id") == 0)
    #expect(header.index(of: "Source") == 2)
    #expect(header.index(of: " author ") == 6)
    #expect(header.index(of: "missing") == nil)
    #expect(header.index(of: "") == nil)
    #expect(try header.require(["text", "note_id"]) == [3, 0])
    #expect(
      header.unknownColumns(known: ["note_id", "created_at", "source", "text", "author"])
        == ["extra"])
    #expect(header.names == ["Note_ID", "created_at", "SOURCE", "text", "extra", "", "Author"])
    #expect(header.count == 7)
    #expect(try reader.next() == false)
  }

  struct HeaderCase: CustomTestStringConvertible, Sendable {
    var name: String
    var input: String
    var required: [String]
    var error: String
    var testDescription: String { name }
  }

  static let required = ["note_id", "created_at", "source", "text"]

  static let headerCases: [HeaderCase] = [
    HeaderCase(
      name: "empty file", input: "", required: required,
      error: "notes.csv: error: empty file: expected a header row with columns note_id, "
        + "created_at, source, text"),
    HeaderCase(
      name: "only blank lines", input: "\n\n", required: [],
      error: "notes.csv: error: empty file: expected a header row"),
    HeaderCase(
      name: "duplicate column", input: "note_id,text,source,NOTE_ID\n", required: required,
      error: "notes.csv:1:21: error: duplicate column 'NOTE_ID': columns 1 and 4 have the same "
        + "name; rename one of them"),
    HeaderCase(
      name: "duplicate column shown escaped", input: "x\u{1B},X\u{1B}\n", required: [],
      error: "notes.csv:1:4: error: duplicate column 'X\\e': columns 1 and 2 have the same name; "
        + "rename one of them"),
    HeaderCase(
      name: "missing column with a near miss", input: "note_id,createdat,source,text\n",
      required: required,
      error: "notes.csv:1: error: missing required column 'created_at' (found columns: note_id, "
        + "createdat, source, text); did you mean 'createdat'?"),
    HeaderCase(
      name: "missing columns, one near miss", input: "id,created,Sorce\n", required: required,
      error: "notes.csv:1: error: missing required columns 'note_id', 'created_at', 'source', "
        + "'text' (found columns: id, created, Sorce); did you mean 'Sorce' for 'source'?"),
    HeaderCase(
      name: "missing column, nothing near", input: "note_id,created_at,source,body\n",
      required: required,
      error: "notes.csv:1: error: missing required column 'text' (found columns: note_id, "
        + "created_at, source, body)"),
  ]

  @Test(arguments: headerCases)
  func reportsHeaderErrors(_ c: HeaderCase) {
    let error = #expect(throws: TriageError.self) {
      var reader = CSVReader(bytes: Array(c.input.utf8), name: "notes.csv")
      let header = try CSVHeader(reading: &reader, expecting: c.required)
      _ = try header.require(c.required)
    }
    #expect(error?.description == c.error)
    #expect(error?.status == .dataError)
  }

  @Test func headerOnlyFileHasNoRecords() throws {
    var reader = CSVReader(bytes: Array("note_id,created_at,source,text\r\n".utf8))
    let header = try CSVHeader(reading: &reader, expecting: Self.required)
    #expect(try header.require(Self.required) == [0, 1, 2, 3])
    #expect(try reader.next() == false)
  }

  @Test func raggedRowTooFew() throws {
    var reader = CSVReader(bytes: Array("a,b,c,d,e,f\n1,2,3,4\n".utf8), name: "x.csv")
    let header = try CSVHeader(reading: &reader)
    #expect(try reader.next())
    let error = #expect(throws: TriageError.self) { try header.checkFieldCount(of: reader) }
    #expect(error?.description == "x.csv:2: error: expected 6 fields as in the header, found 4")
  }

  // MARK: Files

  @Test func readsFilesAndReportsMissingOnes() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "csvreader-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("notes.csv").path
    try Data("id,text\n1,\"a,b\"\n".utf8).write(to: URL(fileURLWithPath: path))

    var reader = try CSVReader(path: path, chunkSize: 3)
    #expect(reader.name == path)
    #expect(try reader.next())
    #expect(try reader.next())
    #expect(reader.string(1) == "a,b")
    #expect(try reader.next() == false)

    let missing = #expect(throws: TriageError.self) {
      _ = try CSVReader(path: dir.path + "/nope.csv")
    }
    #expect(missing?.status == .noInput)
    #expect(
      missing?.description == "error: cannot read '\(dir.path)/nope.csv': no such file or directory"
    )
    let directory = #expect(throws: TriageError.self) { _ = try CSVReader(path: dir.path) }
    #expect(directory?.status == .noInput)
    #expect(
      directory?.description
        == "error: cannot read '\(dir.path)': it is a directory, expected a file")
  }

  @Test func readsFromAPipe() throws {
    var fds: [Int32] = [0, 0]
    try #require(pipe(&fds) == 0)
    let text = Array("a,b\n\"x\ny\",z\n".utf8)
    try #require(write(fds[1], text, text.count) == text.count)
    close(fds[1])
    let source = ByteSource(
      fileDescriptor: fds[0], name: "pipe", closesWhenDone: true, chunkSize: 2)
    var reader = CSVReader(source: source)
    #expect(try reader.next())
    #expect(try reader.next())
    #expect(reader.string(0) == "x\ny")
    #expect(reader.location(ofField: 1).description == "pipe:3:4")
    #expect(try reader.next() == false)
  }

  // MARK: Size

  @Test func readsATenMegabyteQuotedField() throws {
    // 10 MB of text with doubled quotes and line breaks inside, between two short records.
    var unit = Array("word, \"\"quoted\"\" word\n".utf8)
    let units = 10_000_000 / unit.count + 1
    var text: [UInt8] = Array("id,text\n1,\"".utf8)
    text.reserveCapacity(units * unit.count + 64)
    for _ in 0..<units { text += unit }
    text += Array("\"\n2,after\n".utf8)
    unit = Array("word, \"quoted\" word\n".utf8)

    for chunk in [ByteSource.defaultChunkSize, 4096] {
      var reader = CSVReader(bytes: text, chunkSize: chunk)
      #expect(try reader.next())
      #expect(try reader.next())
      #expect(reader.fieldCount == 2)
      let (count, head, tail) = reader.withField(1) { b in
        (b.count, Array(b.prefix(unit.count)), Array(b.suffix(unit.count)))
      }
      #expect(count == units * unit.count)
      #expect(head == unit && tail == unit)
      #expect(try reader.next())
      #expect(reader.line == 3 + units)
      #expect(reader.string(1) == "after")
      #expect(try reader.next() == false)
    }
  }

  @Test func readsAMillionCommas() throws {
    let text = [UInt8](repeating: 0x2C, count: 1_000_000) + Array("\nlast\n".utf8)
    for chunk in [ByteSource.defaultChunkSize, 4096] {
      var reader = CSVReader(bytes: text, chunkSize: chunk)
      #expect(try reader.next())
      #expect(reader.fieldCount == 1_000_001)
      #expect(reader.withField(500_000) { $0.count } == 0)
      #expect(reader.location(ofField: 1_000_000).column == 1_000_001)
      #expect(try reader.next())
      #expect(reader.string(0) == "last")
    }
  }

  // MARK: Against a reference parser

  /// Random inputs over an alphabet of the bytes that matter, each read whole by a simple
  /// reference parser and by the reader at many chunk sizes. With `longRuns`, plain text comes
  /// in runs of up to a dozen bytes, so fields fill whole words and several field ends fall in
  /// one word (the reader's word-at-a-time path).
  @Test(arguments: [false, true], [false, true])
  func agreesWithReferenceParser(strict: Bool, longRuns: Bool) {
    var rng = SplitMix64(seed: (strict ? 42 : 7) &+ (longRuns ? 1000 : 0))
    var alphabet: [[UInt8]] = [
      [0x61], [0x62], [0x2C], [0x2C], [0x22], [0x22], [0x0A], [0x0D], [0x0D, 0x0A],
      Array("é".utf8), [0x00], [0x20],
    ]
    if longRuns {
      alphabet += [
        Array("abcdefgh".utf8), Array("order 10023".utf8), Array("x y".utf8), Array("SO-1,".utf8),
        Array("short,2,".utf8), Array("2026-11-03T15:00:00Z".utf8), Array("a\"b".utf8),
        Array("\"q, d\"".utf8), Array("caf\u{E9}s".utf8), [0x2D], [0x23],
      ]
    }
    let options = CSVReader.Options(strictQuotes: strict)
    var mismatches: [String] = []
    for _ in 0..<400 {
      var input: [UInt8] = []
      if rng.next() % 8 == 0 { input += [0xEF, 0xBB, 0xBF] }
      for _ in 0..<Int(rng.next() % (longRuns ? 60 : 40)) {
        input += alphabet[Int(rng.next() % UInt64(alphabet.count))]
      }
      let expected = referenceRead(input, strict: strict)
      for chunk in [ByteSource.defaultChunkSize] + tinyChunks {
        let got = readRecovering(input, chunkSize: chunk, options: options)
        if got != expected && mismatches.count < 5 {
          mismatches.append("\(input) chunk \(chunk):\n got \(got)\n expected \(expected)")
        }
      }
    }
    #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
  }
}

/// What reading gives, going on after errors: records, or errors with line and column.
private enum Outcome: Equatable, CustomStringConvertible {
  case record([[UInt8]], line: Int)
  case error(String, line: Int, column: Int)

  var description: String {
    switch self {
    case .record(let f, let line): "\(line): \(f.map { String(decoding: $0, as: UTF8.self) })"
    case .error(let kind, let line, let column): "\(line):\(column): \(kind)"
    }
  }
}

private func readRecovering(_ bytes: [UInt8], chunkSize: Int, options: CSVReader.Options)
  -> [Outcome]
{
  var reader = CSVReader(bytes: bytes, options: options, chunkSize: chunkSize)
  var out: [Outcome] = []
  while true {
    do {
      guard try reader.next() else { break }
      out.append(
        .record(
          (0..<reader.fieldCount).map { i in reader.withField(i) { Array($0) } },
          line: reader.line))
    } catch {
      let d = error.diagnostics[0]
      let kind = String(d.message.prefix { $0 != " " && $0 != ":" })
      out.append(.error(kind, line: d.location?.line ?? 0, column: d.location?.column ?? 0))
      if !reader.canContinue { break }
    }
  }
  return out
}

/// Like `readRecovering`, with whole error messages. With `checkingFields`, reads without the
/// reader's own text check and checks each field on its own (`validateField`): what the
/// whole-record check must report, error by error.
private func readMessages(_ bytes: [UInt8], chunkSize: Int, checkingFields: Bool = false) -> [String] {
  var reader = CSVReader(
    bytes: bytes, options: CSVReader.Options(validatesText: !checkingFields), chunkSize: chunkSize)
  var out: [String] = []
  while true {
    do {
      guard try reader.next() else { break }
      if checkingFields {
        for i in 0..<reader.fieldCount { try reader.validateField(i) }
      }
      out.append("\(reader.line): \((0..<reader.fieldCount).map { reader.string($0) })")
    } catch {
      out.append(error.description)
      if !reader.canContinue { break }
    }
  }
  return out
}

/// A plain byte-at-a-time reading of the same rules, over the whole input.
private func referenceRead(_ b: [UInt8], strict: Bool) -> [Outcome] {
  let quote: UInt8 = 0x22
  let comma: UInt8 = 0x2C
  let lf: UInt8 = 0x0A
  let cr: UInt8 = 0x0D
  let n = b.count
  var i = b.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
  var line = 1
  var out: [Outcome] = []

  // The line and column of an offset, counting LF, CRLF and lone CR as line ends.
  func position(_ offset: Int) -> (Int, Int) {
    var line = 1
    var column = 1
    var k = b.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    while k < offset {
      if b[k] == lf || (b[k] == cr && !(k + 1 < n && b[k + 1] == lf) && k + 1 <= offset) {
        line += 1
        column = 1
      } else if b[k] & 0xC0 != 0x80 {
        column += 1
      }
      k += 1
    }
    return (line, column)
  }
  func isEnd(_ x: UInt8) -> Bool { x == comma || x == lf || x == cr }

  while true {
    while i < n && (b[i] == lf || b[i] == cr) {
      i += (b[i] == cr && i + 1 < n && b[i + 1] == lf) ? 2 : 1
      line += 1
    }
    if i == n { break }
    let recordLine = line
    let recordStart = i
    var fields: [[UInt8]] = []
    var problem: (String, Int)?
    while true {
      var field: [UInt8] = []
      var j = i
      if i < n && b[i] == quote {
        j = i + 1
        while true {
          if j == n {
            let (l, c) = position(i)
            out.append(.error("unclosed", line: l, column: c))
            return out
          }
          if b[j] == quote {
            if j + 1 < n && b[j + 1] == quote {
              field.append(quote)
              j += 2
              continue
            }
            break
          }
          if b[j] == lf || (b[j] == cr && !(j + 1 < n && b[j + 1] == lf)) { line += 1 }
          field.append(b[j])
          j += 1
        }
        j += 1
        if j < n && !isEnd(b[j]) {
          if problem == nil { problem = ("unexpected", j) }
          while j < n && !isEnd(b[j]) { j += 1 }
        }
      } else {
        while j < n && !isEnd(b[j]) {
          if b[j] == quote && strict && problem == nil { problem = ("unexpected", j) }
          field.append(b[j])
          j += 1
        }
      }
      fields.append(field)
      if j == n {
        i = n
        break
      }
      if b[j] == comma {
        i = j + 1
        continue
      }
      i = (b[j] == cr && j + 1 < n && b[j + 1] == lf) ? j + 2 : j + 1
      line += 1
      break
    }
    if let (kind, at) = problem {
      let (l, c) = position(at)
      out.append(.error(kind, line: l, column: c))
    } else if let nul = b[recordStart..<i].firstIndex(of: 0) {
      let (l, c) = position(nul)
      out.append(.error("NUL", line: l, column: c))
    } else {
      out.append(.record(fields, line: recordLine))
    }
  }
  return out
}

