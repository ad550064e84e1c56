import Foundation
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

  /// Rules that read note text (places, carriers named in notes without an order) read at most
  /// the last this-many days of the window, so a 90-day window stays fast on a big store; a
  /// place rule's minimum is scaled to the days read.
  public static let textDays: Int64 = 14

  /// The part of the window whose note text is read.
  static func textWindow(_ w: ThemeWindow) -> ThemeWindow {
    ThemeWindow(start: max(w.start, w.end - textDays * Timestamp.secondsPerDay), end: w.end)
  }

  /// The carriers of the orders, as places a note can name: the full name and, when it is one
  /// word of four letters or more, its first word ("Ridgeline" for "Ridgeline Freight").
  func carrierPlaces() throws(TriageError) -> [RecurrencePlace] {
    try store.carriers().map { name in
      var spellings = [PlaceMatcher.normalize(name)]
      if let first = spellings[0].split(separator: " ").first, first.count >= 4, first != spellings[0] {
        spellings.append(String(first))
      }
      return RecurrencePlace(name: name, spellings: spellings, location: SourceLocation(file: "orders"))
    }
  }

  public func detect(_ w: ThemeWindow, limit: Int = 10) throws(TriageError) -> [RecurrenceHit] {
    try detect(w, limit: limit) { () throws(TriageError) in }
  }

  /// `detect`, with `alongside` run on this thread meanwhile.
  ///
  /// The rules are independent queries, the bulk of a themes run. When the store is a file, a
  /// second connection on another thread starts on them at once; this thread runs `alongside`
  /// (the rest of the summary), then takes rules too. Each rule's outcome is kept by its index,
  /// so the answer does not depend on which thread read which rule.
  func detect(
    _ w: ThemeWindow, limit: Int, alongside: () throws(TriageError) -> Void
  ) throws(TriageError) -> [RecurrenceHit] {
    let queue = RuleQueue(count: rules.rules.count)
    let rules = self.rules
    let done = DispatchSemaphore(value: 0)
    var helping = false
    if rules.rules.count > 1, let second = store.secondReader() {
      helping = true
      let helper = Thread {
        RecurrenceDetector(store: second, rules: rules).work(on: queue, w)
        done.signal()
      }
      helper.stackSize = 8 << 20
      helper.start()
    }
    var failure: TriageError?
    do {
      try alongside()
    } catch {
      failure = error
      queue.stop()
    }
    work(on: queue, w)
    if helping { done.wait() }
    if let failure = failure ?? queue.failure { throw failure }
    let outcomes = queue.outcomes
    let found = outcomes.flatMap { $0?.candidates ?? [] }
    // The notes that named a hit's place or carrier in their text.
    func named(_ hit: RecurrenceHit) -> [(Int64, Int64)] { outcomes[hit.ruleIndex]?.namedNotes[hit.value] ?? [] }
    let byCount = { (a: RecurrenceHit, b: RecurrenceHit) -> Bool in
      if a.count != b.count { return a.count > b.count }
      if a.ruleIndex != b.ruleIndex { return a.ruleIndex < b.ruleIndex }
      return a.value < b.value
    }
    // The strongest candidates, taken in rule order so the more specific rule (earlier in the
    // file) keeps the notes and a later, broader hit that only repeats them is left out.
    let candidates = Array(found.sorted(by: byCount).prefix(limit * 4)).sorted {
      $0.ruleIndex != $1.ruleIndex ? $0.ruleIndex < $1.ruleIndex : byCount($0, $1)
    }
    var accepted: [RecurrenceHit] = []
    var shown = Set<Int64>()
    for var hit in candidates {
      let notes: [(note: Int64, at: Int64)]
      switch hit.rule.kind {
      case .place:
        let list = named(hit)
        notes = Dictionary(list.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
          .map { (note: $0.key, at: $0.value) }.sorted { $0.at != $1.at ? $0.at > $1.at : $0.note > $1.note }
      case .customer, .carrier:
        let fromText = named(hit).map { (note: $0.0, at: $0.1) }
        notes = (try store.ruleNotes(codes: hit.rule.codes, refKind: Store.refKind(hit.rule.kind) ?? 0, value: hit.value, in: w, limit: 3) + fromText)
          .sorted { $0.at != $1.at ? $0.at > $1.at : $0.note > $1.note }
      default:
        notes = try store.ruleNotes(codes: hit.rule.codes, refKind: Store.refKind(hit.rule.kind) ?? 0, value: hit.value, in: w)
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
    return Array(accepted.sorted(by: byCount).prefix(limit))
  }

  /// Takes rules from `queue` until none is left, keeping each outcome (or the first error).
  func work(on queue: RuleQueue, _ w: ThemeWindow) {
    var failed: [Store.FailedEvent]?
    while let index = queue.take() {
      do {
        queue.keep(try evaluate(index, rules.rules[index], in: w, failed: &failed), at: index)
      } catch {
        queue.fail(error)
      }
    }
  }

  /// One rule's candidate hits (before ranking), and the notes that named its places or
  /// carriers. `failed` holds the window's failed events once read.
  func evaluate(
    _ index: Int, _ rule: RecurrenceRule, in w: ThemeWindow, failed: inout [Store.FailedEvent]?
  ) throws(TriageError) -> RuleOutcome {
    var out = RuleOutcome()
    let t0 = ThemeTrace.now()
    defer { ThemeTrace.log("rule \(rule.title)", since: t0) }
    let textWindow = RecurrenceDetector.textWindow(w)
    let threshold = rule.threshold(for: rule.kind == .place ? textWindow : w)
    var notes: [String: Int] = [:]
    var events: [String: [Store.FailedEvent]] = [:]
    if rule.kind != .place {
      notes = try store.ruleCounts(codes: rule.codes, kind: rule.kind, in: w)
    }
    if rule.kind == .place || rule.kind == .carrier {
      // Places are read from the text; so are carriers named by site notes with no order
      // ("Ridgeline no-show for the 9am pickup"), counted on top of the orders' carriers.
      let places = rule.kind == .place ? rules.places : try carrierPlaces()
      for code in rule.codes {
        let texts = try store.openMentionTexts(
          code: code, in: textWindow, withoutOrder: rule.kind == .carrier, containing: places)
        for m in texts {
          for name in PlaceMatcher.places(in: m.text, places) {
            out.namedNotes[name, default: []].append((m.note, m.at))
          }
        }
      }
      for (name, list) in out.namedNotes { notes[name, default: 0] += Set(list.map(\.0)).count }
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
      out.candidates.append(RecurrenceHit(
        ruleIndex: index, rule: rule, value: value, count: n + e.count, notes: n, events: e.count,
        threshold: threshold, exampleNotes: [], exampleEvents: newest.prefix(3).map(\.eventID),
        lastSeen: newest.first?.at))
    }
    return out
  }
}

/// What one rule found.
struct RuleOutcome: Sendable {
  var candidates: [RecurrenceHit] = []
  /// Per place or carrier, the notes (id, time) that named it in their text.
  var namedNotes: [String: [(Int64, Int64)]] = [:]
}

/// The rules still to read, handed out by index to the threads reading them, and what each
/// found. After an error no more rules are handed out.
final class RuleQueue: @unchecked Sendable {
  private let lock = NSLock()
  private var next = 0
  private let count: Int
  private(set) var outcomes: [RuleOutcome?]
  private(set) var failure: TriageError?

  init(count: Int) {
    self.count = count
    outcomes = Array(repeating: nil, count: count)
  }

  func take() -> Int? {
    lock.withLock {
      guard failure == nil, next < count else { return nil }
      next += 1
      return next - 1
    }
  }

  func keep(_ outcome: RuleOutcome, at index: Int) {
    lock.withLock { outcomes[index] = outcome }
  }

  func fail(_ error: TriageError) {
    lock.withLock { if failure == nil { failure = error } }
  }

  /// Hands out no more rules (the caller failed on its own).
  func stop() {
    lock.withLock { next = count }
  }
}
