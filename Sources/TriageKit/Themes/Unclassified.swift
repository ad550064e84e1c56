import Foundation
import TriageCore

/// The words too common to be a lexicon entry (`Lexicons/stopwords.txt`, one word a line).
public struct StopWords: Sendable, Equatable {
  public var words: Set<String>

  public init(_ words: Set<String> = []) { self.words = words }

  public static let fileName = "stopwords.txt"

  public func contains(_ word: String) -> Bool { words.contains(word) }

  /// Reads `stopwords.txt` from a lexicon directory; no file means no stop words.
  public static func load(directory: String) throws(TriageError) -> StopWords {
    let path = (directory as NSString).appendingPathComponent(fileName)
    guard FileManager.default.fileExists(atPath: path) else { return StopWords() }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw TriageError(.noInput, "cannot read '\(path)'")
    }
    return try parse([UInt8](data), file: path)
  }

  /// Parses the file: one lowercase word a line; a second field or a repeated word is an error
  /// with `path:line:col`.
  public static func parse(_ bytes: [UInt8], file: String) throws(TriageError) -> StopWords {
    var words: Set<String> = []
    for line in try LexiconScanner.lines(of: bytes, file: file) {
      guard line.fields.count == 1 else {
        throw .data("expected one word a line, found a second field '\(line.fields[1].text)'", at: line.location(file, field: 1))
      }
      let w = line.fields[0].text
      guard w == w.lowercased(), !w.contains(" ") else {
        throw .data("stop words are lowercase single words, found '\(w)'", at: line.location(file, field: 0))
      }
      guard words.insert(w).inserted else {
        throw .data("stop word '\(w)' is listed twice", at: line.location(file, field: 0))
      }
    }
    return StopWords(words)
  }
}

/// A word or two-word phrase that many unmatched notes share: a candidate lexicon entry.
public struct LexiconCandidate: Sendable, Equatable {
  public var phrase: String
  /// 1 or 2.
  public var words: Int
  /// Unmatched notes that contain it.
  public var notes: Int
  /// The words of the phrase no lexicon entry uses yet.
  public var unknownWords: [String]
  public var examples: [ThemeExample]
}

/// What the lexicons miss in a window: the notes that matched no reason, grouped into
/// candidate entries by their most frequent words and phrases.
public struct UnclassifiedReport: Sendable {
  public var window: ThemeWindow
  /// Notes in the window, and those that matched nothing.
  public var notes: Int
  public var unclassified: Int
  public var candidates: [LexiconCandidate]
}

/// Groups unmatched notes into candidate lexicon entries.
///
/// Each note is read with the classifier's tokenizer, so words are what the matcher sees: case
/// folded, shorthand as written (a candidate is something to add), skip words gone, identifiers (`SO-10023`, `B-14-02`), numbers, references and URLs left out. Stop
/// words are dropped; a two-word phrase is two neighbouring words of one clause (no comma or
/// full stop between them). A candidate counts the distinct notes that contain it and needs at
/// least `minNotes`.
///
/// Ranking is deterministic: more notes first; on a tie the phrase before the single word, then
/// alphabetical. A single word is left out when the phrases already listed cover every note it
/// is in ("wrap" after "pallet wrap"), and a phrase when a longer-ranked one has the same notes.
public struct UnclassifiedAnalyzer {
  public var classifier: Classifier
  public var stopWords: StopWords
  public static let minNotes = 2
  public static let examplesPerCandidate = 3

  public init(classifier: Classifier, stopWords: StopWords) {
    self.classifier = classifier
    self.stopWords = stopWords
  }

  /// The words of a note worth counting, in order, each with whether a boundary comes before it.
  public func words(_ text: String) -> [(word: String, boundaryBefore: Bool)] {
    var scratch = TokenScratch()
    var copy = text
    var out: [(String, Bool)] = []
    copy.withUTF8 { bytes in
      classifier.tokenizer.tokenize(bytes, into: &scratch)
      var lastSpan: Range<Int>?
      var pendingBoundary = false
      for t in scratch.tokens {
        if t.has(TokenFlags.clauseBefore) || t.has(TokenFlags.commaBefore) { pendingBoundary = true }
        guard t.kind == .word else {
          pendingBoundary = true
          continue
        }
        // A shorthand's expansion shares its span: count the shorthand once.
        if t.span == lastSpan { continue }
        lastSpan = t.span
        let word = String(decoding: UnsafeBufferPointer(rebasing: bytes[t.span]), as: UTF8.self).lowercased()
        if word.count < 2 || stopWords.contains(word) || !word.contains(where: \.isLetter) {
          pendingBoundary = true
          continue
        }
        out.append((word, pendingBoundary))
        pendingBoundary = false
      }
    }
    return out
  }

