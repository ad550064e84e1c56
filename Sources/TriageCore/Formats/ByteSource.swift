#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where a reader's bytes come from: a file, standard input or bytes in memory, read in chunks.
///
/// A source is a cursor over a stream. Copies of a file source share its file descriptor, so
/// read from one copy only; a memory source is a plain value.
public struct ByteSource: Sendable {
  /// The chunk size readers use unless told otherwise: 1 MiB.
  public static let defaultChunkSize = 1 << 20

  /// The input as the user named it: a path, `-` for standard input, or a label.
  public let name: String
  /// The most bytes one `read(into:)` returns.
  public let chunkSize: Int

  private let file: FileDescriptor?
  private let memory: [UInt8]
  private var position = 0
  /// Bytes already read by `peek`, served again before the rest of the stream.
  private var peeked: [UInt8] = []

  /// Opens a file for reading; the path `-` means standard input.
  ///
  /// Throws `.noInput` when the file does not exist, is a directory or cannot be opened.
  public init(path: String, chunkSize: Int = ByteSource.defaultChunkSize) throws(TriageError) {
    if path == "-" {
      self = .standardInput(chunkSize: chunkSize)
      return
    }
    var fd: Int32
    repeat {
      fd = open(path, O_RDONLY | O_CLOEXEC)
    } while fd < 0 && errno == EINTR
    guard fd >= 0 else { throw ByteSource.openError(path, errno) }
    let box = FileDescriptor(fd, owned: true)
    var info = stat()
    if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
      throw TriageError(.noInput, "cannot read '\(path)': it is a directory, expected a file")
    }
    self.name = path
    self.chunkSize = max(1, chunkSize)
    self.file = box
    self.memory = []
  }

  /// Reads an open file descriptor; `closesWhenDone` hands its ownership to the source.
  public init(
    fileDescriptor: Int32, name: String, closesWhenDone: Bool = false,
    chunkSize: Int = ByteSource.defaultChunkSize
  ) {
    self.name = name
    self.chunkSize = max(1, chunkSize)
    self.file = FileDescriptor(fileDescriptor, owned: closesWhenDone)
    self.memory = []
  }

  /// Reads bytes held in memory, `chunkSize` at a time (tests use tiny chunks to reach every
  /// chunk boundary).
  public init(
    bytes: [UInt8], name: String = "<bytes>", chunkSize: Int = ByteSource.defaultChunkSize
  ) {
    self.name = name
    self.chunkSize = max(1, chunkSize)
    self.file = nil
    self.memory = bytes
  }

  /// Reads standard input, named `-` in messages.
  public static func standardInput(chunkSize: Int = ByteSource.defaultChunkSize) -> ByteSource {
    ByteSource(fileDescriptor: 0, name: "-", closesWhenDone: false, chunkSize: chunkSize)
  }

  /// How many bytes a reader's buffer needs at first: a chunk, or less for a short input in
  /// memory (so parsing a 50-byte string does not allocate a megabyte).
  var initialBufferSize: Int {
    file == nil ? max(1, min(chunkSize, memory.count - position + 1)) : chunkSize
  }

  /// Reads up to `min(buffer.count, chunkSize)` bytes into `buffer`; returns 0 at the end.
  ///
  /// Throws `.noInput` when the operating system reports a read error.
  public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(TriageError) -> Int {
    let wanted = min(buffer.count, chunkSize)
    guard wanted > 0, let base = buffer.baseAddress else { return 0 }
    if !peeked.isEmpty {
      let n = min(wanted, peeked.count)
      peeked.withUnsafeBytes { bytes in
        if let from = bytes.baseAddress { base.copyMemory(from: from, byteCount: n) }
      }
      peeked.removeFirst(n)
      return n
    }
    return try readFresh(base, wanted)
  }

  /// Returns up to `count` bytes from the start of what is left, without consuming them: the
  /// next reads return them again. Used to tell a file's format from its first line.
  public mutating func peek(_ count: Int) throws(TriageError) -> [UInt8] {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, count), alignment: 1)
    defer { buffer.deallocate() }
    while peeked.count < count, let base = buffer.baseAddress {
      let n = try readFresh(base, min(count - peeked.count, chunkSize))
      if n == 0 { break }
      peeked.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
    }
    return Array(peeked.prefix(count))
  }

  private mutating func readFresh(_ base: UnsafeMutableRawPointer, _ wanted: Int) throws(TriageError)
    -> Int
  {
    guard let file else {
      let n = min(wanted, memory.count - position)
      guard n > 0 else { return 0 }
      memory.withUnsafeBytes { bytes in
        guard let from = bytes.baseAddress else { return }
        base.copyMemory(from: from + position, byteCount: n)
      }
      position += n
      return n
    }
    while true {
      let n = systemRead(file.fd, base, wanted)
      if n >= 0 { return n }
      if errno == EINTR { continue }
      throw TriageError(.noInput, "cannot read '\(name)': \(ByteSource.describe(errno))")
    }
  }

  static func openError(_ path: String, _ code: Int32) -> TriageError {
    TriageError(.noInput, "cannot read '\(path)': \(describe(code))")
  }

  /// The C library's text for an errno value, lowercased to match our messages.
  static func describe(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    let s = String(cString: text)
    guard let first = s.first else { return s }
    return first.lowercased() + s.dropFirst()
  }
}

