/// A growable buffer of plain values in memory the buffer owns: appends are a bounds check and a
/// store (or a memcpy), with none of `Array`'s uniqueness checks, so hot loops can reuse one
/// for every note.
///
/// A class because it owns its memory (freed in `deinit`). It is not thread-safe: each thread
/// keeps its own (the batch classifier gives each batch slot one).
public final class RawBuffer<Element: BitwiseCopyable>: @unchecked Sendable {
  // Thread-confined by design (one buffer per thread), so the run-time exclusivity checks a
  // class property would get on every access are switched off: they cost more than the work.
  @exclusivity(unchecked) public private(set) var base: UnsafeMutablePointer<Element>
  @exclusivity(unchecked) public private(set) var capacity: Int
  @exclusivity(unchecked) public var count = 0

  public init(capacity: Int = 64) {
    self.capacity = max(8, capacity)
    base = .allocate(capacity: self.capacity)
  }

  deinit { base.deallocate() }

  @inline(__always) public func removeAll() { count = 0 }

  /// Makes room for `n` more elements.
  @inline(__always) public func reserve(_ n: Int) {
    if count + n > capacity { grow(count + n) }
  }

  @usableFromInline func grow(_ needed: Int) {
    var c = capacity
    while c < needed { c *= 2 }
    let fresh = UnsafeMutablePointer<Element>.allocate(capacity: c)
    fresh.update(from: base, count: count)
    base.deallocate()
    base = fresh
    capacity = c
  }

  @inline(__always) public func append(_ e: Element) {
    if count == capacity { grow(count + 1) }
    (base + count).initialize(to: e)
    count += 1
  }

  @inline(__always) public subscript(_ i: Int) -> Element {
    get { base[i] }
    set { base[i] = newValue }
  }

  public var buffer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

  /// The buffer's memory, count and capacity held in a value for a hot loop's appends (through
  /// the class, each append loads and stores its fields again); `close()` writes the count back.
  /// Nothing else may touch the buffer until then.
  @inline(__always) func appender() -> Appender { Appender(buffer: self) }

  struct Appender {
    /// Not a counted reference: the caller holds the buffer for as long as the appender lives
    /// (a strong one was a retain and a release a note).
    unowned(unsafe) let buffer: RawBuffer<Element>
    var base: UnsafeMutablePointer<Element>
    var count: Int
    var capacity: Int

    @inline(__always) init(buffer: RawBuffer<Element>) {
      self.buffer = buffer
      base = buffer.base
      count = buffer.count
      capacity = buffer.capacity
    }

    @inline(__always) mutating func append(_ e: Element) {
      if count == capacity {
        buffer.count = count
        buffer.grow(count + 1)
        base = buffer.base
        capacity = buffer.capacity
      }
      (base + count).initialize(to: e)
      count += 1
    }

    @inline(__always) func close() { buffer.count = count }
  }
  public var mutableBuffer: UnsafeMutableBufferPointer<Element> { UnsafeMutableBufferPointer(start: base, count: count) }

  /// A copy of the contents as an array (for tests and explanations, not hot paths).
  public var array: [Element] { Array(buffer) }
}

extension RawBuffer where Element == UInt8 {
  /// Appends bytes with one memcpy.
  @inline(__always) public func append(_ p: UnsafeRawPointer?, _ n: Int) {
    guard n > 0, let p else { return }
    reserve(n)
    let to = UnsafeMutableRawPointer(base + count)
    if n <= 16 {
      // Short runs (JSON punctuation, keys, ids) as two overlapping word copies: a call to
      // memcpy costs more than the bytes.
      if n >= 8 {
        to.storeBytes(of: p.loadUnaligned(as: UInt64.self), as: UInt64.self)
        to.storeBytes(of: p.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self), toByteOffset: n - 8, as: UInt64.self)
      } else if n >= 4 {
        to.storeBytes(of: p.loadUnaligned(as: UInt32.self), as: UInt32.self)
        to.storeBytes(of: p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self), toByteOffset: n - 4, as: UInt32.self)
      } else {
        for k in 0..<n { to.storeBytes(of: p.load(fromByteOffset: k, as: UInt8.self), toByteOffset: k, as: UInt8.self) }
      }
    } else {
      to.copyMemory(from: p, byteCount: n)
    }
    count += n
  }

  @inline(__always) public func append(_ p: UnsafeBufferPointer<UInt8>) {
    append(p.baseAddress, p.count)
  }

  @inline(__always) public func append(_ s: StaticString) {
    append(s.utf8Start, s.utf8CodeUnitCount)
  }
}
