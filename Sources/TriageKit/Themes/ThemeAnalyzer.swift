import Foundation
import TriageCore

/// Builds the answer of `themes`: blocker mentions of a window grouped by theme, reason, owner,
/// SKU, location, customer, carrier or source, against the window before, with time to resolve,
/// example notes and what recurs.
///
/// Everything is counted in SQL; Swift sees one row per (group, day, code), a few hundred
/// resolutions and a few dozen candidate examples, whatever the window's size.
public struct ThemeAnalyzer {
  public var store: Store
  public var lexicon: Lexicon
  public var rules: RecurrenceRules

  /// Time to resolve is measured on at most this many of the newest resolutions per code.
  public static let ttrSample = 200
  /// Examples shown per group.
  public static let examplesPerGroup = 3
  /// Candidates gathered per code before choosing examples (newest days first).
  static let candidatesPerCode = 12

  public init(store: Store, lexicon: Lexicon, rules: RecurrenceRules = RecurrenceRules()) {
    self.store = store
    self.lexicon = lexicon
    self.rules = rules
  }

  /// What to include beyond the counts.
  public struct Options: Sendable {
    public var examples = true
    public var timeToResolve = true
    public var recurrence = true
    /// At most this many groups (nil: all); examples and time to resolve only for those.
    public var limit: Int?
    public var recurrenceLimit = 10

    public init(examples: Bool = true, timeToResolve: Bool = true, recurrence: Bool = true, limit: Int? = nil, recurrenceLimit: Int = 10) {
      self.examples = examples
      self.timeToResolve = timeToResolve
      self.recurrence = recurrence
      self.limit = limit
      self.recurrenceLimit = recurrenceLimit
    }
  }

  /// The group a reason code belongs to for a code-made dimension.
  public func group(of code: String, _ d: ThemeDimension) -> String {
    guard let c = lexicon.code(named: code) else { return code }
    switch d {
    case .theme: return c.theme
    case .owner: return c.owner
    default: return c.code
    }
  }

