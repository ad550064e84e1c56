#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The lines entered so far, oldest first, with the file they persist in.
///
/// Blank lines and a repeat of the newest entry are not added; past `limit` the oldest entries
/// go. The file holds one entry per line; a backslash, newline or carriage return inside an
/// entry is written as `\\`, `\n` or `\r`, so an entry is always one line of the file.
public struct History: Sendable, Equatable {
  /// The entries, oldest first.
  public private(set) var entries: [String] = []
  /// The most entries kept; the oldest go first.
  public var limit: Int {
    didSet { trim() }
  }

  /// An empty history keeping at most `limit` entries.
  public init(limit: Int = 1000) {
    self.limit = max(limit, 0)
  }

  /// A history holding `entries`, added one by one under the usual rules.
  public init(limit: Int = 1000, entries: some Sequence<String>) {
    self.init(limit: limit)
    for entry in entries { append(entry) }
  }

  /// The number of entries.
  public var count: Int { entries.count }

  /// Adds `line` as the newest entry unless it is blank or repeats the newest entry; returns
  /// whether it was added.
  @discardableResult public mutating func append(_ line: String) -> Bool {
    guard !line.allSatisfy(\.isWhitespace), line != entries.last, limit > 0 else { return false }
    entries.append(line)
    trim()
    return true
  }

  /// Removes every entry.
  public mutating func removeAll() {
    entries.removeAll()
  }

  /// The index of the newest entry before `end` that contains `query`, for reverse search.
  public func lastIndex(containing query: String, before end: Int) -> Int? {
    var i = min(end, entries.count) - 1
    while i >= 0 {
      if query.isEmpty || Self.find(query, in: entries[i]) != nil { return i }
      i -= 1
    }
    return nil
  }

  /// The index of the oldest entry after `start` that contains `query`, for forward search.
  public func firstIndex(containing query: String, after start: Int) -> Int? {
    var i = max(start + 1, 0)
    while i < entries.count {
      if query.isEmpty || Self.find(query, in: entries[i]) != nil { return i }
      i += 1
    }
    return nil
  }

  /// The Character offset of the last occurrence of `query` in `line`, comparing Characters
  /// (so a query never matches half of an accented letter).
  public static func find(_ query: String, in line: String) -> Int? {
    let needle = Array(query)
    let haystack = Array(line)
    guard needle.count <= haystack.count else { return nil }
    if needle.isEmpty { return haystack.count }
    var start = haystack.count - needle.count
    while start >= 0 {
      if haystack[start..<(start + needle.count)].elementsEqual(needle) { return start }
      start -= 1
    }
    return nil
  }

  private mutating func trim() {
    if entries.count > limit { entries.removeFirst(entries.count - limit) }
  }

  // MARK: - File format

