import TriageCore

/// What `themes` groups blocker mentions by.
public enum ThemeDimension: String, Sendable, CaseIterable {
  /// The recurring-problem family of the reason (codes.txt `theme=`).
  case theme
  /// The reason code itself.
  case reason
  /// The team that acts (codes.txt `owner=`).
  case owner
  /// A SKU named in the note.
  case sku
  /// A location named in the note.
  case location
  /// The customer of the note's order.
  case customer
  /// The carrier of the note's order.
  case carrier
  /// Where the note came from: wms, order, support, carrier.
  case source

  /// Whether the groups are made of reason codes (every mention has one) rather than of things
  /// a note may or may not name.
  public var byCode: Bool { self == .theme || self == .reason || self == .owner }
}

/// How a group's count moved against the window before.
///
/// - `new`: nothing in the previous window;
/// - `up` / `down`: the count changed by at least `Trend.minChange` mentions *and* by at least
///   `Trend.minRelative` of the previous count (so 40 → 43 is flat, 2 → 5 is up);
/// - `flat`: anything smaller.
public enum Trend: String, Sendable, CaseIterable {
  case up, down, flat, new

  /// The smallest absolute change that counts as a trend.
  public static let minChange = 3
  /// The smallest change relative to the previous window's count (0.25 = 25%).
  public static let minRelative = 0.25

  public init(current c: Int, previous p: Int) {
    if p == 0 {
      self = c > 0 ? .new : .flat
      return
    }
    let delta = c - p
    let needed = max(Double(Trend.minChange), Double(p) * Trend.minRelative)
    if Double(delta) >= needed {
      self = .up
    } else if Double(-delta) >= needed {
      self = .down
    } else {
      self = .flat
    }
  }

  /// An arrow for tables: ↑ ↓ → ✚, or ASCII.
  public func symbol(unicode: Bool) -> String {
    switch self {
    case .up: unicode ? "↑" : "^"
    case .down: unicode ? "↓" : "v"
    case .flat: unicode ? "→" : "="
    case .new: unicode ? "✚" : "+"
    }
  }
}

/// The time from a blocker's first open mention to its first later resolved mention.
public struct ResolveTime: Sendable, Equatable {
  /// The median, in seconds.
  public var median: Int64
  /// How many resolved episodes the median is over.
  public var episodes: Int
  /// True when only the most recent resolutions were measured (see `ThemeAnalyzer.ttrSample`).
  public var sampled: Bool
}

/// A note shown as an example of a group.
public struct ThemeExample: Sendable, Equatable {
  public var noteID: String
  public var createdAt: Int64
  public var source: String
  public var orderID: String
  public var code: String
  public var text: String
}

/// One row of `themes`: a theme, reason, owner, SKU... with its counts over the window.
public struct ThemeGroup: Sendable, Equatable {
  public var key: String
  /// Open mentions (a note raising a reason) in the window.
  public var count: Int
  /// Open mentions in the previous window of the same length.
  public var previous: Int
  /// `count` over all open mentions in the window.
  public var share: Double
  public var trend: Trend
  /// Resolved mentions in the window.
  public var resolved: Int
  public var timeToResolve: ResolveTime?
  /// Open mentions per day of `ThemeWindow.days`.
  public var daily: [Int]
  /// The reason codes behind the count, largest first.
  public var codes: [CodeCount]
  public var examples: [ThemeExample]

  public struct CodeCount: Sendable, Equatable {
    public var code: String
    public var count: Int
  }
}

/// The answer of `themes`: the groups of a window, and what recurs in it.
public struct ThemeSummary: Sendable {
  public var window: ThemeWindow
  public var dimension: ThemeDimension
  /// Open mentions in the window and in the one before.
  public var total: Int
  public var previousTotal: Int
  /// Resolved mentions in the window.
  public var resolvedTotal: Int
  /// Every group with a mention in either window, sorted by count (descending), then key.
  public var groups: [ThemeGroup]
  /// For SKU, location, customer and carrier: open mentions whose note names none.
  public var unattributed: Int
  public var recurring: [RecurrenceHit]
}
