import Foundation
import Testing
import TriageKit

#if canImport(Glibc)
  import Glibc
#endif

/// Resource bounds (issue 8): classify streams its input, so its memory does not grow with the
/// input's size.
///
/// The runs compared here compile their lexicons (`TRIAGE_CACHE_DIR=off`): through the cache, one
/// run of a pair could compile and write it and the other read it (or find it pruned by another
/// test's), and the difference would be the cache's, not the input's.
@Suite(.enabled(if: TriageBinary.path != nil, TriageBinary.skipReason))
struct ResourceBoundsTests {
  /// Runs the binary with stdout and stderr to /dev/null; returns its exit status and peak
  /// resident memory in KiB, from `wait4` (exactly this child, whatever else runs meanwhile).
  static func peakMemory(_ arguments: [String]) throws -> (status: Int32, kilobytes: Int) {
    let binary = try #require(TriageBinary.path)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([binary] + arguments + ["--lexicons", TriageBinary.lexicons]).map { strdup($0) }
    defer { argv.forEach { free($0) } }
    var environment = TriageBinary.environment
    environment["TRIAGE_CACHE_DIR"] = "off"
    let envp = environment.map { strdup("\($0.key)=\($0.value)") }
    defer { envp.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, binary, &actions, nil, argv + [nil], envp + [nil])
    try #require(spawned == 0, "posix_spawn: \(spawned)")
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return (exit, usage.ru_maxrss)
  }

  /// A notes.csv of `count` notes.
  static func notes(_ dir: TempDirectory, _ name: String, count: Int) throws -> String {
    let texts = [
      "short pick at bin B-14-02, picked 2 of 6 for #10023", "dmg box, carton crushed, sku 88213",
      "credit hold released by finance", "carrier missed the pickup, trailer no-show",
      "thanks, all good", "customer wants to change the address on order 10023",
    ]
    var csv = "note_id,created_at,source,text\n"
    csv.reserveCapacity(count * 80)
    for i in 0..<count {
      csv += "n-\(i),2026-11-23T10:00:00Z,wms,\"\(texts[i % texts.count]) (\(i))\"\n"
    }
    return try dir.write(name, csv)
  }

  @Test func classifyMemoryDoesNotGrowWithTheInput() throws {
    let dir = try TempDirectory()
    let small = try Self.notes(dir, "small.csv", count: 20_000)
    let large = try Self.notes(dir, "large.csv", count: 600_000)  // about 40 MB more
    let a = try Self.peakMemory(["classify", small, "--jobs", "2"])
    let b = try Self.peakMemory(["classify", large, "--jobs", "2"])
    #expect(a.status == 0 && b.status == 0)
    // Thirty times the notes; the batches in flight are the same size, so the peak barely moves.
    #expect(b.kilobytes < a.kilobytes + 16 * 1024, "peak \(a.kilobytes) KiB → \(b.kilobytes) KiB")
  }

  /// A C compiler to build the allocation counter with: $CC, else clang or cc on the PATH.
  static let compiler: String? = {
    let env = ProcessInfo.processInfo.environment
    if let cc = env["CC"], !cc.isEmpty { return cc }
    for dir in (env["PATH"] ?? "/usr/bin").split(separator: ":") {
      for name in ["clang", "cc"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
        return "\(dir)/\(name)"
      }
    }
    return nil
  }()

  /// Counts every malloc, calloc, realloc and aligned allocation of the process it is preloaded
  /// into, and writes the count to $MALLOC_COUNT_FILE at exit.
  static let counterSource = """
    #include <stddef.h>
    #include <stdio.h>
    #include <stdlib.h>
    extern void *__libc_malloc(size_t);
    extern void *__libc_calloc(size_t, size_t);
    extern void *__libc_realloc(void *, size_t);
    extern void *__libc_memalign(size_t, size_t);
    static unsigned long count;
    #define COUNT() __atomic_fetch_add(&count, 1, __ATOMIC_RELAXED)
    void *malloc(size_t n) { COUNT(); return __libc_malloc(n); }
    void *calloc(size_t a, size_t b) { COUNT(); return __libc_calloc(a, b); }
    void *realloc(void *p, size_t n) { COUNT(); return __libc_realloc(p, n); }
    void *memalign(size_t a, size_t n) { COUNT(); return __libc_memalign(a, n); }
    void *aligned_alloc(size_t a, size_t n) { COUNT(); return __libc_memalign(a, n); }
    int posix_memalign(void **p, size_t a, size_t n) { COUNT(); *p = __libc_memalign(a, n); return *p ? 0 : 12; }
    __attribute__((destructor)) static void report(void) {
      const char *f = getenv("MALLOC_COUNT_FILE");
      FILE *o = f ? fopen(f, "w") : NULL;
      if (o) { fprintf(o, "%lu\\n", count); fclose(o); }
    }
    """