  /// - Parameter limit: at most this many candidates.
  public func analyze(_ notes: [StoredNote], window: ThemeWindow, total: Int, limit: Int = 20) -> UnclassifiedReport {
    var df: [String: Set<Int>] = [:]
    var unknown: [String: Bool] = [:]
    for (i, n) in notes.enumerated() {
      let ws = words(n.text)
      var grams = Set<String>()
      for (k, w) in ws.enumerated() {
        grams.insert(w.word)
        if k > 0 && !w.boundaryBefore { grams.insert(ws[k - 1].word + " " + w.word) }
        if unknown[w.word] == nil {
          unknown[w.word] = classifier.lexicon.vocabulary.value(of: w.word) == nil
        }
      }
      for g in grams { df[g, default: []].insert(i) }
    }
    let ranked = df.filter { $0.value.count >= UnclassifiedAnalyzer.minNotes }.sorted { a, b in
      if a.value.count != b.value.count { return a.value.count > b.value.count }
      let wa = a.key.split(separator: " ").count
      let wb = b.key.split(separator: " ").count
      if wa != wb { return wa > wb }
      return a.key < b.key
    }
    var out: [LexiconCandidate] = []
    var phrases: [(words: [Substring], notes: Set<Int>)] = []
    var shownExamples = Set<Int>()
    for (gram, set) in ranked {
      if out.count >= limit { break }
      let parts = gram.split(separator: " ")
      if parts.count == 1 {
        let covering = phrases.filter { $0.words.contains(parts[0]) }.reduce(into: Set<Int>()) { $0.formUnion($1.notes) }
        if set.isSubset(of: covering) { continue }
      } else if phrases.contains(where: { $0.notes == set && Set($0.words) == Set(parts) }) {
        continue
      } else {
        phrases.append((parts, set))
      }
      // Examples: newest notes first, preferring ones not shown under another candidate.
      let order = set.sorted { notes[$0].createdAt != notes[$1].createdAt ? notes[$0].createdAt > notes[$1].createdAt : $0 < $1 }
      let fresh = order.filter { !shownExamples.contains($0) }
      let chosen = Array((fresh + order.filter { shownExamples.contains($0) }).prefix(UnclassifiedAnalyzer.examplesPerCandidate))
      for c in chosen { shownExamples.insert(c) }
      out.append(LexiconCandidate(
        phrase: gram, words: parts.count, notes: set.count,
        unknownWords: parts.map(String.init).filter { unknown[$0] ?? true },
        examples: chosen.map { i in
          let n = notes[i]
          return ThemeExample(noteID: n.noteID, createdAt: n.createdAt, source: n.source, orderID: n.orderID, code: "", text: n.text)
        }))
    }
    return UnclassifiedReport(window: window, notes: total, unclassified: notes.count, candidates: out)
  }
}

extension Store {
  /// The notes in the window that raised no reason, oldest first, and how many notes the
  /// window holds.
  func unclassifiedNotes(in w: ThemeWindow) throws(TriageError) -> (notes: [StoredNote], total: Int) {
    let total = try statement(
      "SELECT count(*) FROM notes WHERE day >= ?1 AND day <= ?2 AND created_at >= ?3 AND created_at < ?4"
    ).first([.int(w.firstDay), .int(w.lastDay), .int(w.start), .int(w.end)]) { Int($0.int(0)) } ?? 0
    let notes = try statement(
      """
      SELECT \(Store.noteColumns) FROM notes n WHERE n.day >= ?1 AND n.day <= ?2
        AND n.created_at >= ?3 AND n.created_at < ?4
        AND NOT EXISTS (SELECT 1 FROM note_reasons r WHERE r.note = n.id)
      ORDER BY n.created_at, n.note_id
      """
    ).rows([.int(w.firstDay), .int(w.lastDay), .int(w.start), .int(w.end)]) { Store.note(from: $0) }
    return (notes, total)
  }
}

extension UnclassifiedReport {
  /// The candidates with examples, for people.
  public func render(width: Int?) -> String {
    var out = "What the lexicons miss: \(unclassified) of \(notes) note(s) in \(window) matched no reason\n"
    if candidates.isEmpty {
      out += "no word or phrase is shared by \(UnclassifiedAnalyzer.minNotes) or more of them\n"
      return out
    }
    out += "Candidate entries (words and phrases those notes share; stop words from Lexicons/stopwords.txt removed):\n"
    let textWidth = max(40, (width ?? 100) - 8)
    for c in candidates {
      out += "\n  \"\(SafeText.escape(c.phrase))\"  \(c.notes) note(s)"
      if !c.unknownWords.isEmpty { out += "  new to the lexicons: \(c.unknownWords.map { SafeText.escape($0) }.joined(separator: ", "))" }
      out += "\n"
      for e in c.examples {
        out += "    \(SafeText.escape(e.noteID))\n"
        out += TextLayout.wrap(SafeText.escape(e.text), width: textWidth, indent: "      ") + "\n"
      }
    }
    return out
  }

  public func json() -> [UInt8] {
    var w = JSONWriter()
    w.raw("{\"window\":")
    ThemeSummary.window(&w, window)
    w.raw(",\"notes\":")
    w.int(notes)
    w.raw(",\"unclassified\":")
    w.int(unclassified)
    w.raw(",\"candidates\":[")
    for (i, c) in candidates.enumerated() {
      if i > 0 { w.raw(",") }
      w.raw("\n{\"phrase\":")
      w.string(c.phrase)
      w.raw(",\"words\":")
      w.int(c.words)
      w.raw(",\"notes\":")
      w.int(c.notes)
      w.raw(",\"unknown_words\":")
      w.strings(c.unknownWords)
      w.raw(",\"examples\":[")
      for (k, e) in c.examples.enumerated() {
        if k > 0 { w.raw(",") }
        w.raw("{\"note_id\":")
        w.string(e.noteID)
        w.raw(",\"created_at\":")
        w.string(Timestamp.format(seconds: e.createdAt))
        w.raw(",\"source\":")
        w.string(e.source)
        w.raw(",\"text\":")
        w.string(e.text)
        w.raw("}")
      }
      w.raw("]}")
    }
    w.raw("]}\n")
    return w.bytes
  }
}
