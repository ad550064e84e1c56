/// One key press (or one pasted block) as the line editor sees it.
public enum KeyEvent: Sendable, Hashable {
  /// Printable text: one or more characters typed, or pasted without bracketed paste.
  case text(String)
  /// Text inside a bracketed paste (`ESC[200~` … `ESC[201~`), exactly as the terminal sent it.
  case paste(String)
  case enter, tab, backspace, delete, escape
  case left, right, up, down, home, end
  /// Ctrl- or Alt-arrows (`ESC[1;5D`, `ESC[1;3C`, rxvt's `ESC O d`).
  case wordLeft, wordRight
  case pageUp, pageDown, insert
  /// A control byte without a dedicated case, by its caret letter: 0x01 is `.ctrl("a")`,
  /// 0x1F is `.ctrl("_")`. Enter, Tab and Backspace (0x08, 0x09, 0x0A, 0x0D) have their own cases.
  case ctrl(Character)
  /// ESC followed by a character, which is how terminals send Alt (Meta) chords.
  case alt(Character)
  /// ESC followed by DEL or BS.
  case altBackspace
  /// An escape sequence the editor has no use for, consumed whole so it never becomes text.
  case unknown([UInt8])
}

/// Turns the bytes a terminal sends into `KeyEvent`s, across reads that split sequences anywhere.
///
/// Feed it whatever `read` returned and take keys until `next()` says it needs more. A lone ESC
/// is ambiguous until more bytes arrive or the caller's timeout expires; `flush()` then settles
/// it. Bytes not consumed stay buffered, so type-ahead survives from one line to the next.
public struct KeyDecoder: Sendable {
  private var buffer: [UInt8] = []
  private var start = 0
  /// The last key was a CR that ended the buffered bytes: a LF arriving next belongs to it.
  private var afterCR = false

  public init() {}

  /// True when bytes are buffered that do not form a whole key yet (or are not taken yet).
  public var hasPendingBytes: Bool { start < buffer.count }

  /// True when the buffered bytes are the beginning of a bracketed paste still arriving, which
  /// no timeout should cut short.
  public var isInPaste: Bool {
    let rest = buffer[start...]
    return rest.starts(with: Self.pasteStart)
  }

  /// Appends bytes read from the terminal.
  public mutating func feed(_ bytes: some Sequence<UInt8>) {
    if start > 0 && start >= buffer.count / 2 {
      buffer.removeFirst(start)
      start = 0
    }
    buffer.append(contentsOf: bytes)
  }

  /// The next whole key, or nil when the buffered bytes end in an incomplete one.
  public mutating func next() -> KeyEvent? {
    if afterCR && start < buffer.count {
      afterCR = false
      if buffer[start] == Self.lf { start += 1 }
    }
    guard start < buffer.count else { return nil }
    guard let (key, length) = Self.decode(buffer[start...]) else { return nil }
    start += length
    // CR LF split across two reads is still one Enter.
    afterCR = key == .enter && buffer[start - 1] == Self.cr && start == buffer.count
    return key
  }

  /// Settles whatever is buffered once no more bytes came in time: a lone ESC is the Escape
  /// key, ESC plus a character is an Alt chord, an unfinished sequence (including a bare
  /// `ESC [`) is dropped as `.unknown`.
  public mutating func flush() -> [KeyEvent] {
    var keys: [KeyEvent] = []
    while let key = next() { keys.append(key) }
    guard start < buffer.count else { return keys }
    let rest = Array(buffer[start...])
    buffer.removeAll()
    start = 0
    afterCR = false
    if rest == [Self.esc] {
      keys.append(.escape)
    } else if rest.count == 2 && rest[0] == Self.esc && rest[1] >= 0x20 && rest[1] < 0x7F
      && rest[1] != UInt8(ascii: "[")
    {
      keys.append(.alt(Character(Unicode.Scalar(rest[1]))))
    } else if rest[0] == Self.esc {
      keys.append(.unknown(rest))
    } else {
      // An incomplete UTF-8 sequence: show that something arrived rather than lose it.
      keys.append(.text(String(decoding: rest, as: UTF8.self)))
    }
    return keys
  }

