/// ASCII bytes the scanners name, so the byte loops read as what they mean.
public enum ASCII {
  public static let nul: UInt8 = 0x00
  public static let tab: UInt8 = 0x09
  public static let lf: UInt8 = 0x0A
  public static let cr: UInt8 = 0x0D
  public static let space: UInt8 = 0x20
  public static let bang: UInt8 = 0x21
  public static let quote: UInt8 = 0x22
  public static let hash: UInt8 = 0x23
  public static let ampersand: UInt8 = 0x26
  public static let apostrophe: UInt8 = 0x27
  public static let openParen: UInt8 = 0x28
  public static let closeParen: UInt8 = 0x29
  public static let comma: UInt8 = 0x2C
  public static let hyphen: UInt8 = 0x2D
  public static let period: UInt8 = 0x2E
  public static let slash: UInt8 = 0x2F
  public static let zero: UInt8 = 0x30
  public static let nine: UInt8 = 0x39
  public static let colon: UInt8 = 0x3A
  public static let semicolon: UInt8 = 0x3B
  public static let equals: UInt8 = 0x3D
  public static let question: UInt8 = 0x3F
  public static let at: UInt8 = 0x40
  public static let upperA: UInt8 = 0x41
  public static let upperZ: UInt8 = 0x5A
  public static let openBracket: UInt8 = 0x5B
  public static let backslash: UInt8 = 0x5C
  public static let closeBracket: UInt8 = 0x5D
  public static let underscore: UInt8 = 0x5F
  public static let lowerA: UInt8 = 0x61
  public static let lowerZ: UInt8 = 0x7A
  public static let openBrace: UInt8 = 0x7B
  public static let pipe: UInt8 = 0x7C
  public static let closeBrace: UInt8 = 0x7D
  public static let del: UInt8 = 0x7F
  public static let plus: UInt8 = 0x2B
  // Longer names the format readers use.
  public static let lineFeed: UInt8 = lf
  public static let carriageReturn: UInt8 = cr
  public static let minus: UInt8 = hyphen
  public static let leftBracket: UInt8 = openBracket
  public static let rightBracket: UInt8 = closeBracket
  public static let leftBrace: UInt8 = openBrace
  public static let rightBrace: UInt8 = closeBrace

  @inline(__always) public static func isDigit(_ b: UInt8) -> Bool { b &- zero < 10 }
  @inline(__always) public static func isLetter(_ b: UInt8) -> Bool {
    (b | 0x20) &- lowerA < 26
  }
  @inline(__always) public static func lower(_ b: UInt8) -> UInt8 {
    b &- upperA < 26 ? b | 0x20 : b
  }
}

/// What a byte means to the tokenizer. One table lookup per byte in the hot loop.
@usableFromInline
enum ByteClass: UInt8, Sendable {
  /// Space, tab and other separators that end a token and nothing more.
  case space = 0
  /// ASCII letters and every byte ≥ 0x80 not recognised as punctuation (words in any script).
  case letter
  case digit
  /// `-` `_`: join two alphanumeric runs into one compound (`SO-10023`, `B-14-02`, `mis-pk`).
  case joiner
  /// `/`: joins like a hyphen (`2/6`, `w/o`); a ratio when both sides are numbers.
  case slash
  /// `.` `:`: join digits (`12.5`, `10:30`), otherwise end a clause (`.`) or soften one (`:`).
  case dotColon
  /// `'`: joins letters (`isn't`, `customer's`).
  case apostrophe
  /// `.` `!` `?` `;` `|` and line ends: a clause boundary (negation and phrases stop here).
  case clause
  /// `,` `(` `)` `"` `[` `]` `{` `}` `<` `>`: a soft boundary (negation stops, resolution does not).
  case comma
  /// `#`: starts a hash reference when a digit follows (`#10023`).
  case hash
  /// `@`: starts a mention (`@AmazonHelp`), which is never a lexicon word.
  case at
}

