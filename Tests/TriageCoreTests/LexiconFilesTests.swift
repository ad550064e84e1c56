import Foundation
import Testing
import TriageCore

/// Every file of the repository's `Lexicons/` directory: loads, sorted, no warnings, and the
/// codes of the taxonomy (TAXONOMY.md) in its order.
@Suite struct LexiconFilesTests {
  /// The 21 codes of the taxonomy table in TAXONOMY.md, in its order. Hard-coded: the taxonomy
  /// is a contract, and CI has no copy of the shared documents.
  static let taxonomy = [
    "payment_hold", "fraud_review", "address_issue", "customer_change", "short_pick",
    "stockout_backorder", "inventory_drift", "integration_error", "damaged", "quality_hold",
    "wrong_item", "missing_item", "substitution", "master_data", "packaging_constraint",
    "label_compliance", "customs_hold", "carrier_pickup", "carrier_delay", "delivery_failed",
    "labor_capacity",
  ]

  static let lexicon: Result<Lexicon, TriageError> = Result {
    () throws(TriageError) -> Lexicon in try Lexicon.load(directory: PackageRoot.lexicons)
  }

  @Test func loadsWithoutErrors() throws {
    let lexicon = try Self.lexicon.get()
    #expect(!lexicon.entries.isEmpty)
  }

  /// The tokenizer reads the vocabulary through tables of its own (`VocabularyIndex`: the
  /// words in one, the typo variants in another behind a Bloom filter). Every letters-only key
  /// of the bundled lexicons' table (79k, 70k of them typo variants), and each with its last letter changed (most of those are
  /// no key at all), reads as the builder's table says: the same term, and a typo variant
  /// marked as one.
  @Test func tokenizerTablesAnswerAsTheVocabulary() throws {
    let v = try Self.lexicon.get().vocabulary
    let tokenizer = Tokenizer(vocabulary: v)
    var checked = 0
    var typos = 0
    for entry in v.entries() where entry.key.utf8.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) {
      let changed = String(entry.key.dropLast()) + (entry.key.hasSuffix("q") ? "x" : "q")
      for word in [entry.key, changed] {
        let found = v.value(of: word)
        let expected: Int32
        switch found?.value {
        case .term(let id)?: expected = id
        case nil: expected = Term.unknown
        default: continue
        }
        let tokens = tokenizer.tokens(of: word)
        #expect(tokens.count == 1 && tokens.first?.term == expected, "\(word)")
        #expect(tokens.first?.has(TokenFlags.typo) == (found?.origin == .typo), "\(word)")
        if found?.origin == .typo { typos += 1 }
        checked += 1
      }
    }
    #expect(checked > 100_000)
    #expect(typos > 50_000)
  }

  @Test func noWarnings() throws {
    let lexicon = try Self.lexicon.get()
    // Warnings include unsorted entries and codes without entries or without a file.
    #expect(lexicon.warnings.map(\.description) == [])
  }

  @Test func codesAreTheTaxonomyInOrder() throws {
    let lexicon = try Self.lexicon.get()
    #expect(lexicon.codes.map(\.code) == Self.taxonomy)
    #expect(lexicon.codes.map(\.index) == Array(0..<21))
  }

  @Test func oneReasonFilePerCode() throws {
    let names = try FileManager.default.contentsOfDirectory(
      atPath: PackageRoot.lexicons + "/reasons"
    )
    .filter { !$0.hasPrefix(".") }
    #expect(names.sorted() == Self.taxonomy.map { $0 + ".txt" }.sorted())
  }

  @Test(arguments: taxonomy)
  func everyCodeHasEntries(_ code: String) throws {
    let lexicon = try Self.lexicon.get()
    let index = try #require(lexicon.code(named: code)?.index)
    let entries = lexicon.entries.filter { $0.code == index }
    #expect(!entries.isEmpty)
    #expect(entries.allSatisfy { $0.location.file.hasSuffix("reasons/\(code).txt") })
  }

  @Test func everyCodeHasItsData() throws {
    let lexicon = try Self.lexicon.get()
    for code in lexicon.codes {
      #expect(!code.owner.isEmpty, "\(code.code)")
      #expect(!code.theme.isEmpty, "\(code.code)")
      #expect(code.threshold > 0, "\(code.code)")
    }
  }

  @Test func cuesAndShorthandLoad() throws {
    let lexicon = try Self.lexicon.get()
    let kinds = Set(lexicon.entries.filter { $0.code == nil }.map(\.kind))
    #expect(kinds == [.negate, .resolve, .pending])
    #expect(!lexicon.skipWords.isEmpty)
    #expect(!lexicon.breakWords.isEmpty)
    #expect(!lexicon.shorthand.isEmpty)
    #expect(lexicon.identifiers.orderPrefix == "SO-")
    // Each cue's scope names real codes (it is stored as indexes into codes.txt).
    for cue in lexicon.entries where cue.code == nil {
      #expect(cue.scope.allSatisfy { $0 < lexicon.codes.count }, "\(cue.location)")
    }
  }
}
