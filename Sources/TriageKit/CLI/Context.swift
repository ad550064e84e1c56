import Foundation
import TriageCore

#if canImport(Glibc)
  import Glibc
#endif

/// Everything a command runs with: its output streams, the environment, the lexicons, the data
/// and the session's defaults. One-shot commands get a fresh context; the REPL keeps one for the
/// session, so `set now`, `load` and `reload` carry over between commands.
///
/// A class: it has identity (the session) and caches the loaded lexicon and store.
public final class Context: @unchecked Sendable {
  public var out: OutputStream
  public var err: OutputStream
  /// Set by the REPL when it captures a command's output to page it: the output will reach a
  /// terminal even though `out` is memory (so colour and widths apply).
  public var outputIsTerminal: Bool?
  public let environment: [String: String]
  /// Where relative paths given on the command line are resolved.
  public let workingDirectory: String

  /// `--lexicons`, else `$TRIAGE_LEXICONS`, else found beside the executable.
  public var lexiconDirectory: String?
  public var colorAllowed = true
  public var pagerAllowed = true
  public var strict = false
  /// Session defaults set in the REPL (`set now`, `set owner`).
  public var nowOverride: Int64?
  public var ownerDefault: String?
  /// The data the commands answer from: a data folder read into memory, or a store file.
  public var dataFolder: String?
  public var databasePath: String?
  /// True inside the REPL: errors are reported and the session goes on.
  public var interactive = false
  /// Terminal width for tables; nil when the output is not a terminal.
  public var terminalWidth: Int?

  /// Where compiled lexicons are cached between runs, as the environment says
  /// (`TRIAGE_CACHE_DIR`, `XDG_CACHE_HOME`, `HOME`); nil when the cache is off.
  public lazy var lexiconCache: LexiconCache? = LexiconCache(
    environment: environment, workingDirectory: workingDirectory)

  private var cachedLexicon: Lexicon?
  /// The directory `cachedLexicon` was read from: a command given another `--lexicons` (in the
  /// session, for one line) reads that one instead.
  private var cachedLexiconDirectory: String?
  private var cachedClassifier: Classifier?
  var cachedStore: Store?
  var cachedSettings: SiteSettings?
  /// What reading the data folder found (for `load` and warnings about rejected rows).
  public internal(set) var loadedFolderReport: IngestReport?

  public init(
    out: OutputStream, err: OutputStream, environment: [String: String],
    workingDirectory: String = FileManager.default.currentDirectoryPath
  ) {
    self.out = out
    self.err = err
    self.environment = environment
    self.workingDirectory = workingDirectory
    if environment["NO_COLOR"].map({ !$0.isEmpty }) ?? false { colorAllowed = false }
  }

  /// A context writing to memory, for tests.
  public static func capturing(environment: [String: String] = [:], workingDirectory: String? = nil)
    -> Context
  {
    Context(
      out: OutputStream(.memory), err: OutputStream(.memory), environment: environment,
      workingDirectory: workingDirectory ?? FileManager.default.currentDirectoryPath)
  }

  /// Whether to colour stdout: only on a terminal, never with NO_COLOR or --no-color.
  public var useColor: Bool { colorAllowed && (outputIsTerminal ?? out.isTerminal) }

  /// Resolves a path given by the user against the working directory.
  public func resolve(_ path: String) -> String {
    if path == "-" || path.hasPrefix("/") { return path }
    if path.hasPrefix("~/"), let home = environment["HOME"] {
      return (home as NSString).appendingPathComponent(String(path.dropFirst(2)))
    }
    return (workingDirectory as NSString).appendingPathComponent(path)
  }

  // MARK: Lexicons

  /// The lexicon directory to use, or an error saying where triage looked.
  public func findLexiconDirectory() throws(TriageError) -> String {
    if let dir = lexiconDirectory { return resolve(dir) }
    if let env = environment["TRIAGE_LEXICONS"], !env.isEmpty { return resolve(env) }
    var looked: [String] = []
    if let exe = Context.executablePath() {
      let dir = (exe as NSString).deletingLastPathComponent
      for candidate in [
        "Lexicons", "../Lexicons", "../share/triage/Lexicons", "../../Lexicons", "../../../Lexicons",
      ] {
        let path = ((dir as NSString).appendingPathComponent(candidate) as NSString).standardizingPath
        looked.append(path)
        if FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("codes.txt")) {
          return path
        }
      }
    }
    throw TriageError(
      .noInput,
      "no lexicons found: pass --lexicons DIR or set TRIAGE_LEXICONS (looked beside triage in: \(looked.joined(separator: ", ")))"
    )
  }

  /// The loaded lexicon (loaded once per context, or again after `reload`).
  public func lexicon() throws(TriageError) -> Lexicon {
    let directory = try findLexiconDirectory()
    if let cachedLexicon, cachedLexiconDirectory == directory { return cachedLexicon }
    let started = ThemeTrace.now()
    let lexicon = try Lexicon.load(directory: directory, cache: lexiconCache)
    ThemeTrace.log(
      lexiconCache == nil ? "lexicons (no cache)" : "lexicons (through the cache)", since: started)
    if strict, let w = lexicon.warnings.first {
      throw TriageError(.dataError, [Diagnostic(.error, w.message, at: w.location)])
    }
    if cachedLexicon == nil {
      cachedLexicon = lexicon
      cachedLexiconDirectory = directory
    } else {
      // Another directory than before: what was derived from the old lexicons goes too.
      replaceLexicon(lexicon)
    }
    return lexicon
  }

  public func classifier() throws(TriageError) -> Classifier {
    let lexicon = try lexicon()
    if let cachedClassifier { return cachedClassifier }
    let c = Classifier(lexicon: lexicon)
    cachedClassifier = c
    return c
  }

  /// Replaces the lexicon (after `reload`); the old one stays when the new one fails to load.
  public func replaceLexicon(_ lexicon: Lexicon) {
    cachedLexicon = lexicon
    cachedLexiconDirectory = try? findLexiconDirectory()
    cachedClassifier = Classifier(lexicon: lexicon)
    cachedSettings = nil
    // A data folder is re-read so its notes are classified with the new lexicons.
    if databasePath == nil { cachedStore = nil }
    lexiconChanged()
  }

  /// Called when the lexicon changes; the data layer drops what it derived from the old one.
  public var onLexiconChange: [@Sendable () -> Void] = []
  func lexiconChanged() { for f in onLexiconChange { f() } }

  /// The path of the running executable (Linux: /proc/self/exe).
  public static func executablePath() -> String? {
    #if os(Linux)
      if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        return path
      }
    #endif
    let arg0 = CommandLine.arguments.first ?? ""
    if arg0.contains("/") {
      return (arg0 as NSString).standardizingPath
    }
    return nil
  }

  // MARK: Messages

  /// Prints diagnostics to stderr, `triage: ` prefixed, escaped.
  public func report(_ error: TriageError) {
    for d in error.diagnostics {
      err.line("triage: " + SafeText.escape(d.description, .multiLine))
    }
    err.flush()
  }

  public func warn(_ d: Diagnostic) {
    err.line("triage: " + SafeText.escape(d.description, .multiLine))
  }
}
