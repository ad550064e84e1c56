// libFuzzer harness for the lexicon scanner, parser and compiler: the input replaces one file of
// a small lexicon (the first byte says which).
//
// Invariants: no crash or hang; an error names the file and line it is about; a lexicon that
// loads classifies text.
import TriageCore

let base: [String: String] = [
  "codes.txt": """
    version 1
    damaged owner=warehouse theme="handling" effect=hold customer=tell threshold=2.0 label="damaged"
    short_pick owner=inventory_control theme="slotting" effect=short customer=internal threshold=2.0 label="short pick"

    """,
  "cues.txt": """
    version 1
    break but
    negate before 3 no codes=damaged
    resolve after 4 (fixed|released)
    pending before 3 awaiting
    skip the

    """,
  "shorthand.txt": "version 1\ndmg damaged\nsp short pick\n",
  "identifiers.txt": "version 1\norder_prefix SO-\norder_digits 4-8\norder_cue order\nsku_shape 99999\n",
  "reasons/damaged.txt": "version 1\ncode damaged\n\n3.0 (damaged|broken)\nnear 3.0 box + crushed within 3\n",
  "reasons/short_pick.txt": "version 1\ncode short_pick\n\n3.0 short pick\npattern 3.0 picked {n} of {m} where n < m\n",
]
let names = ["reasons/damaged.txt", "cues.txt", "shorthand.txt", "identifiers.txt", "codes.txt", "reasons/short_pick.txt"]
let headers = ["version 1\ncode damaged\n", "version 1\n", "version 1\n", "version 1\n", "version 1\n", "version 1\ncode short_pick\n"]
let notes = ["dmg box, crushed", "picked 2 of 6 for order 10023, sku 88213", "no damage but short pick fixed"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLexicon(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let input = FuzzInput(data, size)
  let which = Int(input.flags & 7) % names.count
  var files = base.mapValues { Array($0.utf8) }
  // Most inputs keep the version (and code) line, so the parser gets past it.
  files[names[which]] = (input.flags & 8 == 0 ? Array(headers[which].utf8) : []) + input.body
  do throws(TriageError) {
    let lexicon = try Lexicon.load(files: files, directory: "L")
    let classifier = Classifier(lexicon: lexicon)
    for n in notes { _ = classifier.classify(n) }
  } catch {
    check(!error.diagnostics.isEmpty, "an error without a diagnostic")
    for d in error.diagnostics {
      if let at = d.location { check(at.file.hasPrefix("L/"), "an error about '\(at.file)'") }
    }
  }
  return 0
}
