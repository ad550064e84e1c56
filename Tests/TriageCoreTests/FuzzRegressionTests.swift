import Foundation
import Testing
import TriageCore

/// Inputs `bin/fuzz` found that broke an invariant, kept so the bug stays fixed. Each case is
/// the crashing input (less the harness's first byte, which only chose options) and what the
/// harness checked.
struct FuzzRegressionTests {
  /// Classifies raw bytes and writes the JSON line `classify` would.
  static func json(_ text: [UInt8], lexicon: Lexicon) -> [UInt8] {
    let classifier = Classifier(lexicon: lexicon)
    var scratch = ClassifierScratch()
    var w = JSONWriter()
    text.withUnsafeBufferPointer { p in
      classifier.classify(p, into: &scratch)
      classifier.writeJSON(id: p, source: p, text: p, scratch: scratch, explain: true, into: &w)
    }
    return w.bytes
  }

  struct Case: CustomTestStringConvertible, Sendable {
    var id: String
    var text: [UInt8]
    var skus: [String]
    var testDescription: String { id }
  }

  // tokenizer harness: "classify wrote invalid JSON". A SKU or location holding invalid UTF-8
  // (plain-text input is not validated) was copied into the JSON as raw bytes.
  static let invalidJSONCases: [Case] = [
    Case(id: "invalid UTF-8 inside a SKU", text: Array("sku K-22".utf8) + [0xA5, 0xA5] + Array("0 has no BOM".utf8), skus: ["K-22\u{FFFD}\u{FFFD}0"]),
    Case(id: "a lone continuation byte ends a SKU", text: Array("sku 88213".utf8) + [0x80], skus: ["88213\u{FFFD}"]),
    Case(id: "a valid multi-byte letter in a SKU", text: Array("sku 88213é".utf8), skus: ["88213é"]),
    Case(id: "a cut UTF-8 sequence at a location", text: Array("bin B-14-02".utf8) + [0xE2, 0x82], skus: []),
  ]

  @Test(arguments: invalidJSONCases)
  func classifyWritesValidJSONWhateverTheBytes(_ c: Case) throws {
    let out = Self.json(c.text, lexicon: MiniLexicon.lexicon)
    let text = try #require(String(validating: out, as: UTF8.self), "the output is UTF-8")
    let value = try JSONValue(parsing: text)
    #expect(value["skus"]?.arrayValue?.compactMap(\.stringValue) == c.skus)
  }
}
