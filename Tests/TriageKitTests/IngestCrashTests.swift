import Foundation
import Testing
import TriageKit

#if canImport(Glibc)
  import Glibc
#endif

/// Nothing lost (issue 8): `ingest` is one transaction, so killing it at any moment, SIGKILL
/// included, leaves the store as it was; a re-run completes; and a session reading the store
/// while an ingest writes keeps working (WAL).
@Suite(.enabled(if: TriageBinary.path != nil, TriageBinary.skipReason), .serialized)
struct IngestCrashTests {
  /// A data folder: `notes` notes whose ids start with `prefix`, and three orders.
  static func folder(_ dir: TempDirectory, _ name: String, prefix: String, notes: Int) throws -> String {
    let path = dir.path + "/" + name
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    let texts = [
      "short pick at bin B-14-02, picked 2 of 6", "dmg box, carton crushed", "credit hold released by finance",
      "carrier missed the pickup today", "thanks, all good", "customer wants to change the address",
    ]
    var csv = "note_id,created_at,source,text,order_id\n"
    csv.reserveCapacity(notes * 80)
    for i in 0..<notes {
      csv += "\(prefix)-\(i),2026-11-23T10:00:00Z,wms,\"\(texts[i % texts.count]) \(i)\",SO-\(1 + i % 3)\n"
    }
    try Data(csv.utf8).write(to: URL(fileURLWithPath: path + "/notes.csv"))
    let orders = """
      order_id,customer,priority,placed_at,cutoff_at,erp_status,wms_status,storefront_status
      SO-1,Acme,high,2026-11-22T10:00:00Z,2026-11-24T16:00:00Z,released,picking,open
      SO-2,Birch,normal,2026-11-22T10:00:00Z,2026-11-24T16:00:00Z,released,released,open
      SO-3,Cobalt,low,2026-11-22T10:00:00Z,2026-11-25T16:00:00Z,released,packed,open

      """
    try Data(orders.utf8).write(to: URL(fileURLWithPath: path + "/orders.csv"))
    return path
  }

  /// What the store holds, table by table: row counts and content checksums.
  static func snapshot(_ path: String) throws -> [String] {
    let db = try Database(path: path)
    let queries = [
      "SELECT count(*) || ' ' || total(length(text)) || ' ' || total(created_at) FROM notes",
      "SELECT count(*) || ' ' || total(score) FROM note_reasons", "SELECT count(*) FROM note_refs",
      "SELECT count(*) || ' ' || group_concat(order_id || ':' || wms_status) FROM orders",
      "SELECT count(*) || ' ' || ifnull(group_concat(id || ':' || summary), '') FROM ingests",
      "SELECT count(*) FROM history", "SELECT group_concat(key || '=' || value) FROM meta",
      "PRAGMA integrity_check",
    ]
    return try queries.map { sql throws(TriageError) in
      try db.prepare(sql).first { $0.optionalText(0) ?? "-" } ?? ""
    }
  }

