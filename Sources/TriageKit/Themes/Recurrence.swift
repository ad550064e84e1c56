import TriageCore

/// Something that hit the same reasons again and again within a window, and what it suggests.
public struct RecurrenceHit: Sendable, Equatable {
  /// The rule's index in recurrence.txt (rules earlier in the file win ties and overlaps).
  public var ruleIndex: Int
  public var rule: RecurrenceRule
  /// The SKU, location, `SKU @ location`, customer, carrier, order or place.
  public var value: String
  /// Distinct notes plus failed events.
  public var count: Int
  public var notes: Int
  public var events: Int
  /// The count that made it recurring in this window.
  public var threshold: Int
  /// The newest notes (ids), at most three.
  public var exampleNotes: [String]
  /// The failed events (ids), newest first, at most three.
  public var exampleEvents: [String]
  public var lastSeen: Int64?
}

/// Applies the recurrence rules to a window.
///
/// Each rule counts, per value of its grouping, the distinct notes with an open mention of its
/// codes (and, with `events`, the failed hand-offs whose ref is that SKU or order). A value at or
/// above the rule's threshold is a hit. Hits are ranked by count (then rule order, then value);
/// a hit whose notes are mostly (three quarters or more) those of a hit already shown adds
/// nothing and is left out, so "88213 @ B-14-02" is not repeated as "B-14-02" and as "88213".
public struct RecurrenceDetector {
  public var store: Store
  public var rules: RecurrenceRules

  public init(store: Store, rules: RecurrenceRules) {
    self.store = store
    self.rules = rules
  }

  /// The share of a hit's notes already shown that makes it redundant.
  public static let overlap = 0.75

  public func detect(_ w: ThemeWindow, limit: Int = 10) throws(TriageError) -> [RecurrenceHit] {
    var candidates: [RecurrenceHit] = []
    var placeNotes: [String: [(Int64, Int64)]] = [:]
    var failed: [Store.FailedEvent]?
    for (index, rule) in rules.rules.enumerated() {
      let threshold = rule.threshold(for: w)
      var notes: [String: Int] = [:]
      var events: [String: [Store.FailedEvent]] = [:]
      if rule.kind == .place {
        for code in rule.codes {
          for m in try store.openMentionTexts(code: code, in: w) {
            for place in PlaceMatcher.places(in: m.text, rules.places) {
              placeNotes["\(index)\u{0}\(place)", default: []].append((m.note, m.at))
            }
          }
        }
        for (key, list) in placeNotes where key.hasPrefix("\(index)\u{0}") {
          let unique = Dictionary(list.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
          notes[String(key.dropFirst("\(index)\u{0}".count))] = unique.count
        }
      } else {
        notes = try store.ruleCounts(codes: rule.codes, kind: rule.kind, in: w)
      }
      if rule.events {
        if failed == nil { failed = try store.failedEvents(in: w) }
        for e in failed ?? [] {
          let key: String?
          switch rule.kind {
          case .sku: key = e.order == nil ? e.ref : nil
          case .order: key = e.order == nil ? nil : e.ref
          case .customer: key = e.order?.customer
          case .carrier: key = e.order?.carrier
          default: key = nil
          }
          if let key, !key.isEmpty { events[key, default: []].append(e) }
        }
      }
      for value in Set(notes.keys).union(events.keys) {
        let n = notes[value] ?? 0
        let e = events[value] ?? []
        guard n + e.count >= threshold else { continue }
        let newest = e.sorted { $0.at != $1.at ? $0.at > $1.at : $0.eventID > $1.eventID }
        candidates.append(RecurrenceHit(
          ruleIndex: index, rule: rule, value: value, count: n + e.count, notes: n, events: e.count,
          threshold: threshold, exampleNotes: [], exampleEvents: newest.prefix(3).map(\.eventID),
          lastSeen: newest.first?.at))
      }
    }
    candidates.sort {
      if $0.count != $1.count { return $0.count > $1.count }
      if $0.ruleIndex != $1.ruleIndex { return $0.ruleIndex < $1.ruleIndex }
      return $0.value < $1.value
    }
    // Accept hits in rank order, skipping those that repeat one already accepted.
    var accepted: [RecurrenceHit] = []
    var shown = Set<Int64>()
    for var hit in candidates {
      if accepted.count >= limit { break }
      let notes: [(note: Int64, at: Int64)]
      switch hit.rule.kind {
      case .place:
        let list = placeNotes["\(hit.ruleIndex)\u{0}\(hit.value)"] ?? []
        notes = Dictionary(list.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
          .map { (note: $0.key, at: $0.value) }.sorted { $0.at != $1.at ? $0.at > $1.at : $0.note > $1.note }
      case .customer, .carrier:
        notes = try store.ruleNotes(codes: hit.rule.codes, orderColumn: hit.rule.kind.rawValue, value: hit.value, in: w, limit: 3)
      default:
        let kind = hit.rule.kind == .sku ? 1 : hit.rule.kind == .location ? 2 : hit.rule.kind == .skuLocation ? 3 : 0
        notes = try store.ruleNotes(codes: hit.rule.codes, refKind: kind, value: hit.value, in: w)
      }
      if hit.rule.kind != .customer && hit.rule.kind != .carrier && !notes.isEmpty {
        let repeated = notes.filter { shown.contains($0.note) }.count
        if Double(repeated) >= RecurrenceDetector.overlap * Double(notes.count) && hit.events == 0 { continue }
        for n in notes { shown.insert(n.note) }
      }
      var ids: [String] = []
      for n in notes.prefix(3) {
        if let note = try store.note(row: n.note) { ids.append(note.noteID) }
      }
      hit.exampleNotes = ids
      hit.lastSeen = max(hit.lastSeen ?? Int64.min, notes.first?.at ?? Int64.min)
      accepted.append(hit)
    }
    return accepted
  }
}
