import Foundation
import Testing
import TriageKit

#if canImport(Glibc)
  import Glibc
#endif

/// End-to-end: the editor runs on the slave side of a pseudo-terminal on its own thread, the
/// test types on the master side and feeds what the editor draws to `VTScreen`.
///
/// Serialized: raw mode and the signal handlers are per process, and one test sends SIGWINCH
/// to the process.
@Suite(.serialized) struct LineEditorTerminalTests {
  static let esc = "\u{1B}"
  static let up = esc + "[A"
  static let down = esc + "[B"
  static let right = esc + "[C"
  static let left = esc + "[D"

  @Test func typingAndEnterRestoresTheTerminal() throws {
    let pty = try PseudoTerminal(columns: 40)
    let before = try pty.settings()
    let run = pty.startEditor(prompt: "\(Self.esc)[1;32mtriage\(Self.esc)[0m> ")
    try pty.waitForPrompt()
    // Raw while reading: no line discipline, but output processing stays on.
    let raw = try pty.settings()
    #expect(raw.c_lflag & tcflag_t(ICANON | ECHO | ISIG | IEXTEN) == 0)
    #expect(raw.c_iflag & tcflag_t(ICRNL | IXON) == 0)
    #expect(raw.c_oflag & tcflag_t(OPOST) != 0)
    #expect(pty.screen.cursor == .init(row: 0, column: 8))
    pty.send("show 注文\r")
    let results = try #require(pty.finish(run))
    #expect(results == [.line("show 注文")])
    #expect(pty.screen.text == ["triage> show 注文"])
    #expect(pty.screen.cursor == .init(row: 1, column: 0))
    #expect(PseudoTerminal.same(before, try pty.settings()))
    #expect(pty.screen.bracketedPasteOn == 1 && pty.screen.bracketedPasteOff == 1)
  }

  @Test func leftAndBackspaceEditMidLine() throws {
    let pty = try PseudoTerminal(columns: 40)
    let run = pty.startEditor(prompt: "> ")
    try pty.waitForPrompt()
    pty.send("shw ordersX" + "\u{7F}")
    try pty.waitForScreen(["> shw orders"])
    pty.send(String(repeating: Self.left, count: 8))
    try pty.waitForCursor(row: 0, column: 4)
    pty.send("o")
    try pty.waitForScreen(["> show orders"], cursor: (0, 5))
    // Right, BS (0x08), Ctrl-B ×2, Ctrl-D, Ctrl-F
    pty.send(Self.right + "\u{8}" + "\u{2}\u{2}\u{4}" + "\u{6}")
    try pty.waitForScreen(["> so orders"], cursor: (0, 4))
    pty.send("\r")
    #expect(try #require(pty.finish(run)) == [.line("so orders")])
  }

  @Test func homeEndAndWordMovesInAllTheirSpellings() throws {
    let pty = try PseudoTerminal(columns: 40)
    let run = pty.startEditor(prompt: "> ")
    try pty.waitForPrompt()
    pty.send("b c")
    for home in ["[H", "[1~", "[7~", "OH"] {
      pty.send(Self.esc + home)
      try pty.waitForCursor(row: 0, column: 2)
      pty.send(Self.esc + "[F")
      try pty.waitForCursor(row: 0, column: 5)
    }
    for end in ["[4~", "[8~", "OF"] {
      pty.send("\u{1}")
      try pty.waitForCursor(row: 0, column: 2)
      pty.send(Self.esc + end)
      try pty.waitForCursor(row: 0, column: 5)
    }
    pty.send("\u{1}a \u{5} d")
    try pty.waitForScreen(["> a b c d"], cursor: (0, 9))
    pty.send(Self.esc + "b" + Self.esc + "[1;5D")  // Alt-b, Ctrl-Left
    try pty.waitForCursor(row: 0, column: 6)
    pty.send(Self.esc + "[1;5C" + "!" + Self.esc + "f" + "?")  // Ctrl-Right, Alt-f
    try pty.waitForScreen(["> a b c! d?"], cursor: (0, 11))
    pty.send("\r")
    #expect(try #require(pty.finish(run)) == [.line("a b c! d?")])
  }