/// `read(2)`, named apart from `ByteSource.read(into:)`.
@inline(__always)
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
  read(fd, buffer, count)
}

/// An open file descriptor, closed when the last source that owns it goes away.
final class FileDescriptor: Sendable {
  let fd: Int32
  let owned: Bool

  init(_ fd: Int32, owned: Bool) {
    self.fd = fd
    self.owned = owned
  }

  deinit {
    if owned { _ = close(fd) }
  }
}

// MARK: - The sliding window readers scan

/// A growable buffer holding the unread part of a source: the current record and what follows.
///
/// Readers scan `storage[0..<count]` and, when a record runs past `count`, call `refill` keeping
/// the record's start. Memory grows with the largest record, never with the input.
@usableFromInline
struct InputWindow: Sendable {
  var source: ByteSource
  @usableFromInline var storage: [UInt8]
  /// Valid bytes at the start of `storage`.
  var count = 0
  /// Offset in the whole input of `storage[0]`.
  var base = 0
  /// True once the source reported its end.
  var atEnd = false

  init(_ source: ByteSource) {
    self.source = source
    self.storage = [UInt8](repeating: 0, count: source.initialBufferSize)
  }

  /// Drops the bytes before `keep`, then reads more.
  ///
  /// Reads at least once, and keeps reading until as many new bytes as were kept arrive, so a
  /// reader that rescans a long record after each refill does linear work in total, while an
  /// interactive pipe delivering short lines is never waited on for more than one read.
  ///
  /// - Returns: the number of new bytes; 0 at the end of input.
  /// - Complexity: O(count - keep) to move the kept bytes, plus the reads.
  mutating func refill(keeping keep: Int) throws(TriageError) -> Int {
    let kept = count - keep
    if keep > 0 {
      storage.withUnsafeMutableBufferPointer { buf in
        guard let p = buf.baseAddress, kept > 0 else { return }
        (p).update(from: p + keep, count: kept)
      }
      count = kept
      base += keep
    }
    if atEnd { return 0 }
    if count == storage.count {
      storage.append(contentsOf: repeatElement(0, count: max(storage.count, source.chunkSize)))
    }
    var added = 0
    repeat {
      let start = count
      let n = try storage.withUnsafeMutableBufferPointer { (buf) throws(TriageError) -> Int in
        try source.read(
          into: UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buf[start...])))
      }
      if n == 0 {
        atEnd = true
        break
      }
      count += n
      added += n
    } while added < kept && count < storage.count
    return added
  }
}

extension InputWindow {
  /// Calls `body` with the bytes in `range` of the buffer, without copying.
  @inlinable
  func withBytes<R, E: Error>(
    _ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R
  ) throws(E) -> R {
    try storage.withUnsafeBufferPointer { (b) throws(E) -> R in
      try body(UnsafeBufferPointer(rebasing: b[range]))
    }
  }

  /// Skips a UTF-8 byte order mark at the start of the input; returns where the text begins.
  mutating func skipByteOrderMark() throws(TriageError) -> Int {
    while count < 3 && !atEnd { _ = try refill(keeping: 0) }
    let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    return count >= 3 && storage[0..<3].elementsEqual(bom) ? 3 : 0
  }
}