  /// Decodes a whole byte sequence at once, flushing at the end; for tests and scripts.
  public static func keys(in bytes: some Sequence<UInt8>) -> [KeyEvent] {
    var decoder = KeyDecoder()
    decoder.feed(bytes)
    return decoder.flush()
  }

  // MARK: - Decoding

  static let esc: UInt8 = 0x1B
  static let del: UInt8 = 0x7F
  static let backspaceByte: UInt8 = 0x08
  static let cr: UInt8 = 0x0D
  static let lf: UInt8 = 0x0A
  static let tabByte: UInt8 = 0x09
  static let pasteStart: [UInt8] = Array("\u{1B}[200~".utf8)
  static let pasteEnd: [UInt8] = Array("\u{1B}[201~".utf8)

  /// The key at the start of `bytes` and its length in bytes; nil when more bytes are needed.
  static func decode(_ bytes: ArraySlice<UInt8>) -> (KeyEvent, Int)? {
    guard let first = bytes.first else { return nil }
    switch first {
    case esc: return decodeEscape(bytes)
    case cr:
      // Some terminals and pastes send CR LF for one Enter.
      let second = bytes.dropFirst().first
      return (.enter, second == lf ? 2 : 1)
    case lf: return (.enter, 1)
    case tabByte: return (.tab, 1)
    case del, backspaceByte: return (.backspace, 1)
    case 0x00: return (.ctrl("@"), 1)
    case 0x01...0x1A: return (.ctrl(Character(Unicode.Scalar(first - 1 + UInt8(ascii: "a")))), 1)
    case 0x1C...0x1F: return (.ctrl(Character(Unicode.Scalar(first + 0x40))), 1)
    default: return decodeText(bytes)
    }
  }

  /// A run of printable bytes, up to the next control byte, holding back an incomplete UTF-8
  /// sequence at the end.
  static func decodeText(_ bytes: ArraySlice<UInt8>) -> (KeyEvent, Int)? {
    var end = bytes.startIndex
    while end < bytes.endIndex {
      let b = bytes[end]
      if b < 0x20 || b == del { break }
      end += 1
    }
    if end == bytes.endIndex {
      end -= incompleteUTF8Suffix(bytes)
      if end == bytes.startIndex { return nil }
    }
    let text = String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
    return (.text(text), end - bytes.startIndex)
  }

  /// How many bytes at the end of `bytes` begin a UTF-8 sequence that is not complete yet.
  static func incompleteUTF8Suffix(_ bytes: ArraySlice<UInt8>) -> Int {
    // A sequence is at most 4 bytes, so its lead byte is among the last 3 when incomplete.
    var index = bytes.endIndex
    var seen = 0
    while index > bytes.startIndex && seen < 3 {
      index -= 1
      seen += 1
      let b = bytes[index]
      if b & 0xC0 == 0x80 { continue }  // continuation byte: keep looking for the lead
      let needed: Int
      switch b {
      case 0xC0...0xDF: needed = 2
      case 0xE0...0xEF: needed = 3
      case 0xF0...0xF7: needed = 4
      default: return 0
      }
      return needed > seen ? seen : 0
    }
    return 0
  }

  static func decodeEscape(_ bytes: ArraySlice<UInt8>) -> (KeyEvent, Int)? {
    let s = bytes.startIndex
    guard bytes.count >= 2 else { return nil }
    let second = bytes[s + 1]
    switch second {
    case UInt8(ascii: "["): return decodeCSI(bytes)
    case UInt8(ascii: "O"):
      guard bytes.count >= 3 else { return nil }
      let final = bytes[s + 2]
      guard final >= 0x40 && final <= 0x7E else { return (.alt("O"), 2) }
      return (ss3Key(final), 3)
    case del, backspaceByte: return (.altBackspace, 2)
    case 0x00..<0x20:
      // ESC then another control (or ESC): the Escape key, then that key on its own.
      return (.escape, 1)
    default:
      // ESC followed by a character: Alt plus that character, which may be multi-byte.
      guard let (key, length) = decodeText(bytes.dropFirst()),
        case .text(let text) = key, let scalar = text.unicodeScalars.first
      else { return nil }
      // Only the first scalar belongs to the chord; the rest is ordinary text.
      let lead = bytes[s + 1]
      let scalarLength = lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
      return (.alt(Character(scalar)), 1 + min(length, scalarLength))
    }
  }

