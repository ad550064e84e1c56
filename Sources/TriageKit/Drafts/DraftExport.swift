import TriageCore

/// Approved drafts as JSON Lines or CSV, for the systems that send them.
public enum DraftExport {
  public enum Format: String, Sendable, CaseIterable {
    case jsonl, csv
  }

  public static let csvColumns = [
    "id", "order_id", "audience", "version", "status", "stale", "approved_by", "approved_at",
    "text", "sources",
  ]

  /// Writes the drafts; the caller passes only approved ones (`DraftReview.approved`).
  ///
  /// - Parameter approvals: who approved each draft and when, by draft id.
  public static func render(
    _ drafts: [StoredDraft], approvals: [Int64: DraftAuditEntry], format: Format
  ) -> [UInt8] {
    switch format {
    case .jsonl:
      var w = JSONWriter()
      for d in drafts {
        json(d, approval: approvals[d.id], into: &w)
        w.byte(ASCII.lf)
      }
      return w.bytes
    case .csv:
      var out = csvRow(csvColumns)
      for d in drafts {
        let a = approvals[d.id]
        out += csvRow([
          String(d.id), d.orderID, d.audience.rawValue, String(d.version), d.status.rawValue,
          d.isStale ? "true" : "false",
          a?.who ?? "", a.map { Timestamp.format(seconds: $0.at) } ?? "", d.text,
          d.sources.joined(separator: " "),
        ])
      }
      return out
    }
  }

  /// One draft as a JSON object: `{id, order_id, audience, version, status, stale, text, sources,
  /// approved_by, approved_at}`.
  public static func json(_ d: StoredDraft, approval: DraftAuditEntry?, into w: inout JSONWriter) {
    w.raw("{\"id\":")
    w.int(Int(d.id))
    w.raw(",\"order_id\":")
    w.string(d.orderID)
    w.raw(",\"audience\":")
    w.string(d.audience.rawValue)
    w.raw(",\"version\":")
    w.int(d.version)
    w.raw(",\"status\":")
    w.string(d.status.rawValue)
    w.raw(",\"stale\":")
    w.bool(d.isStale)
    w.raw(",\"text\":")
    w.string(d.text)
    w.raw(",\"sources\":")
    w.strings(d.sources)
    w.raw(",\"approved_by\":")
    if let a = approval { w.string(a.who) } else { w.null() }
    w.raw(",\"approved_at\":")
    if let a = approval { w.string(Timestamp.format(seconds: a.at)) } else { w.null() }
    w.raw("}")
  }

  /// One CSV record (RFC 4180, CRLF-free: LF line ends), every cell guarded against formula
  /// injection.
  public static func csvRow(_ cells: [String]) -> [UInt8] {
    var out: [UInt8] = []
    for (i, cell) in cells.enumerated() {
      if i > 0 { out.append(ASCII.comma) }
      let safe = guardFormula(cell)
      let needsQuotes =
        safe.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" } || safe.first == " "
        || safe.last == " "
      if needsQuotes {
        out.append(ASCII.quote)
        for b in safe.utf8 {
          if b == ASCII.quote { out.append(ASCII.quote) }
          out.append(b)
        }
        out.append(ASCII.quote)
      } else {
        out += Array(safe.utf8)
      }
    }
    out.append(ASCII.lf)
    return out
  }

  /// A cell a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
  /// carriage return) gets a leading apostrophe, so it shows as text.
  public static func guardFormula(_ cell: String) -> String {
    guard let first = cell.unicodeScalars.first else { return cell }
    return ["=", "+", "-", "@", "\t", "\r"].contains(first) ? "'" + cell : cell
  }
}
