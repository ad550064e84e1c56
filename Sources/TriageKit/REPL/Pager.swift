import Foundation
import TriageCore

#if canImport(Glibc)
  import Glibc
#endif

/// Shows a command's output: straight to the terminal when it fits, through `$PAGER` (default
/// `less -FRX`) when it is longer than the screen, never with `--no-pager`.
enum Pager {
  static func show(_ bytes: [UInt8], to out: OutputStream, ctx: Context) {
    guard ctx.pagerAllowed, let size = Terminal.size(of: 1), size.rows > 4,
      physicalLines(bytes, width: size.columns) > size.rows - 1
    else {
      out.write(bytes: bytes)
      out.flush()
      return
    }
    let command = ctx.environment["PAGER"].flatMap { $0.isEmpty ? nil : $0 } ?? "less -FRX"
    out.flush()
    var environment = ctx.environment
    // less: keep our colour codes, leave the screen as it was when it exits.
    if environment["LESS"] == nil { environment["LESS"] = "FRX" }
    do {
      _ = try TerminalProgram.run(shell: command, environment: environment, input: bytes)
    } catch {
      out.write(bytes: bytes)
      out.flush()
    }
  }

  /// How many terminal rows the output takes at this width.
  static func physicalLines(_ bytes: [UInt8], width: Int) -> Int {
    let text = String(decoding: bytes, as: UTF8.self)
    var rows = 0
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let w = DisplayWidth.of(stripSGR(String(line)))
      rows += max(1, (w + max(1, width) - 1) / max(1, width))
    }
    return rows
  }

  static func stripSGR(_ s: String) -> String {
    guard s.contains("\u{1B}") else { return s }
    var out = ""
    var inEscape = false
    for c in s.unicodeScalars {
      if inEscape {
        if c == "m" { inEscape = false }
        continue
      }
      if c == "\u{1B}" {
        inEscape = true
        continue
      }
      out.unicodeScalars.append(c)
    }
    return out
  }
}
