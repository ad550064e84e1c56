import Foundation
import TriageKit

/// Shared fixtures for the theme and report tests: the repository's lexicons, temporary data
/// folders written from rows, and in-process runs of the CLI.
enum ThemeFixture {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  static let lexicons = root.appendingPathComponent("Lexicons").path
  static let now = "2026-11-23T15:00:00Z"

  /// A fresh temporary directory.
  static func tempDirectory() -> String {
    let path = NSTemporaryDirectory() + "triage-theme-test-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  /// A note row: id, time, source, text, order id.
  struct Note {
    var id: String
    var at: String
    var source = "wms"
    var text: String
    var order = ""
  }

  static func csvField(_ s: String) -> String {
    s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
  }

  /// Writes a data folder: notes, and optionally orders (id, customer, carrier) and events.
  static func folder(
    notes: [Note], orders: [(String, String, String)] = [], events: [(id: String, at: String, ref: String, status: String)] = []
  ) -> String {
    let dir = tempDirectory()
    var csv = "note_id,created_at,source,text,order_id,author\n"
    for n in notes { csv += [n.id, n.at, n.source, csvField(n.text), n.order, "t"].joined(separator: ",") + "\n" }
    FileManager.default.createFile(atPath: dir + "/notes.csv", contents: Data(csv.utf8))
    if !orders.isEmpty {
      var o = "order_id,customer,channel,priority,placed_at,promise_date,cutoff_at,erp_status,wms_status,storefront_status,carrier,tracking\n"
      for (id, customer, carrier) in orders {
        o += "\(id),\(csvField(customer)),web,normal,2026-11-10T10:00:00Z,2026-11-30,2026-11-28T22:00:00Z,released,released,open,\(csvField(carrier)),\n"
      }
      FileManager.default.createFile(atPath: dir + "/orders.csv", contents: Data(o.utf8))
    }
    if !events.isEmpty {
      var e = "event_id,at,type,from_system,to_system,ref,qty,status,message,idempotency_key\n"
      for x in events { e += "\(x.id),\(x.at),receipt,wms,erp,\(x.ref),48,\(x.status),UOM mismatch,\n" }
      FileManager.default.createFile(atPath: dir + "/events.csv", contents: Data(e.utf8))
    }
    FileManager.default.createFile(atPath: dir + "/triage.conf", contents: Data("as_of = \(now)\n".utf8))
    return dir
  }

  /// Runs triage in-process; returns (status, stdout, stderr).
  static func run(_ args: [String], lexicons: String = lexicons, environment: [String: String] = [:]) -> (Int32, String, String) {
    let ctx = Context.capturing(environment: environment)
    let status = TriageMain.run(args + ["--lexicons", lexicons], ctx)
    ctx.out.flush()
    ctx.err.flush()
    return (status, ctx.out.text, ctx.err.text)
  }

  /// Parses JSON output.
  static func json(_ text: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
  }
}