  /// Starts the binary without waiting for it.
  static func start(_ arguments: [String], in dir: TempDirectory, stdin: String? = nil) throws -> (Process, Pipe) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try #require(TriageBinary.path))
    process.arguments = arguments + ["--lexicons", TriageBinary.lexicons]
    process.currentDirectoryURL = URL(fileURLWithPath: dir.path)
    var env = TriageBinary.environment
    env["NO_COLOR"] = "1"
    process.environment = env
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    if let stdin {
      let input = dir.path + "/.stdin-\(UUID().uuidString)"
      try Data(stdin.utf8).write(to: URL(fileURLWithPath: input))
      process.standardInput = FileHandle(forReadingAtPath: input)
    } else {
      process.standardInput = FileHandle.nullDevice
    }
    try process.run()
    return (process, out)
  }

  /// Bytes a process has read so far (`rchar` of /proc/PID/io).
  static func bytesRead(_ pid: Int32) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix("rchar:") {
      return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) ?? 0
    }
    return 0
  }

  /// Waits until an ingest of `folder` has read a third of its notes (after the lexicons and
  /// the other files): it is then part-way through the notes, inside its transaction, well
  /// before COMMIT. With `stop`, freezes it there (SIGSTOP), so whatever the test does next
  /// happens while the ingest holds its transaction open.
  static func waitUntilPartWayThroughNotes(_ ingest: Process, folder: String, stop: Bool) throws {
    let lexicons = (FileManager.default.subpaths(atPath: TriageBinary.lexicons) ?? [])
      .map { fileSize(TriageBinary.lexicons + "/" + $0) }.reduce(0, +)
    let others = (try FileManager.default.contentsOfDirectory(atPath: folder)).filter { $0 != "notes.csv" }
      .map { fileSize(folder + "/" + $0) }.reduce(0, +)
    let target = lexicons + others + fileSize(folder + "/notes.csv") / 3
    let deadline = Date().addingTimeInterval(60)
    while ingest.isRunning && bytesRead(ingest.processIdentifier) < target && Date() < deadline { usleep(500) }
    if stop { kill(ingest.processIdentifier, SIGSTOP) }
    try #require(ingest.isRunning, "the ingest finished before it could be stopped; give it more notes")
  }

  static func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
  }

  @Test func killedIngestLeavesTheStoreAsItWasAndARerunCompletes() throws {
    let dir = try TempDirectory()
    let db = dir.path + "/store.db"
    let first = try Self.folder(dir, "day1", prefix: "a", notes: 300)
    // Big enough that the ingest is still writing for a good second after its WAL grows.
    let second = try Self.folder(dir, "day2", prefix: "b", notes: 120_000)
    let day1 = try TriageBinary.run(["ingest", first, "--db", db], in: dir)
    try #require(day1.status == 0, "\(day1.stderr)")
    let before = try Self.snapshot(db)
    #expect(before[0].hasPrefix("300 "))

    // Stop the second ingest part-way through its notes (inside its transaction), and kill it
    // there once a session has read the store meanwhile.
    let (ingest, _) = try Self.start(["ingest", second, "--db", db], in: dir)
    try Self.waitUntilPartWayThroughNotes(ingest, folder: second, stop: true)

    // A session reads the store while the ingest holds its transaction: it sees the last
    // committed ingest and is not blocked.
    let (session, sessionOut) = try Self.start(["--db", db], in: dir, stdin: "why SO-1\nquit\n")
    let answer = String(decoding: sessionOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    session.waitUntilExit()
    #expect(session.terminationStatus == 0)
    #expect(answer.contains("SO-1"), "\(answer)")
    #expect(ingest.isRunning, "still stopped, not finished")

    kill(ingest.processIdentifier, SIGKILL)
    ingest.waitUntilExit()
    #expect(ingest.terminationReason == .uncaughtSignal)
    #expect(ingest.terminationStatus == SIGKILL)
    #expect(try Self.snapshot(db) == before, "the store is as it was before the killed ingest")

    // A re-run completes, with every note of the second folder new.
    let rerun = try TriageBinary.run(["ingest", second, "--db", db, "--json"], in: dir)
    #expect(rerun.status == 0, "\(rerun.stderr)")
    let counts = try JSONValue(parsing: rerun.stdout)
    #expect(counts["notes"]?["new"]?.numberValue?.int64 == 120_000)
    #expect(counts["notes"]?["rejected"]?.numberValue?.int64 == 0)
    #expect(counts["orders"]?["unchanged"]?.numberValue?.int64 == 3)
    let after = try Self.snapshot(db)
    #expect(after[0].hasPrefix("120300 "))
    #expect(after.last == "ok")
    // And a repeat changes nothing.
    let repeated = try TriageBinary.run(["ingest", second, "--db", db, "--json"], in: dir)
    #expect(try JSONValue(parsing: repeated.stdout)["notes"]?["unchanged"]?.numberValue?.int64 == 120_000)
    #expect(try Self.snapshot(db) == after)
  }

  @Test func killedFirstIngestLeavesNoStoreContent() throws {
    // Killed while creating the store: a re-run still completes from nothing.
    let dir = try TempDirectory()
    let db = dir.path + "/store.db"
    let folder = try Self.folder(dir, "day1", prefix: "a", notes: 40_000)
    let (ingest, _) = try Self.start(["ingest", folder, "--db", db], in: dir)
    try Self.waitUntilPartWayThroughNotes(ingest, folder: folder, stop: false)
    kill(ingest.processIdentifier, SIGKILL)
    ingest.waitUntilExit()
    let left = try Self.snapshot(db)
    #expect(left[0].hasPrefix("0 "), "no note of the killed ingest is in the store")
    #expect(left[4].hasPrefix("0 "), "no ingest is logged")
    let rerun = try TriageBinary.run(["ingest", folder, "--db", db, "--json"], in: dir)
    #expect(rerun.status == 0, "\(rerun.stderr)")
    #expect(try JSONValue(parsing: rerun.stdout)["notes"]?["new"]?.numberValue?.int64 == 40_000)
  }
}
