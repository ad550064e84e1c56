import Foundation
import Testing
import TriageKit

#if canImport(Glibc)
  import Glibc
#endif

/// Resource bounds (issue 8): classify streams its input, so its memory does not grow with the
/// input's size.
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
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, binary, &actions, nil, argv + [nil], environ)
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
}