  public func summary(_ w: ThemeWindow, by d: ThemeDimension, options: Options = Options()) throws(TriageError) -> ThemeSummary {
    let started = ThemeTrace.now()
    let days = w.days
    let dayIndex = { (day: Int64) in Int(day - w.firstDay) }
    let current = try store.reasonCounts(in: w)
    let total = current.filter { $0.status == 0 }.reduce(0) { $0 + $1.n }
    let resolvedTotal = current.filter { $0.status == 1 }.reduce(0) { $0 + $1.n }
    var open: [MentionCount]
    var previous: [MentionCount]
    var resolved: [MentionCount]
    var unattributed = 0
    if d.byCode {
      open = current.filter { $0.status == 0 }.map { var m = $0; m.value = group(of: $0.code, d); return m }
      resolved = current.filter { $0.status == 1 }.map { var m = $0; m.value = group(of: $0.code, d); return m }
      previous = try store.reasonCounts(in: w.previous).filter { $0.status == 0 }.map {
        var m = $0
        m.value = group(of: $0.code, d)
        return m
      }
    } else {
      let codes = Set(current.map(\.code)).sorted()
      open = try store.mentionCounts(d, in: w, status: 0, codes: codes)
      resolved = try store.mentionCounts(d, in: w, status: 1, codes: codes)
      let previousCodes = Set(try store.reasonCounts(in: w.previous).map(\.code)).sorted()
      previous = try store.mentionCounts(d, in: w.previous, status: 0, codes: previousCodes)
      if d != .source {
        unattributed = max(0, total - (try store.attributedMentions(d, in: w, codes: codes)))
      }
    }
    // Fold into groups.
    var byKey: [String: ThemeGroup] = [:]
    func empty(_ key: String) -> ThemeGroup {
      ThemeGroup(
        key: key, count: 0, previous: 0, share: 0, trend: .flat, resolved: 0, timeToResolve: nil,
        daily: Array(repeating: 0, count: days.count), codes: [], examples: [])
    }
    var codeCounts: [String: [String: Int]] = [:]
    for m in open {
      var g = byKey[m.value] ?? empty(m.value)
      g.count += m.n
      let i = dayIndex(m.day)
      if i >= 0 && i < g.daily.count { g.daily[i] += m.n }
      byKey[m.value] = g
      codeCounts[m.value, default: [:]][m.code, default: 0] += m.n
    }
    for m in resolved {
      var g = byKey[m.value] ?? empty(m.value)
      g.resolved += m.n
      byKey[m.value] = g
    }
    for m in previous {
      // Entity groupings only list what is in the window; a theme or owner that went quiet
      // is worth a row.
      guard d.byCode || byKey[m.value] != nil else { continue }
      var g = byKey[m.value] ?? empty(m.value)
      g.previous += m.n
      byKey[m.value] = g
    }
    var groups: [ThemeGroup] = []
    for (key, var g) in byKey where g.count > 0 || g.previous > 0 {
      g.share = total > 0 ? Double(g.count) / Double(total) : 0
      g.trend = Trend(current: g.count, previous: g.previous)
      g.codes = (codeCounts[key] ?? [:]).map { ThemeGroup.CodeCount(code: $0.key, count: $0.value) }
        .sorted { $0.count != $1.count ? $0.count > $1.count : codeIndex($0.code) < codeIndex($1.code) }
      groups.append(g)
    }
    groups.sort { $0.count != $1.count ? $0.count > $1.count : ($0.previous != $1.previous ? $0.previous > $1.previous : $0.key < $1.key) }
    if let limit = options.limit, groups.count > limit { groups = Array(groups.prefix(limit)) }

    ThemeTrace.log("counts", since: started)
    let details = { () throws(TriageError) in
      var t0 = ThemeTrace.now()
      if options.timeToResolve {
        let ttr = try timesToResolve(w, by: d, codes: Set(resolved.map(\.code)).sorted())
        for i in groups.indices { groups[i].timeToResolve = ttr[groups[i].key] }
      }
      ThemeTrace.log("time to resolve", since: t0)
      t0 = ThemeTrace.now()
      if options.examples {
        for i in groups.indices where groups[i].count > 0 {
          groups[i].examples = try examples(for: groups[i], by: d, in: w)
        }
      }
      ThemeTrace.log("examples", since: t0)
    }
    var recurring: [RecurrenceHit] = []
    if options.recurrence && !rules.rules.isEmpty {
      // The rules start on a second connection while this thread finds times and examples.
      recurring = try RecurrenceDetector(store: store, rules: rules).detect(
        w, limit: options.recurrenceLimit, alongside: details)
    } else {
      try details()
    }
    return ThemeSummary(
      window: w, dimension: d, total: total, previousTotal: previous.reduce(0) { $0 + $1.n },
      resolvedTotal: resolvedTotal, groups: groups, unattributed: unattributed, recurring: recurring)
  }

  func codeIndex(_ code: String) -> Int { lexicon.code(named: code)?.index ?? Int.max }

  // MARK: Time to resolve

  /// The median time from first open to first later resolved mention, per group.
  ///
  /// An episode is one order and one code: from the first open mention of the code on the
  /// order's notes to the first resolved mention after it. Episodes whose resolution falls in the
  /// window count; only the newest `ttrSample` resolutions per code are measured, so the cost
  /// stays small on a long window. Notes with no order have no episode.
  func timesToResolve(_ w: ThemeWindow, by d: ThemeDimension, codes: [String]) throws(TriageError) -> [String: ResolveTime] {
    var durations: [String: [Int64]] = [:]
    var sampled: Set<String> = []
    var facts: [String: (customer: String, carrier: String)] = [:]
    for code in codes {
      let list = try store.resolutions(code: code, in: w, limit: ThemeAnalyzer.ttrSample)
      let capped = list.count >= ThemeAnalyzer.ttrSample
      for r in list {
        let history = try store.mentions(code: code, order: r.order, upTo: r.at)
        guard let firstOpen = history.firstIndex(where: { !$0.resolved }) else { continue }
        // The episode's resolution is the first resolved mention after the first open one.
        guard let firstResolved = history[firstOpen...].firstIndex(where: { $0.resolved }),
          history[firstResolved].note == r.note
        else { continue }
        let opened = history[firstOpen]
        let seconds = r.at - opened.at
        var keys: [String] = []
        switch d {
        case .theme, .owner, .reason: keys = [group(of: code, d)]
        case .sku: keys = try store.refs(note: opened.note, kind: 1)
        case .location: keys = try store.refs(note: opened.note, kind: 2)
        case .customer, .carrier:
          if facts[r.order] == nil { facts.merge(try store.orderFacts([r.order])) { a, _ in a } }
          if let f = facts[r.order] { keys = [d == .customer ? f.customer : f.carrier].filter { !$0.isEmpty } }
        case .source:
          if let n = try store.note(row: opened.note) { keys = [n.source] }
        }
        for k in keys {
          durations[k, default: []].append(seconds)
          if capped { sampled.insert(k) }
        }
      }
    }
    var out: [String: ResolveTime] = [:]
    for (k, list) in durations where !list.isEmpty {
      let s = list.sorted()
      let median = s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
      out[k] = ResolveTime(median: median, episodes: s.count, sampled: sampled.contains(k))
    }
    return out
  }

