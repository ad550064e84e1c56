// Shared by every harness (bin/fuzz compiles it into each one).
import TriageCore

#if canImport(Glibc)
  import Glibc
#endif

/// A broken invariant: print what broke and abort, so libFuzzer saves the input as a crash.
func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
  if !condition() {
    fputs("invariant broken: \(message())\n", stderr)
    abort()
  }
}

/// The input as bytes; the first byte chooses options, the rest is the data.
struct FuzzInput {
  let flags: UInt8
  let body: [UInt8]

  init(_ data: UnsafePointer<UInt8>, _ size: Int) {
    let all = Array(UnsafeBufferPointer(start: data, count: size))
    flags = all.first ?? 0
    body = Array(all.dropFirst())
  }

  /// A read chunk size from the flags' high bits: tiny chunks cross every buffer boundary.
  var chunkSize: Int { [1, 2, 3, 7, 16, 64, 4096, 1 << 20][Int(flags >> 5)] }
}

/// Every diagnostic of an error names the input and, when it has a line, a line ≥ 1.
func checkLocated(_ error: TriageError, file: String) {
  check(!error.diagnostics.isEmpty, "an error without a diagnostic")
  for d in error.diagnostics {
    check(!d.message.isEmpty, "an empty message")
    if let at = d.location {
      check(at.file == file, "an error about '\(at.file)', expected '\(file)'")
      check(at.line >= 0 && at.column >= 0, "a negative location \(at)")
    }
  }
}
