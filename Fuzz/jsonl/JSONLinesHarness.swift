// libFuzzer harness for the JSON parser, the JSON Lines reader and the notes reader over JSON
// Lines.
//
// Invariants: no crash or hang; a value written back parses to the same value; the same lines
// and errors whatever the read chunk size; every error is located in the input.
import TriageCore

func transcript(_ bytes: [UInt8], chunkSize: Int, maxLineBytes: Int) -> [String] {
  var reader = JSONLinesReader(bytes: bytes, name: "fuzz.jsonl", maxLineBytes: maxLineBytes, chunkSize: chunkSize)
  var out: [String] = []
  var steps = 0
  while true {
    steps += 1
    check(steps <= bytes.count + 2, "more lines than bytes")
    do throws(TriageError) {
      guard try reader.next() else { break }
      var line = "\(reader.line): "
      reader.value.write(into: &scratchBytes)
      line += String(decoding: scratchBytes, as: UTF8.self)
      scratchBytes.removeAll(keepingCapacity: true)
      if let s = try? reader.optionalString("text", acceptingNumber: true) { line += " text=" + s }
      _ = reader.location(ofField: "text")
      do throws(TriageError) { _ = try reader.optionalTimestamp("created_at") } catch {
        checkLocated(error, file: "fuzz.jsonl")
      }
      out.append(line)
    } catch {
      checkLocated(error, file: "fuzz.jsonl")
      out.append("error: \(error)")
      _ = reader.lineBytes
    }
  }
  return out
}

nonisolated(unsafe) var scratchBytes: [UInt8] = []

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONLines(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let input = FuzzInput(data, size)
  let maxLine = input.flags & 1 != 0 ? 40 : 64 << 20

  // One document: parse, write back, parse again.
  if let value = try? JSONValue(parsing: input.body, name: "fuzz.json") {
    var written: [UInt8] = []
    value.write(into: &written)
    let again = try? JSONValue(parsing: written, name: "written.json")
    check(again == value, "a value written back does not parse to itself: \(String(decoding: written, as: UTF8.self))")
  }

  let whole = transcript(input.body, chunkSize: 1 << 20, maxLineBytes: maxLine)
  let chunked = transcript(input.body, chunkSize: input.chunkSize, maxLineBytes: maxLine)
  check(whole == chunked, "chunk size \(input.chunkSize) changed what was read")

  var source = ByteSource(bytes: input.body, name: "fuzz.jsonl", chunkSize: input.chunkSize)
  do throws(TriageError) {
    var notes = try NoteBatchReader(
      source: &source, format: .jsonl, requirement: input.flags & 2 != 0 ? .full : .textOnly,
      maxRecordBytes: 4096)
    notes.onReject = { r in check(r.diagnostic.location?.file == "fuzz.jsonl", "a rejection not located") }
    var batch = NoteBatch()
    while try notes.next(into: &batch, maxNotes: 3) {}
  } catch {
    checkLocated(error, file: "fuzz.jsonl")
  }
  return 0
}
