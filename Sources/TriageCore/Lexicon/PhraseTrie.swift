/// A trie over term ids holding every entry of every lexicon file (terms, phrases, patterns and
/// cues), so one walk from each token finds all entries that start there, whatever the
/// lexicon's size.
///
/// Root edges are an array indexed by term id (most tokens stop here: one load). Deeper edges
/// live in one open-addressing table keyed by `(node, term)`. Patterns' `{n}` and `{n}/{m}`
/// elements are ordinary edges on the reserved ids `Term.number` and `Term.ratio`.
public struct PhraseTrie: Sendable {
  @usableFromInline var rootChild: [Int32]
  @usableFromInline var edgeKeys: [UInt64]
  @usableFromInline var edgeValues: [Int32]
  @usableFromInline var edgeMask: Int
  /// Entry ids ending at node `i`: `outputs[outputStart[i]..<outputStart[i + 1]]`.
  @usableFromInline var outputStart: [Int32]
  @usableFromInline var outputs: [Int32]
  /// Parallel to `outputs`: bit p set when the token at position p of the path must be spelled
  /// as written (an `=` word), not an inflection or typo of it; 0 for most outputs.
  @usableFromInline var outputExact: [UInt64]
  /// Whether node `i` has any child (lets the walk stop without a lookup).
  @usableFromInline var hasChildren: [Bool]
  public let nodeCount: Int
  /// The spelling each output slot stands for (parallel to `outputs`): the path's words, with
  /// the entry's capture names for `{n}`; set by the lexicon compiler.
  public internal(set) var outputText: [String] = []
  /// The term-id path of each node, kept for `outputText`.
  var nodePath: [[Int32]] = []

  /// The child of the root for a term, or 0.
  @inline(__always) @usableFromInline
  func root(_ term: Int32) -> Int32 {
    Int(term) < rootChild.count ? rootChild[Int(term)] : 0
  }

  /// The child of a non-root node for a term, or 0.
  @inline(__always) @usableFromInline
  func child(_ node: Int32, _ term: Int32) -> Int32 {
    let key = UInt64(UInt32(bitPattern: node)) << 32 | UInt64(UInt32(bitPattern: term))
    var i = PhraseTrie.slot(key) & edgeMask
    while true {
      let k = edgeKeys[i]
      if k == key { return edgeValues[i] }
      if k == 0 { return 0 }
      i = (i + 1) & edgeMask
    }
  }

  @inline(__always) @usableFromInline
  static func slot(_ key: UInt64) -> Int {
    Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40)
  }

  /// The entries that end at a node.
  @inline(__always)
  public func entries(at node: Int32) -> ArraySlice<Int32> {
    outputs[Int(outputStart[Int(node)])..<Int(outputStart[Int(node) + 1])]
  }

  /// Builds the trie from term-id paths; the root is node 0.
  struct Builder {
    var edges: [[Int32: Int32]] = [[:]]
    /// Per node: entry → exact-position mask.
    var out: [[Int32: UInt64]] = [[:]]
    var paths: [[Int32]] = [[]]

    /// Adds a path for an entry; `exact` has bit p set when position p must be spelled as
    /// written. Two paths of one entry to the same node keep only the positions both mark.
    mutating func insert(_ path: [Int32], entry: Int32, exact: UInt64 = 0) {
      var node: Int32 = 0
      for term in path {
        if let next = edges[Int(node)][term] {
          node = next
        } else {
          let next = Int32(edges.count)
          edges.append([:])
          out.append([:])
          paths.append(paths[Int(node)] + [term])
          edges[Int(node)][term] = next
          node = next
        }
      }
      if let mask = out[Int(node)][entry] {
        out[Int(node)][entry] = mask & exact
      } else {
        out[Int(node)][entry] = exact
      }
    }

    func build(termCount: Int) -> PhraseTrie {
      var rootChild = [Int32](repeating: 0, count: max(termCount, Int(Term.firstWord)))
      for (term, node) in edges[0] {
        if Int(term) >= rootChild.count {
          rootChild.append(contentsOf: repeatElement(0, count: Int(term) - rootChild.count + 1))
        }
        rootChild[Int(term)] = node
      }
      var deep = 0
      for n in 1..<edges.count { deep += edges[n].count }
      var size = 16
      while size < deep * 2 + 2 { size <<= 1 }
      var keys = [UInt64](repeating: 0, count: size)
      var values = [Int32](repeating: 0, count: size)
      let mask = size - 1
      for n in 1..<max(1, edges.count) {
        // Insert in sorted order so the table's layout is deterministic.
        for (term, child) in edges[n].sorted(by: { $0.key < $1.key }) {
          let key = UInt64(UInt32(bitPattern: Int32(n))) << 32 | UInt64(UInt32(bitPattern: term))
          var i = PhraseTrie.slot(key) & mask
          while keys[i] != 0 { i = (i + 1) & mask }
          keys[i] = key
          values[i] = child
        }
      }
      var starts: [Int32] = [0]
      var flat: [Int32] = []
      var exact: [UInt64] = []
      for list in out {
        for (entry, mask) in list.sorted(by: { $0.key < $1.key }) {
          flat.append(entry)
          exact.append(mask)
        }
        starts.append(Int32(flat.count))
      }
      var trie = PhraseTrie(
        rootChild: rootChild, edgeKeys: keys, edgeValues: values, edgeMask: mask,
        outputStart: starts, outputs: flat, outputExact: exact, hasChildren: edges.map { !$0.isEmpty },
        nodeCount: edges.count)
      trie.nodePath = paths
      return trie
    }
  }

  /// Fills `outputText` from the node paths: `names` gives each output's entry words (by term
  /// id) and capture names.
  mutating func computeTexts(word: (Int32) -> String, captures: (Int32) -> [String]) {
    var texts: [String] = []
    texts.reserveCapacity(outputs.count)
    for node in 0..<nodeCount {
      let lo = Int(outputStart[node])
      let hi = Int(outputStart[node + 1])
      for k in lo..<hi {
        let names = captures(outputs[k])
        var c = 0
        var words: [String] = []
        for term in nodePath[node] {
          if term == Term.number {
            words.append("{\(c < names.count ? names[c] : "n")}")
            c += 1
          } else if term == Term.ratio {
            let a = c < names.count ? names[c] : "n"
            let b = c + 1 < names.count ? names[c + 1] : "m"
            words.append("{\(a)}/{\(b)}")
            c += 2
          } else {
            words.append(word(term))
          }
        }
        texts.append(words.joined(separator: " "))
      }
    }
    outputText = texts
    nodePath = []
  }
}
