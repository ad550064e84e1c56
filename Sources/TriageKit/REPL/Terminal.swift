#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Facts about a terminal, and the raw mode the line editor reads keys in.
public enum Terminal {
  /// True when `fd` is a terminal (so a line editor can be used on it).
  public static func isTerminal(_ fd: Int32) -> Bool {
    isatty(fd) == 1
  }

  /// The terminal's size in character cells, or nil when `fd` is not a terminal or the size is
  /// unknown (a pseudo-terminal nobody sized reports 0 × 0).
  public static func size(of fd: Int32) -> (rows: Int, columns: Int)? {
    var size = winsize()
    guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
    return (Int(size.ws_row), Int(size.ws_col))
  }

  /// `settings` changed for reading keys one at a time: no line buffering, no echo, no
  /// signals from Ctrl-C/Z/\, no flow control, CR not turned into LF, 8-bit clean input.
  /// Output processing (OPOST) stays on so "\n" still starts a new line.
  static func rawMode(from settings: termios) -> termios {
    var raw = settings
    raw.c_iflag &= ~tcflag_t(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON)
    raw.c_lflag &= ~tcflag_t(ECHO | ECHONL | ICANON | ISIG | IEXTEN)
    raw.c_cflag &= ~tcflag_t(CSIZE | PARENB)
    raw.c_cflag |= tcflag_t(CS8)
    withUnsafeMutableBytes(of: &raw.c_cc) { cc in
      cc[Int(VMIN)] = 1
      cc[Int(VTIME)] = 0
    }
    return raw
  }
}

// MARK: - Raw mode and signals

/// What the signal handlers need to put the terminal back. It lives in memory allocated once
/// and reached through a pointer rather than in Swift globals: a handler may interrupt the
/// thread while it updates this state, and Swift's dynamic exclusivity checks on globals would
/// then trap, while plain loads and stores through a pointer are async-signal-safe.
private struct TerminalSignalState {
  /// Nonzero while a line is being read in raw mode.
  var active: Int32 = 0
  var fd: Int32 = -1
  var saved = termios()
  var raw = termios()
  var wakeRead: Int32 = -1
  var wakeWrite: Int32 = -1
  var suspendOnTSTP: Int32 = 1
}

/// The one state block. `nonisolated(unsafe)` because handlers on any thread read it; it is
/// written only by the thread holding `RawMode.lock`, with `active` set last on entry and
/// cleared first on exit, so a handler never acts on half-written settings.
nonisolated(unsafe) private let terminalSignalState: UnsafeMutablePointer<TerminalSignalState> = {
  let state = UnsafeMutablePointer<TerminalSignalState>.allocate(capacity: 1)
  state.initialize(to: TerminalSignalState())
  // The self-pipe: a handler writes a byte to wake the editor's poll().
  var fds: [Int32] = [-1, -1]
  if pipe(&fds) == 0 {
    for fd in fds {
      _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
      _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }
    state.pointee.wakeRead = fds[0]
    state.pointee.wakeWrite = fds[1]
  }
  // The process may exit (exit(), a fatal error calling exit) while a line is read.
  atexit { restoreCookedMode() }
  return state
}()

/// The dispositions found when our handlers were installed, indexed by signal number, to hand
/// each signal on to and to reinstall afterwards. Same reasoning as `terminalSignalState`.
nonisolated(unsafe) private let previousSignalActions: UnsafeMutablePointer<sigaction> = {
  let actions = UnsafeMutablePointer<sigaction>.allocate(capacity: signalSlots)
  actions.initialize(repeating: sigaction(), count: signalSlots)
  return actions
}()

/// Signal numbers run from 1 to 64 on Linux (NSIG is 65).
private let signalSlots = 65

/// Events a handler reports through the self-pipe.
enum WakeEvent: UInt8 {
  /// SIGWINCH: the window changed size.
  case resized = 0x57
  /// SIGCONT or the end of a SIGTSTP stop: raw mode was reapplied, the screen needs a redraw.
  case continued = 0x43
  /// A termination signal was handed on and did not end the process; raw mode must be
  /// re-entered.
  case restored = 0x52
}

