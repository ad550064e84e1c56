import Foundation
import Testing
import TriageKit

/// Where the repository is: $TRIAGE_ROOT (bin/test sets it), else found from this file.
enum DraftPaths {
  static let root: String = {
    if let r = ProcessInfo.processInfo.environment["TRIAGE_ROOT"], !r.isEmpty { return r }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().path
  }()
  static var lexicons: String { root + "/Lexicons" }
  static var demo: String { root + "/Corpus/demo" }
  static var goldens: String { root + "/Tests/TriageKitTests/Goldens/drafts" }

  /// Set TRIAGE_RECORD=1 to (re)write golden files instead of comparing with them.
  static var recording: Bool { ProcessInfo.processInfo.environment["TRIAGE_RECORD"] == "1" }

  /// A fresh temporary directory, removed by the caller with `cleanUp`.
  static func tempDirectory() -> String {
    let dir = NSTemporaryDirectory() + "triage-draft-tests-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  static func cleanUp(_ dir: String) { try? FileManager.default.removeItem(atPath: dir) }

  static func write(_ text: String, to path: String) throws {
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
  }
}

/// The demo folder read into an in-memory store once, with the lexicons and templates; every use
/// goes through `lock` (one SQLite connection).
final class DemoDrafts: @unchecked Sendable {
  let store: Store
  let lexicon: Lexicon
  let analyzer: OrderAnalyzer
  let templates: DraftTemplates
  let composer: DraftComposer
  private let lock = NSLock()

  private init() throws {
    lexicon = try Lexicon.load(directory: DraftPaths.lexicons)
    let classifier = Classifier(lexicon: lexicon)
    store = try Store(path: ":memory:")
    _ = try store.ingest(
      try DataFolder(path: DraftPaths.demo), classifier: classifier, skipBad: false, clock: 0)
    let settings = try SiteSettings.load(directory: DraftPaths.lexicons)
    analyzer = OrderAnalyzer(
      store: store, classifier: classifier, settings: settings, now: store.asOf ?? 0)
    templates = try DraftTemplates.load(directory: DraftPaths.lexicons, codes: lexicon.codes)
    composer = DraftComposer(templates: templates, lexicon: lexicon, store: store)
  }

  private static let loaded = Result<DemoDrafts, any Error> { try DemoDrafts() }

  static func shared() throws -> DemoDrafts { try loaded.get() }

  /// Runs `body` with the store to itself.
  func with<R>(_ body: (DemoDrafts) throws -> R) throws -> R {
    lock.lock()
    defer { lock.unlock() }
    return try body(self)
  }

  func view(_ id: String) throws -> OrderView {
    try with { d in
      guard let o = try d.store.order(id) else {
        throw TriageError.usage("no order \(id) in the demo")
      }
      return try d.analyzer.view(of: o)
    }
  }

  func draft(_ id: String, _ audience: DraftAudience) throws -> (OrderView, Draft) {
    let v = try view(id)
    return (v, try with { try $0.composer.compose(v, for: audience) })
  }
}

/// Runs triage in-process as a fresh tool run (a new context: nothing cached), like a restart.
struct ToolRun {
  var status: Int32
  var out: String
  var err: String

  static func run(_ args: [String], environment: [String: String] = [:], in dir: String? = nil)
    -> ToolRun
  {
    var env = environment
    env["TRIAGE_LEXICONS"] = env["TRIAGE_LEXICONS"] ?? DraftPaths.lexicons
    env["NO_COLOR"] = "1"
    let ctx = Context.capturing(environment: env, workingDirectory: dir)
    let status = TriageMain.run(args, ctx)
    ctx.out.flush()
    ctx.err.flush()
    return ToolRun(status: status, out: ctx.out.text, err: ctx.err.text)
  }
}

/// A small two-day data folder: day 1 has a short pick on a high-priority order; day 2 closes it,
/// puts a payment hold on the second order and adds a third.
enum DraftFolders {
  static let header =
    "order_id,customer,channel,priority,placed_at,promise_date,cutoff_at,erp_status,wms_status,storefront_status,carrier,tracking\n"

  static func day1(in dir: String) throws -> String {
    let d = dir + "/day1"
    try DraftPaths.write("as_of = 2026-11-23T15:00:00Z\n", to: d + "/triage.conf")
    try DraftPaths.write(
      header + """
        SO-20001,Priya Raman,web,high,2026-11-22T10:00:00Z,2026-11-27,2026-11-24T22:00:00Z,released,picked,open,UPS,
        SO-20002,Ben Carter,web,normal,2026-11-22T11:00:00Z,2026-11-27,2026-11-24T22:00:00Z,released,released,open,UPS,

        """, to: d + "/orders.csv")
    try DraftPaths.write(
      "order_id,line_no,sku,qty_ordered,qty_allocated,qty_picked,qty_packed,qty_shipped\nSO-20001,1,88213,6,6,2,,\nSO-20002,1,12055,1,1,,,\n",
      to: d + "/lines.csv")
    try DraftPaths.write(
      "note_id,created_at,source,text,order_id,author\nn-1,2026-11-23T12:00:00Z,wms,\"short pick 88213 at B-14-02, picked 2 of 6\",SO-20001,rf-114\n",
      to: d + "/notes.csv")
    return d
  }

  static func day2(in dir: String) throws -> String {
    let d = dir + "/day2"
    try DraftPaths.write("as_of = 2026-11-23T19:00:00Z\n", to: d + "/triage.conf")
    try DraftPaths.write(
      header + """
        SO-20001,Priya Raman,web,high,2026-11-22T10:00:00Z,2026-11-27,2026-11-24T22:00:00Z,released,picked,open,UPS,
        SO-20002,Ben Carter,web,normal,2026-11-22T11:00:00Z,2026-11-27,2026-11-24T22:00:00Z,released,released,open,UPS,
        SO-20003,Emily Sato,web,low,2026-11-23T16:00:00Z,2026-11-30,2026-11-25T22:00:00Z,released,released,open,UPS,

        """, to: d + "/orders.csv")
    try DraftPaths.write(
      "order_id,line_no,sku,qty_ordered,qty_allocated,qty_picked,qty_packed,qty_shipped\nSO-20001,1,88213,6,6,6,,\nSO-20002,1,12055,1,1,,,\nSO-20003,1,12055,1,1,,,\n",
      to: d + "/lines.csv")
    try DraftPaths.write(
      """
      note_id,created_at,source,text,order_id,author
      n-1,2026-11-23T12:00:00Z,wms,"short pick 88213 at B-14-02, picked 2 of 6",SO-20001,rf-114
      n-2,2026-11-23T17:00:00Z,wms,"replen done B-14-02, 88213 short picked complete, to pack",SO-20001,rf-114
      n-3,2026-11-23T18:00:00Z,order,"Card declined at capture (do not honor). Payment hold, customer emailed.",SO-20002,erp-auto

      """, to: d + "/notes.csv")
    return d
  }
}
