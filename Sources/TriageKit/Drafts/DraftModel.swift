import TriageCore

/// Who a draft is written for.
public enum DraftAudience: String, Sendable, CaseIterable, Hashable {
  /// The customer, through a support agent: plain, warm, no internal identifiers.
  case support
  /// The account manager: priority, promise, blockers with owners, what would change the outlook.
  case sales
}

/// One record or note a statement of a draft rests on.
public struct DraftSource: Sendable, Equatable, Hashable {
  /// A note id, a data record (`orders.csv:SO-1001`, `lines.csv:SO-1001/2`, `events.csv:ev-77`)
  /// or a policy (`policy:next_update`).
  public var ref: String
  /// What it contributes, for the reviewer: the note's words, the record's facts.
  public var detail: String

  public init(ref: String, detail: String) {
    self.ref = ref
    self.detail = detail
  }

  /// Each ref once, in first-use order, its different details joined with "; ".
  public static func merged(_ sources: [DraftSource]) -> [DraftSource] {
    var out: [DraftSource] = []
    for s in sources {
      if let i = out.firstIndex(where: { $0.ref == s.ref }) {
        if s.detail.isEmpty || out[i].detail.contains(s.detail) { continue }
        if s.detail.contains(out[i].detail) {
          out[i].detail = s.detail
        } else {
          out[i].detail += "; " + s.detail
        }
      } else {
        out.append(s)
      }
    }
    return out
  }
}

/// How a statement joins the one before it in the draft's text.
public enum DraftLayout: String, Sendable, Equatable {
  /// A new paragraph (a blank line before it).
  case paragraph
  /// A new line directly under the previous one (a sign-off under the closing).
  case line
  /// A list item (`- `) directly under the previous line.
  case bullet
  /// The same paragraph, after a space: a second sentence with its own sources.
  case sentence
}

/// One statement of a draft with the sources it rests on: the unit of traceability.
public struct DraftStatement: Sendable, Equatable {
  /// What the statement is for: `greeting`, `short_pick: what is happening`, `next update`.
  public var topic: String
  public var text: String
  public var layout: DraftLayout
  public var sources: [DraftSource]

  public init(
    topic: String, text: String, layout: DraftLayout = .paragraph, sources: [DraftSource] = []
  ) {
    self.topic = topic
    self.text = text
    self.layout = layout
    self.sources = sources
  }
}

/// What a draft knew about its order: the open blockers and the promise status when it was
/// made. A draft whose order no longer matches its fingerprint is stale.
public struct OrderFingerprint: Sendable, Equatable, Hashable, CustomStringConvertible {
  public var promise: String
  /// Open blocker codes, sorted.
  public var blockers: [String]

  public init(promise: String, blockers: [String]) {
    self.promise = promise
    self.blockers = blockers.sorted()
  }

  public init(_ view: OrderView) {
    self.init(promise: view.promise.rawValue, blockers: view.openBlockers.map(\.code))
  }

  /// `at_risk|inventory_drift,integration_error`: the stored form.
  public var description: String { promise + "|" + blockers.joined(separator: ",") }

  /// Reads the stored form; nil when it is not one.
  public init?(stored: String) {
    guard let bar = stored.firstIndex(of: "|") else { return nil }
    let codes = stored[stored.index(after: bar)...]
    self.init(
      promise: String(stored[..<bar]),
      blockers: codes.isEmpty ? [] : codes.split(separator: ",").map(String.init))
  }

  /// What changed from `self` to `now`, for people: "promise at_risk → missed; +short_pick".
  public func changes(to now: OrderFingerprint) -> String? {
    var parts: [String] = []
    if promise != now.promise { parts.append("promise \(promise) → \(now.promise)") }
    let gained = now.blockers.filter { !blockers.contains($0) }
    let lost = blockers.filter { !now.blockers.contains($0) }
    if !gained.isEmpty { parts.append("blockers gained: " + gained.joined(separator: ", ")) }
    if !lost.isEmpty { parts.append("blockers cleared: " + lost.joined(separator: ", ")) }
    return parts.isEmpty ? nil : parts.joined(separator: "; ")
  }
}