  @Test func killAndYankKeys() throws {
    let pty = try PseudoTerminal(columns: 40)
    let run = pty.startEditor(prompt: "> ")
    try pty.waitForPrompt()
    pty.send("find status:open 1042")
    try pty.waitForScreen(["> find status:open 1042"])
    pty.send("\u{17}")  // Ctrl-W
    try pty.waitForScreen(["> find status:open"], cursor: (0, 19))
    pty.send("\u{17}")  // and again: the kills add up
    try pty.waitForScreen(["> find"], cursor: (0, 7))
    pty.send("\u{19}")  // Ctrl-Y
    try pty.waitForScreen(["> find status:open 1042"], cursor: (0, 23))
    pty.send("\u{1}" + Self.esc + "f" + "\u{B}")  // Ctrl-A, Alt-f, Ctrl-K
    try pty.waitForScreen(["> find"], cursor: (0, 6))
    pty.send("\u{5}" + "\u{15}")  // Ctrl-E, Ctrl-U
    try pty.waitForScreen([">"], cursor: (0, 2))
    pty.send("\u{19}\r")  // Ctrl-Y brings back what Ctrl-U took
    #expect(try #require(pty.finish(run)) == [.line("find")])
  }

  @Test func historyUpDownKeepsTheEditedLine() throws {
    let pty = try PseudoTerminal(columns: 40)
    let run = pty.startEditor(
      prompt: "> ", lines: 2, history: History(entries: ["show 1042", "list open"]))
    try pty.waitForPrompt()
    pty.send("draft" + Self.up)
    try pty.waitForScreen(["> list open"])
    pty.send(Self.up)
    try pty.waitForScreen(["> show 1042"])
    pty.send(Self.up)  // the oldest: stays
    pty.send(Self.down + Self.down)
    try pty.waitForScreen(["> draft"], cursor: (0, 7))
    pty.send("\u{10}\u{10}\r")  // Ctrl-P ×2
    try pty.waitForPrompt(count: 2)
    // The accepted line went into the history: Up recalls it first.
    pty.send(Self.up + "\r")
    let results = try #require(pty.finish(run))
    #expect(results == [.line("show 1042"), .line("show 1042")])
    #expect(pty.screen.text == ["> show 1042", "> show 1042"])
    #expect(pty.finalHistory?.entries == ["show 1042", "list open", "show 1042"])
  }

  @Test func reverseSearchFindsOlderMatchesAndRuns() throws {
    let history = History(entries: ["show 1042", "list open", "show 2001", "quit"])
    let pty = try PseudoTerminal(columns: 60)
    let run = pty.startEditor(prompt: "> ", history: history)
    try pty.waitForPrompt()
    pty.send("\u{12}sho")
    try pty.waitForScreen(["(reverse-i-search)`sho': show 2001"], cursor: (0, 25))
    pty.send("w\u{12}")  // Ctrl-R again: an older match
    try pty.waitForScreen(["(reverse-i-search)`show': show 1042"], cursor: (0, 26))
    pty.send("\u{12}")  // no older match: the search fails but keeps the last one
    try pty.waitForScreen(["(failed reverse-i-search)`show': show 1042"])
    #expect(pty.screen.bells == 1)
    pty.send("\r")
    #expect(try #require(pty.finish(run)) == [.line("show 1042")])
    #expect(pty.screen.text == ["> show 1042"])
  }

  /// After Up (and even after clearing the line), Ctrl-R finds the entry Up went to, as in
  /// readline.
  @Test func reverseSearchFromAHistoryEntryIncludesIt() throws {
    let history = History(entries: ["list open", "why SO-10294"])
    let pty = try PseudoTerminal(columns: 60)
    let run = pty.startEditor(prompt: "> ", history: history)
    try pty.waitForPrompt()
    pty.send("\u{1B}[A")
    try pty.waitForScreen(["> why SO-10294"])
    pty.send("\u{15}\u{12}SO-102")  // Ctrl-U, then Ctrl-R
    try pty.waitForScreen(["(reverse-i-search)`SO-102': why SO-10294"])
    pty.send("\r")
    let result = try #require(pty.finish(run))
    #expect(result == [.line("why SO-10294")], "\(result)")
  }

