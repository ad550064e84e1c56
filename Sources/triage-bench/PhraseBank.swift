import Foundation
import TriageCore

/// Spellings taken from the real lexicon files, so generated notes make the classifier do the
/// work real notes do: the strong entries of each reason file (weight 2.0 or more, patterns and
/// near frames included), the resolution cues and the warehouse shorthand.
struct PhraseBank {
  /// Per reason code (file name), its entries as written (`(bin|slot) (empty|bare)`).
  var entries: [String: [String]] = [:]
  /// Resolution cue words (`allocated now`, `hold released`).
  var resolutions: [String] = []
  /// A word and the shorthand a picker types for it (`address` → `addr`).
  var shorthand: [String: String] = [:]

  /// Reads `DIR/reasons/*.txt`, `DIR/cues.txt` and `DIR/shorthand.txt`.
  static func load(lexicons dir: String) throws -> PhraseBank {
    var bank = PhraseBank()
    let reasons = (dir as NSString).appendingPathComponent("reasons")
    let files = try FileManager.default.contentsOfDirectory(atPath: reasons).filter { $0.hasSuffix(".txt") }.sorted()
    for file in files {
      let code = String(file.dropLast(4))
      let text = try String(contentsOfFile: (reasons as NSString).appendingPathComponent(file), encoding: .utf8)
      var list: [String] = []
      for raw in text.split(separator: "\n") {
        if let e = entry(String(raw)) { list.append(e) }
      }
      if !list.isEmpty { bank.entries[code] = list }
    }
    let cues = try String(contentsOfFile: (dir as NSString).appendingPathComponent("cues.txt"), encoding: .utf8)
    for raw in cues.split(separator: "\n") {
      let f = raw.split(separator: " ", omittingEmptySubsequences: true)
      guard f.count >= 4, f[0] == "resolve" else { continue }
      let words = f[3...].prefix { !$0.contains("=") }.joined(separator: " ")
      if !words.isEmpty { bank.resolutions.append(words) }
    }
    let short = try String(contentsOfFile: (dir as NSString).appendingPathComponent("shorthand.txt"), encoding: .utf8)
    for raw in short.split(separator: "\n") where !raw.hasPrefix("#") {
      let f = raw.split(separator: " ", omittingEmptySubsequences: true)
      // Only one-word expansions of plain keys: "addr address".
      guard f.count == 2, f[0] != "version", f[0].allSatisfy({ $0.isLetter }) else { continue }
      if bank.shorthand[String(f[1])] == nil { bank.shorthand[String(f[1])] = String(f[0]) }
    }
    guard !bank.entries.isEmpty else { throw BenchError("no reason entries found in '\(reasons)'") }
    return bank
  }

  /// The spelling of one lexicon line worth generating, or nil: comments, headers, weak and
  /// negative entries are left out; a pattern's condition and a near frame's window are cut.
  static func entry(_ line: String) -> String? {
    var s = line
    if let hash = s.firstIndex(of: "#") { s = String(s[..<hash]) }
    var fields = s.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    guard !fields.isEmpty else { return nil }
    var kind = ""
    if fields[0] == "pattern" || fields[0] == "near" {
      kind = fields.removeFirst()
    }
    guard fields.count >= 2, let weight = Double(fields[0]), weight >= 2.0 else { return nil }
    var words = Array(fields.dropFirst())
    if kind == "pattern", let w = words.firstIndex(of: "where") { words = Array(words[..<w]) }
    if kind == "near", let w = words.firstIndex(of: "within") { words = Array(words[..<w]) }
    // Industry tags ([x12:AY]) are not words.
    words = words.filter { !($0.hasPrefix("[") && $0.hasSuffix("]")) }
    let joined = words.joined(separator: " ")
    return joined.isEmpty ? nil : joined
  }

  /// One spelling of an entry: a random choice in each `(a|b)` group, optional groups kept half
  /// the time, `{n}`/`{m}` filled with n < m, a near frame's parts joined by a word or two.
  static func spell(_ entry: String, _ rng: inout SplitMix64) -> String {
    var out = ""
    let chars = Array(entry)
    var i = 0
    let n = rng.int(1...5)
    let m = n + rng.int(1...6)
    while i < chars.count {
      let c = chars[i]
      if c == "(" {
        var depth = 1
        var j = i + 1
        while j < chars.count && depth > 0 {
          if chars[j] == "(" { depth += 1 }
          if chars[j] == ")" { depth -= 1 }
          j += 1
        }
        let inner = String(chars[(i + 1)..<(j - 1)])
        let options = inner.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        var skip = false
        if j < chars.count && chars[j] == "?" {
          j += 1
          skip = rng.chance(0.5)
        }
        if !skip { out += spell(rng.pick(options), &rng) }
        i = j
        continue
      }
      if c == "{" {
        let close = chars[i...].firstIndex(of: "}") ?? i
        let name = String(chars[(i + 1)..<close])
        out += name == "m" ? String(m) : String(n)
        i = close + 1
        continue
      }
      if c == "+" || c == ">" {
        out += rng.pick(["", "the", "for", "on", "was"])
        i += 1
        continue
      }
      if c == "=" && (i == 0 || chars[i - 1] == " " || chars[i - 1] == "(" || chars[i - 1] == "|") {
        i += 1
        continue
      }
      out.append(c)
      i += 1
    }
    return out.split(separator: " ").joined(separator: " ")
  }
}

struct BenchError: Error, CustomStringConvertible {
  var description: String
  init(_ d: String) { description = d }
}
