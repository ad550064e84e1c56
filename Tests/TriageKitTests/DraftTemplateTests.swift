import Foundation
import Testing
import TriageKit

/// A broken template: one file replaced (or removed), and where the error must point. The
/// expected column is marked in the file with 1️⃣, which the test strips.
struct TemplateErrorCase: CustomTestStringConvertible, Sendable {
  var id: String
  var file: String
  /// The new content, with 1️⃣ where the error must point; nil removes the file.
  var content: String?
  var message: String

  var testDescription: String { id }
}

@Suite struct DraftTemplateTests {
  static let marker = "1️⃣"

  /// The shipped template files, keyed by their path inside templates/.
  static func shippedFiles() throws -> [String: [UInt8]] {
    let root = DraftPaths.lexicons + "/templates"
    var files: [String: [UInt8]] = [
      "policy.txt": Array(try Data(contentsOf: URL(fileURLWithPath: root + "/policy.txt")))
    ]
    for audience in ["support", "sales"] {
      for name in try FileManager.default.contentsOfDirectory(atPath: "\(root)/\(audience)")
      where name.hasSuffix(".txt") {
        files["\(audience)/\(name)"] = Array(
          try Data(contentsOf: URL(fileURLWithPath: "\(root)/\(audience)/\(name)")))
      }
    }
    return files
  }

  static func codes() throws -> [ReasonCode] { try DemoDrafts.shared().lexicon.codes }

  @Test func shippedTemplatesCoverEveryCodeForBothAudiences() throws {
    let codes = try Self.codes()
    let t = try DraftTemplates.load(directory: DraftPaths.lexicons, codes: codes)
    #expect(codes.count == 21)
    for audience in DraftAudience.allCases {
      #expect(t.general[audience] != nil)
      for c in codes {
        let file = try #require(
          t.reasons[audience]?[c.code], "no \(audience.rawValue) template for \(c.code)")
        #expect(file.code == c.code)
      }
    }
    // The support files never name an internal placeholder (the loader refuses them).
    for (_, file) in t.reasons[.support] ?? [:] {
      for variants in file.sections.values {
        for v in variants {
          for p in v.placeholders {
            #expect(
              !(DraftTemplates.placeholders.first { $0.name == p }?.internalOnly ?? true),
              "\(file.path): {\(p)}")
          }
        }
      }
    }
  }

  static let errorCases: [TemplateErrorCase] = [
    .init(
      id: "unknown placeholder", file: "support/short_pick.txt",
      content: "version 1\nhappening \"We found 1️⃣{sku_code} short.\"\ndoing \"x\"\n",
      message: "unknown placeholder '{sku_code}'"),
    .init(
      id: "internal placeholder in support", file: "support/short_pick.txt",
      content: "version 1\nhappening \"Talk to 1️⃣{owner}.\"\ndoing \"x\"\n",
      message: "placeholder '{owner}' is internal"),
    .init(
      id: "reason placeholder in general", file: "sales/general.txt",
      content: "version 1\nheadline \"1️⃣{skus}\"\n", message: "belongs in a reason template"),
    .init(
      id: "unknown section", file: "support/short_pick.txt",
      content: "version 1\n1️⃣happenin \"x\"\ndoing \"x\"\n",
      message: "unknown section 'happenin'; did you mean 'happening'?"),
    .init(
      id: "unknown condition", file: "support/short_pick.txt",
      content: "version 1\nhappening when=1️⃣shiped \"x\"\nhappening \"y\"\ndoing \"x\"\n",
      message: "unknown condition 'shiped'; did you mean 'shipped'?"),
    .init(
      id: "second condition unknown", file: "support/short_pick.txt",
      content: "version 1\nhappening when=shipped,1️⃣!dateed \"x\"\nhappening \"y\"\ndoing \"x\"\n",
      message: "unknown condition 'dateed'"),
    .init(
      id: "no default line", file: "support/short_pick.txt",
      content: "version 1\nhappening \"x\"\n1️⃣doing when=dated \"{eta}\"\n",
      message: "section 'doing' has no line without 'when='"),
    .init(
      id: "unclosed placeholder", file: "support/short_pick.txt",
      content: "version 1\nhappening \"We 1️⃣{name\"\ndoing \"x\"\n", message: "unclosed placeholder"),
    .init(
      id: "continuation without a line", file: "support/short_pick.txt",
      content: "version 1\n1️⃣+ \"more\"\nhappening \"x\"\ndoing \"x\"\n",
      message: "a '+' line continues"),
    .init(
      id: "unknown date kind", file: "sales/short_pick.txt",
      content: "version 1\ndates 1️⃣restocks\nblocker \"x\"\noutlook \"y\"\n",
      message: "unknown date kind 'restocks'"),
    .init(
      id: "missing version", file: "support/short_pick.txt",
      content: "1️⃣happening \"x\"\ndoing \"x\"\n", message: "expected 'version 1'"),
    .init(
      id: "unknown policy setting", file: "policy.txt",
      content: "version 1\n1️⃣next_updates end_of_business_day\n",
      message: "unknown policy setting 'next_updates'"),
    .init(
      id: "bad policy duration", file: "policy.txt",
      content: "version 1\nnext_update within 1️⃣soon\n", message: "expected a duration"),
    .init(
      id: "file for an unknown code", file: "support/short_pik.txt", content: "version 1\n",
      message: "unknown reason code 'short_pik'; did you mean 'short_pick'?"),
    .init(
      id: "missing reason file", file: "sales/labor_capacity.txt", content: nil,
      message: "every reason code needs a sales template"),
  ]

  @Test(arguments: errorCases)
  func loadErrorsSayWhere(_ c: TemplateErrorCase) throws {
    var files = try Self.shippedFiles()
    var expectedLocation: String?
    if var content = c.content {
      for (n, line) in content.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
      {
        if let r = line.range(of: Self.marker) {
          let col = line[..<r.lowerBound].unicodeScalars.count + 1
          expectedLocation = "T/\(c.file):\(n + 1):\(col): error: "
        }
      }
      content = content.replacingOccurrences(of: Self.marker, with: "")
      files[c.file] = Array(content.utf8)
    } else {
      files[c.file] = nil
    }
    do {
      _ = try DraftTemplates.load(files: files, directory: "T", codes: try Self.codes())
      Issue.record("\(c.id): loaded without an error")
    } catch {
      let text = String(describing: error)
      #expect(text.contains(c.message), "\(text)")
      if let expectedLocation {
        #expect(text.hasPrefix(expectedLocation), "expected \(expectedLocation)..., got \(text)")
      }
    }
  }

  @Test func continuationLinesJoinAndEmptyPlaceholdersFallThrough() throws {
    let file = try DraftTemplates.parse(
      Array(
        """
        version 1
        happening when=shipped "Left {ship_date}."
        +                      "Tracking {tracking}."
        happening              "Not yet."
        doing                  "{{literal}} braces"
        """.utf8), file: "t.txt", audience: .support, code: "short_pick")
    let shipped = file.say("happening", values: ["ship_date": "today", "tracking": "1Z"]) {
      $0.name == "shipped"
    }
    #expect(shipped?.text == "Left today. Tracking 1Z.")
    // No tracking number: the shipped variant cannot be said; the next one is used.
    let noTracking = file.say("happening", values: ["ship_date": "today"]) { $0.name == "shipped" }
    #expect(noTracking?.text == "Not yet.")
    #expect(file.say("doing", values: [:]) { _ in true }?.text == "{literal} braces")
  }
}