  @Test func reverseSearchCancelAndAcceptIntoEditor() throws {
    let history = History(entries: ["show 1042", "list open", "quit"])
    let pty = try PseudoTerminal(columns: 60)
    let run = pty.startEditor(prompt: "> ", history: history)
    try pty.waitForPrompt()
    pty.send("draft\u{12}list")
    try pty.waitForScreen(["(reverse-i-search)`list': list open"])
    pty.send("\u{7}")  // Ctrl-G: back to the line as it was
    try pty.waitForScreen(["> draft"], cursor: (0, 7))
    pty.send("\u{12}open")
    try pty.waitForScreen(["(reverse-i-search)`open': list open"], cursor: (0, 31))
    pty.send(Self.esc)  // Escape: edit the found line, cursor where the match was
    try pty.waitForScreen(["> list open"], cursor: (0, 7))
    pty.send("\u{12}104" + Self.right)  // Right accepts and moves
    try pty.waitForScreen(["> show 1042"], cursor: (0, 8))
    pty.send("\u{12}qu\u{3}")  // Ctrl-C in a search cancels the search only
    try pty.waitForScreen(["> show 1042"])
    pty.send("\u{5}!\r")
    #expect(try #require(pty.finish(run)) == [.line("show 1042!")])
  }

  @Test func tabCompletesAUniquePrefixAndListsSeveral() throws {
    let completer = WordCompleter(["orders", "owners", "show", "status"])
    let pty = try PseudoTerminal(columns: 40)
    let run = pty.startEditor(prompt: "> ", completer: completer)
    try pty.waitForPrompt()
    pty.send("sh\t")
    try pty.waitForScreen(["> show"], cursor: (0, 7))
    pty.send("o\t")
    // Ambiguous and nothing to add: the bell, no list yet.
    try pty.waitFor("a bell") { $0.bells == 1 }
    #expect(pty.screen.text == ["> show o"])
    pty.send("\t")
    try pty.waitForScreen(["> show o", "orders  owners", "> show o"], cursor: (2, 8))
    pty.send("r\t\r")
    #expect(try #require(pty.finish(run)) == [.line("show orders ")])
    #expect(pty.screen.text == ["> show o", "orders  owners", "> show orders"])
  }

  @Test func tabInsertsTheCommonPrefixAndRingsWithoutCandidates() throws {
    let completer = WordCompleter(["status:open", "status:closed", "show"])
    let pty = try PseudoTerminal(columns: 40)
    let run = pty.startEditor(prompt: "> ", completer: completer)
    try pty.waitForPrompt()
    pty.send("st\t")
    try pty.waitForScreen(["> status:"], cursor: (0, 9))
    #expect(pty.screen.bells == 0)
    pty.send("\u{15}zz\t")
    try pty.waitFor("a bell") { $0.bells == 1 }
    pty.send("\r")
    #expect(try #require(pty.finish(run)) == [.line("zz")])
  }

  @Test func listingGoesDownTheColumns() throws {
    let completer = WordCompleter(["a1", "a22", "a333", "a4444", "a5", "a6", "a7"])
    let pty = try PseudoTerminal(columns: 30)
    let run = pty.startEditor(prompt: "> ", completer: completer)
    try pty.waitForPrompt()
    pty.send("a\t\t")
    try pty.waitForScreen(
      ["> a", "a1     a333   a5     a7", "a22    a4444  a6", "> a"], cursor: (3, 3))
    pty.send("\r")
    #expect(try #require(pty.finish(run)) == [.line("a")])
  }

  @Test func longListingAsksFirst() throws {
    let words = (0..<150).map { "c" + String(1000 + $0).dropFirst() }
    let pty = try PseudoTerminal(rows: 12, columns: 40)
    let run = pty.startEditor(prompt: "> ", completer: WordCompleter(words))
    try pty.waitForPrompt()
    pty.send("c\t\t")
    try pty.waitForScreen(["> c", "Display all 150 possibilities? (y or n)"], cursor: (1, 39))
    pty.send("n")
    try pty.waitForScreen(
      ["> c", "Display all 150 possibilities? (y or n)", "> c"], cursor: (2, 3))
    pty.send("\t\ty")
    // 150 entries of 4 columns, 6 a row: 25 rows, scrolled; the prompt comes back below.
    try pty.waitFor("the listing and a new prompt") { screen in
      screen.lines.suffix(3) == [
        "c023  c048  c073  c098  c123  c148", "c024  c049  c074  c099  c124  c149", "> c",
      ]
    }
    pty.send("\r")
    #expect(try #require(pty.finish(run)) == [.line("c")])
  }

