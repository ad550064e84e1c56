/// What an open blocker of a reason code does to an order's state (see ARCHITECTURE.md).
public enum BlockerEffect: String, Sendable, CaseIterable {
  /// The order cannot move until someone releases it: payment, fraud, address, customer, QA.
  case hold
  /// Not enough stock picked or available.
  case short
  /// A substitute is offered or needed.
  case substitute
  /// Everything else: the order moves, late.
  case delay
}

/// One reason code of the taxonomy with its owner, theme and classifier settings.
public struct ReasonCode: Sendable, Hashable {
  public var code: String
  /// Position in `codes.txt` (the taxonomy's order); also the tie-break order.
  public var index: Int
  public var owner: String
  public var theme: String
  public var effect: BlockerEffect
  /// True when an open blocker of this code is something the customer must be told about.
  public var tellCustomer: Bool
  /// The score a note must reach for this code, in hundredths.
  public var threshold: Int32
  /// Plain words for people ("short pick"), used in tables and drafts.
  public var label: String
  public var location: SourceLocation
}

/// A weight in hundredths: `2.5` is 250. Fixed point keeps scores exact and output stable.
public enum Weight {
  /// Parses `2`, `2.5`, `-1.25`; nil when the text is not such a number.
  public static func parse(_ text: String) -> Int32? {
    var s = Substring(text)
    var sign: Int32 = 1
    if s.hasPrefix("-") {
      sign = -1
      s = s.dropFirst()
    } else if s.hasPrefix("+") {
      s = s.dropFirst()
    }
    let parts = s.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 1 || parts.count == 2, let whole = parts.first, !whole.isEmpty,
      whole.count <= 4, whole.allSatisfy(\.isASCIIDigit), let w = Int32(whole)
    else { return nil }
    var frac: Int32 = 0
    if parts.count == 2 {
      let f = parts[1]
      guard !f.isEmpty, f.count <= 2, f.allSatisfy(\.isASCIIDigit), let v = Int32(f) else {
        return nil
      }
      frac = f.count == 1 ? v * 10 : v
    }
    return sign * (w * 100 + frac)
  }

  /// `250` → `2.5`, `300` → `3.0`, `225` → `2.25`, `-50` → `-0.5`.
  public static func format(_ centi: Int32) -> String {
    var out = centi < 0 ? "-" : ""
    let v = centi.magnitude
    out += String(v / 100)
    let frac = v % 100
    if frac == 0 {
      out += ".0"
    } else if frac % 10 == 0 {
      out += "." + String(frac / 10)
    } else {
      out += "." + (frac < 10 ? "0" : "") + String(frac)
    }
    return out
  }
}

extension Character {
  var isASCIIDigit: Bool { isASCII && isNumber }
}

/// Which way a cue reaches: toward matches after it, before it, or both.
public enum CueDirection: String, Sendable, CaseIterable, BitwiseCopyable {
  /// "no damage": the cue comes before what it acts on.
  case before
  /// "hold released": the cue comes after what it acts on.
  case after
  case both
}

/// The kinds of lexicon entry.
public enum EntryKind: String, Sendable, CaseIterable, BitwiseCopyable {
  /// A single word or a multi-word phrase that is evidence for a code.
  case term
  /// A token pattern with captures and a condition (`picked {n} of {m} where n < m`).
  case pattern
  /// Two parts within a window of each other, in either order
  /// (`near 3.0 (hold|held) + (payment|funds) within 4`).
  case near
  /// A negation cue: matches in its window are not matches at all ("no damage found").
  case negate
  /// A resolution cue: matches in its window are resolved ("hold released").
  case resolve
  /// A pending cue: resolution in its window has not happened yet ("awaiting approval").
  case pending
}

/// One element of an entry's spelling: a literal word or a number capture.
public enum PatternElement: Sendable, Hashable {
  /// A word; `exact` when written `=word` (no inflections, no typo variants).
  case word(String, exact: Bool)
  /// `{n}`: a number (or `x3` quantity) captured under a name.
  case number(String)
  /// `{n}/{m}`: a ratio token, both sides captured.
  case ratio(String, String)

