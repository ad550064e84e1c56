import Foundation
import TriageCore

#if canImport(Glibc)
  import Glibc
#endif

/// A command: its spec and what it does. The same table serves the one-shot CLI and the REPL.
public struct Command: Sendable {
  public var spec: CommandSpec
  public var run: @Sendable (ParsedArguments, Context) throws(TriageError) -> Void
  /// Whether the command is offered in the REPL (all are, except `repl` itself).
  public var inREPL = true

  public init(
    _ spec: CommandSpec, inREPL: Bool = true,
    run: @escaping @Sendable (ParsedArguments, Context) throws(TriageError) -> Void
  ) {
    self.spec = spec
    self.run = run
    self.inREPL = inREPL
  }
}

/// The entry point of the `triage` command.
public enum TriageMain {
  public static let version = "0.1.0"

  /// Every command, in the order `help` lists them.
  public static var commands: [Command] {
    [
      WhyCommand.command, BlockedCommand.command, RiskCommand.command, DriftCommand.command,
      ClassifyCommand.command, ExplainCommand.command, IngestCommand.command,
      UnmatchedCommand.command, EvalCommand.command, LexiconCommand.command, ThemesCommand.command,
      ReportCommand.command, ReplayCommand.command, HelpCommand.command, Session.command,
    ] + DraftCommands.all + extraCommands
  }

  /// Commands registered by later stages (store, orders, drafts, themes, REPL).
  nonisolated(unsafe) public static var extraCommands: [Command] = []

  public static func command(named name: String) -> Command? {
    commands.first { $0.spec.name == name }
  }

  /// The context of the process's run, kept to the end with its compiled lexicon: the process
  /// is about to exit, and freeing the lexicon first cost about 7 ms a command (23 million
  /// instructions, more than reading it from the cache). The store is closed all the same, so
  /// SQLite checkpoints its log and leaves the file whole.
  nonisolated(unsafe) static var processContext: Context?

  /// Runs triage with the process's arguments and environment; returns the exit status.
  public static func run(_ arguments: [String]) -> Int32 {
    signal(SIGPIPE, SIG_IGN)
    let ctx = Context(
      out: OutputStream(.fd(1)), err: OutputStream(.fd(2)),
      environment: ProcessInfo.processInfo.environment)
    processContext = ctx
    let status = run(arguments, ctx)
    ctx.cachedStore = nil
    ctx.out.flush()
    ctx.err.flush()
    return status
  }

  /// Runs triage in a given context (tests pass a capturing one).
  public static func run(_ arguments: [String], _ ctx: Context) -> Int32 {
    do throws(TriageError) {
      try dispatch(arguments, ctx)
      ctx.out.flush()
      try ctx.out.check()
      return ExitStatus.success.rawValue
    } catch {
      ctx.out.flush()
      ctx.report(error)
      return error.status.rawValue
    }
  }

  /// Parses global options, then runs the named command (or the REPL when there is none).
  public static func dispatch(_ arguments: [String], _ ctx: Context) throws(TriageError) {
    var args = arguments
    // Global options may come before the command name.
    var leading: [String] = []
    while let first = args.first, first.hasPrefix("-") {
      if first == "--version" {
        ctx.out.line("triage \(version)")
        return
      }
      if first == "--help" || first == "-h" {
        args.removeFirst()
        args.insert("help", at: 0)
        break
      }
      leading.append(args.removeFirst())
      if let option = CommandSpec.globalOptions.first(where: { $0.name == leading.last }),
        option.value != nil, !args.isEmpty, !(leading.last ?? "").contains("=")
      {
        leading.append(args.removeFirst())
      } else if !CommandSpec.globalOptions.contains(where: { leading.last?.hasPrefix($0.name) ?? false })
        && !(extraGlobalFlags + sessionFlags).contains(leading.last ?? "")
      {
        throw .usage(
          "unknown option '\(leading.last ?? "")'\(Suggest.didYouMean(leading.last ?? "", in: CommandSpec.globalOptions.map(\.name) + extraGlobalFlags + sessionFlags))\nsee 'triage help'")
      }
    }
    guard let name = args.first else {
      guard let repl = command(named: "repl") else {
        ctx.out.write(overview())
        return
      }
      try runCommand(repl, leading, ctx)
      return
    }
    guard let command = command(named: name) else {
      throw .usage(
        "unknown command '\(name)'\(Suggest.didYouMean(name, in: commands.map(\.spec.name)))\nsee 'triage help' for the commands")
    }
    try runCommand(command, leading + args.dropFirst(), ctx)
  }

