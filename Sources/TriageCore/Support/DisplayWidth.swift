/// The number of terminal columns text occupies, as a terminal draws it.
///
/// East Asian Wide and Fullwidth characters and emoji take two columns; combining marks,
/// zero-width format characters and control characters take none; everything else takes one
/// (East Asian Ambiguous counts as one, as in non-CJK locales). A `Character` (grapheme cluster)
/// is measured as a whole, so an emoji ZWJ sequence or a flag is two columns, not the sum of its
/// parts. The line editor uses it to place the cursor and table rendering uses it to align
/// columns, so both agree with each other and with the terminal.
public enum DisplayWidth {
  /// How `pad(_:toColumns:alignment:)` places text in the padded field.
  public enum Alignment: Sendable {
    case left, right
  }

  /// The width of one Unicode scalar: 0, 1 or 2.
  public static func of(_ scalar: Unicode.Scalar) -> Int {
    let v = scalar.value
    if v < 0x7F { return v >= 0x20 ? 1 : 0 }
    if v < 0xA0 { return 0 }  // DEL and the C1 controls
    if v == 0xAD { return 1 }  // the soft hyphen is drawn as a hyphen by terminals
    if isZeroWidth(scalar) { return 0 }
    if isWide(v) { return 2 }
    // Emoji newer than the table above still take two columns on a current terminal.
    if v >= 0x1F000 && scalar.properties.isEmojiPresentation { return 2 }
    return 1
  }

  /// The width of one grapheme cluster.
  public static func of(_ character: Character) -> Int {
    let scalars = character.unicodeScalars
    var iterator = scalars.makeIterator()
    guard let first = iterator.next() else { return 0 }
    guard let second = iterator.next() else { return of(first) }
    if first.value < 0x20 { return 0 }  // "\r\n" is one Character
    // A flag is a pair of regional indicators.
    if isRegionalIndicator(first) && isRegionalIndicator(second) { return 2 }
    var width = of(first) + of(second)
    var emojiSequence = second.value == 0xFE0F || second.value == 0x200D
      || second.properties.isEmojiModifier
    while let next = iterator.next() {
      width += of(next)
      if next.value == 0xFE0F || next.value == 0x200D { emojiSequence = true }
    }
    // Emoji with a presentation selector, a skin tone or ZWJ joins are drawn as one glyph.
    if emojiSequence && first.properties.isEmoji { return 2 }
    return width
  }

  /// The width of a string: the sum of its grapheme clusters' widths.
  public static func of(_ string: String) -> Int {
    var ascii = true
    var width = 0
    for byte in string.utf8 {
      if byte >= 0x80 {
        ascii = false
        break
      }
      if byte >= 0x20 && byte != 0x7F { width += 1 }
    }
    if ascii { return width }
    width = 0
    for character in string { width += of(character) }
    return width
  }

  /// The longest prefix of `string` that fits in `columns`, ending with `ellipsis` when it was
  /// cut. A wide character that would straddle the limit is dropped whole.
  public static func truncate(
    _ string: String, toColumns columns: Int, ellipsis: String = "\u{2026}"
  ) -> String {
    if of(string) <= columns { return string }
    let ellipsisWidth = of(ellipsis)
    // Too narrow for the ellipsis itself: cut without one.
    let marker = ellipsisWidth <= columns ? ellipsis : ""
    let budget = columns - of(marker)
    var result = ""
    var used = 0
    for character in string {
      let width = of(character)
      if used + width > budget { break }
      result.append(character)
      used += width
    }
    return result + marker
  }

  /// `string` followed (or, right-aligned, preceded) by spaces up to `columns`; unchanged when
  /// it is already that wide or wider.
  public static func pad(
    _ string: String, toColumns columns: Int, alignment: Alignment = .left
  ) -> String {
    let missing = columns - of(string)
    if missing <= 0 { return string }
    let spaces = String(repeating: " ", count: missing)
    switch alignment {
    case .left: return string + spaces
    case .right: return spaces + string
    }
  }

  static func isRegionalIndicator(_ scalar: Unicode.Scalar) -> Bool {
    (0x1F1E6...0x1F1FF).contains(scalar.value)
  }

