import Foundation
import Testing
import TriageKit

/// A text, when it was written, and the supported date it must yield (or none).
struct DateCase: CustomTestStringConvertible, Sendable {
  var text: String
  var written: String
  /// `2026-11-26`, `pending` for a withdrawal, nil for no date at all.
  var expected: String?
  var kind: SupportedDate.Kind?

  var testDescription: String { "\(text) @ \(written)" }
}

@Suite struct DraftDateTests {
  static let cases: [DateCase] = [
    .init(
      text: "New estimated delivery: Tue 11/26", written: "2026-11-23T15:00:00Z",
      expected: "2026-11-26", kind: .delivery),
    .init(
      text: "PO 4471 due Fri", written: "2026-11-23T15:00:00Z", expected: "2026-11-27",
      kind: .restock),
    .init(
      text: "eta 11/25", written: "2026-11-23T15:00:00Z", expected: "2026-11-25", kind: .delivery),
    .init(
      text: "SCARF-PLD not available to promise, line backordered. PO 88412 due 12/01.",
      written: "2026-11-21T18:50:00Z", expected: "2026-12-01", kind: .restock),
    .init(
      text: "Package was misrouted. Corrective action taken, new estimated delivery in 2 days.",
      written: "2026-11-10T13:02:12Z", expected: "2026-11-12", kind: .delivery),
    .init(
      text: "On vehicle for delivery. Estimated delivery by end of day.",
      written: "2026-11-23T12:30:00Z", expected: "2026-11-23", kind: .delivery),
    .init(
      text: "Backorder: 19004 sold out, next shipment from vendor ETA 12/3",
      written: "2026-11-06T13:54:00Z", expected: "2026-12-03", kind: .restock),
    .init(
      text: "Backordered - 31110 at zero, inbound ASN shows 12/1.", written: "2026-10-23T19:19:09Z",
      expected: "2026-12-01", kind: .restock),
    .init(
      text: "30419 out of stock again, PO 44829 pushed to 12/8 by the supplier.",
      written: "2026-10-22T16:01:14Z", expected: "2026-12-08", kind: .restock),
    .init(
      text: "Restock due Dec 3rd", written: "2026-11-23T15:00:00Z", expected: "2026-12-03",
      kind: .restock),
    .init(
      text: "customer asked, gave the PO ETA (12/2) with a caveat", written: "2026-10-28T13:29:45Z",
      expected: "2026-12-02", kind: .restock),
    .init(
      text: "eta 1/5", written: "2026-12-20T15:00:00Z", expected: "2027-01-05", kind: .delivery),
    .init(
      text: "new delivery date 2026-11-30", written: "2026-11-23T15:00:00Z", expected: "2026-11-30",
      kind: .delivery),
    // Written 22:00 site time on the 23rd (03:00Z on the 24th): tomorrow is the 24th.
    .init(
      text: "UPS says arriving tomorrow", written: "2026-11-24T03:00:00Z", expected: "2026-11-24",
      kind: .delivery),
    .init(
      text: "New delivery date pending.", written: "2026-11-19T11:00:00Z", expected: "pending",
      kind: .delivery),
    .init(
      text: "Ridgeline no-show again. Called dispatch, no ETA.", written: "2026-11-17T14:30:00Z",
      expected: "pending", kind: .delivery),
    // Not dates the data supports.
    .init(
      text: "Customer requested delivery after 12/1, hold until then.",
      written: "2026-11-07T19:51:43Z", expected: nil, kind: nil),
    .init(
      text: "tea sampler: lot expiring 12/05, below 30-day threshold.",
      written: "2026-10-28T12:31:30Z", expected: nil, kind: nil),
    .init(
      text: "My order 10233 was due Friday. Tracking still says in transit",
      written: "2026-11-22T17:00:00Z", expected: nil, kind: nil),
    .init(
      text: "backordered item, expected restock early December.", written: "2026-11-12T19:53:01Z",
      expected: nil, kind: nil),
    .init(
      text: "decision expected tomorrow morning", written: "2026-11-23T13:05:00Z", expected: nil,
      kind: nil),
    .init(
      text: "Picked 1/2 72011, location empty after that.", written: "2026-11-02T22:45:50Z",
      expected: nil, kind: nil),
    .init(
      text: "free shipping threshold is $75 through 11/30.", written: "2026-11-08T16:51:55Z",
      expected: nil, kind: nil),
    .init(
      text: "zone C waves not released, this one goes tomorrow", written: "2026-11-23T13:15:00Z",
      expected: nil, kind: nil),
  ]