  /// One entry as one line of the history file.
  public static func encode(_ entry: String) -> String {
    var out = ""
    out.reserveCapacity(entry.utf8.count)
    for scalar in entry.unicodeScalars {
      switch scalar {
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// The entry one line of the history file holds. An unknown escape is kept as written.
  public static func decode(_ line: some StringProtocol) -> String {
    var out = ""
    var escaped = false
    for scalar in line.unicodeScalars {
      if escaped {
        switch scalar {
        case "n": out += "\n"
        case "r": out += "\r"
        case "\\": out += "\\"
        default:
          out += "\\"
          out.unicodeScalars.append(scalar)
        }
        escaped = false
      } else if scalar == "\\" {
        escaped = true
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
    if escaped { out += "\\" }
    return out
  }

  // MARK: - Persistence

  /// Replaces the entries with those in the file at `path`; a missing file is an empty history.
  public mutating func load(from path: String) throws(HistoryError) {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 {
      let code = errno
      if code == ENOENT {
        entries.removeAll()
        return
      }
      throw HistoryError(path: path, operation: "open", code: code)
    }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw HistoryError(path: path, operation: "read", code: errno)
      }
      if n == 0 { break }
      bytes.append(contentsOf: chunk[0..<n])
    }
    entries.removeAll()
    for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
      append(Self.decode(String(decoding: line, as: UTF8.self)))
    }
  }

  /// Writes the entries to `path` atomically: to a temporary file in the same directory, then
  /// renamed over it, so a crash never leaves half a history. Creates missing directories
  /// (mode 0700); the file is mode 0600, since history can hold customer data.
  public func save(to path: String) throws(HistoryError) {
    let directory = Self.directory(of: path)
    try Self.makeDirectories(directory, for: path)
    var template = Array((path + ".XXXXXX").utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { buffer in
      // mkstemp creates the file with mode 0600 and a name no one else holds.
      buffer.baseAddress.map { mkstemp($0) } ?? -1
    }
    if fd < 0 { throw HistoryError(path: path, operation: "create temporary file", code: errno) }
    let temporary = String(
      decoding: template.dropLast().map { UInt8(bitPattern: $0) },
      as: UTF8.self)
    var ok = false
    defer {
      if !ok { unlink(temporary) }
    }
    var text = ""
    for entry in entries {
      text += Self.encode(entry)
      text += "\n"
    }
    let written = Array(text.utf8).withUnsafeBytes { Self.writeAll(fd, $0) }
    if !written {
      let code = errno
      close(fd)
      throw HistoryError(path: path, operation: "write", code: code)
    }
    fchmod(fd, 0o600)
    if fsync(fd) != 0 {
      let code = errno
      close(fd)
      throw HistoryError(path: path, operation: "sync", code: code)
    }
    close(fd)
    if rename(temporary, path) != 0 {
      throw HistoryError(path: path, operation: "rename", code: errno)
    }
    ok = true
  }

  /// Where the history lives: `$XDG_STATE_HOME/triage/history`, or
  /// `~/.local/state/triage/history` when that is unset or not absolute (as the XDG spec
  /// asks); nil when there is no home directory either.
  public static func defaultPath(environment: [String: String]) -> String? {
    if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
      return Self.join(state, "triage/history")
    }
    if let home = environment["HOME"], !home.isEmpty {
      return Self.join(home, ".local/state/triage/history")
    }
    return nil
  }

  private static func join(_ directory: String, _ rest: String) -> String {
    directory.hasSuffix("/") ? directory + rest : directory + "/" + rest
  }

  private static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  /// `mkdir -p` with mode 0700.
  private static func makeDirectories(_ directory: String, for path: String) throws(HistoryError) {
    var isDirectory = stat()
    if stat(directory, &isDirectory) == 0 { return }
    let parent = Self.directory(of: directory)
    if parent != directory { try makeDirectories(parent, for: path) }
    if mkdir(directory, 0o700) != 0 && errno != EEXIST {
      throw HistoryError(path: path, operation: "create directory '\(directory)' for", code: errno)
    }
  }

  private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset < bytes.count {
      guard let base = bytes.baseAddress else { return true }
      let n = write(fd, base + offset, bytes.count - offset)
      if n < 0 {
        if errno == EINTR { continue }
        return false
      }
      offset += n
    }
    return true
  }
}

/// A history file that could not be read or written.
public struct HistoryError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The history file.
  public var path: String
  /// What was being done: "open", "write", "rename", ….
  public var operation: String
  /// The `errno` value.
  public var code: Int32

  public var description: String {
    "cannot \(operation) history file '\(path)': \(String(cString: strerror(code)))"
  }
}

extension History {
  /// Walks the history while a line is edited, keeping that line as the newest slot so Down
  /// comes back to it. Edits made to a recalled entry last until the line is accepted, as in
  /// readline, without changing the history itself.
  public struct Navigator: Sendable, Equatable {
    private var slots: [String]
    /// Which slot is shown: `0..<history.count` for entries, `history.count` for the new line.
    public private(set) var index: Int

    /// A navigator over `history`, starting at the line being edited.
    public init(history: History, current: String = "") {
      slots = history.entries + [current]
      index = history.entries.count
    }

    /// True when the line being edited (not an entry) is shown.
    public var isAtNewest: Bool { index == slots.count - 1 }

    /// Keeps `current` as the shown slot's text and returns the next older one; nil at the
    /// oldest entry.
    public mutating func older(current: String) -> String? {
      guard index > 0 else { return nil }
      slots[index] = current
      index -= 1
      return slots[index]
    }

    /// Keeps `current` as the shown slot's text and returns the next newer one; nil at the
    /// line being edited.
    public mutating func newer(current: String) -> String? {
      guard index < slots.count - 1 else { return nil }
      slots[index] = current
      index += 1
      return slots[index]
    }

    /// Shows the entry at `entryIndex` (after a search), keeping `current` for the shown slot.
    /// The entry shows `found` when given: the text the search matched, even where the entry
    /// was recalled and edited before the search.
    public mutating func jump(to entryIndex: Int, current: String, found: String? = nil) -> String? {
      guard entryIndex >= 0 && entryIndex < slots.count else { return nil }
      slots[index] = current
      index = entryIndex
      if let found { slots[index] = found }
      return slots[index]
    }
  }
}