  /// Notes that exercise every part of the classifier: patterns with conditions, ratios and
  /// quantities, near entries, negation and resolution cues, shorthand, typos, identifiers,
  /// non-ASCII text, and notes that match nothing.
  static let varied = [
    "short pick at B-02-09, picked 1 of 7 for SO-10023, sku 88213", "WMS shows 12 on hand but bin B-07-01 empty",
    "2/6 picked, qty 4 short x3 on order #10023", "dmg box, carton crushed — no damage to the product though",
    "credit hold released by finance, order 10023 can ship", "carrier missed the pickup, trailer no-show at dock 4",
    "cx asked to hold til pmt clears, addr ok", "address verified with customer, no changes needed",
    "still awaiting release of the payment hold", "wrng item shipped, customer got size L not M",
    "Délai de livraison dépassé 📦 — colis endommagé", "thanks, all good", "",
    "label printer down at pack station 3, lbl reprinted and fixed",
  ]

  /// Classifying ten times the notes allocates (almost) nothing more: the classifier, the
  /// readers and the writers reuse their buffers (issue 7: no allocation per note or token).
  @Test(.enabled(if: compiler != nil, "no C compiler (clang or cc) to build the allocation counter"))
  func classifyAllocatesNothingPerNote() throws {
    let dir = try TempDirectory()
    let source = try dir.write("count.c", Self.counterSource)
    let library = dir.path + "/count.so"
    let cc = Process()
    cc.executableURL = URL(fileURLWithPath: try #require(Self.compiler))
    cc.arguments = ["-shared", "-fPIC", "-O1", "-o", library, source]
    try cc.run()
    cc.waitUntilExit()
    try #require(cc.terminationStatus == 0, "compiling the allocation counter failed")

    func notes(_ name: String, _ count: Int) throws -> String {
      var csv = "note_id,created_at,source,text\n"
      for i in 0..<count {
        let text = Self.varied[i % Self.varied.count].replacingOccurrences(of: "\"", with: "\"\"")
        csv += "n-\(i),2026-11-23T10:\(String(format: "%02d", i % 60)):00Z,wms,\"\(text.isEmpty ? "x" : text)\"\n"
      }
      return try dir.write(name, csv)
    }
    let small = try notes("small.csv", 2_000)
    let large = try notes("large.csv", 20_000)
    let plainSmall = try dir.write("small.txt", (0..<2_000).map { Self.varied[$0 % Self.varied.count] + "\n" }.joined())
    let plainLarge = try dir.write("large.txt", (0..<20_000).map { Self.varied[$0 % Self.varied.count] + "\n" }.joined())
    func allocations(_ file: String, _ format: String) throws -> Int {
      let countFile = dir.path + "/count"
      let r = try TriageBinary.run(
        ["classify", file, "--format", format, "--jobs", "1"],
        environment: ["LD_PRELOAD": library, "MALLOC_COUNT_FILE": countFile, "TRIAGE_CACHE_DIR": "off"],
        in: dir)
      #expect(r.status == 0, "\(r.stderr)")
      let text = try String(contentsOfFile: countFile, encoding: .utf8)
      return try #require(Int(text.trimmingCharacters(in: .whitespacesAndNewlines)))
    }
    for (a, b) in [(small, large), (plainSmall, plainLarge)] {
      for format in ["none", "jsonl"] {
        let extra = try allocations(b, format) - allocations(a, format)
        // 18,000 more notes; a handful of buffers may grow once more, nothing per note.
        #expect(extra < 180, "\(format) \((b as NSString).lastPathComponent): \(extra) more allocations for 18,000 more notes")
      }
    }
  }
}