  @Test func wordKillsTransposeAndDelete() throws {
    let pty = try PseudoTerminal(columns: 40)
    let run = pty.startEditor(prompt: "> ")
    try pty.waitForPrompt()
    pty.send("show status:open now" + Self.esc + "\u{7F}")  // Alt-Backspace
    try pty.waitForScreen(["> show status:open"], cursor: (0, 19))
    pty.send("\u{1}" + Self.esc + "d")  // Ctrl-A, Alt-d
    try pty.waitForScreen([">  status:open"], cursor: (0, 2))
    pty.send(Self.esc + "[3~" + "\u{5}teh\u{14}")  // Delete, Ctrl-E, Ctrl-T
    try pty.waitForScreen(["> status:open the"], cursor: (0, 17))
    pty.send("\r")
    #expect(try #require(pty.finish(run)) == [.line("status:open the")])
  }

  @Test func withoutATerminalLinesAreReadPlainly() throws {
    var fds: [Int32] = [-1, -1]
    #expect(pipe(&fds) == 0)
    let (readEnd, writeEnd) = (fds[0], fds[1])
    defer { close(readEnd) }
    let input = "first\r\nsecond\nlast"
    #expect(input.withCString { write(writeEnd, $0, strlen($0)) } == input.utf8.count)
    close(writeEnd)
    #expect(!LineEditor.isTerminal(readEnd))
    let editor = LineEditor(input: readEnd, output: readEnd)
    // The prompt goes to the output, which is the pipe's read end here: writing fails quietly.
    #expect(editor.readLine(prompt: "") == .line("first"))
    #expect(editor.readLine(prompt: "") == .line("second"))
    #expect(editor.readLine(prompt: "") == .line("last"))
    #expect(editor.readLine(prompt: "") == .endOfInput)
    #expect(editor.history.entries == ["first", "second", "last"])
  }

  @Test func ctrlCInterruptsAndCtrlDEnds() throws {
    let pty = try PseudoTerminal(columns: 40)
    let run = pty.startEditor(prompt: "> ", lines: 3)
    try pty.waitForPrompt()
    pty.send("abc\u{3}")
    try pty.waitForPrompt(count: 2)
    pty.send("xy" + Self.left + "\u{4}")  // Ctrl-D deletes under the cursor on a non-empty line
    try pty.waitForScreen(["> abc^C", "> x"], cursor: (1, 3))
    pty.send("\u{15}\u{4}")  // Ctrl-U, then Ctrl-D on the empty line
    try pty.waitForPrompt(count: 3)
    pty.send("\u{4}")
    let results = try #require(pty.finish(run))
    #expect(results == [.interrupted, .endOfInput, .endOfInput])
    #expect(pty.screen.text == ["> abc^C", ">", ">"])
  }

  @Test func longLineWrapsAndEditsOnANarrowTerminal() throws {
    let pty = try PseudoTerminal(columns: 20)
    let run = pty.startEditor(prompt: "> ")
    try pty.waitForPrompt()
    pty.send("abcdefghijklmnopqrstuvwxyz0123")
    try pty.waitForScreen(["> abcdefghijklmnopqr", "stuvwxyz0123"], cursor: (1, 12))
    pty.send("\u{1}XY")
    try pty.waitForScreen(["> XYabcdefghijklmnop", "qrstuvwxyz0123"], cursor: (0, 4))
    // Back to exactly one full row: the cursor goes to the start of the next row.
    pty.send("\u{5}" + String(repeating: "\u{7F}", count: 14))
    try pty.waitForScreen(["> XYabcdefghijklmnop", ""], cursor: (1, 0))
    pty.send(Self.left)
    try pty.waitForCursor(row: 0, column: 19)
    pty.send(Self.right + "\u{7F}")
    try pty.waitForScreen(["> XYabcdefghijklmno", ""], cursor: (0, 19))
    pty.send("\r")
    #expect(try #require(pty.finish(run)) == [.line("XYabcdefghijklmno")])
  }

  @Test func wideCharacterAtTheEdgeWrapsWhole() throws {
    let pty = try PseudoTerminal(columns: 20)
    let run = pty.startEditor(prompt: "> ")
    try pty.waitForPrompt()
    pty.send("abcdefghijklmnopq注文")
    try pty.waitForScreen(["> abcdefghijklmnopq", "注文"], cursor: (1, 4))
    pty.send(Self.left + Self.left)
    try pty.waitForCursor(row: 1, column: 0)
    pty.send(Self.left)
    try pty.waitForCursor(row: 0, column: 18)
    pty.send("e\u{301}")  // a combining accent typed separately still makes one é
    try pty.waitForScreen(["> abcdefghijklmnope\u{301}q", "注文"], cursor: (0, 19))
    pty.send("\r")
    #expect(try #require(pty.finish(run)) == [.line("abcdefghijklmnope\u{301}q注文")])
  }

