/// Where something is in an input file.
///
/// Scanners keep byte offsets while they work and make a `SourceLocation` only when they report,
/// so the hot paths never count lines.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
  /// The file as the user named it (or `-` for standard input, or a label such as `<text>`).
  public var file: String
  /// 1-based line; 0 when the location is the whole file.
  public var line: Int
  /// 1-based column in Unicode scalars; 0 when a column means nothing here.
  public var column: Int

  public init(file: String, line: Int = 0, column: Int = 0) {
    self.file = file
    self.line = line
    self.column = column
  }

  public var description: String {
    var s = file
    if line > 0 { s += ":\(line)" }
    if line > 0 && column > 0 { s += ":\(column)" }
    return s
  }
}

/// One message about an input: `path:line:col: error: message`.
///
/// Messages are lowercase, name what was expected, and quote the bad value in 'single quotes'.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
  public enum Severity: String, Sendable, Hashable, Comparable {
    case error, warning, note

    private var rank: Int {
      switch self {
      case .error: 0
      case .warning: 1
      case .note: 2
      }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
  }

  public var severity: Severity
  public var location: SourceLocation?
  public var message: String

  public init(_ severity: Severity, _ message: String, at location: SourceLocation? = nil) {
    self.severity = severity
    self.location = location
    self.message = message
  }

  public static func error(_ message: String, at location: SourceLocation? = nil) -> Diagnostic {
    Diagnostic(.error, message, at: location)
  }

  public static func warning(_ message: String, at location: SourceLocation? = nil) -> Diagnostic {
    Diagnostic(.warning, message, at: location)
  }

  public var description: String {
    if let location { return "\(location): \(severity.rawValue): \(message)" }
    return "\(severity.rawValue): \(message)"
  }
}

/// The process exit codes triage uses (the BSD `sysexits.h` values where one fits).
public enum ExitStatus: Int32, Sendable {
  case success = 0
  /// Anything that is neither bad usage nor bad data: a failed write, a database error.
  case failure = 1
  /// Bad usage: an unknown command or option, a missing argument, a malformed flag value.
  case usage = 64
  /// Bad data: a malformed row, a broken lexicon, an unknown reason code in a file.
  case dataError = 65
  /// An input file that does not exist or cannot be read.
  case noInput = 66
  /// An output file that cannot be created (or exists and `--force` was not given).
  case cannotCreate = 73
}

/// An error that carries its diagnostics and the exit status it should end the process with.
public struct TriageError: Error, Sendable, CustomStringConvertible {
  public var status: ExitStatus
  public var diagnostics: [Diagnostic]

  public init(_ status: ExitStatus, _ diagnostics: [Diagnostic]) {
    self.status = status
    self.diagnostics = diagnostics
  }

  public init(_ status: ExitStatus, _ message: String, at location: SourceLocation? = nil) {
    self.init(status, [.error(message, at: location)])
  }

  public static func usage(_ message: String) -> TriageError { TriageError(.usage, message) }

  public static func data(_ message: String, at location: SourceLocation? = nil) -> TriageError {
    TriageError(.dataError, message, at: location)
  }

  public static func failure(_ message: String, at location: SourceLocation? = nil) -> TriageError {
    TriageError(.failure, message, at: location)
  }

  public var description: String {
    diagnostics.map(\.description).joined(separator: "\n")
  }
}

/// Turns byte offsets into 1-based line and column numbers, for messages only.
///
/// - Complexity: O(n) to build over the text's bytes, O(log lines) per lookup.
public struct LineIndex: Sendable {
  /// Byte offset at which each line starts; `lineStarts[0] == 0`.
  public private(set) var lineStarts: [Int]
  private let bytes: [UInt8]

  public init(_ bytes: [UInt8]) {
    self.bytes = bytes
    var starts = [0]
    for (i, b) in bytes.enumerated() where b == 0x0A { starts.append(i + 1) }
    lineStarts = starts
  }

  public init(_ text: String) { self.init(Array(text.utf8)) }

  /// The (line, column) of a byte offset, both 1-based; the column counts Unicode scalars.
  public func position(ofByte offset: Int) -> (line: Int, column: Int) {
    let clamped = max(0, min(offset, bytes.count))
    var lo = 0
    var hi = lineStarts.count - 1
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      if lineStarts[mid] <= clamped { lo = mid } else { hi = mid - 1 }
    }
    var column = 1
    var i = lineStarts[lo]
    while i < clamped {
      // Count only bytes that start a scalar (not UTF-8 continuation bytes).
      if bytes[i] & 0xC0 != 0x80 { column += 1 }
      i += 1
    }
    return (lo + 1, column)
  }

  public func location(file: String, byte offset: Int) -> SourceLocation {
    let p = position(ofByte: offset)
    return SourceLocation(file: file, line: p.line, column: p.column)
  }
}
