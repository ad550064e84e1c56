import Foundation

/// One labelled note of a gold file.
public struct GoldNote: Sendable {
  public var id: String
  public var source: String
  public var text: String
  /// Code → status; empty for `none`.
  public var labels: [String: ReasonStatus]
  public var line: Int
}

/// Reads a gold TSV: header `id<TAB>source<TAB>text<TAB>labels` (columns by name), labels a
/// comma-separated list of codes, each optionally `/resolved`, or `none`.
public enum GoldFile {
  public static func read(path: String, codes: [ReasonCode]) throws(TriageError) -> [GoldNote] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw TriageError(.noInput, "cannot read gold file '\(path)'")
    }
    return try parse([UInt8](data), file: path, codes: codes)
  }

  public static func parse(_ bytes: [UInt8], file: String, codes: [ReasonCode]) throws(TriageError)
    -> [GoldNote]
  {
    guard let text = String(validating: bytes, as: UTF8.self) else {
      let offset = LexiconScanner.firstInvalidUTF8(bytes)
      throw .data(
        "invalid UTF-8 byte 0x\(SafeText.hex2(bytes[offset])); gold files must be UTF-8",
        at: LineIndex(bytes).location(file: file, byte: offset))
    }
    var lines = TextLines.split(text)
    while let last = lines.last, last.isEmpty { lines.removeLast() }
    guard let header = lines.first else {
      throw .data("empty gold file: expected a header 'id<TAB>source<TAB>text<TAB>labels'", at: SourceLocation(file: file, line: 1))
    }
    let names = header.split(separator: "\t", omittingEmptySubsequences: false).map {
      $0.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "\u{FEFF}", with: "")
    }
    var column: [String: Int] = [:]
    for required in ["id", "source", "text", "labels"] {
      guard let i = names.firstIndex(of: required) else {
        throw .data(
          "missing column '\(required)' in the header; found \(names.map { "'\($0)'" }.joined(separator: ", "))\(Suggest.didYouMean(required, in: names))",
          at: SourceLocation(file: file, line: 1, column: 1))
      }
      column[required] = i
    }
    let known = Set(codes.map(\.code))
    var notes: [GoldNote] = []
    var seen: [String: Int] = [:]
    for (offset, line) in lines.enumerated().dropFirst() {
      let number = offset + 1
      if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      guard fields.count == names.count else {
        throw .data(
          "expected \(names.count) tab-separated fields as in the header, found \(fields.count)",
          at: SourceLocation(file: file, line: number, column: 1))
      }
      let id = fields[column["id"] ?? 0]
      if let first = seen[id] {
        throw .data("duplicate id '\(id)' (first at line \(first))", at: SourceLocation(file: file, line: number, column: 1))
      }
      seen[id] = number
      let labelText = fields[column["labels"] ?? 3].trimmingCharacters(in: .whitespaces)
      let labelColumn = fields[0..<(column["labels"] ?? 3)].reduce(1) { $0 + $1.unicodeScalars.count + 1 }
      var labels: [String: ReasonStatus] = [:]
      if labelText.isEmpty {
        throw .data("empty labels: write 'none' for a note with no blocker", at: SourceLocation(file: file, line: number, column: labelColumn))
      }
      if labelText != "none" {
        for raw in labelText.split(separator: ",") {
          let part = raw.trimmingCharacters(in: .whitespaces)
          let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
          let code = String(pieces[0])
          if code == "none" {
            throw .data("'none' cannot be combined with other codes", at: SourceLocation(file: file, line: number, column: labelColumn))
          }
          guard known.contains(code) else {
            throw .data(
              "unknown reason code '\(code)'\(Suggest.didYouMean(code, in: known.sorted()))",
              at: SourceLocation(file: file, line: number, column: labelColumn))
          }
          var status = ReasonStatus.open
          if pieces.count == 2 {
            guard pieces[1] == "resolved" else {
              throw .data("expected '\(code)' or '\(code)/resolved', found '\(part)'", at: SourceLocation(file: file, line: number, column: labelColumn))
            }
            status = .resolved
          } else if pieces.count > 2 {
            throw .data("expected '\(code)' or '\(code)/resolved', found '\(part)'", at: SourceLocation(file: file, line: number, column: labelColumn))
          }
          labels[code] = status
        }
      }
      notes.append(
        GoldNote(
          id: id, source: fields[column["source"] ?? 1], text: fields[column["text"] ?? 2],
          labels: labels, line: number))
    }
    return notes
  }
}

/// Precision, recall and F1 of a classifier against a gold file, with what went wrong.
public struct EvalReport: Sendable {
  public struct Counts: Sendable {
    public var tp = 0, fp = 0, fn = 0
    public var precision: Double { tp + fp == 0 ? 0 : Double(tp) / Double(tp + fp) }
    public var recall: Double { tp + fn == 0 ? 0 : Double(tp) / Double(tp + fn) }
    public var f1: Double {
      let p = precision, r = recall
      return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }
    public var support: Int { tp + fn }
  }

  /// A note the classifier got wrong.
  public struct Miss: Sendable {
    public var note: GoldNote
    public var predicted: [String: ReasonStatus]
    public var classification: Classification
    /// For each missed code, its score when something scored (below threshold).
    public var partialScores: [String: Int32]
  }

