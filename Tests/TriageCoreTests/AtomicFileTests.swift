import Foundation
import Testing
import TriageCore

@Suite struct AtomicFileTests {
  private func read(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
  }

  @Test func writesANewFile() throws {
    try withTempDirectory("triage-atomic") { dir in
      let path = dir + "/out.txt"
      try AtomicFile.write(Array("hello\n".utf8), to: path, overwrite: false)
      #expect(read(path) == "hello\n")
      let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
      #expect(mode == 0o644)
      #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["out.txt"])
    }
  }

  @Test func refusesToOverwriteWithoutTheFlag() throws {
    try withTempDirectory("triage-atomic") { dir in
      let path = dir + "/out.txt"
      try AtomicFile.write(Array("first".utf8), to: path, overwrite: false)
      let error = #expect(throws: TriageError.self) {
        try AtomicFile.write(Array("second".utf8), to: path, overwrite: false)
      }
      #expect(error?.status == .cannotCreate)
      #expect(error?.description == "error: '\(path)' already exists; pass --force to replace it")
      #expect(read(path) == "first")
      #expect(
        try FileManager.default.contentsOfDirectory(atPath: dir) == ["out.txt"],
        "no temporary file left")
    }
  }

  @Test func replacesAtomicallyWithTheFlag() throws {
    try withTempDirectory("triage-atomic") { dir in
      let path = dir + "/out.txt"
      try AtomicFile.write(Array("old contents".utf8), to: path, overwrite: false)
      // A reader that opened the old file keeps reading the old file: the new one is renamed
      // over it, never written into it.
      let reader = try #require(FileHandle(forReadingAtPath: path))
      defer { try? reader.close() }
      try AtomicFile.write(Array("new".utf8), to: path, overwrite: true, mode: 0o600)
      #expect(read(path) == "new")
      #expect(String(decoding: try reader.readToEnd() ?? Data(), as: UTF8.self) == "old contents")
      let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
      #expect(mode == 0o600)
      #expect(
        try FileManager.default.contentsOfDirectory(atPath: dir) == ["out.txt"],
        "no temporary file left")
    }
  }

  @Test func writesEmptyAndLargeFiles() throws {
    try withTempDirectory("triage-atomic") { dir in
      try AtomicFile.write([], to: dir + "/empty", overwrite: false)
      #expect(read(dir + "/empty") == "")
      let big = [UInt8](repeating: 0x61, count: 3 << 20)
      try AtomicFile.write(big, to: dir + "/big", overwrite: false)
      #expect(FileManager.default.contents(atPath: dir + "/big")?.count == big.count)
    }
  }

  @Test func missingDirectory() throws {
    try withTempDirectory("triage-atomic") { dir in
      let path = dir + "/no/such/dir/out.txt"
      let error = #expect(throws: TriageError.self) {
        try AtomicFile.write(Array("x".utf8), to: path, overwrite: true)
      }
      #expect(error?.status == .cannotCreate)
      #expect(
        error?.description
          == "error: cannot write in '\(dir)/no/such/dir': No such file or directory")
    }
  }
}