  static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
    let v = scalar.value
    // Hangul medial vowels and final consonants join the leading consonant's two columns.
    if (0x1160...0x11FF).contains(v) || (0xD7B0...0xD7FF).contains(v) { return true }
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format: return true
    default: return false
    }
  }

  static func isWide(_ v: UInt32) -> Bool {
    if v < wideRanges[0].0 { return false }
    var low = 0
    var high = wideRanges.count - 1
    while low <= high {
      let mid = (low + high) / 2
      let range = wideRanges[mid]
      if v < range.0 {
        high = mid - 1
      } else if v > range.1 {
        low = mid + 1
      } else {
        return true
      }
    }
    return false
  }

  /// East_Asian_Width W and F ranges (Unicode 14, merged across unassigned gaps), plus the
  /// whole of planes 2 and 3, which the standard reserves as wide.
  static let wideRanges: [(UInt32, UInt32)] = [
    (0x1100, 0x115F), (0x231A, 0x231B), (0x2329, 0x232A), (0x23E9, 0x23EC), (0x23F0, 0x23F0),
    (0x23F3, 0x23F3), (0x25FD, 0x25FE), (0x2614, 0x2615), (0x2648, 0x2653), (0x267F, 0x267F),
    (0x2693, 0x2693), (0x26A1, 0x26A1), (0x26AA, 0x26AB), (0x26BD, 0x26BE), (0x26C4, 0x26C5),
    (0x26CE, 0x26CE), (0x26D4, 0x26D4), (0x26EA, 0x26EA), (0x26F2, 0x26F3), (0x26F5, 0x26F5),
    (0x26FA, 0x26FA), (0x26FD, 0x26FD), (0x2705, 0x2705), (0x270A, 0x270B), (0x2728, 0x2728),
    (0x274C, 0x274C), (0x274E, 0x274E), (0x2753, 0x2755), (0x2757, 0x2757), (0x2795, 0x2797),
    (0x27B0, 0x27B0), (0x27BF, 0x27BF), (0x2B1B, 0x2B1C), (0x2B50, 0x2B50), (0x2B55, 0x2B55),
    (0x2E80, 0x303E), (0x3041, 0x3247), (0x3250, 0x4DBF), (0x4E00, 0xA4C6), (0xA960, 0xA97C),
    (0xAC00, 0xD7A3), (0xF900, 0xFAD9), (0xFE10, 0xFE19), (0xFE30, 0xFE6B), (0xFF01, 0xFF60),
    (0xFFE0, 0xFFE6), (0x16FE0, 0x1B2FB), (0x1F004, 0x1F004), (0x1F0CF, 0x1F0CF),
    (0x1F18E, 0x1F18E), (0x1F191, 0x1F19A), (0x1F200, 0x1F320), (0x1F32D, 0x1F335),
    (0x1F337, 0x1F37C), (0x1F37E, 0x1F393), (0x1F3A0, 0x1F3CA), (0x1F3CF, 0x1F3D3),
    (0x1F3E0, 0x1F3F0), (0x1F3F4, 0x1F3F4), (0x1F3F8, 0x1F43E), (0x1F440, 0x1F440),
    (0x1F442, 0x1F4FC), (0x1F4FF, 0x1F53D), (0x1F54B, 0x1F54E), (0x1F550, 0x1F567),
    (0x1F57A, 0x1F57A), (0x1F595, 0x1F596), (0x1F5A4, 0x1F5A4), (0x1F5FB, 0x1F64F),
    (0x1F680, 0x1F6C5), (0x1F6CC, 0x1F6CC), (0x1F6D0, 0x1F6D2), (0x1F6D5, 0x1F6DF),
    (0x1F6EB, 0x1F6EC), (0x1F6F4, 0x1F6FC), (0x1F7E0, 0x1F7F0), (0x1F90C, 0x1F93A),
    (0x1F93C, 0x1F945), (0x1F947, 0x1F9FF), (0x1FA70, 0x1FAF6), (0x20000, 0x3FFFD)
  ]
}