  public var perCode: [(code: String, counts: Counts)]
  public var micro: Counts
  public var macroF1: Double
  public var macroPrecision: Double
  public var macroRecall: Double
  public var notes: Int
  public var exactMatches: Int
  /// Gold `none` notes, and how many got a code anyway.
  public var noneNotes: Int
  public var noneFalsePositives: Int
  /// Gold `/resolved` labels, and how many were predicted with that code and status resolved.
  public var resolvedLabels: Int
  public var resolvedCorrect: Int
  /// Labels found with the right code, and how many also have the right status.
  public var matchedLabels: Int
  public var matchedStatusCorrect: Int
  /// (gold code or "none", predicted code or "none") → count, for missed and extra codes.
  public var confusion: [String: [String: Int]]
  /// Entry text (with code) → how often it was evidence for a code the gold file does not have.
  public var misleadingEntries: [(entry: String, code: String, count: Int, location: String)]
  public var misses: [Miss]

  public var noneFalsePositiveRate: Double {
    noneNotes == 0 ? 0 : Double(noneFalsePositives) / Double(noneNotes)
  }
  public var resolvedAccuracy: Double {
    resolvedLabels == 0 ? 1 : Double(resolvedCorrect) / Double(resolvedLabels)
  }
  public var statusAccuracy: Double {
    matchedLabels == 0 ? 1 : Double(matchedStatusCorrect) / Double(matchedLabels)
  }

  /// Classifies every gold note and scores the result.
  public init(gold: [GoldNote], classifier: Classifier) {
    let codes = classifier.lexicon.codes
    var counts = [String: Counts]()
    for c in codes { counts[c.code] = Counts() }
    var micro = Counts()
    var exact = 0
    var noneNotes = 0
    var noneFP = 0
    var resolvedLabels = 0
    var resolvedCorrect = 0
    var matched = 0
    var matchedOK = 0
    var confusion: [String: [String: Int]] = [:]
    var misleading: [String: (String, String, Int, String)] = [:]
    var misses: [Miss] = []
    var scratch = ClassifierScratch()
    for note in gold {
      let result = classifier.classify(note.text, scratch: &scratch)
      var predicted: [String: ReasonStatus] = [:]
      for r in result.reasons { predicted[r.code] = r.status }
      var wrong = false
      for (code, status) in note.labels {
        if let p = predicted[code] {
          counts[code]?.tp += 1
          micro.tp += 1
          matched += 1
          if p == status { matchedOK += 1 } else { wrong = true }
        } else {
          counts[code]?.fn += 1
          micro.fn += 1
          wrong = true
        }
        if status == .resolved {
          resolvedLabels += 1
          if predicted[code] == .resolved { resolvedCorrect += 1 }
        }
      }
      let extra = predicted.keys.filter { note.labels[$0] == nil }.sorted()
      let missed = note.labels.keys.filter { predicted[$0] == nil }.sorted()
      for code in extra {
        counts[code]?.fp += 1
        micro.fp += 1
        wrong = true
        for e in result.reasons.first(where: { $0.code == code })?.evidence ?? [] {
          let key = "\(code)|\(e.term)"
          let loc = "\(classifier.lexicon.entries[e.entry].location)"
          misleading[key, default: (e.term, code, 0, loc)].2 += 1
        }
      }
      for g in missed.isEmpty ? ["none"] : missed {
        for p in extra.isEmpty ? ["none"] : extra where !(g == "none" && p == "none") {
          confusion[g, default: [:]][p, default: 0] += 1
        }
      }
      if note.labels.isEmpty {
        noneNotes += 1
        if !predicted.isEmpty { noneFP += 1 }
      }
      if wrong {
        var partial: [String: Int32] = [:]
        for s in scratch.scored {
          let code = codes[Int(s.code)].code
          if missed.contains(code) { partial[code] = s.score }
        }
        misses.append(Miss(note: note, predicted: predicted, classification: result, partialScores: partial))
      } else {
        exact += 1
      }
    }
    let perCode = codes.map { ($0.code, counts[$0.code] ?? Counts()) }
    let scoredCodes = perCode.filter { $0.1.support > 0 || $0.1.fp > 0 }
    let n = Double(max(1, scoredCodes.count))
    self.perCode = perCode
    self.micro = micro
    macroF1 = scoredCodes.reduce(0) { $0 + $1.1.f1 } / n
    macroPrecision = scoredCodes.reduce(0) { $0 + $1.1.precision } / n
    macroRecall = scoredCodes.reduce(0) { $0 + $1.1.recall } / n
    notes = gold.count
    exactMatches = exact
    self.noneNotes = noneNotes
    noneFalsePositives = noneFP
    self.resolvedLabels = resolvedLabels
    self.resolvedCorrect = resolvedCorrect
    matchedLabels = matched
    matchedStatusCorrect = matchedOK
    self.confusion = confusion
    misleadingEntries = misleading.values.map { (entry: $0.0, code: $0.1, count: $0.2, location: $0.3) }
      .sorted { $0.count != $1.count ? $0.count > $1.count : ($0.code, $0.entry) < ($1.code, $1.entry) }
    self.misses = misses
  }
}
