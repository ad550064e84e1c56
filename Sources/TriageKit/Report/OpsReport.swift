import TriageCore

/// What the weekly ops review looks at, gathered once and rendered as one HTML page
/// (`OpsReport+HTML.swift`): blockers per theme per day, the recurring SKUs, locations and
/// places, open blockers by age and owner, promise outcomes, and what the lexicons miss.
public struct OpsReport: Sendable {
  public var title: String
  /// When the report was made (--now) and from which data.
  public var generatedAt: Int64
  public var dataLabel: String
  public var themes: ThemeSummary
  public var openBlockers: OpenBlockers
  public var promises: Promises
  public var unclassified: UnclassifiedReport?

  public init(
    title: String, generatedAt: Int64, dataLabel: String, themes: ThemeSummary, openBlockers: OpenBlockers,
    promises: Promises, unclassified: UnclassifiedReport?
  ) {
    self.title = title
    self.generatedAt = generatedAt
    self.dataLabel = dataLabel
    self.themes = themes
    self.openBlockers = openBlockers
    self.promises = promises
    self.unclassified = unclassified
  }

  /// Open blockers on the orders in play, by owner and age.
  public struct OpenBlockers: Sendable, Equatable {
    /// Age buckets, youngest first: "< 1 day", "1–3 days", "3–7 days", "7+ days".
    public static let buckets: [(label: String, upTo: Int64)] = [
      ("< 1 day", Timestamp.secondsPerDay), ("1–3 days", 3 * Timestamp.secondsPerDay),
      ("3–7 days", 7 * Timestamp.secondsPerDay), ("7+ days", Int64.max),
    ]
    public struct Row: Sendable, Equatable {
      public var owner: String
      /// Count per age bucket.
      public var ages: [Int]
      /// The oldest open blockers of this owner: order, code, age in seconds.
      public var oldest: [(order: String, code: String, age: Int64)]

      public var total: Int { ages.reduce(0, +) }

      public static func == (a: Row, b: Row) -> Bool {
        a.owner == b.owner && a.ages == b.ages && a.oldest.map(\.order) == b.oldest.map(\.order)
      }
    }
    public var rows: [Row]
    public var total: Int { rows.reduce(0) { $0 + $1.total } }
  }

  /// Promise status of the orders in play.
  public struct Promises: Sendable, Equatable {
    public var counts: [PromiseStatus: Int]
    /// The orders that missed or need a message, most urgent first: order, customer, status, why.
    public var attention: [Attention]

    public struct Attention: Sendable, Equatable {
      public var order: String
      public var customer: String
      public var status: PromiseStatus
      public var state: String
      public var why: String
    }
  }

  /// Folds order views into the owner-by-age table and the promise outcomes.
  public static func orderSections(_ views: [OrderView], now: Int64) -> (OpenBlockers, Promises) {
    var byOwner: [String: OpenBlockers.Row] = [:]
    var oldest: [String: [(String, String, Int64)]] = [:]
    var counts: [PromiseStatus: Int] = [:]
    var attention: [Promises.Attention] = []
    for v in views {
      counts[v.promise, default: 0] += 1
      if v.promise == .missed || v.promise == .needsCommunication {
        attention.append(.init(
          order: v.order.orderID, customer: v.order.customer, status: v.promise, state: v.state.rawValue,
          why: v.promiseReason))
      }
      for b in v.openBlockers {
        let age = max(0, now - (b.firstSeen ?? now))
        let bucket = OpenBlockers.buckets.firstIndex { age < $0.upTo } ?? OpenBlockers.buckets.count - 1
        var row = byOwner[b.owner] ?? OpenBlockers.Row(owner: b.owner, ages: Array(repeating: 0, count: OpenBlockers.buckets.count), oldest: [])
        row.ages[bucket] += 1
        byOwner[b.owner] = row
        oldest[b.owner, default: []].append((v.order.orderID, b.code, age))
      }
    }
    var rows: [OpenBlockers.Row] = []
    for (owner, var row) in byOwner {
      row.oldest = (oldest[owner] ?? []).sorted { $0.2 != $1.2 ? $0.2 > $1.2 : $0.0 < $1.0 }.prefix(3).map { ($0.0, $0.1, $0.2) }
      rows.append(row)
    }
    rows.sort { $0.total != $1.total ? $0.total > $1.total : $0.owner < $1.owner }
    attention.sort {
      if $0.status.urgency != $1.status.urgency { return $0.status.urgency < $1.status.urgency }
      return $0.order < $1.order
    }
    return (OpenBlockers(rows: rows), Promises(counts: counts, attention: attention))
  }
}
