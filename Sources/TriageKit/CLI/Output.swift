import TriageCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where a command writes: a file descriptor (buffered) or memory (for tests and the pager).
///
/// A class because it has identity: one buffer shared by everything that writes to the stream.
/// A write to a closed pipe (`triage classify … | head`) ends the process quietly with status 0,
/// as ripgrep does. Any other failed write (a full disk, an I/O error) is kept in `writeError`:
/// the rest of the output is dropped, and the command ends with an error (`check`) instead of
/// reporting success over a truncated file.
public final class OutputStream: @unchecked Sendable {
  public enum Target: Sendable {
    case fd(Int32)
    case memory
  }

  public let target: Target
  private var buffer: [UInt8] = []
  /// Everything written, when the target is memory.
  public private(set) var captured: [UInt8] = []
  private let flushAt = 1 << 16

  public init(_ target: Target) {
    self.target = target
    buffer.reserveCapacity(flushAt + 4096)
  }

  public var isTerminal: Bool {
    if case .fd(let fd) = target { return isatty(fd) == 1 }
    return false
  }

  public var text: String { String(decoding: captured, as: UTF8.self) }

  public func write(_ s: String) {
    var copy = s
    copy.withUTF8 { write(bytes: $0) }
  }

  public func line(_ s: String = "") {
    write(s)
    write(bytes: [ASCII.lf])
  }

  public func write(bytes: UnsafeBufferPointer<UInt8>) {
    // A large block (a batch of classified notes) goes out as it is, not through the buffer.
    if bytes.count >= flushAt, case .fd(let fd) = target, let base = bytes.baseAddress {
      flush()
      writeAll(fd, UnsafeRawPointer(base), bytes.count)
      return
    }
    buffer.append(contentsOf: bytes)
    if buffer.count >= flushAt { flush() }
  }

  public func write(bytes: [UInt8]) {
    buffer.append(contentsOf: bytes)
    if buffer.count >= flushAt { flush() }
  }

  public func flush() {
    guard !buffer.isEmpty else { return }
    switch target {
    case .memory:
      captured.append(contentsOf: buffer)
    case .fd(let fd):
      buffer.withUnsafeBytes { raw in
        guard let base = raw.baseAddress else { return }
        writeAll(fd, base, raw.count)
      }
    }
    buffer.removeAll(keepingCapacity: true)
  }

  /// The `errno` of the first write that failed (other than to a closed pipe), or nil.
  public private(set) var writeError: Int32?

  /// Throws when a write has failed, so a long command stops at the first batch it could not
  /// write and ends with an error rather than with success over a truncated output.
  public func check() throws(TriageError) {
    guard let code = writeError else { return }
    throw TriageError(.failure, "cannot write the output: \(String(cString: strerror(code)))")
  }

  private func writeAll(_ fd: Int32, _ base: UnsafeRawPointer, _ count: Int) {
    guard writeError == nil else { return }
    var offset = 0
    while offset < count {
      let n = POSIX.write(fd, base + offset, count - offset)
      if n < 0 {
        if errno == EINTR { continue }
        if errno == EPIPE { exit(0) }
        writeError = errno
        return
      }
      offset += n
    }
  }

  deinit { flush() }
}