  // MARK: Examples

  /// Two or three notes that show what a group is about.
  ///
  /// Candidates are the group's open mentions, newest days first, up to a dozen per code. The
  /// choice is deterministic: a note raising only this reason before one raising several (it is
  /// about one thing), then the higher score (the stronger evidence), then the newer note. For a
  /// group of several codes, the codes take turns, largest first; a text already chosen is not
  /// chosen twice.
  func examples(for g: ThemeGroup, by d: ThemeDimension, in w: ThemeWindow) throws(TriageError) -> [ThemeExample] {
    var perCode: [String: [Store.MentionNote]] = [:]
    let codes = g.codes.map(\.code)
    if d == .source {
      var all: [Store.MentionNote] = []
      for day in w.days.reversed() where all.count < ThemeAnalyzer.candidatesPerCode * 2 {
        all += try store.openMentions(source: g.key, day: day, in: w)
      }
      for m in all { perCode[m.code, default: []].append(m) }
    } else {
      for code in codes {
        var list: [Store.MentionNote] = []
        for day in w.days.reversed() where list.count < ThemeAnalyzer.candidatesPerCode {
          switch d {
          case .theme, .owner, .reason: list += try store.openMentions(code: code, day: day, in: w)
          case .sku: list += try store.openMentions(code: code, day: day, kind: 1, value: g.key, in: w)
          case .location: list += try store.openMentions(code: code, day: day, kind: 2, value: g.key, in: w)
          case .customer: list += try store.openMentions(code: code, day: day, kind: 4, value: g.key, in: w)
          case .carrier: list += try store.openMentions(code: code, day: day, kind: 5, value: g.key, in: w)
          case .source: break
          }
        }
        perCode[code] = list
      }
    }
    for (code, list) in perCode {
      perCode[code] = list.sorted {
        let a = $0.reasonCount == 1
        let b = $1.reasonCount == 1
        if a != b { return a }
        if $0.score != $1.score { return $0.score > $1.score }
        if $0.createdAt != $1.createdAt { return $0.createdAt > $1.createdAt }
        return $0.note > $1.note
      }
    }
    var picked: [ThemeExample] = []
    var seenNotes = Set<Int64>()
    var seenTexts = Set<String>()
    var cursor: [String: Int] = [:]
    let order = codes.filter { perCode[$0] != nil } + perCode.keys.filter { !codes.contains($0) }.sorted()
    var progress = true
    while picked.count < ThemeAnalyzer.examplesPerGroup && progress {
      progress = false
      for code in order where picked.count < ThemeAnalyzer.examplesPerGroup {
        let list = perCode[code] ?? []
        var i = cursor[code] ?? 0
        while i < list.count {
          let m = list[i]
          i += 1
          guard seenNotes.insert(m.note).inserted, let n = try store.note(row: m.note) else { continue }
          let folded = n.text.lowercased().trimmingCharacters(in: .whitespacesAndNewlines)
          guard seenTexts.insert(folded).inserted else { continue }
          picked.append(ThemeExample(
            noteID: n.noteID, createdAt: n.createdAt, source: n.source, orderID: n.orderID, code: m.code, text: n.text))
          progress = true
          break
        }
        cursor[code] = i
      }
    }
    return picked
  }
}

/// Phase timings on stderr when `TRIAGE_TRACE` is set (for measuring, not for users).
enum ThemeTrace {
  static let enabled = ProcessInfo.processInfo.environment["TRIAGE_TRACE"] != nil

  static func now() -> Double { enabled ? Date().timeIntervalSince1970 : 0 }

  static func log(_ what: String, since t0: Double) {
    guard enabled else { return }
    FileHandle.standardError.write(Data("trace: \(what) \(Int((Date().timeIntervalSince1970 - t0) * 1000)) ms\n".utf8))
  }
}
