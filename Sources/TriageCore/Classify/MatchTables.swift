/// The compiled lexicon's tables as raw memory, built once per classifier and shared by every
/// thread (read-only): the hot loops read them through plain pointers, with no array bounds
/// checks and no reference counting per note.
final class MatchTables: @unchecked Sendable {
  let rootChild: UnsafeMutableBufferPointer<Int32>
  let outputStart: UnsafeMutableBufferPointer<Int32>
  let outputs: UnsafeMutableBufferPointer<Int32>
  let outputExact: UnsafeMutableBufferPointer<UInt64>
  let hasChildren: UnsafeMutableBufferPointer<Bool>
  let edgeKeys: UnsafeMutableBufferPointer<UInt64>
  let edgeValues: UnsafeMutableBufferPointer<Int32>
  let edgeMask: Int
  /// Per term id: its alternative term, or 0.
  let altTerm: UnsafeMutableBufferPointer<Int32>
  /// Per entry id (near parts included): the near entry a part belongs to (or -1) and its side.
  let partOwner: UnsafeMutableBufferPointer<Int32>
  let partSide: UnsafeMutableBufferPointer<UInt8>

  init(trie: PhraseTrie, altTerm: [Int32], partOwner: [Int32], partSide: [UInt8]) {
    func copy<T>(_ a: [T]) -> UnsafeMutableBufferPointer<T> {
      let p = UnsafeMutableBufferPointer<T>.allocate(capacity: max(1, a.count))
      _ = p.initialize(from: a)
      return UnsafeMutableBufferPointer(rebasing: p[0..<a.count])
    }
    rootChild = copy(trie.rootChild)
    outputStart = copy(trie.outputStart)
    outputs = copy(trie.outputs)
    outputExact = copy(trie.outputExact)
    hasChildren = copy(trie.hasChildren)
    edgeKeys = copy(trie.edgeKeys)
    edgeValues = copy(trie.edgeValues)
    edgeMask = trie.edgeMask
    self.altTerm = copy(altTerm)
    self.partOwner = copy(partOwner)
    self.partSide = copy(partSide)
  }

  deinit {
    for p in [rootChild, outputStart, outputs, edgeValues, self.altTerm, partOwner] as [UnsafeMutableBufferPointer<Int32>] {
      p.baseAddress?.deallocate()
    }
    outputExact.baseAddress?.deallocate()
    edgeKeys.baseAddress?.deallocate()
    hasChildren.baseAddress?.deallocate()
    partSide.baseAddress?.deallocate()
  }

  /// The child of the root for a term, or 0.
  @inline(__always) func root(_ term: Int32) -> Int32 {
    term >= 0 && Int(term) < rootChild.count ? rootChild[Int(term)] : 0
  }

  @inline(__always) func alternative(_ term: Int32) -> Int32 {
    term >= 0 && Int(term) < altTerm.count ? altTerm[Int(term)] : 0
  }

  /// The child of a non-root node for a term, or 0.
  @inline(__always) func child(_ node: Int32, _ term: Int32) -> Int32 {
    let key = UInt64(UInt32(bitPattern: node)) << 32 | UInt64(UInt32(bitPattern: term))
    var i = PhraseTrie.slot(key) & edgeMask
    while true {
      let k = edgeKeys[i]
      if k == key { return edgeValues[i] }
      if k == 0 { return 0 }
      i = (i + 1) & edgeMask
    }
  }
}
