import TriageCore

extension Draft {
  /// The sources people read under a draft: per paragraph, its topics and each source once,
  /// escaped for a terminal.
  public static func sourcesListing(
    _ statements: [DraftStatement], width: Int = 100, edited: Bool = false
  ) -> String {
    let d = Draft(
      orderID: "", audience: .support, statements: statements,
      fingerprint: OrderFingerprint(promise: "", blockers: []), composedFor: 0)
    var out =
      edited ? "sources (of the draft as composed; the text was edited since)\n" : "sources\n"
    // One group per paragraph: its topics, and each source once.
    var groups: [(paragraph: Int?, topics: [String], sources: [DraftSource])] = []
    for (s, n) in zip(statements, d.paragraphNumbers) where !s.sources.isEmpty {
      if let last = groups.last, last.paragraph == n, n != nil {
        groups[groups.count - 1].topics.append(s.topic)
        groups[groups.count - 1].sources = DraftSource.merged(last.sources + s.sources)
      } else {
        groups.append((n, [s.topic], s.sources))
      }
    }
    for g in groups {
      out +=
        "  ¶\(g.paragraph.map(String.init) ?? "–") \(SafeText.escape(g.topics.joined(separator: "; ")))\n"
      for src in g.sources {
        out +=
          TextLayout.wrap(
            "\(SafeText.escape(src.ref)) — \(SafeText.escape(src.detail))",
            width: max(40, width - 6), indent: "      ") + "\n"
      }
    }
    return out
  }

  /// The draft as people review it: the text, then its sources.
  public func rendered(width: Int = 100) -> String {
    SafeText.escape(text, .multiLine) + "\n\n" + Draft.sourcesListing(statements, width: width)
  }
}
