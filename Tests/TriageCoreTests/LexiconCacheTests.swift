import Foundation
import Testing
import TriageCore

#if canImport(Glibc)
  import Glibc
#endif

/// The compiled-lexicon cache: a lexicon read from the cache is the lexicon the files compile
/// to (every stored property, every classification byte for byte), and anything but an intact
/// file made from the same inputs by the same executable is a miss that compiles as before.
@Suite struct LexiconCacheTests {
  static let directory = PackageRoot.lexicons
  static let files: Result<[String: [UInt8]], TriageError> = Result {
    () throws(TriageError) -> [String: [UInt8]] in try Lexicon.readFiles(directory: directory)
  }
  static let fresh: Result<Lexicon, TriageError> = Result {
    () throws(TriageError) -> Lexicon in try Lexicon.load(directory: directory)
  }
  /// Stands for the running executable's identity.
  static let executable = Array("test build 1".utf8)

  static func key(executable: [UInt8] = executable) throws -> [UInt8] {
    Lexicon.cacheKey(files: try files.get(), directory: directory, executable: executable)
  }

  static func decode(_ image: [UInt8], key: [UInt8], directory: String = directory) -> Lexicon? {
    image.withUnsafeBytes { Lexicon.fromCacheImage($0, key: key, directory: directory) }
  }

  static func cacheFiles(_ dir: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter {
      $0.hasSuffix(".bin")
    }.sorted()
  }

  // MARK: The cached lexicon is the lexicon

  /// Every stored property of the lexicon, walked down to its leaves with `Mirror` (which sees
  /// private and internal properties too), is the same after a round trip. This is what catches
  /// a property added to `Vocabulary`, `PhraseTrie`, `LexiconEntry`... and not to the cache.
  @Test func roundTripKeepsEveryStoredProperty() throws {
    let fresh = try Self.fresh.get()
    let key = try Self.key()
    let image = fresh.cacheImage(key: key)
    let cached = try #require(Self.decode(image, key: key))
    var found: [String] = []
    differences(fresh, cached, at: "lexicon", into: &found)
    #expect(found == [])
    // And the image is the same written again from the decoded lexicon (a Bool: a failed
    // comparison of two 14 MB arrays would be diffed for minutes).
    let sameImage = cached.cacheImage(key: key) == image
    #expect(sameImage)
  }

