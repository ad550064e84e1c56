import Foundation
import TriageCore

/// `triage lexicon check|dump|fmt`: validate, list and tidy the lexicon files.
enum LexiconCommand {
  static let spec = CommandSpec(
    "lexicon", abstract: "Check, list or tidy the lexicon files.",
    discussion: """
      'check' loads every file in the lexicon directory and reports each mistake as \
      path:line:col (exit 65), then warnings such as unsorted entries (errors with --strict). \
      'dump' (or --json) lists every entry with its code, kind, text and weight. 'fmt' sorts the \
      entries of the reason files and shorthand.txt in place (--check only reports).
      """,
    arguments: [ArgumentSpec("SUBCOMMAND", help: "check (default), dump or fmt.", optional: true)],
    options: [
      .flag("--json", "List every entry as JSON (the same as 'dump')."),
      .flag("--check", "With fmt: only report files that are not formatted (exit 1)."),
    ],
    examples: [
      "triage lexicon check", "triage lexicon --json", "triage lexicon check --lexicons ./MySite --strict",
      "triage lexicon fmt",
    ],
    subcommands: [
      ("check", "Validate the files (the default)."), ("dump", "List every entry."),
      ("fmt", "Sort entries in place."),
    ])

  static let command = Command(spec) { args, ctx throws(TriageError) in
    let sub = args.positionals.first ?? (args.has("--json") ? "dump" : "check")
    switch sub {
    case "check": try check(args, ctx)
    case "dump": try dump(ctx, json: true)
    case "fmt": try format(args, ctx)
    default:
      throw .usage("unknown subcommand '\(sub)'\(Suggest.didYouMean(sub, in: ["check", "dump", "fmt"]))")
    }
  }

  static func check(_ args: ParsedArguments, _ ctx: Context) throws(TriageError) {
    let dir = try ctx.findLexiconDirectory()
    let lexicon = try Lexicon.load(directory: dir, cache: ctx.lexiconCache)
    for w in lexicon.warnings { ctx.warn(w) }
    if ctx.strict && !lexicon.warnings.isEmpty {
      throw TriageError(.dataError, "\(lexicon.warnings.count) warning(s) with --strict")
    }
    var kinds: [EntryKind: Int] = [:]
    for e in lexicon.entries { kinds[e.kind, default: 0] += 1 }
    var origins: [Vocabulary.Origin: Int] = [:]
    for e in lexicon.vocabulary.entries() { origins[e.origin, default: 0] += 1 }
    ctx.out.line("ok: \(dir)")
    ctx.out.line(
      "  \(lexicon.codes.count) reason codes; \(kinds[.term] ?? 0) terms and phrases, \(kinds[.pattern] ?? 0) patterns")
    ctx.out.line(
      "  cues: \(kinds[.negate] ?? 0) negation, \(kinds[.resolve] ?? 0) resolution, \(kinds[.pending] ?? 0) pending; \(lexicon.skipWords.count) skip and \(lexicon.breakWords.count) break words")
    ctx.out.line("  \(lexicon.shorthand.count) shorthand entries")
    ctx.out.line(
      "  vocabulary: \(lexicon.vocabulary.count) keys (\(origins[.exact] ?? 0) words, \(origins[.inflection] ?? 0) inflections, \(origins[.typo] ?? 0) typo variants, \(origins[.shorthand] ?? 0) shorthand)"
    )
    if !lexicon.warnings.isEmpty { ctx.out.line("  \(lexicon.warnings.count) warning(s)") }
  }

  static func dump(_ ctx: Context, json: Bool) throws(TriageError) {
    let lexicon = try ctx.lexicon()
    var w = JSONWriter()
    w.raw("[")
    for (i, e) in lexicon.entries.enumerated() {
      if i > 0 { w.raw(",\n ") }
      w.raw("{\"code\":")
      if let c = e.code { w.string(lexicon.codes[c].code) } else { w.null() }
      w.raw(",\"kind\":")
      w.string(e.kind.rawValue)
      w.raw(",\"text\":")
      w.string(e.text)
      w.raw(",\"weight\":")
      w.weight(e.weight)
      if !e.conditions.isEmpty {
        w.raw(",\"where\":")
        w.string(e.conditions.map(\.description).joined(separator: " and "))
      }
      if e.code == nil {
        w.raw(",\"direction\":")
        w.string(e.direction.rawValue)
        w.raw(",\"window\":")
        w.int(e.window)
        if !e.scope.isEmpty {
          w.raw(",\"codes\":[")
          for (k, c) in e.scope.enumerated() {
            if k > 0 { w.byte(ASCII.comma) }
            w.string(lexicon.codes[c].code)
          }
          w.raw("]")
        }
      }
      if !e.tags.isEmpty {
        w.raw(",\"tags\":")
        w.strings(e.tags)
      }
      w.raw(",\"source\":")
      w.string(e.location.description)
      w.raw("}")
    }
    w.raw("]\n")
    w.withBytes { ctx.out.write(bytes: $0) }
  }