  /// Flags the REPL adds to the top level.
  nonisolated(unsafe) public static var extraGlobalFlags: [String] = []

  /// The session's own flags (`--no-history`, `--echo`): accepted before no command, since
  /// `triage` alone opens the session; a command given after them rejects them.
  static var sessionFlags: [String] { Session.spec.options.map(\.name) }

  public static func runCommand(_ command: Command, _ args: [String], _ ctx: Context) throws(TriageError) {
    var spec = command.spec
    spec.options += extraGlobalFlags.filter { f in !spec.options.contains { $0.name == f } }
      .map { OptionSpec.flag($0, "") }
    let parsed = try ArgumentParser.parse(args, spec)
    if parsed.has("--help") {
      ctx.out.write(command.spec.help(width: ctx.terminalWidth ?? 80))
      return
    }
    try applyGlobals(parsed, ctx)
    try command.run(parsed, ctx)
  }

  /// Applies the global options a command was given to the context.
  static func applyGlobals(_ p: ParsedArguments, _ ctx: Context) throws(TriageError) {
    if let dir = p.value("--lexicons") { ctx.lexiconDirectory = dir }
    if p.has("--no-color") { ctx.colorAllowed = false }
    if p.has("--no-pager") { ctx.pagerAllowed = false }
    if p.has("--strict") { ctx.strict = true }
    if let data = p.value("--data"), data != ctx.dataFolder || ctx.databasePath != nil {
      ctx.dataFolder = data
      ctx.databasePath = nil
      ctx.dropStore()
    }
    if let db = p.value("--db"), db != ctx.databasePath {
      ctx.databasePath = db
      ctx.dropStore()
    }
    if let now = p.value("--now") {
      do {
        ctx.nowOverride = try Timestamp(now).seconds
      } catch {
        throw .usage("--now expects a time like 2026-11-23T14:30:00Z: \(error.message)")
      }
    }
  }

  /// The top-level help.
  public static func overview() -> String {
    var out = """
      OVERVIEW: triage — exception triage for warehouse and e-commerce operations.

      Reads the notes of a day (WMS notes, order comments, support messages, carrier events),
      classifies the hold and blocker reasons with explainable lexicons, joins them to order
      state and answers: what's blocking this order, which blockers keep coming back.

      USAGE: triage [options] [<command> [<args>]]
             triage                 opens the interactive session (the REPL)

      COMMANDS:

      """
    for c in commands {
      out += "  " + c.spec.name.padding(toLength: 12, withPad: " ", startingAt: 0) + c.spec.abstract + "\n"
    }
    out += """

      See 'triage help <command>' for a command's options and examples.

      """
    return out
  }
}

/// `triage help [COMMAND]`.
enum HelpCommand {
  static let spec = CommandSpec(
    "help", abstract: "Show help for triage or for one command.",
    arguments: [ArgumentSpec("COMMAND", help: "The command to explain.", optional: true)],
    examples: ["triage help", "triage help why"])

  static let command = Command(spec) { args, ctx throws(TriageError) in
    guard let name = args.positionals.first else {
      ctx.out.write(TriageMain.overview())
      return
    }
    guard let c = TriageMain.command(named: name) else {
      throw .usage(
        "unknown command '\(name)'\(Suggest.didYouMean(name, in: TriageMain.commands.map(\.spec.name)))")
    }
    ctx.out.write(c.spec.help(width: ctx.terminalWidth ?? 80))
  }
}