  @Test func resizeRedrawsForTheNewWidth() throws {
    let pty = try PseudoTerminal(columns: 40)
    let run = pty.startEditor(prompt: "> ")
    try pty.waitForPrompt()
    pty.send("abcdefghijklmnopqrstuvwxyz0123")
    try pty.waitForScreen(["> abcdefghijklmnopqrstuvwxyz0123"], cursor: (0, 32))
    try pty.resize(columns: 20)
    kill(getpid(), SIGWINCH)
    try pty.waitForScreen(["> abcdefghijklmnopqr", "stuvwxyz0123"], cursor: (1, 12))
    try pty.resize(columns: 30)
    kill(getpid(), SIGWINCH)
    try pty.waitForScreen(["> abcdefghijklmnopqrstuvwxyz01", "23"], cursor: (1, 2))
    pty.send("!\r")
    #expect(try #require(pty.finish(run)) == [.line("abcdefghijklmnopqrstuvwxyz0123!")])
  }

  @Test func bracketedPasteIsLiteralAndControlsShowEscaped() throws {
    let pty = try PseudoTerminal(columns: 60)
    let run = pty.startEditor(prompt: "> ")
    try pty.waitForPrompt()
    pty.send(Self.esc + "[200~note one\nnote two\r\n\tend" + Self.esc + "[2J" + Self.esc + "[201~")
    try pty.waitForScreen(["> note one note two  end^[[2J"], cursor: (0, 29))
    pty.send("\r")
    #expect(
      try #require(pty.finish(run)) == [.line("note one note two  end\u{1B}[2J")])
  }

  @Test func unknownSequencesAreNotInserted() throws {
    let pty = try PseudoTerminal(columns: 40)
    let run = pty.startEditor(prompt: "> ")
    try pty.waitForPrompt()
    // F5, a device-attributes report, F1, Ctrl-Up, a focus event.
    pty.send(
      "a" + Self.esc + "[15~" + Self.esc + "[?1;2c" + Self.esc + "OP" + "b" + Self.esc + "[1;5A"
        + Self.esc + "[I")
    try pty.waitForScreen(["> ab"], cursor: (0, 4))
    pty.send("c\r")
    #expect(try #require(pty.finish(run)) == [.line("abc")])
  }

  @Test func typeAheadCarriesToTheNextLine() throws {
    let pty = try PseudoTerminal(columns: 40)
    let run = pty.startEditor(prompt: "> ", lines: 2)
    try pty.waitForPrompt()
    pty.send("one\rtwo\r")
    let results = try #require(pty.finish(run))
    #expect(results == [.line("one"), .line("two")])
    #expect(pty.screen.text == ["> one", "> two"])
  }

  @Test func ctrlLClearsAndRedraws() throws {
    let pty = try PseudoTerminal(columns: 40)
    pty.screen.feed("earlier output\r\n")
    let run = pty.startEditor(prompt: "> ")
    try pty.waitForPrompt()
    pty.send("abc" + Self.left + "\u{C}")
    try pty.waitForScreen(["> abc"], cursor: (0, 4))
    pty.send("\r")
    #expect(try #require(pty.finish(run)) == [.line("abc")])
  }

  @Test func promptWithHeaderLinesAndColours() throws {
    let pty = try PseudoTerminal(columns: 20)
    let run = pty.startEditor(prompt: "3 open orders\n\(Self.esc)[33m注>\(Self.esc)[0m ")
    try pty.waitForPrompt()
    pty.send("abcdefghijklmnopqr")
    try pty.waitForScreen(["3 open orders", "注> abcdefghijklmnop", "qr"], cursor: (2, 2))
    pty.send("\r")
    #expect(try #require(pty.finish(run)) == [.line("abcdefghijklmnopqr")])
  }

  // MARK: Signals end the process with the terminal restored

