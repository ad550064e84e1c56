import TriageCore

/// A date the data supports (a carrier ETA, a PO or restock date), or the withdrawal of one
/// ("new delivery date pending"), with the note or record it was read from.
public struct SupportedDate: Sendable, Equatable {
  public enum Kind: String, Sendable, CaseIterable, Hashable {
    /// Stock (or material) arriving at the warehouse: a PO due date, a restock, an inbound receipt.
    case restock
    /// The parcel reaching the customer: a carrier ETA, a new delivery date.
    case delivery
  }

  public var kind: Kind
  /// The site-local day number; nil when the source withdraws a date ("date pending", "no ETA").
  public var day: Int64?
  /// The note id or data record.
  public var source: String
  /// The words it was read from (`PO 88412 due 12/01`).
  public var phrase: String
  /// When the source was written: a later mention replaces an earlier one.
  public var at: Int64

  public init(kind: Kind, day: Int64?, source: String, phrase: String, at: Int64) {
    self.kind = kind
    self.day = day
    self.source = source
    self.phrase = phrase
    self.at = at
  }
}

/// Reads supported dates out of free text with a few rules, never guessing.
///
/// A date counts only when a cue word comes shortly before it in the same clause: `eta 11/25`,
/// `New estimated delivery: Tue 11/26`, `PO 4471 due Fri`, `inbound ASN shows 12/1`, `pushed to
/// 12/8`, `new estimated delivery in 2 days`, `arriving by end of day`. Weekdays, `M/D`, `M/D/YY`,
/// `YYYY-MM-DD`, `Dec 3`, `3 Dec`, `today`, `tomorrow` and `in N days` resolve against the day
/// the note was written (site clock); a weekday is the next one on or after it, a `M/D` more
/// than two months before it is next year's. Dates after `after`, `until`, `since` or `was due`
/// are not promises and are skipped; vague ones (`early December`, `next week`) are not dates.
/// A clause with a cue and `pending`, `tbd` or `unknown`, or `no eta`, withdraws the date.
/// The kind is `restock` when the clause speaks of stock (PO, supplier, vendor, inbound, restock,
/// backorder, receipt), else `delivery`.
public enum DateExtractor {
  static let cues: Set<String> = [
    "eta", "estimated", "delivery", "deliver", "delivered", "arriving", "arrives", "arrival", "due",
    "restock",
    "restocked", "inbound", "shows", "pushed", "moved", "receipt", "rescheduled", "expect",
    "expecting", "eda",
  ]
  static let restockWords: Set<String> = [
    "po", "restock", "restocked", "stock", "inbound", "asn", "supplier", "vendor", "backorder",
    "backordered",
    "receipt", "receiving", "replenishment", "crates", "crate", "cartons", "container",
  ]
  /// Words that may sit between a cue and its date.
  static let fillers: Set<String> = [
    "on", "by", "is", "to", "the", "for", "of", "now", "around", "approx", "about", "set",
    "scheduled", "date",
    "new", "estimated", "delivery", "expected", "shows", "eta", "at", "be", "will", "should", "it",
    "in",
  ]
  static let notPromises: Set<String> = [
    "after", "until", "till", "til", "through", "thru", "since", "from", "before", "past",
    "expiring", "expires", "expiry",
  ]
  static let withdrawals: Set<String> = ["pending", "tbd", "tba", "unknown", "unconfirmed"]
  static let weekdays: [String: Int] = [
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2, "wednesday": 2,
    "thu": 3,
    "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4, "sat": 5, "saturday": 5, "sun": 6,
    "sunday": 6,
  ]
  static let months: [String: Int] = [
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5,
    "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9,
    "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
  ]

  struct Token {
    var text: String
    var range: Range<String.Index>
  }