  @Test(arguments: cases)
  func extractsOnlySupportedDates(_ c: DateCase) throws {
    let written = try Timestamp(c.written).seconds
    let policy = DraftPolicy()
    let found = DateExtractor.mentions(
      in: c.text, writtenAt: written, writtenDay: policy.localDay(written), source: "n-1")
    guard let expected = c.expected else {
      #expect(
        found.isEmpty,
        "found \(found.map { ($0.phrase, $0.day.map(Timestamp.formatDate(day:)) ?? "pending") })")
      return
    }
    let last = try #require(found.last, "no date found")
    #expect(last.kind == c.kind)
    #expect((last.day.map(Timestamp.formatDate(day:)) ?? "pending") == expected, "\(last.phrase)")
    #expect(last.source == "n-1")
    #expect(c.text.contains(last.phrase))
  }
}

/// How customers are addressed.
@Suite struct DraftCustomerNameTests {
  static let cases: [(String, String, String, Bool)] = [
    ("Priya Raman", "web", "Priya", false),
    ("Émilie Tremblay", "web", "Émilie", false),
    ("Liam O'Brien", "web", "Liam", false),
    ("Dr. Ana Lopez", "web", "Dr. Lopez", false),
    ("Larkspur Living, Inc.", "wholesale", "Larkspur Living, Inc.", true),
    ("Harbor & Pine Home Co.", "web", "Harbor & Pine Home Co.", true),
    ("Store 12 - Riverside", "store", "Store 12 - Riverside", true),
    ("Cartwheel Market", "marketplace", "Cartwheel Market", true),
    ("Northgate Hardware Supply", "web", "Northgate Hardware Supply", true),
  ]

  @Test(arguments: cases)
  func greeting(_ c: (String, String, String, Bool)) throws {
    let policy = try DemoDrafts.shared().templates.policy
    let name = CustomerName(c.0, channel: c.1, policy: policy)
    #expect(name.greeting == c.2)
    #expect(name.isBusiness == c.3)
  }
}

/// When the next update is promised.
@Suite struct DraftPolicyTests {
  static let cases: [(String, String, String)] = [
    // Monday 10:00 ET: the end of today.
    ("next_update end_of_business_day", "2026-11-23T15:00:00Z", "2026-11-23T22:00:00Z"),
    // Monday 16:30 ET: less than min_notice left, so Tuesday's end.
    ("next_update end_of_business_day", "2026-11-23T21:30:00Z", "2026-11-24T22:00:00Z"),
    // Friday 18:00 ET: Monday's end.
    ("next_update end_of_business_day", "2026-11-27T23:00:00Z", "2026-11-30T22:00:00Z"),
    // Saturday: Monday's end.
    ("next_update end_of_business_day", "2026-11-28T15:00:00Z", "2026-11-30T22:00:00Z"),
    ("next_update within 24h", "2026-11-23T15:00:00Z", "2026-11-24T15:00:00Z"),
  ]

  @Test(arguments: cases)
  func nextUpdate(_ c: (String, String, String)) throws {
    let text =
      "version 1\nutc_offset -05:00 ET\nbusiness_hours 09:00 17:00\nmin_notice 1h\n\(c.0)\n"
    let policy = try DraftPolicy.parse(Array(text.utf8), file: "policy.txt")
    let now = try Timestamp(c.1).seconds
    #expect(Timestamp.format(seconds: policy.nextUpdate(after: now)) == c.2)
  }
}