  @Test(arguments: [SIGTERM, SIGHUP, SIGSEGV, SIGABRT])
  func fatalSignalRestoresTheTerminal(_ signal: Int32) async throws {
    let pty = try PseudoTerminal(columns: 40)
    let before = try pty.settings()
    let path = try pty.slavePath()
    await #expect(processExitsWith: .signal(signal)) {
      [path = path as String, signal = signal as Int32] in
      let fd = open(path, O_RDWR | O_NOCTTY)
      Thread.detachNewThread {
        _ = LineEditor(input: fd, output: fd, history: History()).readLine(prompt: "> ")
      }
      // Wait until the editor is in raw mode, then die by the signal.
      var settings = termios()
      for _ in 0..<400 {
        tcgetattr(fd, &settings)
        if settings.c_lflag & tcflag_t(ICANON) == 0 { break }
        usleep(5000)
      }
      kill(getpid(), signal)
      sleep(5)
    }
    #expect(PseudoTerminal.same(before, try pty.settings()))
    pty.drain()
    // The child did get to raw mode (it switched bracketed paste on), and switched it off.
    #expect(pty.screen.bracketedPasteOn == 1)
    #expect(pty.screen.bracketedPasteOff == 1)
  }

  /// A signal the application handles itself is handed to its handler; the editor then goes
  /// back to raw mode and keeps reading. Then `exit()` mid-line restores the terminal too.
  @Test func handledSignalIsPassedOnAndExitRestores() async throws {
    let pty = try PseudoTerminal(columns: 40)
    let before = try pty.settings()
    let path = try pty.slavePath()
    await #expect(processExitsWith: .success) { [path = path as String] in
      signal(SIGINT) { _ in sawInterrupt = 1 }
      let fd = open(path, O_RDWR | O_NOCTTY)
      Thread.detachNewThread {
        _ = LineEditor(input: fd, output: fd, history: History()).readLine(prompt: "> ")
      }
      func waitForRaw(_ raw: Bool) -> Bool {
        var settings = termios()
        for _ in 0..<400 {
          tcgetattr(fd, &settings)
          if (settings.c_lflag & tcflag_t(ICANON) == 0) == raw { return true }
          usleep(5000)
        }
        return false
      }
      guard waitForRaw(true) else { exit(2) }
      kill(getpid(), SIGINT)
      for _ in 0..<400 where sawInterrupt == 0 { usleep(5000) }
      guard sawInterrupt == 1 else { exit(3) }
      exit(waitForRaw(true) ? 0 : 4)
    }
    pty.drain()
    // Raw mode was left for the handler and entered again, then left at exit.
    #expect(pty.screen.bracketedPasteOn == 2)
    #expect(pty.screen.bracketedPasteOff == 2)
    #expect(PseudoTerminal.same(before, try pty.settings()))
  }
}

/// Set by the test's own SIGINT handler. `nonisolated(unsafe)`: written only by that handler
/// in an exit test's child process and polled by the same child.
nonisolated(unsafe) private var sawInterrupt: Int32 = 0

// MARK: - Harness

/// A pseudo-terminal pair of a given size, with the screen its output has drawn.
private final class PseudoTerminal {
  private var master: Int32
  let slave: Int32
  var screen: VTScreen
  /// The editor thread did not finish even after the hang-up; its fds are left open so it
  /// never reads from a reused descriptor.
  private var leaked = false
  private(set) var finalHistory: History?

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  init(rows: Int = 12, columns: Int) throws {
    var master: Int32 = -1
    var slave: Int32 = -1
    var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
    guard openpty(&master, &slave, nil, nil, &size) == 0 else {
      throw Failure(description: "openpty: \(String(cString: strerror(errno)))")
    }
    self.master = master
    self.slave = slave
    _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
    screen = VTScreen(rows: rows, columns: columns)
  }

  deinit {
    guard !leaked else { return }
    if master >= 0 { close(master) }
    close(slave)
  }

  func settings() throws -> termios {
    var t = termios()
    guard tcgetattr(slave, &t) == 0 else { throw Failure(description: "tcgetattr failed") }
    return t
  }

  func slavePath() throws -> String {
    guard let name = ttyname(slave) else { throw Failure(description: "ttyname failed") }
    return String(cString: name)
  }

  static func same(_ a: termios, _ b: termios) -> Bool {
    var a = a
    var b = b
    let cc = withUnsafeBytes(of: &a.c_cc) { x in
      withUnsafeBytes(of: &b.c_cc) { x.elementsEqual($0) }
    }
    return a.c_iflag == b.c_iflag && a.c_oflag == b.c_oflag && a.c_cflag == b.c_cflag
      && a.c_lflag == b.c_lflag && a.c_line == b.c_line && cc
      && cfgetispeed(&a) == cfgetispeed(&b) && cfgetospeed(&a) == cfgetospeed(&b)
  }