  /// The dates (and withdrawals) a text supports, in the order they appear.
  ///
  /// - Parameters:
  ///   - writtenDay: the site-local day the text was written, which relative dates count from.
  ///   - businessDays: the site's business days, for `in N business days`.
  /// - Complexity: O(n) in the text's length.
  public static func mentions(
    in text: String, writtenAt: Int64, writtenDay: Int64, source: String,
    businessDays: Set<Int> = [0, 1, 2, 3, 4]
  ) -> [SupportedDate] {
    var out: [SupportedDate] = []
    for clause in clauses(text) {
      let words = clause.map(\.text)
      let restock = words.contains { restockWords.contains($0) }
      let kind: SupportedDate.Kind = restock ? .restock : .delivery
      // A withdrawal: a cue and "pending", or "no eta".
      let hasCue = words.contains { cues.contains($0) || $0 == "date" }
      let withdrawn =
        (hasCue && words.contains { withdrawals.contains($0) })
        || zip(words, words.dropFirst()).contains { $0 == "no" && ($1 == "eta" || $1 == "date") }
      var found = false
      var i = 0
      while i < clause.count {
        guard
          let (day, length) = date(
            at: i, in: words, writtenDay: writtenDay, businessDays: businessDays)
        else {
          i += 1
          continue
        }
        defer { i += length }
        // Walk back over fillers to the cue; "after", "until", "since" end the search.
        var k = i - 1
        var cueAt: Int?
        while k >= 0 && i - k <= 6 {
          let w = words[k]
          if notPromises.contains(w) { break }
          if cues.contains(w) {
            cueAt = k
            break
          }
          if !fillers.contains(w) { break }
          k -= 1
        }
        guard let c = cueAt else { continue }
        // "was due Friday" looks back, not forward.
        if c > 0 && ["was", "were", "supposed"].contains(words[c - 1]) { continue }
        guard day >= writtenDay else { continue }
        let start = clause[max(0, c - phraseLead(words, c))].range.lowerBound
        let end = clause[min(clause.count - 1, i + length - 1)].range.upperBound
        out.append(
          SupportedDate(
            kind: kind, day: day, source: source, phrase: String(text[start..<end]), at: writtenAt))
        found = true
      }
      if withdrawn && !found, let first = clause.first, let last = clause.last {
        out.append(
          SupportedDate(
            kind: kind, day: nil, source: source,
            phrase: String(text[first.range.lowerBound..<last.range.upperBound]), at: writtenAt))
      }
    }
    return out
  }

  /// How many words before the cue to quote: "PO 88412 due" rather than "due".
  static func phraseLead(_ words: [String], _ cue: Int) -> Int {
    var lead = 0
    var k = cue - 1
    while k >= 0 && lead < 3 {
      let w = words[k]
      if w.first?.isNumber == true || restockWords.contains(w)
        || ["new", "estimated", "vendor", "next", "shipment", "from"].contains(w)
      {
        lead += 1
        k -= 1
      } else {
        break
      }
    }
    return lead
  }

