import TriageCore

/// An option a command accepts: `--format json`, `--json`, `-j 2`.
public struct OptionSpec: Sendable {
  public var name: String
  public var short: Character?
  /// The value's placeholder (`FORMAT`); nil for a flag.
  public var value: String?
  public var help: String
  /// The values allowed, when the option takes one of a fixed set.
  public var choices: [String]
  /// Whether the option may be given more than once.
  public var repeats: Bool

  public init(
    _ name: String, short: Character? = nil, value: String? = nil, help: String,
    choices: [String] = [], repeats: Bool = false
  ) {
    self.name = name
    self.short = short
    self.value = value
    self.help = help
    self.choices = choices
    self.repeats = repeats
  }

  public static func flag(_ name: String, short: Character? = nil, _ help: String) -> OptionSpec {
    OptionSpec(name, short: short, help: help)
  }
}

/// A positional argument.
public struct ArgumentSpec: Sendable {
  public var name: String
  public var help: String
  public var optional: Bool
  public var variadic: Bool

  public init(_ name: String, help: String, optional: Bool = false, variadic: Bool = false) {
    self.name = name
    self.help = help
    self.optional = optional
    self.variadic = variadic
  }
}

/// What a command takes, and the text of its help.
public struct CommandSpec: Sendable {
  public var name: String
  public var abstract: String
  public var discussion: String
  public var arguments: [ArgumentSpec]
  public var options: [OptionSpec]
  public var examples: [String]
  /// Sub-commands named as the first argument (`lexicon check`).
  public var subcommands: [(String, String)]
  /// The program the usage line names: `triage`, or a tool of its own with no command name
  /// (bin/bench parses its options here too).
  public var program = "triage"
  /// Options accepted besides `options`: the global ones for a triage command, none for a tool.
  public var shared: [OptionSpec] = CommandSpec.globalOptions

  public init(
    _ name: String, abstract: String, discussion: String = "", arguments: [ArgumentSpec] = [],
    options: [OptionSpec] = [], examples: [String] = [], subcommands: [(String, String)] = []
  ) {
    self.name = name
    self.abstract = abstract
    self.discussion = discussion
    self.arguments = arguments
    self.options = options
    self.examples = examples
    self.subcommands = subcommands
  }

  /// The options every command accepts (they choose the data and the lexicons).
  public static let globalOptions: [OptionSpec] = [
    OptionSpec("--lexicons", value: "DIR", help: "The lexicon directory (default: $TRIAGE_LEXICONS, else the Lexicons/ beside triage)."),
    OptionSpec("--data", value: "DIR", help: "A data folder of exports (notes.csv, orders.csv, ...), read into memory."),
    OptionSpec("--db", value: "FILE", help: "The SQLite store (see 'triage help ingest')."),
    OptionSpec("--now", value: "TIME", help: "The time to answer for (ISO 8601); default: the data's as_of, else the clock."),
    .flag("--strict", "Treat warnings as errors."),
    .flag("--no-color", "Never use colour (also: the NO_COLOR environment variable)."),
    .flag("--no-pager", "Never page long output."),
    .flag("--help", short: "h", "Show help for this command."),
  ]

  public var usage: String { usageParts.joined(separator: " ") }

  /// The usage line wrapped to `width`, continuation lines indented under the first option.
  func usage(width: Int, lead: String) -> String {
    let parts = usageParts
    let head = lead + parts.prefix(name.isEmpty ? 1 : 2).joined(separator: " ")
    let indent = String(repeating: " ", count: min(head.count + 1, width / 2))
    var lines: [String] = []
    var line = head
    for part in parts.dropFirst(name.isEmpty ? 1 : 2) {
      if line.count + 1 + part.count > width && line.count > indent.count {
        lines.append(line)
        line = indent + part
      } else {
        line += " " + part
      }
    }
    lines.append(line)
    return lines.joined(separator: "\n")
  }