// MARK: - Byte scanning


/// Word-at-a-time searches over bytes (SWAR: eight bytes per step in a UInt64).
enum ByteScan {
  static let ones: UInt64 = 0x0101_0101_0101_0101
  static let highs: UInt64 = 0x8080_8080_8080_8080

  @inline(__always)
  static func broadcast(_ b: UInt8) -> UInt64 { UInt64(b) &* ones }

  /// High bit set in the lowest byte of `x` that is zero (bits above it may be wrong).
  @inline(__always)
  static func zeroMask(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }

  /// High bit set exactly in the bytes of `x` that are zero (for counting).
  @inline(__always)
  static func exactZeroMask(_ x: UInt64) -> UInt64 {
    let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    return ~(((x & low7) &+ low7) | x | low7)
  }

  @inline(__always)
  static func load(_ p: UnsafePointer<UInt8>, _ i: Int) -> UInt64 {
    UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
  }

  /// The low `k` bytes of a word set (`k` from 0 to 8), for keeping the first `k` bytes.
  @inline(__always)
  static func lowBytes(_ k: Int) -> UInt64 { k >= 8 ? ~0 : (1 << UInt64(8 * k)) &- 1 }

  /// The ASCII letters and digits of a word of eight bytes: the word, and the high bit set in
  /// each byte that is a letter (`A`–`Z`, `a`–`z`), in each that is a digit. Bytes ≥ 0x80 are
  /// neither.
  ///
  /// Each range test adds to every byte with its high bit set first, so no byte borrows from
  /// its neighbour: `(b | 0x80) - lo` keeps its high bit exactly when `b ≥ lo`.
  @inline(__always)
  static func alphanumeric(_ w: UInt64) -> (word: UInt64, letters: UInt64, digits: UInt64) {
    let ascii = ~w & highs
    let lower = w | broadcast(0x20) | highs
    let letters = ((lower &- broadcast(0x61)) & ~(lower &- broadcast(0x7B))) & ascii
    let raised = w | highs
    let digits = ((raised &- broadcast(0x30)) & ~(raised &- broadcast(0x3A))) & ascii
    return (w, letters, digits)
  }

  /// High bit set exactly in the bytes of `w` equal to one of four ASCII bytes, given broadcast
  /// (`broadcast(a)`, each below 0x80).
  ///
  /// Exact, unlike `zeroMask`: the low seven bits of each byte XOR the wanted byte are 0 only on
  /// a match, and adding 0x7F to seven bits sets the high bit for anything else without carrying
  /// into the next byte; a byte ≥ 0x80 is never a match.
  @inline(__always)
  static func matchMask(_ w: UInt64, _ va: UInt64, _ vb: UInt64, _ vc: UInt64, _ vd: UInt64)
    -> UInt64
  {
    let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    let l = w & low7
    let other = ((l ^ va) &+ low7) & ((l ^ vb) &+ low7) & ((l ^ vc) &+ low7) & ((l ^ vd) &+ low7)
    return ~(other | w) & highs
  }

  /// The first index in `from..<to` holding `a`, `b`, `c` or `d`, or `to` when none does.
  ///
  /// - Complexity: O(to - from), eight bytes a step.
  @inline(__always)
  static func firstOf(
    _ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8,
    in p: UnsafePointer<UInt8>, from: Int, to: Int
  ) -> Int {
    // The flagging search with its flags unread: inlined, the optimizer drops their upkeep.
    var unread: UInt64 = 0
    return firstOf(a, b, c, d, in: p, from: from, to: to, flagging: &unread)
  }