  func resize(columns: Int) throws {
    var size = winsize(
      ws_row: UInt16(screen.rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
    guard ioctl(master, UInt(TIOCSWINSZ), &size) == 0 else {
      throw Failure(description: "TIOCSWINSZ failed")
    }
    screen.resize(columns: columns)
  }

  /// Types `text` on the keyboard.
  func send(_ text: String) {
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count && master >= 0 {
      let n = bytes[offset...].withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
      if n > 0 { offset += n } else { pump(timeout: 5) }
    }
  }

  /// Reads what the editor drew; false when nothing came within `timeout` milliseconds.
  @discardableResult func pump(timeout: Int32) -> Bool {
    guard master >= 0 else { return false }
    var fd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
    guard poll(&fd, 1, timeout) > 0 else { return false }
    var chunk = [UInt8](repeating: 0, count: 8192)
    let n = chunk.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
    guard n > 0 else { return false }
    screen.feed(Array(chunk[..<n]))
    return true
  }

  /// Reads everything already written.
  func drain() {
    while pump(timeout: 0) {}
  }

  /// Pumps output until `condition` holds; throws with the screen after `timeout` seconds.
  func waitFor(_ what: String, timeout: Double = 3, _ condition: (VTScreen) -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition(screen) {
      if Date() > deadline {
        throw Failure(
          description: "timed out waiting for \(what); screen:\n"
            + screen.lines.map { "|\($0)|" }.joined(separator: "\n") + "\ncursor \(screen.cursor)")
      }
      pump(timeout: 20)
    }
  }

  /// Waits for the `count`-th prompt: raw mode is on once bracketed paste is switched on.
  func waitForPrompt(count: Int = 1) throws {
    try waitFor("prompt \(count)") { $0.bracketedPasteOn >= count }
    drain()
  }

  /// Waits until the rows from the prompt's row down read `rows` (and the cursor is at
  /// `cursor`, rows counted from the first of them).
  func waitForScreen(_ rows: [String], cursor: (Int, Int)? = nil, from firstRow: Int = 0) throws {
    try waitFor("screen \(rows) cursor \(String(describing: cursor))") { screen in
      let lines = screen.lines
      guard firstRow + rows.count <= lines.count,
        Array(lines[firstRow..<(firstRow + rows.count)]) == rows
      else { return false }
      guard let (row, column) = cursor else { return true }
      return screen.cursor == VTScreen.Cursor(row: firstRow + row, column: column)
    }
  }

  func waitForCursor(row: Int, column: Int) throws {
    try waitFor("cursor (\(row), \(column))") {
      $0.cursor == VTScreen.Cursor(row: row, column: column)
    }
  }

  /// Runs `lines` calls of `readLine` on the slave side, on a thread of their own.
  func startEditor(
    prompt: String, lines: Int = 1, history: History = History(),
    completer: (any LineCompleter)? = nil
  ) -> EditorRun {
    let run = EditorRun()
    let fd = slave
    Thread.detachNewThread {
      let editor = LineEditor(input: fd, output: fd, history: history, completer: completer)
      var results: [LineEditResult] = []
      for _ in 0..<lines { results.append(editor.readLine(prompt: prompt)) }
      run.complete(results, editor.history)
    }
    return run
  }

  /// Waits for the editor thread while drawing its output; nil (after hanging up the terminal
  /// so the editor sees the end of input) when it does not finish in time.
  func finish(_ run: EditorRun, timeout: Double = 3) -> [LineEditResult]? {
    let deadline = Date().addingTimeInterval(timeout)
    while run.done.wait(timeout: .now()) == .timedOut {
      pump(timeout: 10)
      guard Date() < deadline else {
        close(master)
        master = -1
        if run.done.wait(timeout: .now() + 2) == .timedOut { leaked = true }
        return nil
      }
    }
    drain()
    finalHistory = run.history
    return run.results
  }
}

/// The outcome of an editor thread. `@unchecked Sendable`: it is written once by the editor
/// thread before `done` is signalled and read by the test only after waiting on `done`.
private final class EditorRun: @unchecked Sendable {
  let done = DispatchSemaphore(value: 0)
  private(set) var results: [LineEditResult] = []
  private(set) var history: History?

  func complete(_ results: [LineEditResult], _ history: History) {
    self.results = results
    self.history = history
    done.signal()
  }
}
