import Foundation
import TriageCore

#if canImport(Glibc)
  import Glibc
#endif

/// The interactive session: the same commands as the one-shot CLI, plus `load`, `open`,
/// `reload`, `set` and `quit`, with a line editor, history, completion, "did you mean" and a
/// pager on a terminal. Without a terminal it reads commands line by line (`triage < review.txt`),
/// prints no prompt and no escape codes, and ends non-zero when a command failed.
public final class Session {
  let ctx: Context
  /// On a terminal: the line editor, the pager, colour. Decided once, when the session starts.
  let isInteractive: Bool
  var editor: LineEditor?
  var historyPath: String?
  /// Scripted: print each command after a prompt before its output, so a saved run reads as a
  /// transcript.
  var echo = false
  private var echoed = false
  private var lastEchoWasComment = false
  /// The commands run so far and the line numbers (1-based, of the script) of those that
  /// failed.
  public private(set) var commandCount = 0
  public private(set) var failedLines: [Int] = []
  public var failed: Bool { !failedLines.isEmpty }
  var quit = false

  /// Commands only the session knows, with their help.
  static let builtins: [(String, String, String)] = [
    ("load", "load DIR", "Read a data folder into memory and answer from it."),
    ("open", "open FILE", "Answer from a store made by 'triage ingest'."),
    ("reload", "reload", "Re-read the lexicons after editing them (a broken edit keeps the old ones)."),
    ("set", "set now TIME | set now clock | set owner OWNER | set owner none", "Session defaults: the time to answer for, the owner 'blocked' filters on."),
    ("show", "show", "The session's data, lexicons, time and owner."),
    ("quit", "quit", "Leave the session (also: exit, Ctrl-D)."),
  ]

  init(ctx: Context, interactive: Bool) {
    self.ctx = ctx
    self.isInteractive = interactive
    ctx.interactive = true
  }

  /// A scripted session in `context`, whatever the process's terminal: lines go to `execute`,
  /// output to the context's streams (tests run sessions in-process this way).
  public convenience init(context: Context) {
    self.init(ctx: context, interactive: false)
    context.colorAllowed = false
  }

  static let spec = CommandSpec(
    "repl", abstract: "The interactive session (the default when no command is given).",
    discussion: """
      On a terminal: a line editor with history (Up/Down, Ctrl-R), Tab completion and a pager \
      for long answers. With standard input from a file or pipe it runs one command a line \
      (# starts a comment), prints no prompt and exits 1 when a command failed.
      """,
    options: [
      .flag("--no-history", "Do not read or write the history file."),
      .flag("--echo", "Scripted: print each command after a 'triage>' prompt before its output."),
    ],
    examples: ["triage < review.txt", "triage --echo --data Corpus/demo < review.txt > review.log"])

  public static let command = Command(spec, inREPL: false) { args, ctx throws(TriageError) in
    let session = Session(
      ctx: ctx, interactive: LineEditor.isTerminal(0) && LineEditor.isTerminal(1))
    session.echo = args.has("--echo")
    session.run(history: !args.has("--no-history"))
    if session.failed && !session.isInteractive {
      throw TriageError(.failure, session.failureSummary())
    }
  }

  /// "2 of 17 commands failed (lines 9, 12)".
  func failureSummary() -> String {
    let n = failedLines.count
    let lines = failedLines.prefix(10).map(String.init).joined(separator: ", ")
    let more = n > 10 ? ", …" : ""
    return "\(n) of \(commandCount) command\(commandCount == 1 ? "" : "s") failed (line\(n == 1 ? "" : "s") \(lines)\(more))"
  }

  func run(history useHistory: Bool) {
    if isInteractive {
      var history = History()
      if useHistory, let path = History.defaultPath(environment: ctx.environment) {
        historyPath = path
        try? history.load(from: path)
      }
      let editor = LineEditor(history: history, completer: completer())
      self.editor = editor
      banner()
      while !quit {
        switch editor.readLine(prompt: prompt()) {
        case .line(let line):
          // The width now, not when the prompt was drawn: the window may have been resized
          // while the line was typed (or while the session was suspended).
          updateWidth()
          execute(line)
          if let historyPath { try? editor.history.save(to: historyPath) }
        case .interrupted:
          continue
        case .endOfInput:
          quit = true
        }
      }
      ctx.out.line()
      ctx.out.flush()
    } else {
      // Scripted: one command a line, no prompt, no colour.
      ctx.colorAllowed = false
      var number = 0
      while !quit, let line = Swift.readLine(strippingNewline: true) {
        number += 1
        execute(line, lineNumber: number)
      }
    }
  }