  /// Classifying every gold and demo note gives byte-identical JSON, with and without the
  /// explanation of every match, from the cached and the compiled lexicon.
  @Test func classifyOutputIsByteIdentical() throws {
    let fresh = try Self.fresh.get()
    let key = try Self.key()
    let cached = try #require(Self.decode(fresh.cacheImage(key: key), key: key))
    var notes: [(id: [UInt8], source: [UInt8], text: [UInt8])] = []
    for name in ["dev.tsv", "holdout.tsv"] {
      for n in try GoldFile.read(
        path: PackageRoot.path + "/Corpus/gold/" + name, codes: fresh.codes)
      {
        notes.append((Array(n.id.utf8), Array(n.source.utf8), Array(n.text.utf8)))
      }
    }
    var reader = try NoteBatchReader(path: PackageRoot.path + "/Corpus/demo/notes.csv")
    var batch = NoteBatch()
    while try reader.next(into: &batch, maxNotes: 1024) {
      for r in batch.records {
        notes.append(
          (
            batch.withField(r.id) { Array($0) }, batch.withField(r.source) { Array($0) },
            batch.withField(r.text) { Array($0) }
          ))
      }
    }
    #expect(notes.count > 500)
    /// Each note's JSON record.
    func output(_ lexicon: Lexicon, explain: Bool) -> [[UInt8]] {
      let classifier = Classifier(lexicon: lexicon)
      var scratch = ClassifierScratch()
      return notes.map { n in
        var w = JSONWriter()
        n.text.withUnsafeBufferPointer { text in
          n.id.withUnsafeBufferPointer { id in
            n.source.withUnsafeBufferPointer { source in
              classifier.classify(text, into: &scratch)
              classifier.writeJSON(
                id: id, source: source, text: text, scratch: scratch, explain: explain, into: &w)
            }
          }
        }
        return w.bytes
      }
    }
    for explain in [false, true] {
      let expected = output(fresh, explain: explain)
      let actual = output(cached, explain: explain)
      // Named by note, not as a diff of megabytes.
      let differing = zip(notes, zip(expected, actual)).filter { $1.0 != $1.1 }.map {
        String(decoding: $0.0.id, as: UTF8.self)
      }
      #expect(
        differing.isEmpty,
        "explain: \(explain): \(differing.count) notes differ: \(differing.prefix(5))")
      #expect(expected.reduce(0) { $0 + $1.count } > notes.count * 40)
    }
  }

  // MARK: Anything else is a miss

  struct Damage: CustomTestStringConvertible, Sendable {
    var id: String
    var apply: @Sendable ([UInt8]) -> [UInt8]
    var testDescription: String { id }
  }

  static let damages: [Damage] = [
    Damage(id: "empty", apply: { _ in [] }),
    Damage(id: "header only", apply: { Array($0.prefix(32)) }),
    Damage(id: "cut in half", apply: { Array($0.prefix($0.count / 2)) }),
    Damage(id: "last byte missing", apply: { Array($0.dropLast()) }),
    Damage(id: "a byte more", apply: { $0 + [0] }),
    Damage(
      id: "a payload byte changed",
      apply: {
        var b = $0; b[b.count - 100] ^= 0x10; return b
      }),
    Damage(
      id: "a key byte changed",
      apply: {
        var b = $0; b[70] ^= 0x01; return b
      }),
    Damage(
      id: "other format",
      apply: {
        var b = $0; b[8] &+= 1; return b
      }),
    Damage(
      id: "other magic",
      apply: {
        var b = $0; b[0] = UInt8(ascii: "X"); return b
      }),
    Damage(
      id: "garbage", apply: { b in (0..<b.count).map { UInt8(truncatingIfNeeded: $0 &* 31) } }),
  ]

  /// A damaged file is not read; loading through the cache compiles and replaces it.
  @Test(arguments: damages)
  func damagedFileIsAMissAndIsReplaced(_ damage: Damage) throws {
    let fresh = try Self.fresh.get()
    let key = try Self.key()
    let bad = damage.apply(fresh.cacheImage(key: key))
    #expect(Self.decode(bad, key: key) == nil)
    try withTempDirectory("triage-cache") { dir in
      let cache = LexiconCache(directory: dir, executable: Self.executable)
      let path = cache.path(forKey: key)
      try Data(bad).write(to: URL(fileURLWithPath: path))
      #expect(cache.read(files: try Self.files.get(), lexiconDirectory: Self.directory) == nil)
      let loaded = try Lexicon.load(directory: Self.directory, cache: cache)
      #expect(loaded.fingerprint == fresh.fingerprint)
      #expect(cache.read(files: try Self.files.get(), lexiconDirectory: Self.directory) != nil)
    }
  }

  /// The first load compiles and writes the file, the next one reads it.
  @Test func missWritesThenHitReads() throws {
    try withTempDirectory("triage-cache") { dir in
      let cache = LexiconCache(directory: dir + "/cache", executable: Self.executable)
      let files = try Self.files.get()
      #expect(cache.read(files: files, lexiconDirectory: Self.directory) == nil)
      let first = try Lexicon.load(directory: Self.directory, cache: cache)
      #expect(Self.cacheFiles(dir + "/cache").count == 1)
      let hit = try #require(cache.read(files: files, lexiconDirectory: Self.directory))
      #expect(hit.fingerprint == first.fingerprint)
      #expect(hit.vocabulary.count == first.vocabulary.count)
      #expect(hit.directory == Self.directory)
      let mode =
        try FileManager.default.attributesOfItem(atPath: dir + "/cache")[.posixPermissions] as? Int
      #expect(mode == 0o700)
    }
  }

  /// Editing a lexicon file changes the key: the edit is compiled, never an old file read, even
  /// an old file put where the new key's file goes.
  @Test func changedLexiconFileIsAMiss() throws {
    try withTempDirectory("triage-cache") { dir in
      let lexicons = dir + "/Lexicons"
      try FileManager.default.copyItem(atPath: Self.directory, toPath: lexicons)
      let cache = LexiconCache(directory: dir + "/cache", executable: Self.executable)
      let before = try Lexicon.load(directory: lexicons, cache: cache)
      let oldFile = try #require(Self.cacheFiles(dir + "/cache").first)
      let reason = lexicons + "/reasons/damaged.txt"
      let text = try String(contentsOfFile: reason, encoding: .utf8)
      try (text + "9.5 zorbled crate\n").write(toFile: reason, atomically: true, encoding: .utf8)
      let newKey = Lexicon.cacheKey(
        files: try Lexicon.readFiles(directory: lexicons), directory: lexicons,
        executable: Self.executable)
      // The stale file under the new name: its stored key is the old one, so it is refused.
      try FileManager.default.copyItem(
        atPath: dir + "/cache/" + oldFile, toPath: cache.path(forKey: newKey))
      #expect(
        cache.read(files: try Lexicon.readFiles(directory: lexicons), lexiconDirectory: lexicons)
          == nil)
      let after = try Lexicon.load(directory: lexicons, cache: cache)
      #expect(after.fingerprint != before.fingerprint)
      #expect(after.entries.contains { $0.text == "zorbled crate" && $0.weight == 950 })
      #expect(!before.entries.contains { $0.text == "zorbled crate" })
      // And the edit is what a later load reads from the cache.
      let again = try Lexicon.load(directory: lexicons, cache: cache)
      #expect(again.entries.contains { $0.text == "zorbled crate" })
      #expect(Self.cacheFiles(dir + "/cache").count == 2)
    }
  }

  /// Another build of triage (another executable identity) never reads this build's file.
  @Test func otherExecutableIsAMiss() throws {
    try withTempDirectory("triage-cache") { dir in
      let ours = LexiconCache(directory: dir, executable: Self.executable)
      let theirs = LexiconCache(directory: dir, executable: Array("test build 2".utf8))
      _ = try Lexicon.load(directory: Self.directory, cache: ours)
      let files = try Self.files.get()
      #expect(ours.read(files: files, lexiconDirectory: Self.directory) != nil)
      #expect(theirs.read(files: files, lexiconDirectory: Self.directory) == nil)
      // Even when its file is put under our key's name.
      let key = try Self.key()
      let theirKey = try Self.key(executable: theirs.executable)
      try FileManager.default.copyItem(
        atPath: ours.path(forKey: key), toPath: theirs.path(forKey: theirKey))
      #expect(theirs.read(files: files, lexiconDirectory: Self.directory) == nil)
    }
  }

  /// The same files in another directory: the locations in explanations differ, so it is a miss.
  @Test func otherDirectoryIsAMiss() throws {
    let fresh = try Self.fresh.get()
    let key = try Self.key()
    #expect(Self.decode(fresh.cacheImage(key: key), key: key, directory: "/elsewhere") != nil)
    let otherKey = Lexicon.cacheKey(
      files: try Self.files.get(), directory: "/elsewhere", executable: Self.executable)
    #expect(Self.decode(fresh.cacheImage(key: key), key: otherKey, directory: "/elsewhere") == nil)
  }

  /// A cache directory that cannot be made (a regular file is in the way; the tests may run as
  /// root, which ignores permissions) loads the lexicon all the same.
  @Test func unwritableCacheDirectoryStillLoads() throws {
    try withTempDirectory("triage-cache") { dir in
      try Data("not a directory".utf8).write(to: URL(fileURLWithPath: dir + "/file"))
      let cache = LexiconCache(directory: dir + "/file/cache", executable: Self.executable)
      let lexicon = try Lexicon.load(directory: Self.directory, cache: cache)
      #expect(lexicon.fingerprint == (try Self.fresh.get()).fingerprint)
      #expect(cache.read(files: try Self.files.get(), lexiconDirectory: Self.directory) == nil)
    }
  }

  /// A lexicon that does not compile fails every time and leaves nothing in the cache.
  @Test func brokenLexiconIsNeverCached() throws {
    try withTempDirectory("triage-cache") { dir in
      let lexicons = dir + "/Lexicons"
      try FileManager.default.copyItem(atPath: Self.directory, toPath: lexicons)
      let reason = lexicons + "/reasons/short_pick.txt"
      let text = try String(contentsOfFile: reason, encoding: .utf8)
      try (text + "3.0   (bin|slot empty\n").write(
        toFile: reason, atomically: true, encoding: .utf8)
      let cache = LexiconCache(directory: dir + "/cache", executable: Self.executable)
      for _ in 0..<2 {
        #expect(throws: TriageError.self) {
          _ = try Lexicon.load(directory: lexicons, cache: cache)
        }
      }
      #expect(Self.cacheFiles(dir + "/cache") == [])
    }
  }

  /// The directory keeps `limit` files, the most recently used.
  @Test func prunesToTheLimit() throws {
    try withTempDirectory("triage-cache") { dir in
      var cache = LexiconCache(directory: dir, executable: Self.executable)
      cache.limit = 2
      var paths: [String] = []
      for build in 1...4 {
        cache.executable = Array("build \(build)".utf8)
        _ = try Lexicon.load(directory: Self.directory, cache: cache)
        paths.append(cache.path(forKey: try Self.key(executable: cache.executable)))
        usleep(20_000)  // distinct modification times
      }
      #expect(Self.cacheFiles(dir).map { dir + "/" + $0 }.sorted() == paths.suffix(2).sorted())
    }
  }

  // MARK: Where the cache lives

  struct Place: CustomTestStringConvertible, Sendable {
    var id: String
    var environment: [String: String]
    var directory: String?
    var testDescription: String { id }
  }

  static let places: [Place] = [
    Place(
      id: "TRIAGE_CACHE_DIR",
      environment: ["TRIAGE_CACHE_DIR": "/c", "XDG_CACHE_HOME": "/x", "HOME": "/h"], directory: "/c"
    ),
    Place(
      id: "TRIAGE_CACHE_DIR relative", environment: ["TRIAGE_CACHE_DIR": "c"], directory: "/work/c"),
    Place(id: "off", environment: ["TRIAGE_CACHE_DIR": "off", "HOME": "/h"], directory: nil),
    Place(
      id: "XDG_CACHE_HOME", environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"],
      directory: "/x/triage"),
    Place(
      id: "XDG_CACHE_HOME relative", environment: ["XDG_CACHE_HOME": "x", "HOME": "/h"],
      directory: "/h/.cache/triage"),
    Place(
      id: "HOME", environment: ["HOME": "/h", "TRIAGE_CACHE_DIR": ""], directory: "/h/.cache/triage"
    ),
    Place(id: "nothing", environment: [:], directory: nil),
  ]

  @Test(arguments: places)
  func cacheDirectory(_ place: Place) {
    #expect(
      LexiconCache.directory(environment: place.environment, workingDirectory: "/work")
        == place.directory)
    #expect(
      LexiconCache(environment: place.environment, workingDirectory: "/work")?.directory
        == place.directory)
  }

  @Test func runningExecutableIsIdentified() throws {
    let identity = try #require(LexiconCache.executableIdentity)
    #expect(identity.count == 56)
    #expect(identity.contains { $0 != 0 })
  }
}

