import Foundation
import Testing
import TriageCore

/// A small lexicon built in memory, so the tokenizer and classifier tests do not depend on the
/// tuning of the real `Lexicons/` files. Every behaviour a test relies on is written here.
enum MiniLexicon {
  static let codes = """
    version 1

    payment_hold        owner=finance            theme="payment & credit"  effect=hold
    address_issue       owner=customer_service   theme="address quality"   effect=hold
    short_pick          owner=inventory_control  theme=slotting            effect=short
    stockout_backorder  owner=purchasing         theme=slotting            effect=short  threshold=3.0
    damaged             owner=warehouse          theme=handling            effect=delay
    wrong_item          owner=warehouse          theme="pick accuracy"     effect=delay
    carrier_pickup      owner=transportation     theme=carrier             effect=delay
    delivery_failed     owner=customer_service   theme=carrier             effect=delay  customer=tell

    """

  static let reasons: [String: String] = [
    "payment_hold": """
    version 1
    code payment_hold

    1.0   credit
    3.0   credit hold
    2.0   hold
    3.0   hold cleared by finance
    2.0   payment
    2.5   payment (cleared|received)
    3.0   payment declined

    """,
    "address_issue": """
    version 1
    code address_issue

    3.0   wrong address

    """,
    "short_pick": """
    version 1
    code short_pick

    1.0   short
    3.0   short pick
    pattern 3.0   pick {n} of {m} where n < m and n > 0
    pattern 3.0   pick {n}/{m} where n < m

    """,
    "stockout_backorder": """
    version 1
    code stockout_backorder

    2.0   backorder
    3.0   out of stock

    """,
    "damaged": """
    version 1
    code damaged

    2.0   broken
    2.5   (broken|cracked)
    2.0   crushed
    2.0   damaged
    3.0   (damaged|crushed) (box|carton)

    """,
    "wrong_item": """
    version 1
    code wrong_item

    2.0   wrong
    3.0   wrong item

    """,
    "carrier_pickup": """
    version 1
    code carrier_pickup

    3.0   no show
    near 3.0   (carrier|driver) + (missed|skipped) within 3

    """,
    "delivery_failed": """
    version 1
    code delivery_failed

    3.0   delivery failed
    2.0   redelivered

    """,
  ]

  static let cues = """
    version 1

    break    but

    negate   before  3  isn't
    negate   before  3  no
    negate   before  3  not
    negate   after   2  ruled out

    pending  before  4  awaiting
    pending  before  3  still

    resolve  both    6  cleared
    resolve  after   6  found        codes=short_pick
    resolve  both    6  redelivered  codes=delivery_failed
    resolve  both    6  release      codes=payment_hold

    skip     a
    skip     is
    skip     it
    skip     the

    """

  static let shorthand = """
    version 1

    dmg   damaged
    oos   out of stock

    """

  static let identifiers = """
    version 1

    order_prefix    SO-
    order_digits    4-8
    order_cue       order
    connector       no
    sku_cue         sku
    sku_shape       99999
    location_cue    bin
    location_shape  A-99-99
    ignore_after    po

    """

  /// The files as `Lexicon.load(files:)` takes them, with some replaced or added.
  static func files(replacing overrides: [String: String] = [:]) -> [String: [UInt8]] {
    var text: [String: String] = [
      "codes.txt": codes, "cues.txt": cues, "shorthand.txt": shorthand,
      "identifiers.txt": identifiers,
    ]
    for (code, body) in reasons { text["reasons/\(code).txt"] = body }
    for (name, body) in overrides { text[name] = body }
    return text.mapValues { Array($0.utf8) }
  }

  static let lexicon: Lexicon = {
    do {
      return try Lexicon.load(files: files(), directory: "mini")
    } catch {
      fatalError("the test lexicon does not load:\n\(error)")
    }
  }()

  static let classifier = Classifier(lexicon: lexicon)
  static let tokenizer = Tokenizer(vocabulary: lexicon.vocabulary)

  /// The text of the load error for these files, or nil when they load.
  static func loadError(_ overrides: [String: String]) -> String? {
    do {
      _ = try Lexicon.load(files: files(replacing: overrides), directory: "mini")
      return nil
    } catch {
      return error.description
    }
  }
}

/// A fixture with its expected spans written into the text: `«short pick» at bin` is the text
/// `short pick at bin` with one expected span, bytes 0..<10.
struct Marked {
  var text: String
  var spans: [Range<Int>]

  init(_ marked: String) {
    var bytes: [UInt8] = []
    var spans: [Range<Int>] = []
    var open: Int?
    for scalar in marked.unicodeScalars {
      switch scalar {
      case "«": open = bytes.count
      case "»":
        spans.append((open ?? 0)..<bytes.count)
        open = nil
      default: bytes += Array(String(scalar).utf8)
      }
    }
    text = String(decoding: bytes, as: UTF8.self)
    self.spans = spans
  }
}

/// The root of the package (the directory holding Package.swift), found from this file.
enum PackageRoot {
  static let path: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()

  static var lexicons: String { path + "/Lexicons" }
}

/// Runs `body` with a fresh directory (its name starts with `prefix`), removed after it.
func withTempDirectory(_ prefix: String, _ body: (String) throws -> Void) throws {
  let dir = FileManager.default.temporaryDirectory
    .appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
  try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(atPath: dir) }
  try body(dir)
}

/// Compares what people read with a snapshot kept in the test file. With
/// `TRIAGE_RECORD_SNAPSHOTS=1` in the environment, prints the current text to paste in instead.
func expectSnapshot(
  _ actual: String, _ expected: String, _ name: String,
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
  if ProcessInfo.processInfo.environment["TRIAGE_RECORD_SNAPSHOTS"] == "1" {
    print("--- snapshot '\(name)':\n#\"\"\"\n\(actual)\n\"\"\"#")
    return
  }
  #expect(
    actual == expected, "snapshot '\(name)' (TRIAGE_RECORD_SNAPSHOTS=1 prints the new one)",
    sourceLocation: sourceLocation)
}
