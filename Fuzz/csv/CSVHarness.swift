// libFuzzer harness for the CSV reader, its header and the notes reader over CSV.
//
// Invariants: no crash or hang; the same records and errors whatever the read chunk size; the
// reader ends in fewer steps than the input has bytes; every error is located in the input.
import TriageCore

/// What reading `bytes` gives, record by record: the fields, or the error.
func transcript(_ bytes: [UInt8], _ options: CSVReader.Options, chunkSize: Int) -> [String] {
  var reader = CSVReader(bytes: bytes, name: "fuzz.csv", options: options, chunkSize: chunkSize)
  var out: [String] = []
  var steps = 0
  while true {
    steps += 1
    check(steps <= bytes.count + 2, "more records than bytes")
    do throws(TriageError) {
      guard try reader.next() else { break }
      var fields: [String] = []
      for i in 0..<reader.fieldCount {
        fields.append(reader.string(i))
        let at = reader.location(ofField: i)
        check(at.line >= reader.line, "field \(i) located before its record")
        do throws(TriageError) { try reader.validateField(i) } catch { checkLocated(error, file: "fuzz.csv") }
      }
      check(reader.byteOffset <= bytes.count, "record past the end")
      out.append("\(reader.line): " + fields.joined(separator: "|"))
    } catch {
      checkLocated(error, file: "fuzz.csv")
      out.append("error: \(error)")
      _ = reader.recordBytes
    }
  }
  return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let input = FuzzInput(data, size)
  let f = input.flags
  let options = CSVReader.Options(
    delimiter: f & 1 == 0 ? 0x2C : 0x09, quoting: f & 2 == 0, strictQuotes: f & 4 != 0,
    maxRecordBytes: f & 8 != 0 ? 48 : 64 << 20)
  let whole = transcript(input.body, options, chunkSize: 1 << 20)
  let chunked = transcript(input.body, options, chunkSize: input.chunkSize)
  check(whole == chunked, "chunk size \(input.chunkSize) changed what was read")

  // The header and the notes reader, as classify --skip-bad and ingest use them.
  var reader = CSVReader(bytes: input.body, name: "fuzz.csv", options: options, chunkSize: input.chunkSize)
  if let header = try? CSVHeader(reading: &reader, expecting: ["note_id", "text"]) {
    _ = try? header.require(["note_id", "text"])
    _ = header.unknownColumns(known: ["note_id", "text"])
  }
  var source = ByteSource(bytes: input.body, name: "fuzz.csv", chunkSize: input.chunkSize)
  do throws(TriageError) {
    var notes = try NoteBatchReader(
      source: &source, format: .csv, requirement: f & 16 != 0 ? .full : .textOnly, maxRecordBytes: 4096)
    var rejected = 0
    notes.onReject = { r in
      rejected += 1
      check(r.diagnostic.location?.file == "fuzz.csv", "a rejection not located in the input")
    }
    var batch = NoteBatch()
    while try notes.next(into: &batch, maxNotes: 3) {
      for r in batch.records {
        check(r.text.upperBound <= Int32(batch.bytes.count), "a note's text past its batch")
      }
    }
  } catch {
    checkLocated(error, file: "fuzz.csv")
  }
  return 0
}