  func prompt() -> String {
    ctx.useColor ? "\u{1B}[1mtriage\u{1B}[0m> " : "triage> "
  }

  func banner() {
    var where_ = ""
    do {
      let store = try ctx.store()
      let counts = try store.counts()
      let notes = counts.first { $0.0 == "notes" }?.1 ?? 0
      let orders = counts.first { $0.0 == "orders" }?.1 ?? 0
      let asOf = try ctx.now()
      where_ = "\(dataDescription()): \(notes) notes, \(orders) orders; answering as of \(Timestamp.format(seconds: asOf))"
    } catch {
      where_ = "no data yet (\(error.diagnostics.first?.message ?? "")); use 'load DIR' or 'open FILE'"
    }
    let width = Terminal.size(of: 1)?.columns ?? 80
    ctx.out.line(TextLayout.wrap("triage \(TriageMain.version): \(SafeText.escape(where_))", width: width, indent: ""))
    ctx.out.line(TextLayout.wrap("Type 'help' for the commands, Tab to complete, Ctrl-R to search history, Ctrl-D to leave.", width: width, indent: ""))
    ctx.out.flush()
  }

  func dataDescription() -> String {
    if let db = ctx.databasePath { return "store \(db)" }
    if let d = ctx.dataFolder ?? ctx.environment["TRIAGE_DATA"] { return "data folder \(d)" }
    if let demo = ctx.environment["TRIAGE_DEMO"] { return "demo data \(demo)" }
    return "store \(Store.defaultPath(environment: ctx.environment))"
  }

  func updateWidth() {
    if isInteractive, let size = Terminal.size(of: 1) {
      ctx.terminalWidth = size.columns
    }
  }

  /// Runs one line: a session builtin or a command from the shared table. Errors are reported
  /// on the context's error stream and counted; the session goes on.
  public func execute(_ raw: String, lineNumber: Int? = nil) {
    let line = raw.trimmingCharacters(in: .whitespaces)
    if echo && !isInteractive && !line.isEmpty {
      // A blank line between one answer and the next command; a comment stays with the
      // command it is about.
      if echoed && !lastEchoWasComment { ctx.out.line() }
      echoed = true
      lastEchoWasComment = line.hasPrefix("#")
      ctx.out.line("triage> " + SafeText.escape(line))
    }
    if line.isEmpty || line.hasPrefix("#") { return }
    commandCount += 1
    do throws(TriageError) {
      var args = try ArgumentParser.split(line)
      // A command pasted from the docs or a shell ("triage why 10294", "bin/triage risk").
      if let first = args.first, first == "triage" || first.hasSuffix("/triage") {
        args.removeFirst()
      }
      guard let name = args.first else { return }
      let rest = Array(args.dropFirst())
      switch name {
      case "quit", "exit", "\\q":
        quit = true
      case "load":
        guard let dir = rest.first else { throw .usage("load needs a data folder: load DIR") }
        ctx.dataFolder = dir
        ctx.databasePath = nil
        ctx.dropStore()
        _ = try ctx.store()
        ctx.out.line("loaded \(SafeText.escape(dir)): \(summary())")
        refreshCompleter()
      case "open":
        guard let file = rest.first else { throw .usage("open needs a store file: open FILE") }
        guard FileManager.default.fileExists(atPath: ctx.resolve(file)) else {
          throw TriageError(.noInput, "no store at '\(SafeText.escape(file))'; make one with 'triage ingest DIR --db \(SafeText.escape(file))'")
        }
        ctx.databasePath = file
        ctx.dropStore()
        _ = try ctx.store()
        ctx.out.line("opened \(SafeText.escape(file)): \(summary())")
        refreshCompleter()
      case "reload":
        try reload()
      case "set":
        try set(rest)
      case "show":
        show()
      case "help", "?":
        try help(rest.first)
      default:
        try runCommand(name, rest)
      }
    } catch {
      failedLines.append(lineNumber ?? commandCount)
      ctx.out.flush()
      ctx.report(Session.asTypedHere(error))
    }
    ctx.out.flush()
    ctx.err.flush()
  }