/// Signals that end the process by default: restore the terminal first.
private let terminatingSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
/// Crashes: restore the terminal, then let the previous disposition (core dump, backtrace)
/// happen.
private let crashSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT]
private let jobControlSignals: [Int32] = [SIGTSTP, SIGCONT, SIGWINCH]

private let pasteOff: StaticString = "\u{1B}[?2004l"
private let pasteOn: StaticString = "\u{1B}[?2004h"

/// Puts the saved settings back if a line is being read. Async-signal-safe: tcsetattr and
/// write are, and nothing here allocates or locks.
private func restoreCookedMode() {
  let state = terminalSignalState
  guard state.pointee.active != 0 else { return }
  let fd = state.pointee.fd
  _ = write(fd, pasteOff.utf8Start, pasteOff.utf8CodeUnitCount)
  _ = tcsetattr(fd, TCSANOW, &state.pointee.saved)
}

private func reapplyRawMode() {
  let state = terminalSignalState
  guard state.pointee.active != 0 else { return }
  let fd = state.pointee.fd
  _ = tcsetattr(fd, TCSANOW, &state.pointee.raw)
  _ = write(fd, pasteOn.utf8Start, pasteOn.utf8CodeUnitCount)
}

private func wake(_ event: WakeEvent) {
  var byte = event.rawValue
  // Nonblocking: when the pipe is full the editor is already awake.
  _ = write(terminalSignalState.pointee.wakeWrite, &byte, 1)
}

private func setAction(_ signal: Int32, _ handler: sighandler_t?) {
  var action = sigaction()
  action.__sigaction_handler.sa_handler = handler
  sigemptyset(&action.sa_mask)
  action.sa_flags = SA_RESTART | SA_ONSTACK
  _ = sigaction(signal, &action, nil)
}

/// Stops the process as SIGTSTP's default action would, and returns once it is continued.
private func stopProcess() {
  setAction(SIGTSTP, SIG_DFL)
  var set = sigset_t()
  sigemptyset(&set)
  sigaddset(&set, SIGTSTP)
  // Inside the SIGTSTP handler the signal is blocked; it must get through to stop us.
  pthread_sigmask(SIG_UNBLOCK, &set, nil)
  raise(SIGTSTP)
  setAction(SIGTSTP, terminalSignalHandler)
}

/// The handler for every signal the editor watches while in raw mode.
private func terminalSignalHandler(_ signal: Int32) {
  let savedErrno = errno
  defer { errno = savedErrno }
  let state = terminalSignalState
  switch signal {
  case SIGWINCH:
    wake(.resized)
  case SIGCONT:
    // Continued after a stop we did not see (SIGSTOP): the shell may have reset the modes.
    reapplyRawMode()
    wake(.continued)
  case SIGTSTP:
    restoreCookedMode()
    stopProcess()
    reapplyRawMode()
    wake(.continued)
  default:
    restoreCookedMode()
    // Hand the signal to whoever had it before, now rather than when this handler returns
    // (the signal is blocked in here): the default action ends the process (with a core dump
    // for a crash); a handler runs and returns. Only then may the editor re-enter raw mode,
    // or it could reinstall this handler before the signal was delivered and catch it again.
    _ = sigaction(signal, previousSignalActions + Int(signal), nil)
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, signal)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
    raise(signal)
    if state.pointee.active != 0 { wake(.restored) }
  }
}

/// Raw mode for the duration of one `readLine`, and the signal handlers that go with it.
///
/// Only one line is read at a time in a process (the terminal state is one per process), so
/// entry takes a process-wide lock.
enum RawMode {
  /// Serializes line reading: the signal state describes one terminal at a time.
  static let lock = RawModeLock()

  /// The read end of the self-pipe, polled with the input.
  static var wakeFD: Int32 { terminalSignalState.pointee.wakeRead }

