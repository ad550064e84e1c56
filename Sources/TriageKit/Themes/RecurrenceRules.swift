import Foundation
import TriageCore

/// What a recurrence rule groups mentions by.
public enum RecurrenceKind: String, Sendable, CaseIterable {
  case sku
  case location
  /// A SKU at one location: `88213 @ B-14-02`.
  case skuLocation = "sku+location"
  case customer
  case carrier
  case order
  /// A named place or machine (`place` lines): a pack station, a conveyor, a dock door.
  case place
}

/// A named place or machine that notes talk about without an identifier ("PS3", "pack station
/// 3"). A note is about it when its words contain one of the spellings, whole words in order.
public struct RecurrencePlace: Sendable, Equatable {
  public var name: String
  /// Normalized spellings: lowercase words separated by one space.
  public var spellings: [String]
  public var location: SourceLocation
}

/// One line of `recurrence.txt`: which reasons, grouped by what, how often, and what it
/// suggests.
public struct RecurrenceRule: Sendable, Equatable {
  /// Reason codes whose open mentions count.
  public var codes: [String]
  /// Whether failed hand-offs in events.csv (rejected, error, duplicate) count too, by ref.
  public var events: Bool
  public var kind: RecurrenceKind
  /// How many notes (and events) within 7 days make it recurring; a longer window scales it.
  public var minimum: Int
  public var theme: String
  public var suggestion: String
  public var location: SourceLocation

  /// The count needed in a window: `minimum` per 7 days, never less than `minimum`.
  public func threshold(for w: ThemeWindow) -> Int {
    let week = Double(7 * Timestamp.secondsPerDay)
    return max(minimum, Int((Double(minimum) * Double(w.length) / week).rounded(.up)))
  }

  /// `short_pick by sku+location`.
  public var title: String {
    (codes + (events ? ["events"] : [])).joined(separator: ",") + " by " + kind.rawValue
  }
}

/// The rules of `Lexicons/recurrence.txt`: data, so a site can change what counts as recurring
/// and what it suggests without touching code.
///
/// ```
/// version 1
/// place "pack station 3" ps3 "pack 3"
/// short_pick  by=sku+location  min=3  theme="slotting & replenishment"  suggest="re-slot..."
/// integration_error,events  by=sku  min=3  theme="system sync"  suggest="..."
/// ```
public struct RecurrenceRules: Sendable, Equatable {
  public var rules: [RecurrenceRule]
  public var places: [RecurrencePlace]

  public init(rules: [RecurrenceRule] = [], places: [RecurrencePlace] = []) {
    self.rules = rules
    self.places = places
  }

  public static let fileName = "recurrence.txt"

