import Foundation
import Testing
import TriageKit

/// One golden case: a demo order chosen for a reason code (or a general case), drafted for both
/// audiences and compared with `Goldens/drafts/<id>.<audience>.txt`.
struct GoldenCase: CustomTestStringConvertible, Sendable {
  var id: String
  var order: String
  /// The reason the order must have open (and told), so the golden covers that reason's template.
  var code: String?
  /// For general cases: the state and promise the order must have.
  var state: String?
  var promise: String?

  var testDescription: String { "\(id) (\(order))" }

  static func reason(_ code: String, _ order: String, _ variant: String = "") -> GoldenCase {
    GoldenCase(id: variant.isEmpty ? code : "\(code)-\(variant)", order: order, code: code)
  }

  static func general(_ id: String, _ order: String, state: String, promise: String) -> GoldenCase {
    GoldenCase(id: id, order: order, code: nil, state: state, promise: promise)
  }
}

/// Golden drafts for every reason and both audiences over the demo. Re-record with
/// `TRIAGE_RECORD=1 swift test --filter DraftGolden`, then read the diff.
@Suite struct DraftGoldenTests {
  static let cases: [GoldenCase] = [
    .reason("payment_hold", "SO-10313"),
    .reason("fraud_review", "SO-10321"),
    .reason("fraud_review", "SO-10330", "with-payment-hold"),
    .reason("address_issue", "SO-10317"),
    .reason("address_issue", "SO-10270", "business"),
    .reason("customer_change", "SO-10280"),
    .reason("short_pick", "SO-10303"),
    .reason("short_pick", "SO-10295", "data-only"),
    .reason("stockout_backorder", "SO-10288"),
    .reason("inventory_drift", "SO-10328"),
    .reason("inventory_drift", "SO-10294", "with-integration-error"),
    .reason("integration_error", "SO-10307"),
    .reason("damaged", "SO-10292"),
    .reason("damaged", "SO-10244", "shipped"),
    .reason("quality_hold", "SO-10305"),
    .reason("wrong_item", "SO-10316"),
    .reason("wrong_item", "SO-10262", "shipped"),
    .reason("missing_item", "SO-10300"),
    .reason("missing_item", "SO-10279", "shipped"),
    .reason("substitution", "SO-10296"),
    .reason("master_data", "SO-10304"),
    .reason("packaging_constraint", "SO-10282"),
    .reason("label_compliance", "SO-10311"),
    .reason("label_compliance", "SO-10278", "business"),
    .reason("customs_hold", "SO-10298"),
    .reason("customs_hold", "SO-10272", "shipped"),
    .reason("carrier_pickup", "SO-10268"),
    .reason("carrier_delay", "SO-10269"),
    .reason("delivery_failed", "SO-10266"),
    .reason("labor_capacity", "SO-10319"),
    .general("nothing-blocking", "SO-10308", state: "pickable", promise: "safe"),
    .general("nothing-blocking-tight", "SO-10327", state: "released", promise: "at_risk"),
    .general("packed-safe", "SO-10286", state: "ready_for_carrier", promise: "safe"),
    .general("packed-missed", "SO-10274", state: "ready_for_carrier", promise: "missed"),
    .general("shipped-kept", "SO-10283", state: "shipped", promise: "kept"),
    .general("shipped-with-eta", "SO-10267", state: "shipped", promise: "kept"),
    .general("shipped-late", "SO-10275", state: "shipped", promise: "missed"),
    .general("delayed-after-shipping", "SO-10233", state: "delayed", promise: "missed"),
    .general("cancelled-on-request", "SO-10284", state: "cancelled", promise: "kept"),
    .general("cancelled", "SO-10290", state: "cancelled", promise: "kept"),
  ]

  @Test func everyReasonCodeHasAGoldenCase() throws {
    let demo = try DemoDrafts.shared()
    let covered = Set(Self.cases.compactMap(\.code))
    for code in demo.lexicon.codes.map(\.code) {
      #expect(covered.contains(code), "no golden draft for '\(code)'")
    }
  }

  @Test(arguments: cases)
  func golden(_ c: GoldenCase) throws {
    let demo = try DemoDrafts.shared()
    for audience in DraftAudience.allCases {
      let (view, draft) = try demo.draft(c.order, audience)
      if let code = c.code {
        #expect(
          draft.statements.contains { $0.topic.contains(code) },
          "\(c.order) for \(audience): '\(code)' is not told")
      } else {
        #expect(
          view.state.rawValue == c.state && view.promise.rawValue == c.promise,
          "\(c.order) is \(view.state.rawValue)/\(view.promise.rawValue)")
      }
      #expect(draft.warnings.isEmpty, "\(draft.warnings)")
      let path = "\(DraftPaths.goldens)/\(c.id).\(audience.rawValue).txt"
      let actual = "# \(c.order) for \(audience.rawValue)\n\n" + draft.rendered(width: 100)
      if DraftPaths.recording {
        try DraftPaths.write(actual, to: path)
        continue
      }
      guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
        Issue.record("missing golden \(path); record it with TRIAGE_RECORD=1")
        continue
      }
      #expect(
        actual == expected, "\(path) differs; re-record with TRIAGE_RECORD=1 and read the diff")
    }
  }
}
