import Foundation
import Testing
import TriageKit

#if canImport(Glibc)
  import Glibc
#endif

/// The pager and the editor run through `TerminalProgram`.
@Suite struct REPLTerminalProgramTests {
  /// Regression: started with Foundation's `Process`, the pager ran in a process group of its
  /// own, was stopped (SIGTTOU) as soon as it set up the terminal, and the session hung.
  @Test func pagerRunsInOurProcessGroupWithDefaultSignals() throws {
    let dir = DraftPaths.tempDirectory()
    defer { DraftPaths.cleanUp(dir) }
    let out = dir + "/child.txt"
    let status = try TerminalProgram.run(
      shell: """
        cat > "$1"
        read -r pid comm state ppid pgrp rest < /proc/$$/stat
        echo "pgrp $pgrp" >> "$1"
        sed -n 's/^SigIgn:[[:space:]]*//p' /proc/$$/status >> "$1"
        exit 3
        """,
      arguments: ["pager", out], environment: ["PATH": "/usr/bin:/bin"],
      input: Array("page one\npage two\n".utf8))
    #expect(status == 3)
    let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
    try #require(lines.count == 4, "\(lines)")
    #expect(lines[0] == "page one" && lines[1] == "page two")
    #expect(lines[2] == "pgrp \(getpgrp())")
    // SIGINT (bit 1) and SIGPIPE (bit 12) are the pager's to handle, even though we ignore them.
    let ignored = try #require(UInt64(lines[3], radix: 16))
    #expect(ignored & (1 << 1) == 0 && ignored & (1 << 12) == 0, "SigIgn \(lines[3])")
  }

  @Test func pagerQuittingEarlyIsNoError() throws {
    // 4 MiB is more than a pipe holds: the writer meets the closed pipe, not a full one.
    let text = [UInt8](repeating: UInt8(ascii: "x"), count: 4 << 20)
    let status = try TerminalProgram.run(
      shell: "head -c 10 > /dev/null", environment: ["PATH": "/usr/bin:/bin"], input: text)
    #expect(status == 0)
  }

  @Test func statusOfAProgramEndedBySignal() throws {
    #expect(try TerminalProgram.run(shell: "kill -TERM $$", environment: [:]) == 128 + SIGTERM)
  }
}
