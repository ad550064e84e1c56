/// An order reference, SKU or location found in a note's text.
public struct FoundIdentifier: Sendable, Equatable, BitwiseCopyable {
  public enum Kind: UInt8, Sendable, BitwiseCopyable {
    case order, sku, location
  }
  public var kind: Kind
  /// The span of the identifier's text in the note.
  public var start: Int32
  public var end: Int32
  /// For orders: where the order number's digits start (the canonical id is prefix + digits).
  public var digitsStart: Int32

  /// The identifier as reported: orders as `prefix + digits` (`#10023` → `SO-10023`); SKUs and
  /// locations upper-cased as written.
  public func text(in note: UnsafeBufferPointer<UInt8>, rules: IdentifierRules) -> String {
    switch kind {
    case .order:
      return rules.orderPrefix
        + String(decoding: UnsafeBufferPointer(rebasing: note[Int(digitsStart)..<Int(end)]), as: UTF8.self)
    case .sku, .location:
      return String(
        decoding: note[Int(start)..<Int(end)].map { b in ASCII.isLetter(b) ? b & ~0x20 : b },
        as: UTF8.self)
    }
  }
}

/// Finds order references, SKUs and locations among a note's tokens by the site's rules
/// (`identifiers.txt`): cue words ("order 10023", "sku 88213", "bin B-14-02"), `#10023`, the order
/// prefix (`SO-10023`), and shapes (`A-99-99`).
enum IdentifierExtractor {
  /// What the extractor reads of the lexicon, held by the classifier as one reference: handing
  /// it the whole `Lexicon` per note copied the struct and retained and released its arrays.
  final class Context: Sendable {
    let rules: IdentifierRules
    let terms: Lexicon.IdentifierTerms

    init(_ lexicon: Lexicon) {
      rules = lexicon.identifiers
      terms = lexicon.identifierTerms
    }
  }

  static func extract(
    _ text: UnsafeBufferPointer<UInt8>, _ toks: UnsafeBufferPointer<Token>, _ context: Context,
    into out: RawBuffer<FoundIdentifier>
  ) {
    out.removeAll()
    let rules = context.rules
    let terms = context.terms
    for i in 0..<toks.count {
      let t = toks[i]
      switch t.kind {
      case .hashRef:
        let digits = Int(t.end - t.start) - 1
        if rules.orderDigits.contains(digits) {
          add(out, text, FoundIdentifier(kind: .order, start: t.start, end: t.end, digitsStart: t.start + 1))
        }
      case .number, .identifier:
        let cue = cueBefore(toks, i, terms)
        let len = Int(t.end - t.start)
        if t.kind == .number {
          if cue == .order && rules.orderDigits.contains(len) {
            add(out, text, FoundIdentifier(kind: .order, start: t.start, end: t.end, digitsStart: t.start))
            continue
          }
        } else if let digitsAt = orderDigits(text, t, prefix: terms.prefix, bare: terms.barePrefix, rules: rules) {
          add(out, text, FoundIdentifier(kind: .order, start: t.start, end: t.end, digitsStart: digitsAt))
          continue
        }
        if cue == .ignore || t.kind == .number && cue == .order { continue }
        if cue == .location || matchesAny(rules.locationShapes, text, t) {
          add(out, text, FoundIdentifier(kind: .location, start: t.start, end: t.end, digitsStart: t.start))
        } else if (cue == .sku && len >= 3) || matchesAny(rules.skuShapes, text, t) {
          add(out, text, FoundIdentifier(kind: .sku, start: t.start, end: t.end, digitsStart: t.start))
        }
      default:
        continue
      }
    }
  }

  enum Cue { case none, order, sku, location, ignore }

  /// The identifier cue word just before token `i`, looking past connector words ("no", "#").
  static func cueBefore(_ toks: UnsafeBufferPointer<Token>, _ i: Int, _ terms: Lexicon.IdentifierTerms) -> Cue {
    var j = i - 1
    var hops = 0
    while j >= 0 && hops < 3 {
      let term = toks[j].term
      if toks[j].kind == .word {
        if terms.has(term, Lexicon.IdentifierTerms.order) { return .order }
        if terms.has(term, Lexicon.IdentifierTerms.sku) { return .sku }
        if terms.has(term, Lexicon.IdentifierTerms.location) { return .location }
        if terms.has(term, Lexicon.IdentifierTerms.ignore) { return .ignore }
        if !terms.has(term, Lexicon.IdentifierTerms.connector) { return .none }
      } else {
        return .none
      }
      j -= 1
      hops += 1
    }
    return .none
  }

  /// Where the digits start when an identifier token is `PREFIX` + digits (`SO-10023`, `so10023`).
  static func orderDigits(
    _ text: UnsafeBufferPointer<UInt8>, _ t: Token, prefix: [UInt8], bare: [UInt8],
    rules: IdentifierRules
  ) -> Int32? {
    guard !prefix.isEmpty else { return nil }
    // The prefix, then the bare prefix (each borrowed: an array of the two was built and freed
    // per identifier token).
    func digitsAfter(_ p: [UInt8]) -> Int32? {
      let s = Int(t.start)
      let e = Int(t.end)
      guard !p.isEmpty, e - s > p.count else { return nil }
      for k in 0..<p.count where ASCII.lower(text[s + k]) != p[k] { return nil }
      let d = s + p.count
      guard rules.orderDigits.contains(e - d) else { return nil }
      for k in d..<e where !ASCII.isDigit(text[k]) { return nil }
      return Int32(d)
    }
    return digitsAfter(prefix) ?? digitsAfter(bare)
  }

  static func matchesAny(_ shapes: [IdentifierShape], _ text: UnsafeBufferPointer<UInt8>, _ t: Token) -> Bool {
    if shapes.isEmpty { return false }
    let slice = UnsafeBufferPointer(rebasing: text[Int(t.start)..<Int(t.end)])
    // Borrowed through a buffer: iterating the array copied each shape (a retain and a release
    // of its elements per identifier token).
    return shapes.withUnsafeBufferPointer { all in
      for k in all.indices where all[k].matches(slice) { return true }
      return false
    }
  }

  /// Adds an identifier unless the same text was already found in this note.
  static func add(_ out: RawBuffer<FoundIdentifier>, _ text: UnsafeBufferPointer<UInt8>, _ id: FoundIdentifier) {
    for other in out.buffer where other.kind == id.kind {
      let a = id.kind == .order ? id.digitsStart : id.start
      let b = other.kind == .order ? other.digitsStart : other.start
      let la = Int(id.end - a)
      if la == Int(other.end - b) {
        var same = true
        for k in 0..<la where ASCII.lower(text[Int(a) + k]) != ASCII.lower(text[Int(b) + k]) {
          same = false
          break
        }
        if same { return }
      }
    }
    out.append(id)
  }
}
