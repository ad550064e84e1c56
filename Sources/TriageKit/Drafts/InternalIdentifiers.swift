import Foundation
import TriageCore

/// An identifier that belongs inside the warehouse and must never reach a customer.
public struct InternalIdentifier: Sendable, Hashable, Comparable {
  /// `sku`, `location`, `author`, `system`, `reason_code`, `wave`, `tote`, `po`, `station`, `note_id`.
  public var kind: String
  public var text: String

  public init(kind: String, text: String) {
    self.kind = kind
    self.text = text
  }

  public static func < (a: InternalIdentifier, b: InternalIdentifier) -> Bool {
    (a.kind, a.text) < (b.kind, b.text)
  }
}

/// The guard against internal jargon in customer text: collects what an order's notes and data
/// name (SKUs, bin locations, wave and tote numbers, PO numbers, pack stations, note authors,
/// system names, reason codes) and finds any of them in a text, whole words only, case ignored.
public enum InternalIdentifiers {
  /// System and warehouse-software names a customer should never read.
  public static let systemNames = [
    "WMS", "ERP", "RF", "EDI", "ASN", "856", "SSCC", "GS1", "ATP", "3PL", "LTL", "SKU", "PRO",
    "VNA",
  ]

  /// Everything internal that the order's notes and data name. Authors who are the customer
  /// (they wrote in) and the carrier are not internal.
  public static func collect(_ view: OrderView, lexicon: Lexicon) -> [InternalIdentifier] {
    var out = Set<InternalIdentifier>()
    let customer = view.order.customer.lowercased()
    for l in view.lines where !l.sku.isEmpty { out.insert(.init(kind: "sku", text: l.sku)) }
    for (note, c) in zip(view.notes, view.classifications) {
      for s in c.skus { out.insert(.init(kind: "sku", text: s)) }
      for l in c.locations { out.insert(.init(kind: "location", text: l)) }
      out.insert(.init(kind: "note_id", text: note.noteID))
      let author = stripParenthetical(note.author)
      let a = author.lowercased()
      if !a.isEmpty && !customer.contains(a) && !a.contains(customer.isEmpty ? "\u{0}" : customer)
        && a != view.order.carrier.lowercased()
      {
        out.insert(.init(kind: "author", text: author))
      }
      for (kind, found) in numbered(note.text) { out.insert(.init(kind: kind, text: found)) }
    }
    for b in view.blockers {
      for s in b.sources where s.hasPrefix("inventory.csv:") {
        out.insert(.init(kind: "sku", text: String(s.dropFirst("inventory.csv:".count))))
      }
    }
    for name in systemNames { out.insert(.init(kind: "system", text: name)) }
    // A code that is one plain word ("damaged") is English, not jargon; "short_pick" is jargon.
    for code in lexicon.codes where code.code.contains("_") {
      out.insert(.init(kind: "reason_code", text: code.code))
    }
    return out.sorted()
  }

  /// The identifiers that occur in a text as whole words (case ignored).
  public static func find(_ ids: [InternalIdentifier], in text: String) -> [InternalIdentifier] {
    let hay = Array(text.lowercased().unicodeScalars)
    return ids.filter { id in
      let needle = Array(id.text.lowercased().unicodeScalars)
      guard !needle.isEmpty, needle.count <= hay.count else { return false }
      var i = 0
      while i + needle.count <= hay.count {
        if hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle {
          let before = i == 0 ? nil : hay[i - 1]
          let after = i + needle.count < hay.count ? hay[i + needle.count] : nil
          if !isWordScalar(before) && !isWordScalar(after) { return true }
        }
        i += 1
      }
      return false
    }
  }

  static func isWordScalar(_ s: Unicode.Scalar?) -> Bool {
    guard let s else { return false }
    return s.properties.isAlphabetic || ("0"..."9").contains(s)
  }

  /// "Marco (CS)" → "Marco (CS)" is kept whole; "Cartwheel Market (buyer)" → "Cartwheel Market".
  static func stripParenthetical(_ s: String) -> String {
    let trimmed = s.trimmingCharacters(in: .whitespaces)
    if let open = trimmed.firstIndex(of: "("), trimmed.hasSuffix(")") {
      let inner = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
        .lowercased()
      if inner == "buyer" || inner == "customer" {
        return trimmed[..<open].trimmingCharacters(in: .whitespaces)
      }
    }
    return trimmed
  }

  /// Numbered internal references in a note: `wave 31`, `tote T-47872`, `PO 88412`, `PS3`,
  /// `door 6`, `zone B`.
  static func numbered(_ text: String) -> [(String, String)] {
    var out: [(String, String)] = []
    let words = text.split(whereSeparator: { " ,.;:()\n\t".contains($0) }).map(String.init)
    for (i, w) in words.enumerated() {
      let lw = w.lowercased()
      let next = i + 1 < words.count ? words[i + 1] : ""
      let nextIsRef = next.contains { $0.isNumber } && next.count <= 12
      switch lw {
      case "wave" where nextIsRef: out.append(("wave", "\(w) \(next)"))
      case "tote" where nextIsRef: out.append(("tote", next))
      case "po" where nextIsRef: out.append(("po", next))
      case "door" where nextIsRef, "induct" where nextIsRef, "spiral" where nextIsRef:
        out.append(("station", "\(w) \(next)"))
      default:
        if lw.count >= 3, lw.hasPrefix("ps"), lw.dropFirst(2).allSatisfy(\.isNumber) {
          out.append(("station", w))
        }
        if lw.hasPrefix("t-"), lw.dropFirst(2).allSatisfy(\.isNumber), lw.count > 3 {
          out.append(("tote", w))
        }
      }
    }
    return out
  }
}