  static func ss3Key(_ final: UInt8) -> KeyEvent {
    switch final {
    case UInt8(ascii: "A"): return .up
    case UInt8(ascii: "B"): return .down
    case UInt8(ascii: "C"): return .right
    case UInt8(ascii: "D"): return .left
    case UInt8(ascii: "H"): return .home
    case UInt8(ascii: "F"): return .end
    case UInt8(ascii: "M"): return .enter  // keypad Enter in application mode
    case UInt8(ascii: "c"): return .wordRight  // rxvt Ctrl-Right
    case UInt8(ascii: "d"): return .wordLeft
    default: return .unknown([esc, UInt8(ascii: "O"), final])
    }
  }

  /// A Control Sequence Introducer sequence: ESC [ parameters intermediates final.
  static func decodeCSI(_ bytes: ArraySlice<UInt8>) -> (KeyEvent, Int)? {
    let s = bytes.startIndex
    if bytes.starts(with: pasteStart) { return decodePaste(bytes) }
    var i = s + 2
    while i < bytes.endIndex && (0x30...0x3F).contains(bytes[i]) { i += 1 }
    let parameterEnd = i
    while i < bytes.endIndex && (0x20...0x2F).contains(bytes[i]) { i += 1 }
    guard i < bytes.endIndex else {
      // Could still be the start of a paste marker or any other sequence.
      return nil
    }
    let final = bytes[i]
    guard (0x40...0x7E).contains(final) else {
      // Malformed: drop what was read so far, and let the odd byte be decoded on its own.
      return (.unknown(Array(bytes[s..<i])), i - s)
    }
    let length = i + 1 - s
    let sequence = Array(bytes[s..<(i + 1)])
    let parameters = bytes[(s + 2)..<parameterEnd]
    if final == UInt8(ascii: "M") && parameters.isEmpty && parameterEnd == i {
      // X10 mouse report: three raw bytes follow. Mouse reporting is never enabled, but a
      // stray report must not turn into text.
      guard bytes.count >= length + 3 else { return nil }
      return (.unknown(Array(bytes[s..<(s + length + 3)])), length + 3)
    }
    guard parameterEnd == i, parameters.allSatisfy({ $0 == 0x3B || (0x30...0x39).contains($0) })
    else {
      return (.unknown(sequence), length)  // private (?, <, >) or intermediate: not a key
    }
    let numbers = parameters.split(separator: 0x3B, omittingEmptySubsequences: false).map {
      $0.reduce(0) { min($0 * 10 + Int($1 - 0x30), 100_000) }
    }
    let first = numbers.first ?? 0
    // xterm encodes modifiers as 1 + (shift 1, alt 2, ctrl 4) in the second parameter.
    let modifier = numbers.count > 1 ? max(numbers[1] - 1, 0) : 0
    let wordwise = modifier & 0b110 != 0
    switch final {
    case UInt8(ascii: "A"): return (.up, length)
    case UInt8(ascii: "B"): return (.down, length)
    case UInt8(ascii: "C"): return (wordwise ? .wordRight : .right, length)
    case UInt8(ascii: "D"): return (wordwise ? .wordLeft : .left, length)
    case UInt8(ascii: "H"): return (.home, length)
    case UInt8(ascii: "F"): return (.end, length)
    case UInt8(ascii: "~"):
      switch first {
      case 1, 7: return (.home, length)
      case 4, 8: return (.end, length)
      case 2: return (.insert, length)
      case 3: return (.delete, length)
      case 5: return (.pageUp, length)
      case 6: return (.pageDown, length)
      default: return (.unknown(sequence), length)
      }
    default: return (.unknown(sequence), length)
    }
  }

  /// Everything up to the end marker, or nil until it has arrived.
  static func decodePaste(_ bytes: ArraySlice<UInt8>) -> (KeyEvent, Int)? {
    let contentStart = bytes.startIndex + pasteStart.count
    var i = contentStart
    while i + pasteEnd.count <= bytes.endIndex {
      if bytes[i] == esc && bytes[i..<(i + pasteEnd.count)].elementsEqual(pasteEnd) {
        let text = String(decoding: bytes[contentStart..<i], as: UTF8.self)
        return (.paste(text), i + pasteEnd.count - bytes.startIndex)
      }
      i += 1
    }
    return nil
  }
}
