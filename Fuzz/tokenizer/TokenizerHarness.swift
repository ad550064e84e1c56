// libFuzzer harness for the tokenizer and the classifier over it, with the real lexicons
// ($FUZZ_LEXICONS, which bin/fuzz sets to the repository's Lexicons/).
//
// Invariants: no crash or hang; tokens lie inside the note, in order; evidence spans lie inside
// the matched part of the note; a note cut short by --max-note-bytes says so.
import TriageCore

#if canImport(Glibc)
  import Glibc
#endif

let lexicon: Lexicon = {
  guard let dir = getenv("FUZZ_LEXICONS").map({ String(cString: $0) }) else {
    fputs("set FUZZ_LEXICONS to a lexicon directory\n", stderr)
    exit(2)
  }
  do {
    return try Lexicon.load(directory: dir)
  } catch {
    fputs("cannot load the lexicons: \(error)\n", stderr)
    exit(2)
  }
}()
let classifier = Classifier(lexicon: lexicon)
/// A classifier that matches only the first 64 bytes, to cut notes inside UTF-8 sequences.
let shortClassifier = Classifier(lexicon: lexicon, maxNoteBytes: 64)
nonisolated(unsafe) var tokens = TokenScratch()
nonisolated(unsafe) var scratch = ClassifierScratch()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let input = FuzzInput(data, size)
  input.body.withUnsafeBufferPointer { text in
    classifier.tokenizer.tokenize(text, into: &tokens)
    tokens.withTokens { list in
      var last = 0
      for t in list {
        check(t.start >= 0 && t.start < t.end && Int(t.end) <= text.count, "token \(t.span) outside the note")
        check(Int(t.start) >= last, "tokens out of order at \(t.span)")
        last = Int(t.start)
      }
    }
    let c = input.flags & 1 == 0 ? classifier : shortClassifier
    c.classify(text, into: &scratch)
    check(scratch.truncated == (text.count > c.maxNoteBytes), "truncated flag wrong")
    check(scratch.matchedBytes <= text.count, "matched past the end")
    let result = c.classification(from: scratch, text: text)
    for r in result.reasons {
      for e in r.evidence {
        check(e.span.lowerBound >= 0 && e.span.upperBound <= scratch.matchedBytes, "evidence \(e.span) outside the note")
      }
    }
    if input.flags & 2 != 0 { _ = c.explanation(of: scratch, text: text) }
    var w = JSONWriter()
    c.writeJSON(id: text, source: text, text: text, scratch: scratch, explain: input.flags & 4 != 0, into: &w)
    w.withBytes { json in
      check((try? JSONValue(parsing: Array(json), name: "out.json")) != nil, "classify wrote invalid JSON")
    }
  }
  return 0
}
