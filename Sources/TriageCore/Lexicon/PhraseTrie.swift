/// A trie over term ids holding every entry of every lexicon file (terms, phrases, patterns and
/// cues), so one walk from each token finds all entries that start there, whatever the
/// lexicon's size.
///
/// Root edges are an array indexed by term id (most tokens stop here: one load). Deeper edges
/// live in one open-addressing table keyed by `(node, term)`. Patterns' `{n}` and `{n}/{m}`
/// elements are ordinary edges on the reserved ids `Term.number` and `Term.ratio`.
///
/// This is the compiled form the lexicon cache stores; the classifier walks `MatchTables`, built
/// from it at start (children sorted per node, breadth-first numbering), not these tables.
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
  public internal(set) var nodeCount: Int
  /// The spelling each output slot stands for (parallel to `outputs`): the path's words, with
  /// the entry's capture names for `{n}`; set by the lexicon compiler. UTF-8 bytes, one after
  /// another (slot k is `outputTextBytes[outputTextStart[k]..<outputTextStart[k + 1]]`), which
  /// are also valid JSON string content (lexicon words hold no quotes, backslashes or controls).
  public internal(set) var outputTextBytes: [UInt8] = []
  public internal(set) var outputTextStart: [Int32] = [0]

  /// The spelling of output slot `k`.
  public func outputText(_ k: Int) -> String {
    String(decoding: outputTextBytes[Int(outputTextStart[k])..<Int(outputTextStart[k + 1])], as: UTF8.self)
  }

  public var outputCount: Int { outputs.count }
  /// Each node's parent and the term on its edge, kept until the output texts are computed.
  var nodeParent: [Int32] = []
  var nodeTerm: [Int32] = []

  @inline(__always) @usableFromInline
  static func slot(_ key: UInt64) -> Int {
    Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40)
  }

  /// The entries that end at a node.
  @inline(__always)
  public func entries(at node: Int32) -> ArraySlice<Int32> {
    outputs[Int(outputStart[Int(node)])..<Int(outputStart[Int(node) + 1])]
  }

  /// Builds the trie from term-id paths; the root is node 0. Edges live in one open-addressing
  /// table from the start (no dictionary per node), outputs in one flat list sorted at the end.
  struct Builder {
    /// Per node: its parent and the term on the edge from it (for the output texts).
    var parent: [Int32] = [0]
    var edgeTerm: [Int32] = [0]
    var hasChild: [Bool] = [false]
    var keys: [UInt64] = Array(repeating: 0, count: 1 << 12)
    var values: [Int32] = Array(repeating: 0, count: 1 << 12)
    var used = 0
    /// (node, entry, exact mask) for every path end.
    var ends: [(node: Int32, entry: Int32, exact: UInt64)] = []

    static func key(_ node: Int32, _ term: Int32) -> UInt64 {
      // +1 on the node so that the root's edges never make the empty key 0.
      UInt64(UInt32(bitPattern: node) &+ 1) << 32 | UInt64(UInt32(bitPattern: term))
    }

    mutating func child(_ node: Int32, _ term: Int32) -> Int32 {
      let k = Builder.key(node, term)
      let mask = keys.count - 1
      var i = PhraseTrie.slot(k) & mask
      while keys[i] != 0 {
        if keys[i] == k { return values[i] }
        i = (i + 1) & mask
      }
      if (used + 1) * 2 > keys.count {
        grow()
        return child(node, term)
      }
      let next = Int32(parent.count)
      keys[i] = k
      values[i] = next
      used += 1
      parent.append(node)
      edgeTerm.append(term)
      hasChild.append(false)
      hasChild[Int(node)] = true
      return next
    }

    mutating func grow() {
      let oldKeys = keys
      let oldValues = values
      keys = Array(repeating: 0, count: oldKeys.count * 2)
      values = Array(repeating: 0, count: oldKeys.count * 2)
      let mask = keys.count - 1
      for (i, k) in oldKeys.enumerated() where k != 0 {
        var j = PhraseTrie.slot(k) & mask
        while keys[j] != 0 { j = (j + 1) & mask }
        keys[j] = k
        values[j] = oldValues[i]
      }
    }

    /// Adds a path for an entry; `exact` has bit p set when position p must be spelled as
    /// written. Two paths of one entry to the same node keep only the positions both mark.
    mutating func insert(_ path: [Int32], entry: Int32, exact: UInt64 = 0) {
      var node: Int32 = 0
      for term in path { node = child(node, term) }
      ends.append((node, entry, exact))
    }

    func build(termCount: Int) -> PhraseTrie {
      let nodes = parent.count
      var rootChild = [Int32](repeating: 0, count: max(termCount, Int(Term.firstWord)))
      // The final table is keyed by (node, term) without the builder's +1, with the root's
      // edges in `rootChild`; deep edges are inserted in (node, term) order so the layout is
      // deterministic.
      var deep: [(Int32, Int32, Int32)] = []
      deep.reserveCapacity(nodes)
      for n in 1..<max(1, nodes) {
        let p = parent[n]
        let t = edgeTerm[n]
        if p == 0 {
          if Int(t) >= rootChild.count {
            rootChild.append(contentsOf: repeatElement(0, count: Int(t) - rootChild.count + 1))
          }
          rootChild[Int(t)] = Int32(n)
        } else {
          deep.append((p, t, Int32(n)))
        }
      }
      deep.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
      var size = 16
      while size < deep.count * 2 + 2 { size <<= 1 }
      var tableKeys = [UInt64](repeating: 0, count: size)
      var tableValues = [Int32](repeating: 0, count: size)
      let mask = size - 1
      for (p, t, child) in deep {
        let key = UInt64(UInt32(bitPattern: p)) << 32 | UInt64(UInt32(bitPattern: t))
        var i = PhraseTrie.slot(key) & mask
        while tableKeys[i] != 0 { i = (i + 1) & mask }
        tableKeys[i] = key
        tableValues[i] = child
      }
      // Outputs per node, sorted by entry; one entry twice at a node keeps the common exact bits.
      let sortedEnds = ends.sorted { $0.node != $1.node ? $0.node < $1.node : $0.entry < $1.entry }
      var starts = [Int32](repeating: 0, count: nodes + 1)
      var flat: [Int32] = []
      var exact: [UInt64] = []
      flat.reserveCapacity(sortedEnds.count)
      exact.reserveCapacity(sortedEnds.count)
      var k = 0
      for node in 0..<nodes {
        starts[node] = Int32(flat.count)
        while k < sortedEnds.count && sortedEnds[k].node == Int32(node) {
          let e = sortedEnds[k]
          if let last = flat.last, flat.count > Int(starts[node]), last == e.entry {
            exact[exact.count - 1] &= e.exact
          } else {
            flat.append(e.entry)
            exact.append(e.exact)
          }
          k += 1
        }
      }
      starts[nodes] = Int32(flat.count)
      var trie = PhraseTrie(
        rootChild: rootChild, edgeKeys: tableKeys, edgeValues: tableValues, edgeMask: mask,
        outputStart: starts, outputs: flat, outputExact: exact, hasChildren: hasChild,
        nodeCount: nodes)
      trie.nodeParent = parent
      trie.nodeTerm = edgeTerm
      return trie
    }
  }

  /// Fills the output texts from the node paths: `word` gives a term's text as bytes, `captures`
  /// each output's entry capture names.
  mutating func computeTexts(word: (Int32) -> ArraySlice<UInt8>, captures: (Int32) -> [String]) {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(outputs.count * 16)
    var starts: [Int32] = [0]
    starts.reserveCapacity(outputs.count + 1)
    for node in 0..<nodeCount {
      let lo = Int(outputStart[node])
      let hi = Int(outputStart[node + 1])
      for k in lo..<hi {
        var c = 0
        var names: [String]? = nil
        var path: [Int32] = []
        var at = Int32(node)
        while at != 0 {
          path.append(nodeTerm[Int(at)])
          at = nodeParent[Int(at)]
        }
        path.reverse()
        for (i, term) in path.enumerated() {
          if i > 0 { bytes.append(ASCII.space) }
          if term == Term.number || term == Term.ratio {
            if names == nil { names = captures(outputs[k]) }
            let list = names ?? []
            let a = c < list.count ? list[c] : "n"
            if term == Term.number {
              bytes += Array("{\(a)}".utf8)
              c += 1
            } else {
              let b = c + 1 < list.count ? list[c + 1] : "m"
              bytes += Array("{\(a)}/{\(b)}".utf8)
              c += 2
            }
          } else {
            bytes += word(term)
          }
        }
        starts.append(Int32(bytes.count))
      }
    }
    outputTextBytes = bytes
    outputTextStart = starts
    nodeParent = []
    nodeTerm = []
  }
}