/// Dates in drafts come from the order's notes, notes about the SKUs it waits on, and receipts
/// scheduled in the event log; a later "date pending" withdraws one.
@Suite struct DraftSupportedDateTests {
  static func folder(_ dir: String) throws -> String {
    let d = dir + "/dates"
    try DraftPaths.write("as_of = 2026-11-23T15:00:00Z\n", to: d + "/triage.conf")
    try DraftPaths.write(
      DraftFolders.header + """
        SO-30001,Mia Wong,web,normal,2026-11-22T10:00:00Z,2026-11-27,2026-11-24T22:00:00Z,released,released,open,UPS,
        SO-30002,Leo Park,web,normal,2026-11-19T10:00:00Z,2026-11-25,2026-11-20T22:00:00Z,fulfilled,shipped,fulfilled,UPS,1ZTEST0001
        SO-30003,Ava Chen,web,normal,2026-11-22T11:00:00Z,2026-11-27,2026-11-24T22:00:00Z,released,released,open,UPS,

        """, to: d + "/orders.csv")
    try DraftPaths.write(
      """
      order_id,line_no,sku,qty_ordered,qty_allocated,qty_picked,qty_packed,qty_shipped
      SO-30001,1,40001,2,0,,,
      SO-30002,1,40002,1,1,1,1,1
      SO-30003,1,40003,1,0,,,

      """, to: d + "/lines.csv")
    try DraftPaths.write(
      """
      note_id,created_at,source,text,order_id,author
      n-1,2026-11-23T13:00:00Z,order,"40001 out of stock, backordered. No date from the vendor yet.",SO-30001,purchasing
      n-2,2026-11-22T10:00:00Z,carrier,"Package delayed due to weather. New estimated delivery: Wed 11/25",SO-30002,UPS
      n-3,2026-11-23T09:00:00Z,carrier,"Weather delay continues, new delivery date pending.",SO-30002,UPS
      n-4,2026-11-23T12:00:00Z,order,"40003 out of stock, line backordered.",SO-30003,purchasing
      n-5,2026-11-23T12:30:00Z,order,"sku 40003: PO 5512 due Mon 11/30",,purchasing

      """, to: d + "/notes.csv")
    try DraftPaths.write(
      """
      event_id,at,type,from_system,to_system,ref,qty,status,message,idempotency_key
      ev-1,2026-11-26T14:00:00Z,receipt,erp,wms,40001,24,ok,,rcv-40001

      """, to: d + "/events.csv")
    return d
  }

  @Test func datesComeFromNotesSKUNotesAndScheduledReceipts() throws {
    let dir = DraftPaths.tempDirectory()
    defer { DraftPaths.cleanUp(dir) }
    let demo = try DemoDrafts.shared()
    let classifier = Classifier(lexicon: demo.lexicon)
    let store = try Store(path: ":memory:")
    _ = try store.ingest(
      try DataFolder(path: try Self.folder(dir)), classifier: classifier, skipBad: false, clock: 0)
    let analyzer = OrderAnalyzer(
      store: store, classifier: classifier, settings: SiteSettings(), now: store.asOf ?? 0)
    let composer = DraftComposer(templates: demo.templates, lexicon: demo.lexicon, store: store)
    func draft(_ id: String, _ a: DraftAudience = .support) throws -> Draft {
      try composer.compose(try analyzer.view(of: try #require(try store.order(id))), for: a)
    }

    // A receipt scheduled for Thursday gives the stockout a date, cited by its event.
    let a = try draft("SO-30001")
    #expect(a.text.contains("We're expecting more on Thursday, November 26"), "\(a.text)")
    #expect(a.sources.contains("events.csv:ev-1"))
    // The carrier's ETA was withdrawn by a later "date pending": no date, the next update instead.
    let b = try draft("SO-30002")
    #expect(!b.text.contains("November 25"), "\(b.text)")
    #expect(b.text.contains("by the end of the day today"))
    #expect(try draft("SO-30002", .sales).text.contains("No date the data supports"))
    // A note about the SKU (no order id) gives the order waiting on it a restock date.
    let c = try draft("SO-30003")
    #expect(c.text.contains("on Monday, November 30"), "\(c.text)")
    #expect(c.sources.contains("n-5"))
  }
}