  var usageParts: [String] {
    var parts = name.isEmpty ? [program] : [program, name]
    if !subcommands.isEmpty { parts.append("<subcommand>") }
    for o in options where o.name != "--help" {
      let v = o.value.map { " <\($0.lowercased())>" } ?? ""
      parts.append("[\(o.name)\(v)]")
    }
    for a in arguments {
      let n = "<\(a.name.lowercased())>" + (a.variadic ? " ..." : "")
      parts.append(a.optional ? "[\(n)]" : n)
    }
    return parts
  }

  /// The help text: OVERVIEW, USAGE, ARGUMENTS, OPTIONS, SUBCOMMANDS, EXAMPLES.
  public func help(width: Int = 80) -> String {
    var out = "OVERVIEW: \(abstract)\n"
    if !discussion.isEmpty { out += "\n" + TextLayout.wrap(discussion, width: width) + "\n" }
    out += "\n" + usage(width: width, lead: "USAGE: ") + "\n"
    func rows(_ items: [(String, String)]) -> String {
      let col = min(28, (items.map(\.0.count).max() ?? 0) + 4)
      var s = ""
      for (name, text) in items {
        let lead = "  " + name
        let wrapped = TextLayout.wrap(text, width: max(30, width - col - 2)).split(separator: "\n")
        if lead.count + 2 > col {
          s += lead + "\n"
          for l in wrapped { s += String(repeating: " ", count: col) + l + "\n" }
        } else {
          for (i, l) in wrapped.enumerated() {
            s += (i == 0 ? lead.padding(toLength: col, withPad: " ", startingAt: 0) : String(repeating: " ", count: col)) + l + "\n"
          }
        }
      }
      return s
    }
    if !arguments.isEmpty {
      out += "\nARGUMENTS:\n" + rows(arguments.map { ("<\($0.name.lowercased())>", $0.help) })
    }
    let all = options + shared.filter { g in !options.contains { $0.name == g.name } }
    out += "\nOPTIONS:\n" + rows(all.map { o in
      var name = o.name
      if let s = o.short { name = "-\(s), " + name }
      if let v = o.value { name += " <\(v.lowercased())>" }
      var text = o.help
      if !o.choices.isEmpty { text += " (\(o.choices.joined(separator: "|")))" }
      return (name, text)
    })
    if !subcommands.isEmpty { out += "\nSUBCOMMANDS:\n" + rows(subcommands) }
    if !examples.isEmpty {
      out += "\nEXAMPLES:\n" + examples.map { "  " + $0 }.joined(separator: "\n") + "\n"
    }
    return out
  }
}

/// Parsed command-line arguments.
public struct ParsedArguments: Sendable {
  public var values: [String: [String]] = [:]
  public var flags: Set<String> = []
  public var positionals: [String] = []

  public func value(_ name: String) -> String? { values[name]?.last }
  public func has(_ name: String) -> Bool { flags.contains(name) || values[name] != nil }
  public func all(_ name: String) -> [String] { values[name] ?? [] }

  /// The value of an integer option, or an error naming it.
  public func int(_ name: String, default d: Int, range: ClosedRange<Int>) throws(TriageError) -> Int {
    guard let v = value(name) else { return d }
    guard let n = Int(v), range.contains(n) else {
      throw .usage("\(name) expects a whole number from \(range.lowerBound) to \(range.upperBound), found '\(v)'")
    }
    return n
  }
}

/// Parses arguments against a command's spec.
public enum ArgumentParser {
  /// Splits a REPL line into arguments: whitespace-separated, with "double" or 'single' quotes
  /// and backslash escapes.
  public static func split(_ line: String) throws(TriageError) -> [String] {
    var args: [String] = []
    var current = ""
    var inWord = false
    var quote: Character?
    var escaped = false
    for c in line {
      if escaped {
        current.append(c)
        escaped = false
        continue
      }
      if c == "\\" && quote != "'" {
        escaped = true
        inWord = true
        continue
      }
      if let q = quote {
        if c == q { quote = nil } else { current.append(c) }
        continue
      }
      if c == "\"" || c == "'" {
        quote = c
        inWord = true
        continue
      }
      if c == " " || c == "\t" {
        if inWord {
          args.append(current)
          current = ""
          inWord = false
        }
        continue
      }
      current.append(c)
      inWord = true
    }
    if quote != nil { throw .usage("unclosed quote in '\(SafeText.escape(line))'") }
    if escaped { current.append("\\") }
    if inWord { args.append(current) }
    return args
  }

