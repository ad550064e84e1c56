import Foundation
import TriageCore

/// The site settings of `Lexicons/settings.txt` that the order model reads.
public struct SiteSettings: Sendable, Equatable {
  /// Counts may differ by up to this many units...
  public var driftUnits = 2
  /// ...and by up to this percent of the larger count before a SKU drifts.
  public var driftPercent = 1.0
  /// An open blocker this close to the cutoff (seconds) needs communication.
  public var communicateWithin: Int64 = 2 * 3600
  /// Time the warehouse still needs from each state to the carrier handover (seconds).
  public var leadTime: [OrderState: Int64] = [
    .released: 4 * 3600, .pickable: 4 * 3600, .picked: 2 * 3600, .packed: 3600, .readyForCarrier: 0,
  ]

  public init() {}

  /// Whether two counts of one SKU disagree beyond the tolerance: by more than `driftUnits`
  /// and by more than `driftPercent` of the larger count.
  public func drifts(_ a: Int, _ b: Int) -> Bool {
    let diff = abs(a - b)
    let larger = Double(max(abs(a), abs(b)))
    return diff > driftUnits && Double(diff) > larger * driftPercent / 100
  }

  /// Reads settings.txt from a lexicon directory; defaults when the file is absent.
  public static func load(directory: String) throws(TriageError) -> SiteSettings {
    let path = (directory as NSString).appendingPathComponent("settings.txt")
    guard let data = FileManager.default.contents(atPath: path) else { return SiteSettings() }
    return try parse([UInt8](data), file: path)
  }

  public static func parse(_ bytes: [UInt8], file: String) throws(TriageError) -> SiteSettings {
    var s = SiteSettings()
    for line in try LexiconScanner.lines(of: bytes, file: file) {
      let f = line.fields
      func duration(_ i: Int) throws(TriageError) -> Int64 {
        guard i < f.count else { throw .data("expected a duration such as '2h'", at: line.endLocation(file)) }
        do { return try Timestamp.parseDuration(f[i].text) } catch {
          throw .data("expected a duration such as '30m', '4h' or '2d', found '\(f[i].text)'", at: line.location(file, field: i))
        }
      }
      switch f[0].text {
      case "drift_units":
        guard f.count == 2, let n = Int(f[1].text), n >= 0 else {
          throw .data("expected 'drift_units N' with N a whole number", at: line.location(file, field: 1))
        }
        s.driftUnits = n
      case "drift_percent":
        guard f.count == 2, let p = Double(f[1].text), p >= 0 else {
          throw .data("expected 'drift_percent P' with P a number", at: line.location(file, field: 1))
        }
        s.driftPercent = p
      case "communicate_within":
        s.communicateWithin = try duration(1)
      case "lead_time":
        guard f.count == 3, let state = OrderState(rawValue: f[1].text) else {
          throw .data(
            "expected 'lead_time STATE DURATION' with STATE one of released, pickable, picked, packed, ready_for_carrier",
            at: line.location(file, field: 1))
        }
        s.leadTime[state] = try duration(2)
      default:
        let keys = ["drift_units", "drift_percent", "communicate_within", "lead_time"]
        throw .data("unknown setting '\(f[0].text)'\(Suggest.didYouMean(f[0].text, in: keys))", at: line.location(file, field: 0))
      }
    }
    return s
  }
}