/// The paths at which two values differ (at most ten), walking stored properties and elements
/// with `Mirror` down to leaves compared by their debug description.
func differences(_ a: Any, _ b: Any, at path: String, into found: inout [String]) {
  if found.count >= 10 { return }
  // Plain arrays compare whole (the vocabulary's tables have hundreds of thousands of elements).
  func whole<T: Equatable>(_: T.Type) -> Bool {
    guard let x = a as? [T], let y = b as? [T] else { return false }
    if x != y { found.append("\(path): [\(T.self)] differ") }
    return true
  }
  if whole(Int32.self) || whole(UInt8.self) || whole(UInt64.self) || whole(Bool.self) { return }
  let ma = Mirror(reflecting: a)
  let mb = Mirror(reflecting: b)
  if ma.children.isEmpty && mb.children.isEmpty {
    let (da, db) = (String(reflecting: a), String(reflecting: b))
    if da != db { found.append("\(path): \(da.prefix(80)) ≠ \(db.prefix(80))") }
    return
  }
  guard ma.children.count == mb.children.count else {
    found.append("\(path): \(ma.children.count) ≠ \(mb.children.count) children")
    return
  }
  // A long collection (the vocabulary's 262,144 slots) is walked at its ends and at 5,000
  // elements between: a Mirror of every element takes seconds, and `cacheImage` compared the
  // bytes of every table already (what this walk is for is a property the cache left out).
  let step = ma.displayStyle == .collection ? max(1, ma.children.count / 5000) : 1
  let n = ma.children.count
  for (i, (ca, cb)) in zip(ma.children, mb.children).enumerated()
  where step == 1 || i % step == 0 || i < 100 || i >= n - 100 {
    guard ca.label == cb.label else {
      found.append("\(path): \(ca.label ?? "?") ≠ \(cb.label ?? "?")")
      return
    }
    differences(ca.value, cb.value, at: path + "." + (ca.label ?? "\(i)"), into: &found)
  }
}