  public static func parse(_ args: [String], _ spec: CommandSpec) throws(TriageError) -> ParsedArguments {
    var result = ParsedArguments()
    let options = spec.options + spec.shared
    var i = 0
    var onlyPositionals = false
    while i < args.count {
      let a = args[i]
      i += 1
      if onlyPositionals || a == "-" || !a.hasPrefix("-") || isNegativeNumber(a) {
        result.positionals.append(a)
        continue
      }
      if a == "--" {
        onlyPositionals = true
        continue
      }
      var name = a
      var inline: String?
      if a.hasPrefix("--"), let eq = a.firstIndex(of: "=") {
        name = String(a[..<eq])
        inline = String(a[a.index(after: eq)...])
      }
      let match: OptionSpec?
      if name.hasPrefix("--") {
        match = options.first { $0.name == name }
      } else {
        guard name.count == 2 else {
          throw .usage("unknown option '\(a)'\(Suggest.didYouMean(a, in: options.map(\.name)))\(hint(spec))")
        }
        match = options.first { $0.short == name.last }
      }
      guard let option = match else {
        throw .usage("unknown option '\(name)'\(Suggest.didYouMean(name, in: options.map(\.name)))\(hint(spec))")
      }
      if option.value == nil {
        if inline != nil { throw .usage("option '\(option.name)' takes no value") }
        result.flags.insert(option.name)
        continue
      }
      let value: String
      if let inline {
        value = inline
      } else {
        guard i < args.count else {
          throw .usage("option '\(option.name)' needs a value (\(option.value ?? "VALUE"))\(hint(spec))")
        }
        value = args[i]
        i += 1
      }
      if !option.choices.isEmpty && !option.choices.contains(value) {
        throw .usage(
          "'\(value)' is not a valid value for \(option.name); expected \(option.choices.joined(separator: ", "))\(Suggest.didYouMean(value, in: option.choices))")
      }
      if !option.repeats, let existing = result.values[option.name], !existing.isEmpty,
        !spec.shared.contains(where: { $0.name == option.name })
      {
        throw .usage("option '\(option.name)' given twice")
      }
      result.values[option.name, default: []].append(value)
    }
    if result.flags.contains("--help") { return result }
    let required = spec.arguments.filter { !$0.optional }.count
    if result.positionals.count < required {
      let missing = spec.arguments[result.positionals.count]
      throw .usage("missing argument <\(missing.name.lowercased())>: \(missing.help)\(hint(spec))")
    }
    if !(spec.arguments.last?.variadic ?? false) && result.positionals.count > spec.arguments.count && spec.subcommands.isEmpty {
      throw .usage("unexpected argument '\(result.positionals[spec.arguments.count])'\(hint(spec))")
    }
    return result
  }

  static func isNegativeNumber(_ s: String) -> Bool {
    s.count > 1 && s.first == "-" && s.dropFirst().allSatisfy(\.isNumber)
  }

  static func hint(_ spec: CommandSpec) -> String {
    "\nusage: \(spec.usage)\nsee '\(spec.name.isEmpty ? "\(spec.program) --help" : "\(spec.program) help \(spec.name)")'"
  }
}

/// Plain-text layout helpers shared by help, tables and the REPL.
public enum TextLayout {
  /// Wraps text to a width at spaces; existing newlines are kept.
  public static func wrap(_ text: String, width: Int, indent: String = "") -> String {
    var lines: [String] = []
    for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
      var line = ""
      var lineWidth = 0
      for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
        let w = DisplayWidth.of(String(word))
        if lineWidth > 0 && lineWidth + 1 + w > width - indent.count {
          lines.append(indent + line)
          line = ""
          lineWidth = 0
        }
        if lineWidth > 0 {
          line += " "
          lineWidth += 1
        }
        line += word
        lineWidth += w
      }
      lines.append(indent + line)
    }
    return lines.joined(separator: "\n")
  }
}