  /// The capture names this element binds, in order.
  public var captures: [String] {
    switch self {
    case .word: []
    case .number(let n): [n]
    case .ratio(let a, let b): [a, b]
    }
  }
}

/// A comparison in a pattern's `where` clause.
public struct PatternCondition: Sendable, Hashable, CustomStringConvertible {
  public enum Operand: Sendable, Hashable {
    case capture(String)
    case literal(Int32)
  }
  public enum Op: String, Sendable, CaseIterable {
    case lt = "<", le = "<=", gt = ">", ge = ">=", eq = "==", ne = "!="
  }
  public var lhs: Operand
  public var op: Op
  public var rhs: Operand

  public func holds(_ value: (String) -> Int32?) -> Bool {
    func v(_ o: Operand) -> Int32? {
      switch o {
      case .capture(let name): value(name)
      case .literal(let x): x
      }
    }
    guard let a = v(lhs), let b = v(rhs) else { return false }
    switch op {
    case .lt: return a < b
    case .le: return a <= b
    case .gt: return a > b
    case .ge: return a >= b
    case .eq: return a == b
    case .ne: return a != b
    }
  }

  public var description: String {
    func s(_ o: Operand) -> String {
      switch o {
      case .capture(let n): n
      case .literal(let x): String(x)
      }
    }
    return "\(s(lhs)) \(op.rawValue) \(s(rhs))"
  }
}

/// One entry of a lexicon file, as written and as compiled.
public struct LexiconEntry: Sendable {
  public var kind: EntryKind
  /// The reason code's index for `term`, `pattern` and `near` entries; nil for cues.
  public var code: Int?
  /// Evidence weight in hundredths (0 for cues).
  public var weight: Int32
  /// The entry's text as written (without weight, tags and condition).
  public var text: String
  /// Every spelling the entry stands for: its `(a|b)` groups expanded. For `near`, the first part.
  public var sequences: [[PatternElement]]
  /// `near` entries: the second part's spellings, and how many tokens may separate the parts.
  public var nearSequences: [[PatternElement]]
  public var nearWindow: Int
  /// `near` entries written with `>`: the first part must come first.
  public var nearOrdered: Bool
  public var conditions: [PatternCondition]
  /// Industry codes this entry corresponds to (`x12:AY`, `shopify:INCORRECT_ADDRESS`).
  public var tags: [String]
  /// Cues: direction and window (in tokens).
  public var direction: CueDirection
  public var window: Int
  /// Cues: the codes this cue acts on (by index); empty means every code.
  public var scope: [Int]
  /// Negation cues written with `across=commas`: the cue reaches past commas (not past the end
  /// of a clause), for all-clear phrases that follow what they rule out ("address verified with
  /// customer, no changes needed").
  public var acrossCommas = false
  public var location: SourceLocation

  public init(
    kind: EntryKind, code: Int?, weight: Int32, text: String, sequences: [[PatternElement]],
    nearSequences: [[PatternElement]] = [], nearWindow: Int = 0, nearOrdered: Bool = false,
    conditions: [PatternCondition] = [], tags: [String] = [], direction: CueDirection = .before,
    window: Int = 0, scope: [Int] = [], location: SourceLocation
  ) {
    self.kind = kind
    self.code = code
    self.weight = weight
    self.text = text
    self.sequences = sequences
    self.nearSequences = nearSequences
    self.nearWindow = nearWindow
    self.nearOrdered = nearOrdered
    self.conditions = conditions
    self.tags = tags
    self.direction = direction
    self.window = window
    self.scope = scope
    self.location = location
  }

  /// The capture names of a pattern, in order (the same in every spelling).
  public var captureNames: [String] { sequences.first?.flatMap(\.captures) ?? [] }

  /// Whether a cue acts on the code with this index.
  @inline(__always) public func scopes(_ code: Int) -> Bool {
    scope.isEmpty || scope.contains(code)
  }
}