@usableFromInline
let byteClassTable: [ByteClass] = {
  var t = [ByteClass](repeating: .space, count: 256)
  for b in 0..<256 {
    let u = UInt8(b)
    if ASCII.isLetter(u) || u >= 0x80 {
      t[b] = .letter
    } else if ASCII.isDigit(u) {
      t[b] = .digit
    }
  }
  t[Int(ASCII.hyphen)] = .joiner
  t[Int(ASCII.underscore)] = .joiner
  t[Int(ASCII.slash)] = .slash
  t[Int(ASCII.period)] = .dotColon
  t[Int(ASCII.colon)] = .dotColon
  t[Int(ASCII.apostrophe)] = .apostrophe
  for b in [ASCII.bang, ASCII.question, ASCII.semicolon, ASCII.pipe, ASCII.lf, ASCII.cr] {
    t[Int(b)] = .clause
  }
  for b: UInt8 in [
    ASCII.comma, ASCII.openParen, ASCII.closeParen, ASCII.quote, ASCII.openBracket,
    ASCII.closeBracket, ASCII.openBrace, ASCII.closeBrace, 0x3C, 0x3E,
  ] {
    t[Int(b)] = .comma
  }
  t[Int(ASCII.hash)] = .hash
  t[Int(ASCII.at)] = .at
  return t
}()

/// ASCII case folding; other bytes map to themselves.
@usableFromInline
let foldTable: [UInt8] = (0..<256).map { ASCII.lower(UInt8($0)) }

/// The UTF-8 punctuation that real notes use and the tokenizer must not take for letters.
@usableFromInline
enum WidePunctuation {
  /// The class and byte length of a multi-byte punctuation sequence at `p[i]`, if it is one.
  ///
  /// Recognised: U+00A0 no-break space; U+2018/2019 curly apostrophes (fold to `'`);
  /// U+201C/201D curly quotes; U+2013/2014 dashes; U+2022 bullet; U+2026 ellipsis;
  /// U+3000 ideographic space; U+FEFF zero-width no-break space (a stray BOM).
  @inline(__always) @usableFromInline
  static func classify(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> (ByteClass, Int)? {
    let b0 = p[i]
    if b0 == 0xC2 {
      if i + 1 < p.count && p[i + 1] == 0xA0 { return (.space, 2) }
      return nil
    }
    if b0 == 0xE2 && i + 2 < p.count && p[i + 1] == 0x80 {
      switch p[i + 2] {
      case 0x98, 0x99: return (.apostrophe, 3)
      case 0x9C, 0x9D: return (.comma, 3)
      case 0x93, 0x94: return (.comma, 3)
      case 0xA2, 0xA6: return (.clause, 3)
      case 0x8B, 0x8C, 0x8D: return (.space, 3)  // zero-width space / joiners
      default: return nil
      }
    }
    if b0 == 0xE3 && i + 2 < p.count && p[i + 1] == 0x80 && p[i + 2] == 0x80 { return (.space, 3) }
    if b0 == 0xEF && i + 2 < p.count && p[i + 1] == 0xBB && p[i + 2] == 0xBF { return (.space, 3) }
    return nil
  }
}

/// The byte tables as pointers that live as long as the process, so the hot loop loads one
/// pointer per note instead of touching a lazily initialised global array per byte.
enum ByteTables {
  nonisolated(unsafe) static let classes: UnsafePointer<ByteClass> = {
    let p = UnsafeMutablePointer<ByteClass>.allocate(capacity: 256)
    p.initialize(from: byteClassTable, count: 256)
    return UnsafePointer(p)
  }()

  /// Per byte, the folded byte of an ASCII letter or digit (`A` → `a`, `7` → `7`), else 0; so
  /// the tokenizer's run loop is one load and one test a byte. Folded digits are ≤ `9` and
  /// folded letters ≥ `a`.
  nonisolated(unsafe) static let fold: UnsafePointer<UInt8> = {
    let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    for b in 0..<256 {
      let c = UInt8(b)
      p[b] = ASCII.isDigit(c) ? c : ASCII.isLetter(c) ? c | 0x20 : 0
    }
    return UnsafePointer(p)
  }()
}
