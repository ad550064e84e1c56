/// The compiled lexicon's tables as raw memory, built once per classifier and shared by every
/// thread (read-only): the hot loops read them through plain pointers, with no array bounds
/// checks and no reference counting per note.
///
/// The layout is the trie's, renumbered for the walk's memory reads (issue 7: the walk was bound
/// by cache misses, five dependent loads from five arrays a node):
/// - nodes are numbered breadth first, siblings in term order, so the root's children are the
///   first nodes and a node's children are consecutive;
/// - one 16-byte `Node` record holds what the walk asks of a node (its outputs, its children);
/// - a child is found by scanning its siblings' edge terms (`edgeTerm`, a few bytes side by
///   side; binary search for a wide node), not by probing a hash table;
/// - one 16-byte `Output` record holds what the walk asks of an output (entry, trie slot, near
///   part, whether positions must be spelled as written), the outputs of a node side by side.
final class MatchTables: @unchecked Sendable {
  struct Node {
    /// This node's outputs: `outputs[outputStart ..< outputStart + outputCount]`.
    var outputStart: Int32
    var outputCount: Int32
    /// This node's children: nodes `firstChild ..< firstChild + childCount`, sorted by term.
    var firstChild: Int32
    var childCount: Int32
  }

  struct Output {
    /// The entry (a near part's own id; see `Lexicon.nearParts`).
    var entry: Int32
    /// The trie's output slot (it names the spelling; `PhraseTrie.outputText`).
    var slot: Int32
    /// For a near part: its near entry × 2 + its side; -1 otherwise.
    var part: Int32
    /// 1 when some position must be spelled as written (`exact`, by trie slot); 0 for most.
    var hasExact: Int32
  }

  /// Per term id: the root's child for it (a node number here), or 0.
  let rootChild: UnsafeMutableBufferPointer<Int32>
  let nodes: UnsafeMutableBufferPointer<Node>
  /// Per node: the term on the edge into it (the root's is 0).
  let edgeTerm: UnsafeMutableBufferPointer<Int32>
  let outputs: UnsafeMutableBufferPointer<Output>
  /// Per trie output slot: bit p set when the token at position p of the path must be spelled
  /// as written (`PhraseTrie.outputExact`).
  let exact: UnsafeMutableBufferPointer<UInt64>
  /// Per term id: its alternative term, or 0.
  let altTerm: UnsafeMutableBufferPointer<Int32>
  /// How many entry ids there are (near parts included).
  let entryCount: Int

  /// Children past this many are binary searched; fewer are scanned.
  static let scanLimit: Int32 = 8

