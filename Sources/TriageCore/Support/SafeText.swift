/// Makes untrusted text (note text, ids, anything read from an export) safe to print to a
/// terminal: no control or escape sequence from the input ever reaches the terminal raw.
///
/// C0 controls, DEL, C1 controls (U+0080–U+009F, which include the 8-bit CSI), bidirectional
/// overrides and isolates, and bytes that are not valid UTF-8 are shown as visible escapes
/// (`\e`, `\x07`, `\u{202E}`, `\xFF`). So `ESC [2J` prints as the six characters `\e[2J`.
public enum SafeText {
  public enum Mode: Sendable {
    /// For one table cell or one line: newlines and tabs become visible (`\n`, `\t`).
    case singleLine
    /// For a wrapped block: newlines and tabs are kept, everything else is escaped.
    case multiLine
  }

  /// The escaped form of a string.
  public static func escape(_ s: String, _ mode: Mode = .singleLine) -> String {
    var fast = true
    for u in s.unicodeScalars where needsEscape(u, mode) {
      fast = false
      break
    }
    if fast { return s }
    var out = ""
    out.reserveCapacity(s.utf8.count + 8)
    for u in s.unicodeScalars {
      if needsEscape(u, mode) { out += visible(u) } else { out.unicodeScalars.append(u) }
    }
    return out
  }

  /// The escaped form of raw bytes that may not be valid UTF-8.
  public static func escape(bytes: some Collection<UInt8>, _ mode: Mode = .singleLine) -> String {
    var out = ""
    var it = Array(bytes)[...]
    while let first = it.first {
      let (scalar, length) = decodeScalar(it)
      if let scalar {
        if needsEscape(scalar, mode) { out += visible(scalar) } else {
          out.unicodeScalars.append(scalar)
        }
        it = it.dropFirst(length)
      } else {
        out += "\\x" + hex2(first)
        it = it.dropFirst()
      }
    }
    return out
  }

  /// True when the scalar must not reach a terminal as it is.
  @inline(__always)
  public static func needsEscape(_ u: Unicode.Scalar, _ mode: Mode) -> Bool {
    let v = u.value
    if v < 0x20 {
      if mode == .multiLine && (v == 0x0A || v == 0x09) { return false }
      return true
    }
    if v == 0x7F || (0x80...0x9F).contains(v) { return true }
    // Bidirectional embeddings, overrides and isolates can reorder what a reader sees.
    if (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) { return true }
    // Line and paragraph separators break table layout.
    if v == 0x2028 || v == 0x2029 { return true }
    return false
  }

  static func visible(_ u: Unicode.Scalar) -> String {
    switch u.value {
    case 0x1B: return "\\e"
    case 0x0A: return "\\n"
    case 0x0D: return "\\r"
    case 0x09: return "\\t"
    case 0x00: return "\\0"
    case let v where v < 0x100: return "\\x" + hex2(UInt8(v))
    default: return "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
    }
  }

  static func hex2(_ b: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(b >> 4)], digits[Int(b & 0x0F)]])
  }

  /// Decodes one scalar at the start of `bytes`; nil when the bytes there are not valid UTF-8.
  static func decodeScalar(_ bytes: ArraySlice<UInt8>) -> (Unicode.Scalar?, Int) {
    var iterator = bytes.makeIterator()
    var decoder = UTF8()
    switch decoder.decode(&iterator) {
    case .scalarValue(let s): return (s, UTF8.width(s))
    case .emptyInput, .error: return (nil, 1)
    }
  }
}

extension String {
  /// Decodes bytes as UTF-8, replacing each invalid sequence with U+FFFD (never fails).
  public init(lossyUTF8 bytes: some Collection<UInt8>) {
    self = String(decoding: bytes, as: UTF8.self)
  }
}
