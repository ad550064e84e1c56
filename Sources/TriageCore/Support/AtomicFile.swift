#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes files so that a reader never sees half of one: the bytes go to a temporary file in
/// the same directory, are flushed to disk, and the temporary file is renamed over the target.
/// An existing file is replaced only when the caller says so (`--force`).
public enum AtomicFile {
  /// How temporary files are named (a killed writer may leave one behind).
  public static let temporaryPrefix = ".triage-tmp-"

  /// Writes `bytes` to `path` atomically.
  ///
  /// `durable: false` skips flushing the file to disk before the rename, for files that can be
  /// made again (a crash may then leave the target empty or cut short).
  ///
  /// - Throws: `.cannotCreate` (exit 73) when the file exists and `overwrite` is false, or when
  ///   the directory cannot be written.
  public static func write(
    _ bytes: [UInt8], to path: String, overwrite: Bool, mode: mode_t = 0o644, durable: Bool = true
  ) throws(TriageError) {
    try bytes.withUnsafeBytes { raw in
      Result { () throws(TriageError) in
        try write(raw, to: path, overwrite: overwrite, mode: mode, durable: durable)
      }
    }.get()
  }

  /// `write` of bytes in memory the caller owns.
  public static func write(
    _ raw: UnsafeRawBufferPointer, to path: String, overwrite: Bool, mode: mode_t = 0o644,
    durable: Bool = true
  ) throws(TriageError) {
    if !overwrite && access(path, F_OK) == 0 {
      throw TriageError(.cannotCreate, "'\(path)' already exists; pass --force to replace it")
    }
    let dir = path.contains("/") ? String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) : "."
    var template = Array(((dir.isEmpty ? "/" : dir) + "/" + temporaryPrefix + "XXXXXX").utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { b -> Int32 in
      guard let base = b.baseAddress else { return -1 }
      return mkstemp(base)
    }
    guard fd >= 0 else {
      throw TriageError(.cannotCreate, "cannot write in '\(dir)': \(String(cString: strerror(errno)))")
    }
    let tmp = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    var ok = true
    var offset = 0
    while offset < raw.count, let base = raw.baseAddress {
      let n = POSIX.write(fd, base + offset, raw.count - offset)
      if n < 0 {
        if errno == EINTR { continue }
        ok = false
        break
      }
      offset += n
    }
    if ok && durable && fsync(fd) != 0 { ok = false }
    fchmod(fd, mode)
    close(fd)
    guard ok else {
      let reason = String(cString: strerror(errno))
      unlink(tmp)
      throw TriageError(.failure, "cannot write '\(path)': \(reason)")
    }
    if !overwrite && access(path, F_OK) == 0 {
      unlink(tmp)
      throw TriageError(.cannotCreate, "'\(path)' already exists; pass --force to replace it")
    }
    guard rename(tmp, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(tmp)
      throw TriageError(.cannotCreate, "cannot create '\(path)': \(reason)")
    }
  }
}
