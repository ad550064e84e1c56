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
/// as ripgrep does.
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
        var offset = 0
        while offset < raw.count {
          let n = POSIX.write(fd, base + offset, raw.count - offset)
          if n < 0 {
            if errno == EINTR { continue }
            if errno == EPIPE { exit(0) }
            return
          }
          offset += n
        }
      }
    }
    buffer.removeAll(keepingCapacity: true)
  }

  deinit { flush() }
}
