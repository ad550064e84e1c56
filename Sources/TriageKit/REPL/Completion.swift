import Foundation
import TriageCore

/// Tab completion for the session: command names, then by position the command's options, the
/// values an option takes (reason codes, owners, choices), order ids, SKUs, note ids and paths.
public struct TriageCompleter: LineCompleter {
  /// What can be completed, taken from the data and lexicons when they load.
  public struct Candidates: Sendable {
    /// Commands and session builtins.
    public var commands: [String] = []
    /// Per command, its options.
    public var options: [String: [String]] = [:]
    /// Per command, the options that take a value, with the values they allow (empty when any
    /// value goes, as `--since 7d`: nothing to offer, rather than order ids).
    public var values: [String: [String: [String]]] = [:]
    /// Per command, its first words (`lexicon check`, `review list`).
    public var subcommands: [String: [String]] = [:]
    public var codes: [String] = []
    public var owners: [String] = []
    public var orders: [String] = []
    public var skus: [String] = []
    public var notes: [String] = []

    public init() {}
  }

  public let candidates: Candidates

  public init(candidates: Candidates) { self.candidates = candidates }

  public func complete(line: String, cursor: Int) -> Completion {
    let chars = Array(line)
    let upto = Array(chars.prefix(cursor))
    var start = upto.count
    while start > 0 && upto[start - 1] != " " { start -= 1 }
    let word = String(upto[start...])
    let before = String(upto[..<start]).split(separator: " ").map(String.init)
    let words = candidatesFor(word: word, before: before)
    let matches = words.filter { $0.lowercased().hasPrefix(word.lowercased()) }
    return Completion(replacing: start..<upto.count, candidates: Array(Set(matches)).sorted())
  }

  func candidatesFor(word: String, before: [String]) -> [String] {
    guard let command = before.first else { return candidates.commands }
    if let previous = before.last, previous.hasPrefix("-") {
      switch previous {
      case "--reason": return candidates.codes
      case "--owner": return candidates.owners
      case "--order": return candidates.orders
      case "--data", "--db", "--lexicons", "--out": return paths(word)
      default:
        if let values = candidates.values[command]?[previous] { return values }
      }
    }
    if word.hasPrefix("-") { return candidates.options[command] ?? [] }
    // The first word after the command may be a subcommand (`lexicon check`, `draft show`).
    let positionals = before.dropFirst().filter { !$0.hasPrefix("-") }
    let subcommands = positionals.isEmpty ? candidates.subcommands[command] ?? [] : []
    switch command {
    case "why", "draft", "changes": return subcommands + candidates.orders
    case "drift": return candidates.skus
    case "explain": return candidates.notes
    case "help": return candidates.commands
    case "load", "open", "ingest", "eval", "classify", "replay": return paths(word)
    case "set":
      if before.count == 1 { return ["now", "owner"] }
      if before.count == 2 && before[1] == "owner" { return candidates.owners + ["none"] }
      if before.count == 2 && before[1] == "now" { return ["clock"] }
      return []
    default: return subcommands
    }
  }

  /// Files and folders that complete a partial path.
  func paths(_ word: String) -> [String] {
    let dir = word.contains("/") ? String(word[..<(word.lastIndex(of: "/") ?? word.startIndex)]) : ""
    let listDir = dir.isEmpty ? "." : (dir.hasPrefix("~") ? (NSHomeDirectory() + dir.dropFirst()) : dir)
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: listDir) else { return [] }
    return names.filter { !$0.hasPrefix(".") }.sorted().map { name in
      let path = dir.isEmpty ? name : dir + "/" + name
      var isDir: ObjCBool = false
      _ = FileManager.default.fileExists(atPath: (listDir as NSString).appendingPathComponent(name), isDirectory: &isDir)
      return isDir.boolValue ? path + "/" : path
    }
  }
}

extension Suggest {
  /// "unknown owner 'pakcing'; did you mean 'packing'?", or when nothing is close, the values
  /// there are ("unknown owner 'x'; owners: finance, packing, …").
  static func unknown(_ kind: String, _ value: String, in candidates: [String], listedAs list: String)
    -> String
  {
    let hint = didYouMean(value, in: candidates)
    let known = hint.isEmpty ? "; \(list): \(candidates.joined(separator: ", "))" : hint
    return "unknown \(kind) '\(SafeText.escape(value))'" + known
  }
}