  /// An error whose hints name commands as typed in a shell ("see 'triage help blocked'",
  /// "usage: triage blocked …"), with them as typed in the session.
  static func asTypedHere(_ error: TriageError) -> TriageError {
    var error = error
    for i in error.diagnostics.indices {
      error.diagnostics[i].message = error.diagnostics[i].message
        .replacingOccurrences(of: "'triage ", with: "'")
        .replacingOccurrences(of: "usage: triage ", with: "usage: ")
    }
    return error
  }

  func summary() -> String {
    guard let counts = try? ctx.store().counts() else { return "" }
    return counts.map { "\($0.1) \($0.0)" }.joined(separator: ", ")
  }

  /// Runs a shared command with the session's defaults; options given on the line apply to
  /// that command only.
  func runCommand(_ name: String, _ args: [String]) throws(TriageError) {
    guard let command = TriageMain.command(named: name), command.inREPL else {
      let names = TriageMain.commands.filter(\.inREPL).map(\.spec.name) + Session.builtins.map(\.0)
      throw .usage("unknown command '\(SafeText.escape(name))'\(Suggest.didYouMean(name, in: names)) (type 'help' for the list)")
    }
    let saved = (ctx.nowOverride, ctx.dataFolder, ctx.databasePath, ctx.lexiconDirectory, ctx.colorAllowed, ctx.pagerAllowed, ctx.strict)
    let cached = ctx.cachedStore
    defer {
      if ctx.dataFolder != saved.1 || ctx.databasePath != saved.2 {
        ctx.cachedStore = cached
      }
      (ctx.nowOverride, ctx.dataFolder, ctx.databasePath, ctx.lexiconDirectory, ctx.colorAllowed, ctx.pagerAllowed, ctx.strict) = saved
    }
    guard isInteractive else {
      try TriageMain.runCommand(command, args, ctx)
      return
    }
    // Capture the output, then print it, through the pager when it is longer than the screen.
    let realOut = ctx.out
    let memory = OutputStream(.memory)
    ctx.out = memory
    ctx.outputIsTerminal = true
    defer {
      ctx.out = realOut
      ctx.outputIsTerminal = nil
    }
    do {
      try TriageMain.runCommand(command, args, ctx)
    } catch {
      memory.flush()
      realOut.write(bytes: memory.captured)
      throw error
    }
    memory.flush()
    Pager.show(memory.captured, to: realOut, ctx: ctx)
  }

  func reload() throws(TriageError) {
    let dir = try ctx.findLexiconDirectory()
    do throws(TriageError) {
      let lexicon = try Lexicon.load(directory: dir, cache: ctx.lexiconCache)
      ctx.replaceLexicon(lexicon)
      for w in lexicon.warnings { ctx.warn(w) }
      ctx.out.line("reloaded \(SafeText.escape(dir)): \(lexicon.entries.count) entries, \(lexicon.vocabulary.count) vocabulary keys")
      refreshCompleter()
    } catch {
      ctx.report(error)
      throw TriageError(.dataError, "the lexicons were not reloaded; the session keeps the ones it had")
    }
  }

  func set(_ args: [String]) throws(TriageError) {
    guard args.count >= 2 else { throw .usage("set now TIME | set now clock | set owner OWNER | set owner none") }
    switch args[0] {
    case "now":
      if args[1] == "clock" {
        ctx.nowOverride = nil
        ctx.out.line("now: the data's as_of, else the clock")
        return
      }
      do {
        ctx.nowOverride = try Timestamp(args[1...].joined(separator: "T")).seconds
      } catch {
        throw .usage("set now expects a time like 2026-11-23T14:30:00Z (or 'clock'): \(error.message)")
      }
      ctx.out.line("now: \(Timestamp.format(seconds: ctx.nowOverride ?? 0))")
    case "owner":
      if args[1] == "none" {
        ctx.ownerDefault = nil
        ctx.out.line("owner: none ('blocked' shows every team)")
        return
      }
      let owners = Set((try ctx.lexicon()).codes.map(\.owner)).sorted()
      guard owners.contains(args[1]) else {
        throw .usage(Suggest.unknown("owner", args[1], in: owners, listedAs: "owners"))
      }
      ctx.ownerDefault = args[1]
      ctx.out.line("owner: \(args[1]) ('blocked' shows this team's queue)")
    default:
      throw .usage("unknown setting '\(SafeText.escape(args[0]))'\(Suggest.didYouMean(args[0], in: ["now", "owner"])); settings: now, owner")
    }
  }