  /// `firstOf`, also ORing into `flags` a nonzero mask when any byte it examined (the bytes up
  /// to and including the one found, and possibly some after it in the same word) is NUL or
  /// ≥ 0x80: text that `firstInvalidText` would have to look at.
  ///
  /// - Complexity: O(to - from), eight bytes a step.
  @inline(__always)
  static func firstOf(
    _ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8,
    in p: UnsafePointer<UInt8>, from: Int, to: Int, flagging flags: inout UInt64
  ) -> Int {
    var i = from
    let va = broadcast(a)
    let vb = broadcast(b)
    let vc = broadcast(c)
    let vd = broadcast(d)
    var seen: UInt64 = 0
    defer { flags |= seen }
    while i + 8 <= to {
      let w = load(p, i)
      seen |= (w & highs) | zeroMask(w)
      let m = zeroMask(w ^ va) | zeroMask(w ^ vb) | zeroMask(w ^ vc) | zeroMask(w ^ vd)
      if m != 0 { return i + m.trailingZeroBitCount >> 3 }
      i += 8
    }
    while i < to {
      let x = p[i]
      if x == 0 || x >= 0x80 { seen |= highs }
      if x == a || x == b || x == c || x == d { return i }
      i += 1
    }
    return to
  }

  /// Whether any byte in `from..<to` is NUL or ≥ 0x80 (text `firstInvalidText` must decode).
  @inline(__always)
  static func hasNulOrNonASCII(in p: UnsafePointer<UInt8>, from: Int, to: Int) -> Bool {
    anyByte(in: p, from: from, to: to) { (w: UInt64) in (w & highs) | zeroMask(w) }
  }

  /// The first index in `from..<to` holding `byte`, or `to` (the C library's `memchr`).
  ///
  /// - Complexity: O(to - from), vectorized by the C library.
  @inline(__always)
  static func first(_ byte: UInt8, in p: UnsafePointer<UInt8>, from: Int, to: Int) -> Int {
    guard from < to, let hit = memchr(p + from, Int32(byte), to - from) else { return to }
    return p.distance(to: hit.assumingMemoryBound(to: UInt8.self))
  }

  /// How many line breaks `from..<to` holds: LF, CRLF and a lone CR each count once.
  ///
  /// - Complexity: O(to - from), eight bytes a step.
  static func lineBreaks(in p: UnsafePointer<UInt8>, from: Int, to: Int) -> Int {
    // Most quoted fields hold no control byte at all, which one pass of word tests tells.
    guard hasControl(in: p, from: from, to: to) else { return 0 }
    var n = count(ASCII.lineFeed, in: p, from: from, to: to)
    var i = first(ASCII.carriageReturn, in: p, from: from, to: to)
    while i < to {
      if i + 1 >= to || p[i + 1] != ASCII.lineFeed { n += 1 }
      i = first(ASCII.carriageReturn, in: p, from: i + 1, to: to)
    }
    return n
  }

  /// High bit set in each byte of `w` below 0x20 (exactly those: `(b & 0x7F) + 0x60` reaches the
  /// high bit only from 0x20 up, and bytes ≥ 0x80 are masked out).
  @inline(__always)
  static func controlMask(_ w: UInt64) -> UInt64 {
    ~((w & 0x7F7F_7F7F_7F7F_7F7F) &+ broadcast(0x60)) & ~w & highs
  }

  /// Whether any byte in `from..<to` is below 0x20.
  static func hasControl(in p: UnsafePointer<UInt8>, from: Int, to: Int) -> Bool {
    anyByte(in: p, from: from, to: to, controlMask)
  }

