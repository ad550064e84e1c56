import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where compiled lexicons are kept between runs (issue 7: the compile was a fifth of a 1M-note
/// classify), and how they are read and written.
///
/// A run reads its lexicon files as always, then looks for the cache file of its key (this
/// executable, the directory, every file's name and bytes: `Lexicon.cacheKey`); a file is used
/// only when its stored key equals that key byte for byte. Anything else (no file, another
/// build's, a damaged or truncated one, an unreadable directory, a full disk) means compiling
/// as before and, when the directory can be written, replacing the file. The cache never fails
/// a command.
public struct LexiconCache: Sendable {
  /// The directory holding the cache files.
  public var directory: String
  /// What identifies the running build of triage (`executableIdentity`): part of every key, so
  /// a rebuilt binary never reads what an older one wrote.
  public var executable: [UInt8]
  /// How many cache files the directory keeps; the least recently used go first.
  public var limit = 4

  public init(directory: String, executable: [UInt8]) {
    self.directory = directory
    self.executable = executable
  }

  /// The cache an environment asks for: `$TRIAGE_CACHE_DIR` (`off` turns the cache off), else
  /// `$XDG_CACHE_HOME/triage`, else `$HOME/.cache/triage`. Nil when it is off, when there is no
  /// home, or when the running executable cannot be identified.
  public init?(environment: [String: String], workingDirectory: String? = nil) {
    guard
      let dir = LexiconCache.directory(
        environment: environment, workingDirectory: workingDirectory),
      let exe = LexiconCache.executableIdentity
    else { return nil }
    self.init(directory: dir, executable: exe)
  }

  /// Where `init(environment:)` keeps the cache, or nil when it is off.
  public static func directory(environment: [String: String], workingDirectory: String? = nil)
    -> String?
  {
    if let dir = environment["TRIAGE_CACHE_DIR"], !dir.isEmpty {
      if dir == "off" { return nil }
      if dir.hasPrefix("/") { return dir }
      let base = workingDirectory ?? FileManager.default.currentDirectoryPath
      return (base as NSString).appendingPathComponent(dir)
    }
    // As the XDG spec asks, a relative XDG_CACHE_HOME is ignored.
    if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
      return (xdg as NSString).appendingPathComponent("triage")
    }
    if let home = environment["HOME"], !home.isEmpty {
      return (home as NSString).appendingPathComponent(".cache/triage")
    }
    return nil
  }

  /// The running executable's device, inode, size, modification and change times (to the
  /// nanosecond), as bytes. Any rebuild or reinstall writes the file, which changes its change
  /// time (which no program can set back) and in practice its inode, size and mtime too. On
  /// Linux it is `/proc/self/exe` itself that is examined: the file running, even when a new
  /// build has since replaced it on disk. Nil when it cannot be examined (no cache then).
  public static let executableIdentity: [UInt8]? = {
    #if os(Linux)
      let path = "/proc/self/exe"
    #else
      guard let path = Bundle.main.executablePath else { return nil }
    #endif
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    #if os(Linux)
      let times = [st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_ctim.tv_sec, st.st_ctim.tv_nsec]
    #else
      let times = [
        st.st_mtimespec.tv_sec, st.st_mtimespec.tv_nsec, st.st_ctimespec.tv_sec,
        st.st_ctimespec.tv_nsec,
      ]
    #endif
    var w = BinaryWriter()
    for v in [Int64(st.st_dev), Int64(st.st_ino), Int64(st.st_size)] + times.map(Int64.init) {
      w.scalar(v)
    }
    return w.bytes
  }()

  /// The cache file for a key: named by a hash of it (the file holds the key itself, which is
  /// what is compared).
  public func path(forKey key: [UInt8]) -> String {
    let h = key.withUnsafeBytes { Lexicon.checksum($0) }
    let name = String(h, radix: 16)
    return (directory as NSString).appendingPathComponent(
      "lexicon-" + String(repeating: "0", count: 16 - name.count) + name + ".bin")
  }

  // MARK: Reading

  /// The cached lexicon for these files, or nil (no usable file).
  public func read(files: [String: [UInt8]], lexiconDirectory: String) -> Lexicon? {
    read(
      key: Lexicon.cacheKey(files: files, directory: lexiconDirectory, executable: executable),
      lexiconDirectory: lexiconDirectory)
  }

  func read(key: [UInt8], lexiconDirectory: String) -> Lexicon? {
    let path = path(forKey: key)
    let lexicon = LexiconCache.withContents(of: path) { bytes in
      Lexicon.fromCacheImage(bytes, key: key, directory: lexiconDirectory)
    }
    // Used: it is the last to be pruned (best effort; a read-only directory keeps its times).
    if lexicon != nil { utimes(path, nil) }
    return lexicon
  }

  /// Calls `body` with a whole file's bytes, mapped read-only (on Linux with its pages mapped in
  /// the same call: one system call, no copy); nil when the file cannot be read.
  ///
  /// A mapped file cut short while `body` reads it would stop the process (SIGBUS), so cache
  /// files are never truncated or rewritten in place: a writer renames a new file over the
  /// old one, and a reader keeps the file it opened.
  static func withContents<R>(of path: String, _ body: (UnsafeRawBufferPointer) -> R?) -> R? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var st = stat()
    // Only a file of this user's: the tables are read without bounds checks when classifying,
    // so a file someone else could have written is not trusted.
    guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_uid == geteuid(),
      st.st_size > 0, st.st_size < 1 << 31
    else { return nil }
    let size = Int(st.st_size)
    #if os(Linux)
      let flags = MAP_PRIVATE | MAP_POPULATE
    #else
      let flags = MAP_PRIVATE
    #endif
    guard let p = mmap(nil, size, PROT_READ, flags, fd, 0), p != MAP_FAILED else { return nil }
    defer { munmap(p, size) }
    return body(UnsafeRawBufferPointer(start: p, count: size))
  }

  // MARK: Writing

  /// Writes the lexicon compiled from these files, then prunes; failures are ignored.
  public func write(_ lexicon: Lexicon, files: [String: [UInt8]]) {
    write(
      lexicon,
      key: Lexicon.cacheKey(files: files, directory: lexicon.directory, executable: executable))
  }

  func write(_ lexicon: Lexicon, key: [UInt8]) {
    do {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true,
        attributes: [.posixPermissions: 0o700])
      // A temporary file renamed into place: a reader sees the old file or the new one, whole.
      // Not flushed to disk: a file cut short by a crash fails its length or checksum and is
      // compiled again.
      let image = lexicon.cacheWriter(key: key)
      try image.withBytes { (bytes) throws(TriageError) in
        try AtomicFile.write(bytes, to: path(forKey: key), overwrite: true, durable: false)
      }
    } catch {
      return
    }
    prune()
  }

  /// Keeps the `limit` most recently used cache files, and removes temporary files a killed
  /// writer left (older than an hour).
  public func prune() {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
      return
    }
    var files: [(path: String, used: Double)] = []
    let now = Date().timeIntervalSince1970
    for name in names {
      let path = (directory as NSString).appendingPathComponent(name)
      var st = stat()
      guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
      #if os(Linux)
        let mtime = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
      #else
        let mtime = Double(st.st_mtimespec.tv_sec) + Double(st.st_mtimespec.tv_nsec) / 1e9
      #endif
      if name.hasPrefix("lexicon-") && name.hasSuffix(".bin") {
        files.append((path, mtime))
      } else if name.hasPrefix(AtomicFile.temporaryPrefix) && now - mtime > 3600 {
        unlink(path)
      }
    }
    guard files.count > limit else { return }
    for f in files.sorted(by: { $0.used > $1.used }).dropFirst(max(0, limit)) { unlink(f.path) }
  }
}

extension Lexicon {
  /// Loads a lexicon directory through a cache: the compiled lexicon of the same files by the
  /// same executable when there is one, else `load(directory:)`'s parse and compile (and the
  /// result is cached). Errors are those of `load(directory:)`: a broken lexicon is never
  /// cached, so it fails every time.
  public static func load(directory: String, cache: LexiconCache?) throws(TriageError) -> Lexicon {
    let files = try readFiles(directory: directory)
    guard let cache else { return try load(files: files, directory: directory) }
    let key = Lexicon.cacheKey(files: files, directory: directory, executable: cache.executable)
    if let hit = cache.read(key: key, lexiconDirectory: directory) { return hit }
    let lexicon = try load(files: files, directory: directory)
    cache.write(lexicon, key: key)
    return lexicon
  }
}