  /// Sorts the entry lines of reason files (after their `code` line), of shorthand.txt and of
  /// cues.txt (after `version`; cues grouped by kind), keeping the comment header and each
  /// line's own text.
  static func format(_ args: ParsedArguments, _ ctx: Context) throws(TriageError) {
    let dir = try ctx.findLexiconDirectory()
    // Refuse to format files that do not load: fmt must never reorder a broken file.
    _ = try Lexicon.load(directory: dir, cache: ctx.lexiconCache)
    let reasons = (dir as NSString).appendingPathComponent("reasons")
    var files = ((try? FileManager.default.contentsOfDirectory(atPath: reasons)) ?? [])
      .filter { $0.hasSuffix(".txt") }.sorted().map { (reasons as NSString).appendingPathComponent($0) }
    files.append((dir as NSString).appendingPathComponent("shorthand.txt"))
    files.append((dir as NSString).appendingPathComponent("cues.txt"))
    var unformatted: [String] = []
    for path in files {
      guard let data = FileManager.default.contents(atPath: path),
        let text = String(data: data, encoding: .utf8)
      else { continue }
      let formatted =
        path.hasSuffix("cues.txt")
        ? LexiconFormatter.formatCues(text)
        : LexiconFormatter.format(text, headerEnd: path.hasSuffix("shorthand.txt") ? "version" : "code")
      if formatted != text {
        unformatted.append(path)
        if !args.has("--check") {
          try AtomicFile.write(Array(formatted.utf8), to: path, overwrite: true)
        }
      }
    }
    for path in unformatted {
      ctx.out.line(args.has("--check") ? "not formatted: \(path)" : "formatted: \(path)")
    }
    if args.has("--check") && !unformatted.isEmpty {
      throw TriageError(.failure, "\(unformatted.count) file(s) not formatted; run 'triage lexicon fmt'")
    }
  }
}

/// Sorts the entry lines of a lexicon file the way `lexicon check` expects them. A comment
/// inside the entries travels with the entry below it; comments after the last entry stay last.
public enum LexiconFormatter {
  /// One entry line and the comment lines written just above it.
  public struct Entry {
    public var comments: [String]
    public var line: String
  }

  /// Splits a file into its header (through the line starting with `headerEnd`), its entries
  /// and the comments after the last entry. Blank lines between entries are dropped.
  public static func split(_ text: String, headerEnd: String) -> (header: [String], entries: [Entry], trailing: [String]) {
    var header: [String] = []
    var entries: [Entry] = []
    var comments: [String] = []
    var inHeader = true
    for raw in TextLines.split(text) {
      let line = String(raw)
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if inHeader {
        header.append(line)
        if trimmed.hasPrefix(headerEnd + " ") { inHeader = false }
        continue
      }
      if trimmed.isEmpty { continue }
      if trimmed.hasPrefix("#") {
        comments.append(trimmed)
        continue
      }
      entries.append(Entry(comments: comments, line: trimmed))
      comments = []
    }
    while let last = header.last, last.trimmingCharacters(in: .whitespaces).isEmpty { header.removeLast() }
    return (header, entries, comments)
  }

  public static func render(header: [String], groups: [[Entry]], trailing: [String]) -> String {
    var out = header.joined(separator: "\n") + "\n"
    for group in groups where !group.isEmpty {
      out += "\n"
      for entry in group {
        for comment in entry.comments { out += comment + "\n" }
        out += entry.line + "\n"
      }
    }
    if !trailing.isEmpty { out += "\n" + trailing.joined(separator: "\n") + "\n" }
    return out
  }

  /// cues.txt: break, negate, pending, resolve and skip lines in groups (a blank line between),
  /// each group sorted by its words (case, `=` and parentheses ignored; options such as
  /// `codes=` not part of the key).
  public static func formatCues(_ text: String) -> String {
    let (header, entries, trailing) = split(text, headerEnd: "version")
    let kinds = ["break", "negate", "pending", "resolve", "skip"]
    func key(_ line: String) -> (Int, String) {
      let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
      let rank = kinds.firstIndex(of: fields.first ?? "") ?? kinds.count
      if fields.first == "skip" || fields.first == "break" { return (rank, fields.dropFirst().joined(separator: " ")) }
      let words = fields.dropFirst(3).filter { !$0.hasPrefix("codes=") && !$0.hasPrefix("across=") }
      return (rank, words.joined(separator: " ").lowercased().filter { $0 != "=" && $0 != "(" && $0 != ")" })
    }
    let keyed = entries.map { (key($0.line), $0) }.sorted { $0.0 < $1.0 }
    var groups: [[Entry]] = []
    var previous: Int?
    for (k, entry) in keyed {
      if previous != k.0 { groups.append([]) }
      groups[groups.count - 1].append(entry)
      previous = k.0
    }
    return render(header: header, groups: groups, trailing: trailing)
  }

  public static func format(_ text: String, headerEnd: String) -> String {
    let (header, entries, trailing) = split(text, headerEnd: headerEnd)
    func key(_ line: String) -> String {
      headerEnd == "code" ? LexiconParser.sortKey(entryLine: line) : line.lowercased()
    }
    func align(_ line: String) -> String {
      var s = Substring(line)
      var prefix = ""
      for kind in ["pattern ", "near "] where s.hasPrefix(kind) {
        prefix = kind
        s = s.dropFirst(kind.count)
      }
      let fields = s.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
      guard fields.count == 2 else { return line }
      let width = headerEnd == "code" ? 5 : 11
      return prefix + String(fields[0]).padding(toLength: max(width, fields[0].count), withPad: " ", startingAt: 0)
        + " " + fields[1].trimmingCharacters(in: .whitespaces)
    }
    let sorted = entries.map { Entry(comments: $0.comments, line: align($0.line)) }.sorted { key($0.line) < key($1.line) }
    return render(header: header, groups: [sorted], trailing: trailing)
  }
}
