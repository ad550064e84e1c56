import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// What one run of a child process cost: wall time, peak resident memory and CPU time, from
/// `wait4`'s resource usage of that child alone.
struct Usage {
  var seconds: Double
  /// ru_maxrss: the child's peak resident set, in bytes.
  var peakBytes: Int
  var cpuSeconds: Double
  var status: Int32
}

/// A child process started with posix_spawn, its standard streams wired as asked.
final class Child {
  let pid: pid_t
  let started: ContinuousClock.Instant
  /// The write end of the child's stdin, and the read end of its stdout, when piped.
  private(set) var input: Int32 = -1
  private(set) var output: Int32 = -1
  let stderrPath: String
  private var pending: [UInt8] = []

  enum Stream {
    case null
    case pipe
    case file(String)
  }

  init(_ executable: String, _ args: [String], environment: [String: String], stdin: Stream = .null, stdout: Stream = .null) throws {
    // One file per child (removed with it), so two children alive at once keep their own.
    stderrPath = NSTemporaryDirectory() + "triage-bench-\(getpid())-\(UUID().uuidString.prefix(8))-stderr.txt"
    var fa = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&fa)
    defer { posix_spawn_file_actions_destroy(&fa) }
    var inPipe: [Int32] = [-1, -1]
    var outPipe: [Int32] = [-1, -1]
    switch stdin {
    case .pipe:
      try Child.makePipe(&inPipe)
      posix_spawn_file_actions_adddup2(&fa, inPipe[0], 0)
    case .file(let p): posix_spawn_file_actions_addopen(&fa, 0, p, O_RDONLY, 0)
    case .null: posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)
    }
    switch stdout {
    case .pipe:
      try Child.makePipe(&outPipe)
      posix_spawn_file_actions_adddup2(&fa, outPipe[1], 1)
    case .file(let p): posix_spawn_file_actions_addopen(&fa, 1, p, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    case .null: posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0)
    }
    posix_spawn_file_actions_addopen(&fa, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + args).map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      for p in argv { free(p) }
      for p in envp { free(p) }
    }
    var child: pid_t = 0
    started = ContinuousClock.now
    let rc = posix_spawn(&child, executable, &fa, nil, argv, envp)
    guard rc == 0 else { throw BenchError("cannot start '\(executable)': \(String(cString: strerror(rc)))") }
    pid = child
    if inPipe[0] >= 0 {
      close(inPipe[0])
      input = inPipe[1]
    }
    if outPipe[1] >= 0 {
      close(outPipe[1])
      output = outPipe[0]
    }
  }

  /// A pipe whose ends close on exec (the child gets only the copies dup2 makes).
  static func makePipe(_ fds: inout [Int32]) throws {
    guard pipe(&fds) == 0 else { throw BenchError("pipe failed") }
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
  }

  deinit {
    closeInput()
    if output >= 0 { close(output) }
    unlink(stderrPath)
  }

  /// Writes to the child's stdin.
  func send(_ text: String) throws {
    let bytes = Array(text.utf8)
    var off = 0
    while off < bytes.count {
      let n = bytes[off...].withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
      guard n > 0 else { throw BenchError("the child closed its input") }
      off += n
    }
  }

  /// Reads one line of the child's stdout (without the newline); throws after `timeout`
  /// seconds or at the end of its output.
  func readLine(timeout: Double = 120) throws -> String {
    let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      if let nl = pending.firstIndex(of: 10) {
        let line = String(decoding: pending[..<nl], as: UTF8.self)
        pending.removeSubrange(...nl)
        return line
      }
      let left = deadline - ContinuousClock.now
      guard left > .zero else { throw BenchError("no answer within \(Int(timeout)) s\(stderrTail())") }
      var pfd = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
      let ms = Int32(min(Double(Int32.max), left / .milliseconds(1)))
      guard poll(&pfd, 1, ms) >= 0 else { continue }
      if pfd.revents == 0 { continue }
      let n = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
      guard n > 0 else { throw BenchError("the child's output ended before an answer\(stderrTail())") }
      pending += chunk[..<n]
    }
  }

  func closeInput() {
    if input >= 0 { close(input) }
    input = -1
  }

  /// Waits for the child to end and returns what it cost.
  func wait() -> Usage {
    closeInput()
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let elapsed = ContinuousClock.now - started
    if output >= 0 { close(output) }
    output = -1
    let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
      + Double(usage.ru_stime.tv_usec) / 1e6
    let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return Usage(seconds: elapsed / .seconds(1), peakBytes: usage.ru_maxrss * 1024, cpuSeconds: cpu, status: exit)
  }

  func stderrTail() -> String {
    guard let s = try? String(contentsOfFile: stderrPath, encoding: .utf8), !s.isEmpty else { return "" }
    return "; its stderr: " + s.suffix(600)
  }

  /// Runs a child to completion and fails unless it exits 0.
  static func run(_ exe: String, _ args: [String], environment: [String: String], stdout: Stream = .null) throws -> Usage {
    let c = try Child(exe, args, environment: environment, stdout: stdout)
    let u = c.wait()
    guard u.status == 0 else {
      throw BenchError("'triage \(args.joined(separator: " "))' exited \(u.status)\(c.stderrTail())")
    }
    return u
  }
}