  /// Reads `recurrence.txt` from a lexicon directory; no file means no rules.
  public static func load(directory: String, codes: [ReasonCode]) throws(TriageError) -> RecurrenceRules {
    let path = (directory as NSString).appendingPathComponent(fileName)
    guard FileManager.default.fileExists(atPath: path) else { return RecurrenceRules() }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw TriageError(.noInput, "cannot read '\(path)'")
    }
    return try parse([UInt8](data), file: path, codes: codes.map(\.code))
  }

  /// Parses the file's bytes; every mistake stops with `path:line:col`.
  public static func parse(_ bytes: [UInt8], file: String, codes known: [String]) throws(TriageError) -> RecurrenceRules {
    var out = RecurrenceRules()
    for line in try LexiconScanner.lines(of: bytes, file: file) {
      let first = line.fields[0]
      if first.text == "place" && !first.quoted {
        out.places.append(try parsePlace(line, file: file, existing: out.places))
        continue
      }
      out.rules.append(try parseRule(line, file: file, known: known))
    }
    for rule in out.rules where rule.kind == .place && out.places.isEmpty {
      throw .data("a rule groups by place but the file names no place (place NAME SPELLING...)", at: rule.location)
    }
    return out
  }

  static func parsePlace(_ line: LexiconLine, file: String, existing: [RecurrencePlace]) throws(TriageError) -> RecurrencePlace {
    guard line.fields.count >= 2 else {
      throw .data("expected a name after 'place' (place NAME SPELLING...)", at: line.endLocation(file))
    }
    let name = line.fields[1].text
    if existing.contains(where: { $0.name == name }) {
      throw .data("place '\(name)' is named twice", at: line.location(file, field: 1))
    }
    var spellings: [String] = []
    for (k, f) in line.fields.enumerated().dropFirst() {
      let s = PlaceMatcher.normalize(f.text)
      guard !s.isEmpty else {
        throw .data("a place spelling needs a letter or digit, found '\(f.text)'", at: line.location(file, field: k))
      }
      if !spellings.contains(s) { spellings.append(s) }
    }
    return RecurrencePlace(name: name, spellings: spellings, location: line.location(file))
  }

  static func parseRule(_ line: LexiconLine, file: String, known: [String]) throws(TriageError) -> RecurrenceRule {
    let head = line.fields[0]
    var codes: [String] = []
    var events = false
    var column = head.column
    for part in head.text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
      let at = SourceLocation(file: file, line: line.number, column: column)
      column += part.unicodeScalars.count + 1
      if part == "events" {
        events = true
        continue
      }
      guard known.contains(part) else {
        if part.isEmpty { throw .data("expected a reason code before or after ','", at: at) }
        throw .data("unknown reason code '\(part)'\(Suggest.didYouMean(part, in: known + ["events", "place"]))", at: at)
      }
      if codes.contains(part) { throw .data("reason code '\(part)' is listed twice", at: at) }
      codes.append(part)
    }
    var kind: RecurrenceKind?
    var minimum: Int?
    var theme: String?
    var suggestion: String?
    let keys = ["by", "min", "theme", "suggest"]
    for (k, f) in line.fields.enumerated().dropFirst() {
      let at = line.location(file, field: k)
      guard !f.quoted, let eq = f.text.firstIndex(of: "=") else {
        throw .data("expected key=value (one of \(keys.joined(separator: ", "))), found '\(f.text)'", at: at)
      }
      let key = String(f.text[..<eq])
      let value = String(f.text[f.text.index(after: eq)...])
      let valueAt = SourceLocation(file: file, line: line.number, column: f.column + key.unicodeScalars.count + 1)
      switch key {
      case "by":
        guard let k = RecurrenceKind(rawValue: value) else {
          let kinds = RecurrenceKind.allCases.map(\.rawValue)
          throw .data(
            "unknown grouping '\(value)'; expected one of \(kinds.joined(separator: ", "))\(Suggest.didYouMean(value, in: kinds))",
            at: valueAt)
        }
        kind = k
      case "min":
        guard let n = Int(value), n >= 2, n <= 10_000 else {
          throw .data("min expects a whole number from 2 to 10000, found '\(value)'", at: valueAt)
        }
        minimum = n
      case "theme":
        guard !value.isEmpty else { throw .data("theme must not be empty", at: valueAt) }
        theme = value
      case "suggest":
        guard !value.isEmpty else { throw .data("suggest must not be empty", at: valueAt) }
        suggestion = value
      default:
        throw .data("unknown key '\(key)'; expected one of \(keys.joined(separator: ", "))\(Suggest.didYouMean(key, in: keys))", at: at)
      }
    }
    let end = line.endLocation(file)
    guard let kind else { throw .data("missing by= (\(RecurrenceKind.allCases.map(\.rawValue).joined(separator: ", ")))", at: end) }
    guard let minimum else { throw .data("missing min= (how many within 7 days)", at: end) }
    guard let theme else { throw .data("missing theme=\"...\"", at: end) }
    guard let suggestion else { throw .data("missing suggest=\"...\"", at: end) }
    if events && ![.sku, .order, .customer, .carrier].contains(kind) {
      throw .data("'events' counts by their ref (a SKU or an order): use by=sku, order, customer or carrier", at: line.location(file))
    }
    if codes.isEmpty && kind == .place {
      throw .data("a place rule needs reason codes", at: line.location(file))
    }
    return RecurrenceRule(
      codes: codes, events: events, kind: kind, minimum: minimum, theme: theme, suggestion: suggestion,
      location: line.location(file))
  }
}

/// Finds places in note text: both sides folded to lowercase words of letters and digits.
public enum PlaceMatcher {
  /// `"PS-3: printer"` → `ps 3 printer`; `"PS3"` → `ps3`.
  public static func normalize(_ text: String) -> String {
    String(decoding: normalizedBytes(text), as: UTF8.self)
  }

  static func normalizedBytes(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count)
    var space = false
    for b in text.utf8 {
      let lower = b >= 0x41 && b <= 0x5A ? b + 0x20 : b
      let word = (lower >= 0x61 && lower <= 0x7A) || (lower >= ASCII.zero && lower <= ASCII.nine) || b >= 0x80
      if word {
        if space && !out.isEmpty { out.append(ASCII.space) }
        space = false
        out.append(lower)
      } else {
        space = true
      }
    }
    return out
  }

  /// The places a note names.
  ///
  /// - Complexity: one pass over the note's bytes per spelling (a byte search: the recurrence
  ///   rules run this on every candidate note of 14 days).
  public static func places(in text: String, _ places: [RecurrencePlace]) -> [String] {
    let padded = [ASCII.space] + normalizedBytes(text) + [ASCII.space]
    return padded.withUnsafeBufferPointer { hay in
      places.filter { p in
        p.spellings.contains { s in
          let needle = [ASCII.space] + Array(s.utf8) + [ASCII.space]
          return needle.withUnsafeBufferPointer { contains(hay, $0) }
        }
      }.map(\.name)
    }
  }

  /// Whether `needle` occurs in `hay`.
  static func contains(_ hay: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let first = needle.first, needle.count <= hay.count else { return needle.isEmpty }
    var i = 0
    let last = hay.count - needle.count
    while i <= last {
      if hay[i] == first {
        var k = 1
        while k < needle.count && hay[i + k] == needle[k] { k += 1 }
        if k == needle.count { return true }
      }
      i += 1
    }
    return false
  }
}