  func show() {
    ctx.out.line("data      \(SafeText.escape(dataDescription()))")
    ctx.out.line("lexicons  \(SafeText.escape((try? ctx.findLexiconDirectory()) ?? "not found"))")
    let now = (try? ctx.now()).map { Timestamp.format(seconds: $0) } ?? "–"
    ctx.out.line("now       \(now)\(ctx.nowOverride == nil ? " (the data's as_of, else the clock)" : " (set)")")
    ctx.out.line("owner     \(ctx.ownerDefault ?? "none")")
  }

  func help(_ topic: String?) throws(TriageError) {
    if let topic {
      if let b = Session.builtins.first(where: { $0.0 == topic }) {
        ctx.out.line("OVERVIEW: \(b.2)\n\nUSAGE: \(b.1)")
        return
      }
      if let c = TriageMain.command(named: topic), c.inREPL {
        ctx.out.write(Session.sessionHelp(c.spec.help(width: ctx.terminalWidth ?? 80)))
        return
      }
      let names = TriageMain.commands.filter(\.inREPL).map(\.spec.name) + Session.builtins.map(\.0)
      throw .usage("no help for '\(SafeText.escape(topic))'\(Suggest.didYouMean(topic, in: names))")
    }
    ctx.out.line("Commands (the same as 'triage COMMAND' on the command line; 'help COMMAND' for options and examples):\n")
    for c in TriageMain.commands where c.inREPL {
      ctx.out.line("  " + c.spec.name.padding(toLength: 12, withPad: " ", startingAt: 0) + c.spec.abstract)
    }
    ctx.out.line("\nSession:\n")
    for b in Session.builtins {
      ctx.out.line("  " + b.0.padding(toLength: 12, withPad: " ", startingAt: 0) + b.2)
    }
    ctx.out.line("\nExamples:  why SO-10294   blocked --owner packing   risk   drift 47305   classify short pick at B-14-02")
  }

  /// A command's help as typed in the session: usage and examples without the leading
  /// `triage ` (commands in a pipeline, such as `$EDITOR … && triage replay`, keep it).
  static func sessionHelp(_ help: String) -> String {
    help.replacingOccurrences(of: "USAGE: triage ", with: "USAGE: ")
      .replacingOccurrences(of: "\n  triage ", with: "\n  ")
  }

  // MARK: Completion

  /// Tab completion from the session's commands, lexicons and data.
  public func completer() -> TriageCompleter {
    TriageCompleter(candidates: candidates())
  }

  func refreshCompleter() {
    editor?.completer = completer()
  }

  func candidates() -> TriageCompleter.Candidates {
    var c = TriageCompleter.Candidates()
    c.commands = (TriageMain.commands.filter(\.inREPL).map(\.spec.name) + Session.builtins.map(\.0) + ["exit", "help"]).sorted()
    for command in TriageMain.commands where command.inREPL {
      let name = command.spec.name
      let options = command.spec.options + CommandSpec.globalOptions
      c.options[name] = options.map(\.name)
      for o in options where o.value != nil { c.values[name, default: [:]][o.name] = o.choices }
      let words = command.spec.subcommands.compactMap { $0.0.split(separator: " ").first.map(String.init) }
      if !words.isEmpty { c.subcommands[name] = words }
    }
    if let lexicon = try? ctx.lexicon() {
      c.codes = lexicon.codes.map(\.code)
      c.owners = Array(Set(lexicon.codes.map(\.owner))).sorted()
    }
    if let store = try? ctx.store() {
      c.orders = (try? store.orderIDs()) ?? []
      c.skus = (try? store.skus()) ?? []
      c.notes = (try? store.noteIDs(limit: 20_000)) ?? []
    }
    return c
  }
}