/// A draft message about one order, as composed (not yet stored).
public struct Draft: Sendable, Equatable {
  public var orderID: String
  public var audience: DraftAudience
  public var statements: [DraftStatement]
  public var fingerprint: OrderFingerprint
  /// The time the draft was composed for (`--now`).
  public var composedFor: Int64
  /// Problems worth a reviewer's eye (an internal identifier in a support text, a missing template).
  public var warnings: [String]

  public init(
    orderID: String, audience: DraftAudience, statements: [DraftStatement],
    fingerprint: OrderFingerprint,
    composedFor: Int64, warnings: [String] = []
  ) {
    self.orderID = orderID
    self.audience = audience
    self.statements = statements
    self.fingerprint = fingerprint
    self.composedFor = composedFor
    self.warnings = warnings
  }

  /// The message itself: the statements laid out as paragraphs, lines and list items.
  public var text: String { Draft.layout(statements) }

  /// Every source behind the draft, each once, in the order the statements use them.
  public var sources: [String] {
    var seen = Set<String>()
    var out: [String] = []
    for s in statements {
      for src in s.sources where seen.insert(src.ref).inserted { out.append(src.ref) }
    }
    return out
  }

  /// Joins statements by their layout.
  public static func layout(_ statements: [DraftStatement]) -> String {
    var out = ""
    for s in statements where !s.text.isEmpty {
      if !out.isEmpty {
        switch s.layout {
        case .paragraph: out += "\n\n"
        case .line, .bullet: out += "\n"
        case .sentence: out += " "
        }
      }
      out += s.layout == .bullet ? "- " + s.text : s.text
    }
    return out
  }

  /// The paragraph number (1-based, as a reader counts blocks separated by blank lines) of each
  /// statement that has text.
  public var paragraphNumbers: [Int?] {
    var n = 0
    var out: [Int?] = []
    for s in statements {
      if s.text.isEmpty {
        out.append(nil)
        continue
      }
      if n == 0 || s.layout == .paragraph { n += 1 }
      out.append(n)
    }
    return out
  }
}

/// Where a stored draft is in its review.
public enum DraftStatus: String, Sendable, CaseIterable, Hashable {
  /// Written, waiting for review; may be edited in place.
  case draft
  /// Approved: frozen. An edit makes a new version.
  case approved
  /// Rejected, with a reason: frozen. An edit makes a new version.
  case rejected
  /// Was approved, and a later approved draft of the same order and audience replaced it.
  case superseded
}

/// A draft kept in the store, with its review state.
public struct StoredDraft: Sendable, Equatable {
  public var id: Int64
  public var orderID: String
  public var audience: DraftAudience
  /// 1 for a first draft; a new version of a frozen draft counts on from it.
  public var version: Int
  /// The draft this one is a new version of.
  public var parent: Int64?
  public var status: DraftStatus
  public var text: String
  /// The statements as composed, with their sources (an edit changes the text, not these).
  public var statements: [DraftStatement]
  public var fingerprint: OrderFingerprint
  public var composedFor: Int64
  public var createdAt: Int64
  public var createdBy: String
  public var updatedAt: Int64
  public var updatedBy: String
  /// True once the text was edited by hand.
  public var edited: Bool
  /// Set when the order's open blockers or promise status changed since the draft was made;
  /// nil when that could not be checked (the order is gone).
  public var staleBecause: String?

  public var isStale: Bool { staleBecause != nil }

  /// The status to show: `stale` for a draft waiting for review whose order has moved on.
  public var displayStatus: String {
    status == .draft && isStale ? "stale" : status.rawValue
  }

  /// Every source behind the draft, each once.
  public var sources: [String] {
    Draft(
      orderID: orderID, audience: audience, statements: statements, fingerprint: fingerprint,
      composedFor: composedFor
    ).sources
  }
}

/// One step in a draft's history: who did what, when.
public struct DraftAuditEntry: Sendable, Equatable {
  public var draft: Int64
  public var at: Int64
  public var who: String
  /// `created`, `edited`, `approved`, `rejected`, `revised` (a new version was made from it),
  /// `superseded`.
  public var action: String
  public var fromStatus: String?
  public var toStatus: String?
  /// The reason for a rejection, the other draft of a revision or supersession, a comment.
  public var note: String
  /// The text after the step (for `created` and `edited`).
  public var text: String?
}