  /// A date expression starting at word `i`: its local day and how many words it spans.
  static func date(at i: Int, in w: [String], writtenDay: Int64, businessDays: Set<Int>) -> (
    Int64, Int
  )? {
    let word = w[i]
    func next(_ k: Int) -> String? { i + k < w.count ? w[i + k] : nil }
    let written = Timestamp.civil(day: writtenDay)
    func monthDay(_ m: Int, _ d: Int, year: Int? = nil) -> Int64? {
      guard (1...12).contains(m), (1...31).contains(d) else { return nil }
      if let year { return Timestamp.days(year: year, month: m, day: d) }
      var day = Timestamp.days(year: written.year, month: m, day: d)
      if day < writtenDay - 60 { day = Timestamp.days(year: written.year + 1, month: m, day: d) }
      return day
    }
    // Weekday, maybe followed by a numeric or named date that takes precedence.
    if let wd = weekdays[word] {
      if let n = next(1), weekdays[n] == nil,
        let (d, len) = date(at: i + 1, in: w, writtenDay: writtenDay, businessDays: businessDays)
      {
        return (d, len + 1)
      }
      let today = DraftPolicy.weekday(ofDay: writtenDay)
      return (writtenDay + Int64((wd - today + 7) % 7), 1)
    }
    if word == "today" || word == "tonight" || word == "eod" { return (writtenDay, 1) }
    if word == "tomorrow" || word == "tmrw" || word == "tmw" { return (writtenDay + 1, 1) }
    if word == "end", next(1) == "of" {
      if next(2) == "day" { return (writtenDay, 3) }
      if next(2) == "the", next(3) == "day" { return (writtenDay, 4) }
    }
    if word == "in", let n = next(1).flatMap({ Int($0) ?? numberWords[$0] }), n > 0, n < 60 {
      if next(2) == "days" || next(2) == "day" { return (writtenDay + Int64(n), 3) }
      if next(2) == "business", next(3) == "days" || next(3) == "day" {
        var d = writtenDay
        var left = n
        while left > 0 {
          d += 1
          if businessDays.contains(DraftPolicy.weekday(ofDay: d)) { left -= 1 }
        }
        return (d, 4)
      }
    }
    // 12/1, 12/01/26, 2026-12-01
    let slash = word.split(separator: "/", omittingEmptySubsequences: false)
    if slash.count == 2 || slash.count == 3,
      slash.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) })
    {
      guard let m = Int(slash[0]), let d = Int(slash[1]) else { return nil }
      var year: Int?
      if slash.count == 3, let y = Int(slash[2]) { year = y < 100 ? 2000 + y : y }
      return monthDay(m, d, year: year).map { ($0, 1) }
    }
    let dash = word.split(separator: "-")
    if dash.count == 3, dash[0].count == 4, let y = Int(dash[0]), let m = Int(dash[1]),
      let d = Int(dash[2])
    {
      return monthDay(m, d, year: y).map { ($0, 1) }
    }
    // Dec 3, December 3rd, 3 Dec
    if let m = months[word], let n = next(1), let d = ordinal(n) {
      return monthDay(m, d).map { ($0, 2) }
    }
    if let d = ordinal(word), let n = next(1), let m = months[n] {
      return monthDay(m, d).map { ($0, 2) }
    }
    return nil
  }

  static let numberWords = [
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10,
  ]

  /// `3`, `3rd`, `21st` → the number.
  static func ordinal(_ s: String) -> Int? {
    var digits = s
    for suffix in ["st", "nd", "rd", "th"] where digits.hasSuffix(suffix) {
      digits = String(digits.dropLast(2))
    }
    guard !digits.isEmpty, digits.count <= 2, digits.allSatisfy(\.isNumber) else { return nil }
    return Int(digits)
  }

  /// Lower-cased words, split into clauses at sentence ends, semicolons, commas and line ends.
  static func clauses(_ text: String) -> [[Token]] {
    var out: [[Token]] = []
    var current: [Token] = []
    var word = ""
    var start = text.startIndex
    var idx = text.startIndex
    func flush(_ end: String.Index) {
      if !word.isEmpty { current.append(Token(text: word, range: start..<end)) }
      word = ""
    }
    func boundary() {
      if !current.isEmpty { out.append(current) }
      current = []
    }
    let scalars = text.unicodeScalars
    var prev: Unicode.Scalar?
    while idx < text.endIndex {
      let c = scalars[idx]
      let nextIdx = scalars.index(after: idx)
      let following: Unicode.Scalar? = nextIdx < text.endIndex ? scalars[nextIdx] : nil
      let isWordChar = c.properties.isAlphabetic || ("0"..."9").contains(c)
      let joiner =
        (c == "/" || c == "-" || c == "'" || c == ":" || c == ".")
        && prev.map { $0.properties.isAlphabetic || ("0"..."9").contains($0) } == true
        && following.map {
          ("0"..."9").contains($0) || (c != "." && c != ":" && $0.properties.isAlphabetic)
        } == true
        && !(c == "."
          && !(("0"..."9").contains(prev ?? " ") && ("0"..."9").contains(following ?? " ")))
      if isWordChar || (joiner && !word.isEmpty) {
        if word.isEmpty { start = idx }
        word += String(c).lowercased()
      } else {
        flush(idx)
        if c == "." || c == "!" || c == "?" || c == ";" || c == "," || c == "\n" || c == "\r" {
          boundary()
        }
      }
      prev = c
      idx = nextIdx
    }
    flush(text.endIndex)
    boundary()
    return out
  }
}
