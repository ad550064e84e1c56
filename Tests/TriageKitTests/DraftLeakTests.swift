import Foundation
import Testing
import TriageKit

/// Support drafts over every demo order: no internal identifier from the notes and data behind
/// the draft reaches the text, no team is named, and every calendar date in the text is backed
/// by a source of its statement that carries that date.
@Suite struct DraftLeakTests {
  /// Internal identifiers, collected independently of the composer's own guard: SKUs (lines,
  /// inventory, and any SKU the store knows named in a note), bin locations, wave, tote, PO and
  /// station numbers, note authors, system names and reason codes.
  static func internalTerms(_ view: OrderView, skus allSKUs: Set<String>, codes: [String]) -> Set<
    String
  > {
    var terms = Set<String>()
    for l in view.lines { terms.insert(l.sku) }
    for b in view.blockers {
      for s in b.sources where s.hasPrefix("inventory.csv:") {
        terms.insert(String(s.dropFirst(14)))
      }
    }
    let customer = view.order.customer.lowercased()
    let patterns: [Regex<Substring>] = [
      /\b[A-Z]{1,2}-?\d{2}-\d{2}(?:-\d{2})?\b/,  // bins: B-14-02, B1402-ish
      /\b[A-Z]\d{4}\b/,
      /(?i)\bwave\s+\d+\b/, /(?i)\btote\s+\S+/, /\bT-\d+\b/, /(?i)\bPO\s+\d+\b/, /(?i)\bPS\d+\b/,
      /(?i)\bdoor\s+\d+\b/, /(?i)\bzone\s+[A-Z0-9]\b/, /(?i)\blot\s+\d+\b/,
    ]
    for n in view.notes {
      for p in patterns {
        for m in n.text.matches(of: p) { terms.insert(String(m.output)) }
      }
      for word in n.text.split(whereSeparator: { " ,.;:()!?\"'\n".contains($0) }) {
        let w = word.uppercased()
        if allSKUs.contains(w) { terms.insert(w) }
      }
      var author = n.author
      if let open = author.firstIndex(of: "("), author.hasSuffix(")") {
        let inner = author[author.index(after: open)...].dropLast().lowercased()
        if inner == "buyer" {
          author = String(author[..<open]).trimmingCharacters(in: .whitespaces)
        }
      }
      let a = author.lowercased()
      if !a.isEmpty && !customer.contains(a) && !a.contains(customer)
        && a != view.order.carrier.lowercased()
      {
        terms.insert(author)
      }
    }
    for s in ["WMS", "ERP", "RF", "EDI", "ASN", "856", "SSCC", "GS1", "ATP", "SKU"] {
      terms.insert(s)
    }
    // Codes with an underscore are jargon; a one-word code ("damaged") is plain English.
    for c in codes where c.contains("_") { terms.insert(c) }
    for team in [
      "customer service", "inventory control", "IT integration", "it_integration", "master data",
      "trade compliance", "warehouse ops", "transportation",
    ] {
      terms.insert(team)
    }
    terms.remove(view.order.orderID)
    return terms.filter { !$0.isEmpty }
  }

  static func contains(_ text: String, word: String) -> Bool {
    let escaped = NSRegularExpression.escapedPattern(for: word)
    guard
      let re = try? NSRegularExpression(
        pattern: "(?<![A-Za-z0-9])\(escaped)(?![A-Za-z0-9])", options: [.caseInsensitive])
    else {
      return false
    }
    return re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
  }

  @Test func supportDraftsLeakNoInternalIdentifier() throws {
    let demo = try DemoDrafts.shared()
    let ids = try demo.with { try $0.store.orderIDs() }
    let skus = Set(try demo.with { try $0.store.skus() }.map { $0.uppercased() })
    let codes = demo.lexicon.codes.map(\.code)
    #expect(ids.count > 300)
    var checked = 0
    for id in ids {
      let (view, draft) = try demo.draft(id, .support)
      for term in Self.internalTerms(view, skus: skus, codes: codes)
      where Self.contains(draft.text, word: term) {
        Issue.record("\(id): the support draft names '\(term)':\n\(draft.text)")
      }
      #expect(draft.warnings.isEmpty, "\(id): \(draft.warnings)")
      checked += 1
    }
    #expect(checked == ids.count)
  }

  static let months = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November",
    "December",
  ]

  /// "Tuesday, December 1" in a statement needs a source of that statement carrying 2026-12-01.
  @Test func supportDraftsInventNoDate() throws {
    let demo = try DemoDrafts.shared()
    let ids = try demo.with { try $0.store.orderIDs() }
    let re = /(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), ([A-Z][a-z]+) (\d{1,2})/
    var dated = 0
    for id in ids {
      let (view, draft) = try demo.draft(id, .support)
      let year = Timestamp.civil(day: Timestamp.day(ofSeconds: view.now)).year
      for s in draft.statements {
        for m in s.text.matches(of: re) {
          guard let month = Self.months.firstIndex(of: String(m.output.2)),
            let day = Int(m.output.3)
          else {
            Issue.record("\(id): unreadable date '\(m.output.0)'")
            continue
          }
          var iso = Timestamp.formatDate(
            day: Timestamp.days(year: year, month: month + 1, day: day))
          if Timestamp.days(year: year, month: month + 1, day: day) < Timestamp.day(
            ofSeconds: view.now) - 200
          {
            iso = Timestamp.formatDate(
              day: Timestamp.days(year: year + 1, month: month + 1, day: day))
          }
          dated += 1
          #expect(
            s.sources.contains { $0.detail.contains(iso) },
            "\(id): '\(m.output.0)' in \"\(s.text)\" has no source with \(iso): \(s.sources.map(\.detail))"
          )
        }
      }
    }
    #expect(dated > 10)
  }
}