  init(trie: PhraseTrie, altTerm: [Int32], partOwner: [Int32], partSide: [UInt8]) {
    func copy<T>(_ a: [T]) -> UnsafeMutableBufferPointer<T> {
      let p = UnsafeMutableBufferPointer<T>.allocate(capacity: max(1, a.count))
      _ = p.initialize(from: a)
      return UnsafeMutableBufferPointer(rebasing: p[0..<a.count])
    }
    let count = trie.nodeCount
    // Children of each trie node as (term, child), grouped by parent (a counting sort: the root's
    // from its array, the rest from the edge table), each group sorted by term.
    var childStart = [Int32](repeating: 0, count: count + 1)
    for child in trie.rootChild where child != 0 { childStart[1] += 1 }
    for key in trie.edgeKeys where key != 0 { childStart[Int(key >> 32) + 1] += 1 }
    for i in 0..<count { childStart[i + 1] += childStart[i] }
    var edges = [(term: Int32, child: Int32)](repeating: (0, 0), count: Int(childStart[count]))
    var fill = childStart
    for (term, child) in trie.rootChild.enumerated() where child != 0 {
      edges[Int(fill[0])] = (Int32(term), child)
      fill[0] += 1
    }
    for (i, key) in trie.edgeKeys.enumerated() where key != 0 {
      let parent = Int(key >> 32)
      edges[Int(fill[parent])] = (Int32(truncatingIfNeeded: key & 0xFFFF_FFFF), trie.edgeValues[i])
      fill[parent] += 1
    }
    for node in 0..<count {
      // Insertion sort: most nodes have a child or two (the root's come in term order already).
      let lo = Int(childStart[node])
      let hi = Int(childStart[node + 1])
      if hi - lo > 32 {
        edges[lo..<hi].sort { $0.term < $1.term }
        continue
      }
      var i = lo + 1
      while i < hi {
        let e = edges[i]
        var j = i
        while j > lo && edges[j - 1].term > e.term {
          edges[j] = edges[j - 1]
          j -= 1
        }
        edges[j] = e
        i += 1
      }
    }
    // Breadth-first numbering: `order[new] = old`, `renumber[old] = new`.
    var order = [Int32](repeating: 0, count: count)
    var renumber = [Int32](repeating: 0, count: count)
    var terms = [Int32](repeating: 0, count: count)
    var next = 1
    var head = 0
    while head < next, head < count {
      let old = Int(order[head])
      for k in Int(childStart[old])..<Int(childStart[old + 1]) {
        let e = edges[k]
        order[next] = e.child
        renumber[Int(e.child)] = Int32(next)
        terms[next] = e.term
        next += 1
      }
      head += 1
    }
    var nodeRecords: [Node] = []
    nodeRecords.reserveCapacity(count)
    var outputRecords: [Output] = []
    outputRecords.reserveCapacity(trie.outputs.count)
    for new in 0..<count {
      let old = Int(order[new])
      let lo = Int(trie.outputStart[old])
      let hi = Int(trie.outputStart[old + 1])
      let first = childStart[old] < childStart[old + 1] ? renumber[Int(edges[Int(childStart[old])].child)] : 0
      nodeRecords.append(Node(
        outputStart: Int32(outputRecords.count), outputCount: Int32(hi - lo),
        firstChild: first, childCount: childStart[old + 1] - childStart[old]))
      for slot in lo..<hi {
        let entry = trie.outputs[slot]
        let owner = partOwner[Int(entry)]
        outputRecords.append(Output(
          entry: entry, slot: Int32(slot), part: owner >= 0 ? owner * 2 + Int32(partSide[Int(entry)]) : -1,
          hasExact: trie.outputExact[slot] != 0 ? 1 : 0))
      }
    }
    var roots = [Int32](repeating: 0, count: trie.rootChild.count)
    for (term, child) in trie.rootChild.enumerated() where child != 0 { roots[term] = renumber[Int(child)] }
    rootChild = copy(roots)
    nodes = copy(nodeRecords)
    edgeTerm = copy(terms)
    outputs = copy(outputRecords)
    exact = copy(trie.outputExact)
    self.altTerm = copy(altTerm)
    entryCount = partOwner.count
  }

  deinit {
    rootChild.baseAddress?.deallocate()
    nodes.baseAddress?.deallocate()
    edgeTerm.baseAddress?.deallocate()
    outputs.baseAddress?.deallocate()
    exact.baseAddress?.deallocate()
    altTerm.baseAddress?.deallocate()
  }

  /// The child of the root for a term, or 0.
  @inline(__always) func root(_ term: Int32) -> Int32 {
    term >= 0 && Int(term) < rootChild.count ? rootChild[Int(term)] : 0
  }

  @inline(__always) func alternative(_ term: Int32) -> Int32 {
    term >= 0 && Int(term) < altTerm.count ? altTerm[Int(term)] : 0
  }

  /// The child of a node (given by its record) for a term, or 0.
  @inline(__always) func child(_ node: Node, _ term: Int32) -> Int32 {
    var lo = Int(node.firstChild)
    var hi = lo + Int(node.childCount)
    if node.childCount <= MatchTables.scanLimit {
      while lo < hi {
        if edgeTerm[lo] == term { return Int32(truncatingIfNeeded: lo) }
        lo += 1
      }
      return 0
    }
    while lo < hi {
      let mid = (lo + hi) >> 1
      let t = edgeTerm[mid]
      if t == term { return Int32(truncatingIfNeeded: mid) }
      if t < term { lo = mid + 1 } else { hi = mid }
    }
    return 0
  }
}