  /// Whether `flagged` (a SWAR test: high bit set in each byte it flags) flags any byte of
  /// `from..<to`. Every word tested holds only bytes of the range, some of them twice, which a
  /// test of each byte on its own does not mind: eight bytes a step and a last word that ends
  /// at `to`; under eight bytes, two overlapping four-byte halves; under four, the first, middle
  /// and last bytes (which are all of them) repeated.
  @inline(__always)
  static func anyByte(
    in p: UnsafePointer<UInt8>, from: Int, to: Int, _ flagged: (UInt64) -> UInt64
  ) -> Bool {
    let n = to - from
    if n >= 8 {
      var i = from
      while i + 8 <= to {
        if flagged(load(p, i)) != 0 { return true }
        i += 8
      }
      return i < to && flagged(load(p, to - 8)) != 0
    }
    if n >= 4 {
      let raw = UnsafeRawPointer(p + from)
      let lo = UInt64(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
      let hi = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)))
      return flagged(lo | hi << 32) != 0
    }
    if n <= 0 { return false }
    let three = UInt64(p[from]) | UInt64(p[from + n >> 1]) << 8 | UInt64(p[to - 1]) << 16
    return flagged(three | three << 24 | three << 48) != 0
  }

  /// How many times `byte` occurs in `from..<to`.
  static func count(_ byte: UInt8, in p: UnsafePointer<UInt8>, from: Int, to: Int) -> Int {
    var n = 0
    var i = from
    let v = broadcast(byte)
    while i + 8 <= to {
      n += exactZeroMask(load(p, i) ^ v).nonzeroBitCount
      i += 8
    }
    while i < to {
      if p[i] == byte { n += 1 }
      i += 1
    }
    return n
  }

  /// The first NUL byte or invalid UTF-8 sequence in `from..<to`, as its offset; nil if none.
  ///
  /// ASCII runs are checked eight bytes a step; only non-ASCII bytes are decoded.
  ///
  /// - Complexity: O(to - from).
  static func firstInvalidText(in p: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
    var i = from
    while i < to {
      while i + 8 <= to {
        let w = load(p, i)
        let m = (w & highs) | zeroMask(w)
        if m != 0 {
          i += m.trailingZeroBitCount >> 3
          break
        }
        i += 8
      }
      guard i < to else { return nil }
      let b = p[i]
      if b == ASCII.nul { return i }
      if b < 0x80 {
        i += 1
        continue
      }
      let n = utf8SequenceLength(p, i, to)
      if n == 0 { return i }
      i += n
    }
    return nil
  }

  /// The length of the valid UTF-8 sequence starting at `i` (a byte ≥ 0x80), or 0 if invalid.
  ///
  /// Rejects overlong forms, surrogates and values above U+10FFFF (RFC 3629).
  @inline(__always)
  static func utf8SequenceLength(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int {
    let b0 = p[i]
    @inline(__always) func cont(_ k: Int) -> Bool { i + k < end && p[i + k] & 0xC0 == 0x80 }
    switch b0 {
    case 0xC2...0xDF:
      return cont(1) ? 2 : 0
    case 0xE0...0xEF:
      guard cont(1), cont(2) else { return 0 }
      let b1 = p[i + 1]
      if b0 == 0xE0 && b1 < 0xA0 { return 0 }
      if b0 == 0xED && b1 >= 0xA0 { return 0 }
      return 3
    case 0xF0...0xF4:
      guard cont(1), cont(2), cont(3) else { return 0 }
      let b1 = p[i + 1]
      if b0 == 0xF0 && b1 < 0x90 { return 0 }
      if b0 == 0xF4 && b1 >= 0x90 { return 0 }
      return 4
    default:
      return 0
    }
  }

  /// The 1-based column of `offset`, counting Unicode scalars from `lineStart`.
  static func column(of offset: Int, lineStart: Int, in p: UnsafePointer<UInt8>) -> Int {
    var column = 1
    var i = lineStart
    while i < offset {
      if p[i] & 0xC0 != 0x80 { column += 1 }
      i += 1
    }
    return column
  }

  /// Line and column of `offset` in `from..<to`, where `from` is at `line`, column 1.
  static func position(
    of offset: Int, from: Int, line: Int, in p: UnsafePointer<UInt8>
  ) -> (line: Int, column: Int) {
    var line = line
    var lineStart = from
    var i = from
    while i < offset {
      let b = p[i]
      if b == ASCII.lineFeed {
        line += 1
        lineStart = i + 1
      } else if b == ASCII.carriageReturn && (i + 1 >= offset || p[i + 1] != ASCII.lineFeed) {
        // A lone CR ends a line; in CRLF the LF counts. A CR just before `offset` counts as
        // a line end: `offset` is then the first byte after it.
        line += 1
        lineStart = i + 1
      }
      i += 1
    }
    return (line, column(of: offset, lineStart: lineStart, in: p))
  }

  /// How a byte reads in a message: `'x'` for printable ASCII, `byte 0xE9` otherwise.
  static func describe(_ b: UInt8) -> String {
    if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
    return "byte " + hex(b)
  }

  /// `0xE9`.
  static func hex(_ b: UInt8) -> String {
    let digits: [Character] = [
      "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F",
    ]
    return "0x" + String(digits[Int(b >> 4)]) + String(digits[Int(b & 0x0F)])
  }
}
