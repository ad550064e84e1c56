/// What shape of text a token is.
public enum TokenKind: UInt8, Sendable, BitwiseCopyable, CustomStringConvertible {
  /// Letters (and bytes of other scripts); looked up in the vocabulary.
  case word
  /// Digits only: `6`, `88213`; `n` holds the value when it fits in 9 digits.
  case number
  /// `2/6`: `n` and `m` hold both sides.
  case ratio
  /// `x3` or `3x`: `n` holds the count.
  case quantity
  /// Letters and digits joined: `SO-10023`, `B-14-02`, `C0412`, `10:30`.
  case identifier
  /// `#` followed by digits: `#10023`; `n` holds the number when it fits.
  case hashRef
  /// `@name`: a social-media mention, never a lexicon word.
  case mention
  /// `http://…`, `https://…`, `www.…`: never a lexicon word.
  case url

  public var description: String {
    switch self {
    case .word: "word"
    case .number: "number"
    case .ratio: "ratio"
    case .quantity: "quantity"
    case .identifier: "identifier"
    case .hashRef: "hash-ref"
    case .mention: "mention"
    case .url: "url"
    }
  }
}

/// One token of a note: its byte span, what it is, and the vocabulary term it maps to.
///
/// A plain value of 20 bytes kept in a reused buffer, so tokenizing allocates nothing per token.
public struct Token: Sendable, Equatable, BitwiseCopyable {
  /// Byte offset of the first byte in the note.
  public var start: Int32
  /// Byte offset one past the last byte.
  public var end: Int32
  /// Vocabulary term id; `Term.unknown` when the word is not in any lexicon.
  public var term: Int32
  /// A number's value, a ratio's numerator or a quantity's count; 0 otherwise.
  public var n: Int32
  /// A ratio's denominator; 0 otherwise.
  public var m: Int32
  public var kind: TokenKind
  /// `TokenFlags` bits.
  public var flags: UInt8

  public init(
    start: Int32, end: Int32, term: Int32, kind: TokenKind, flags: UInt8 = 0, n: Int32 = 0,
    m: Int32 = 0
  ) {
    self.start = start
    self.end = end
    self.term = term
    self.kind = kind
    self.flags = flags
    self.n = n
    self.m = m
  }

  public var span: Range<Int> { Int(start)..<Int(end) }

  @inline(__always) public func has(_ flag: UInt8) -> Bool { flags & flag != 0 }
}

/// Bits of `Token.flags`.
public enum TokenFlags {
  /// A clause boundary (`.` `!` `?` `;`, a line end, or a word such as "but") precedes this token.
  public static let clauseBefore: UInt8 = 1 << 0
  /// A soft boundary (`,` `(` a dash, a quote) precedes this token.
  public static let commaBefore: UInt8 = 1 << 1
  /// The token comes from a shorthand expansion (`dmg` → `damaged`); its span is the shorthand's.
  public static let expanded: UInt8 = 1 << 2
  /// The token matched a generated inflection (`picked` for `pick`).
  public static let inflected: UInt8 = 1 << 3
  /// The token matched a generated typo variant (`damagd` for `damaged`).
  public static let typo: UInt8 = 1 << 4
  /// The token matched the joined or hyphenated form of a two-word entry (`shortpick`).
  public static let joined: UInt8 = 1 << 5

  /// Either boundary: what stops a negation window and a phrase.
  public static let anyBreak: UInt8 = clauseBefore | commaBefore
}

/// Term ids with a fixed meaning; lexicon words are numbered from `Term.firstWord`.
public enum Term {
  /// A word no lexicon knows.
  public static let unknown: Int32 = 0
  /// Any number token (or `x3` quantity): the `{n}` element of a pattern.
  public static let number: Int32 = 1
  /// A `2/6` ratio token: the `{n}/{m}` element of a pattern.
  public static let ratio: Int32 = 2
  /// The first id given to a lexicon word.
  public static let firstWord: Int32 = 8
}
