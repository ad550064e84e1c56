import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs an interactive program on our terminal (the pager, the user's editor) the way
/// `system(3)` does: in our process group, so it is in the terminal's foreground and may read
/// keys and change the terminal's modes, with Ctrl-C and Ctrl-\ left to it while we wait.
///
/// Not Foundation's `Process`: it starts every child in a process group of its own, where a
/// pager or editor is stopped by SIGTTIN/SIGTTOU the moment it touches the terminal, and the
/// session hangs waiting for it.
public enum TerminalProgram {
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// Runs `/bin/sh -c command` with `arguments` as `$0`, `$1`, …; when `input` is given it is
  /// written to the program's standard input through a pipe (a pager that quits early just
  /// stops the writing). Returns the exit status (128 + N for a program ended by signal N).
  public static func run(
    shell command: String, arguments: [String] = [], environment: [String: String],
    input: [UInt8]? = nil
  ) throws(Failure) -> Int32 {
    var pipeFDs: [Int32] = [-1, -1]
    if input != nil {
      guard pipe(&pipeFDs) == 0 else { throw Failure(description: errnoText("pipe")) }
      for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    }
    defer { for fd in pipeFDs where fd >= 0 { close(fd) } }

    #if canImport(Darwin)
      var actions: posix_spawn_file_actions_t?
      var attributes: posix_spawnattr_t?
    #else
      var actions = posix_spawn_file_actions_t()
      var attributes = posix_spawnattr_t()
    #endif
    posix_spawn_file_actions_init(&actions)
    posix_spawnattr_init(&attributes)
    defer {
      posix_spawn_file_actions_destroy(&actions)
      posix_spawnattr_destroy(&attributes)
    }
    // dup2 clears close-on-exec on the copy, so only the read end survives, as stdin.
    if input != nil { posix_spawn_file_actions_adddup2(&actions, pipeFDs[0], 0) }
    // We ignore SIGPIPE (and SIGINT/SIGQUIT while waiting); ignored signals survive exec.
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGPIPE, SIGINT, SIGQUIT, SIGTSTP] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    // Nor does it inherit the signals this thread happens to block.
    var unblocked = sigset_t()
    sigemptyset(&unblocked)
    posix_spawnattr_setsigmask(&attributes, &unblocked)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

    let argv = (["/bin/sh", "-c", command] + arguments).map { strdup($0) }
    let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") }
    defer { for p in argv + envp { free(p) } }

    // Like system(3): the child has the keyboard's signals; we only wait for it.
    let ignored = [SIGINT, SIGQUIT, SIGPIPE].map { ($0, ignore($0)) }
    defer { for (signal, previous) in ignored { restore(signal, previous) } }

    var pid = pid_t()
    var cArguments = argv + [nil]
    var cEnvironment = envp + [nil]
    let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, &cArguments, &cEnvironment)
    guard spawned == 0 else {
      throw Failure(description: "cannot start '/bin/sh': \(String(cString: strerror(spawned)))")
    }
    if let input {
      close(pipeFDs[0])
      pipeFDs[0] = -1
      writeAll(input, to: pipeFDs[1])
      close(pipeFDs[1])
      pipeFDs[1] = -1
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
      guard errno == EINTR else { throw Failure(description: errnoText("waitpid")) }
    }
    let signal = status & 0x7F
    return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
  }

  /// Writes until done or until the reader goes away (EPIPE: the pager quit).
  private static func writeAll(_ bytes: [UInt8], to fd: Int32) {
    bytes.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count, let base = raw.baseAddress {
        let n = write(fd, base + offset, raw.count - offset)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return }
        offset += n
      }
    }
  }

  private static func ignore(_ signal: Int32) -> sigaction {
    var action = sigaction()
    var previous = sigaction()
    #if canImport(Darwin)
      action.__sigaction_u.__sa_handler = SIG_IGN
    #else
      action.__sigaction_handler.sa_handler = SIG_IGN
    #endif
    sigemptyset(&action.sa_mask)
    _ = sigaction(signal, &action, &previous)
    return previous
  }

  private static func restore(_ signal: Int32, _ previous: sigaction) {
    var previous = previous
    _ = sigaction(signal, &previous, nil)
  }

  private static func errnoText(_ call: String) -> String {
    "\(call): \(String(cString: strerror(errno)))"
  }
}