  /// Enters raw mode on `fd` and installs the handlers; false when `fd` is not a terminal.
  static func enter(_ fd: Int32) -> Bool {
    let state = terminalSignalState
    var saved = termios()
    guard tcgetattr(fd, &saved) == 0 else { return false }
    var raw = Terminal.rawMode(from: saved)
    state.pointee.fd = fd
    state.pointee.saved = saved
    state.pointee.raw = raw
    installHandlers()
    guard tcsetattr(fd, TCSANOW, &raw) == 0 else {
      uninstallHandlers()
      return false
    }
    state.pointee.active = 1
    return true
  }

  /// Restores the saved settings exactly and the previous signal dispositions.
  static func leave() {
    let state = terminalSignalState
    guard state.pointee.active != 0 else { return }
    state.pointee.active = 0
    _ = tcsetattr(state.pointee.fd, TCSANOW, &state.pointee.saved)
    uninstallHandlers()
  }

  /// Ctrl-Z typed in raw mode: restore the terminal, stop as the shell expects, and come back
  /// in raw mode. Returns false (and does nothing) when SIGTSTP is ignored, as under a shell
  /// without job control.
  static func suspend() -> Bool {
    let state = terminalSignalState
    guard state.pointee.suspendOnTSTP != 0, state.pointee.active != 0 else { return false }
    state.pointee.active = 0
    _ = tcsetattr(state.pointee.fd, TCSANOW, &state.pointee.saved)
    stopProcess()
    state.pointee.active = 1
    _ = tcsetattr(state.pointee.fd, TCSANOW, &state.pointee.raw)
    return true
  }

  /// Re-enters raw mode after a handed-on signal left the process alive in cooked mode.
  static func reenter() {
    let state = terminalSignalState
    guard state.pointee.active != 0 else { return }
    installHandlers()
    _ = tcsetattr(state.pointee.fd, TCSANOW, &state.pointee.raw)
  }

  private static var handledSignals: [Int32] {
    terminatingSignals + crashSignals + jobControlSignals
  }

  private static func installHandlers() {
    let state = terminalSignalState
    for signal in handledSignals {
      var current = sigaction()
      _ = sigaction(signal, nil, &current)
      // After a handed-on signal only that one is missing: keep the others' saved actions.
      if isOurs(current) { continue }
      var action = sigaction()
      action.__sigaction_handler.sa_handler = terminalSignalHandler
      sigemptyset(&action.sa_mask)
      action.sa_flags = SA_RESTART | SA_ONSTACK
      let previous = previousSignalActions + Int(signal)
      _ = sigaction(signal, &action, previous)
      // A signal the process ignores (nohup, a shell without job control) stays ignored.
      if isIgnored(previous.pointee) && signal != SIGCONT && signal != SIGWINCH {
        _ = sigaction(signal, previous, nil)
        if signal == SIGTSTP { state.pointee.suspendOnTSTP = 0 }
      } else if signal == SIGTSTP {
        state.pointee.suspendOnTSTP = 1
      }
    }
  }

  private static func uninstallHandlers() {
    for signal in handledSignals {
      _ = sigaction(signal, previousSignalActions + Int(signal), nil)
    }
  }

  private static func isOurs(_ action: sigaction) -> Bool {
    guard action.sa_flags & SA_SIGINFO == 0,
      let handler = action.__sigaction_handler.sa_handler
    else { return false }
    let ours: sighandler_t = terminalSignalHandler
    return unsafeBitCast(handler, to: Int.self) == unsafeBitCast(ours, to: Int.self)
  }

  private static func isIgnored(_ action: sigaction) -> Bool {
    guard action.sa_flags & SA_SIGINFO == 0 else { return false }
    let handler = unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self)
    return handler == unsafeBitCast(SIG_IGN, to: Int.self)
  }
}

/// A pthread mutex in stable memory, for the process-wide line-reading lock.
final class RawModeLock: @unchecked Sendable {
  // @unchecked: the pthread mutex is the synchronization; it is never moved after init.
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>

  init() {
    mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    mutex.initialize(to: pthread_mutex_t())
    pthread_mutex_init(mutex, nil)
  }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }

  func withLock<T>(_ body: () throws -> T) rethrows -> T {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return try body()
  }
}