/// A shorthand key and its expansion (`dmg` → `damaged`).
public struct Shorthand: Sendable, Hashable {
  public var key: String
  public var expansion: [String]
  public var location: SourceLocation
}

/// A character-class template for identifiers: `A` a letter, `9` a digit, `*` one or more of
/// the previous class, anything else itself (case-insensitive). `A-99-99` matches `B-14-02`.
public struct IdentifierShape: Sendable, Hashable, CustomStringConvertible {
  enum Unit: Sendable, Hashable {
    case letter, digit
    case literal(UInt8)
  }
  struct Element: Sendable, Hashable {
    var unit: Unit
    var repeats: Bool
  }
  let elements: [Element]
  public let text: String
  /// The fewest and most bytes a match can have (`Int.max` with a `*`): most identifier
  /// tokens are rejected on their length before any byte is read.
  let minLength: Int
  let maxLength: Int

  public init?(_ text: String) {
    var els: [Element] = []
    for b in text.utf8 {
      switch b {
      case UInt8(ascii: "A"): els.append(Element(unit: .letter, repeats: false))
      case UInt8(ascii: "9"): els.append(Element(unit: .digit, repeats: false))
      case UInt8(ascii: "*"):
        guard !els.isEmpty, !els[els.count - 1].repeats else { return nil }
        els[els.count - 1].repeats = true
      default:
        guard b > 0x20, b < 0x7F else { return nil }
        els.append(Element(unit: .literal(ASCII.lower(b)), repeats: false))
      }
    }
    guard !els.isEmpty else { return nil }
    elements = els
    self.text = text
    minLength = els.count
    maxLength = els.contains(where: \.repeats) ? Int.max : els.count
  }

  /// Whether the bytes match the whole shape.
  public func matches(_ bytes: some Collection<UInt8>) -> Bool {
    let b = Array(bytes)
    return b.withUnsafeBufferPointer { matches($0) }
  }

  /// Whether the bytes match the whole shape (no allocation).
  public func matches(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard b.count >= minLength && b.count <= maxLength else { return false }
    return elements.withUnsafeBufferPointer { els in IdentifierShape.match(els, b, 0, 0) }
  }

  private static func match(
    _ els: UnsafeBufferPointer<Element>, _ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ e: Int
  ) -> Bool {
    if e == els.count { return i == b.count }
    let el = els[e]
    @inline(__always) func ok(_ x: UInt8) -> Bool {
      switch el.unit {
      case .letter: ASCII.isLetter(x)
      case .digit: ASCII.isDigit(x)
      case .literal(let l): ASCII.lower(x) == l
      }
    }
    if el.repeats {
      var j = i
      while j < b.count && ok(b[j]) {
        j += 1
        if match(els, b, j, e + 1) { return true }
      }
      return false
    }
    return i < b.count && ok(b[i]) && match(els, b, i + 1, e + 1)
  }

  public var description: String { text }
}

/// How order references, SKUs and locations look at this site (`identifiers.txt`).
public struct IdentifierRules: Sendable {
  /// The canonical order id prefix (`SO-`): `#10023` and `order 10023` become `SO-10023`.
  public var orderPrefix: String = ""
  /// How many digits an order number has.
  public var orderDigits: ClosedRange<Int> = 4...10
  /// Words after which a number is an order number ("order 10023").
  public var orderCues: [String] = []
  /// Words after which a number or identifier is a SKU ("sku 88213").
  public var skuCues: [String] = []
  public var skuShapes: [IdentifierShape] = []
  /// Words after which an identifier is a location ("bin B-14-02").
  public var locationCues: [String] = []
  public var locationShapes: [IdentifierShape] = []
  /// Words after which a number is none of the above ("PO 4471", "zip 90210").
  public var ignoreAfter: [String] = []
  /// Words allowed between a cue and its number ("order no. 10023", "order # 10023").
  public var connectors: [String] = []

  public init() {}
}
