/// An instant read from ISO 8601 / RFC 3339 text, to the millisecond, with the offset it was
/// written in.
///
/// Reads `2026-11-23T14:30:00Z`, `2026-11-23T14:30:00.123+01:00`, `-0500` and `+01` offsets,
/// `t` or a space for `T`, minutes without seconds (`14:30Z`), and a date alone (`2026-11-23`,
/// midnight UTC). A time with no offset is read as UTC. Pure arithmetic (the days-from-civil
/// algorithm), no `DateFormatter`: no locale, no allocation.
///
/// Two timestamps are equal when they name the same instant, whatever their offsets.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// Seconds since 1970-01-01T00:00:00Z.
  public var seconds: Int64
  /// Milliseconds past `seconds`, 0-999 (further digits of a fraction are dropped).
  public var milliseconds: Int32
  /// The offset from UTC the text was written in, in seconds east; nil when it gave none.
  public var utcOffset: Int32?
  /// True when the text was a date without a time.
  public var isDateOnly: Bool

  public static let secondsPerDay: Int64 = 86_400

  public init(seconds: Int64, milliseconds: Int32 = 0, utcOffset: Int32? = 0) {
    self.seconds = seconds
    self.milliseconds = milliseconds
    self.utcOffset = utcOffset
    self.isDateOnly = false
  }

  /// Milliseconds since 1970-01-01T00:00:00Z.
  public var epochMilliseconds: Int64 { seconds * 1000 + Int64(milliseconds) }

  /// The UTC day: days since 1970-01-01, for grouping by day.
  public var day: Int64 { Timestamp.day(ofSeconds: seconds) }

  /// The day in the offset the text was written in (UTC when it gave none).
  public var localDay: Int64 { Timestamp.day(ofSeconds: seconds + Int64(utcOffset ?? 0)) }

  /// `2026-11-23T14:30:00Z` in UTC, with `.123` when there are milliseconds.
  public var description: String {
    Timestamp.format(seconds: seconds, milliseconds: milliseconds)
  }

  public static func == (a: Timestamp, b: Timestamp) -> Bool {
    a.seconds == b.seconds && a.milliseconds == b.milliseconds
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(seconds)
    hasher.combine(milliseconds)
  }

  public static func < (a: Timestamp, b: Timestamp) -> Bool {
    (a.seconds, a.milliseconds) < (b.seconds, b.milliseconds)
  }

  /// Why text is not a timestamp or a duration; callers add where it was.
  public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The whole message, lowercase, with the bad value quoted.
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
  }

  // MARK: Parsing

  /// Reads a timestamp from text.
  public init(_ text: String) throws(ParseError) {
    var text = text
    let result = text.withUTF8 { b in
      Result { () throws(ParseError) in try Timestamp.parse(b) }
    }
    self = try result.get()
  }

  /// Reads a timestamp from UTF-8 bytes (spaces around it are ignored).
  ///
  /// - Complexity: O(n), n ≤ about 40 for valid input; no allocation unless it throws.
  public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(ParseError) -> Timestamp {
    guard let base = bytes.baseAddress else { throw shapeError(bytes) }
    var start = 0
    var end = bytes.count
    while start < end && base[start] == ASCII.space { start += 1 }
    while end > start && base[end - 1] == ASCII.space { end -= 1 }
    var s = Scanner(p: base, i: start, end: end)

    guard let year = s.digits(4), s.take(ASCII.minus), let month = s.digits(2),
      s.take(ASCII.minus), let dayOfMonth = s.digits(2)
    else { throw shapeError(bytes) }
    guard (1...12).contains(month) else { throw rangeError(bytes, "month must be 01-12") }
    let monthDays = daysIn(month: month, year: year)
    guard dayOfMonth >= 1 && dayOfMonth <= monthDays else {
      if dayOfMonth >= 1 && dayOfMonth <= 31 {
        let ym = pad(year, 4) + "-" + pad(month, 2)
        throw rangeError(bytes, "\(ym) has \(monthDays) days")
      }
      throw rangeError(bytes, "day must be 01-31")
    }
    let days = Timestamp.days(year: year, month: month, day: dayOfMonth)
    if s.atEnd {
      var t = Timestamp(seconds: days * secondsPerDay, utcOffset: 0)
      t.isDateOnly = true
      return t
    }

    guard s.take(0x54) || s.take(0x74) || s.take(ASCII.space), let hour = s.digits(2),
      s.take(ASCII.colon), let minute = s.digits(2)
    else { throw shapeError(bytes) }
    var second = 0
    var millis = 0
    if s.take(ASCII.colon) {
      guard let sec = s.digits(2) else { throw shapeError(bytes) }
      second = sec
      if s.take(ASCII.period) || s.take(ASCII.comma) {
        // One or more digits; the first three are milliseconds.
        var n = 0
        while let d = s.digit() {
          if n < 3 { millis = millis * 10 + d }
          n += 1
        }
        guard n > 0 else { throw shapeError(bytes) }
        for _ in n..<max(n, 3) { millis *= 10 }
      }
    }
    guard hour <= 23 else { throw rangeError(bytes, "hour must be 00-23") }
    guard minute <= 59 else { throw rangeError(bytes, "minute must be 00-59") }
    guard second <= 60 else {
      throw rangeError(bytes, "second must be 00-59 (or 60 for a leap second)")
    }
    // A leap second is read as the last ordinary second of its minute.
    second = min(second, 59)

    var offset: Int32?
    if s.take(0x5A) || s.take(0x7A) {
      offset = 0
    } else if !s.atEnd {
      let sign: Int32
      if s.take(ASCII.plus) {
        sign = 1
      } else if s.take(ASCII.minus) {
        sign = -1
      } else {
        throw shapeError(bytes)
      }
      guard let oh = s.digits(2) else { throw shapeError(bytes) }
      var om = 0
      if s.take(ASCII.colon) {
        guard let m = s.digits(2) else { throw shapeError(bytes) }
        om = m
      } else if let m = s.digits(2) {
        om = m
      }
      guard oh <= 23 else { throw rangeError(bytes, "offset hours must be 00-23") }
      guard om <= 59 else { throw rangeError(bytes, "offset minutes must be 00-59") }
      offset = sign * Int32(oh * 3600 + om * 60)
    }
    guard s.atEnd else { throw shapeError(bytes) }

    let local = days * secondsPerDay + Int64(hour * 3600 + minute * 60 + second)
    return Timestamp(
      seconds: local - Int64(offset ?? 0), milliseconds: Int32(millis), utcOffset: offset)
  }

  /// Reads a duration for a flag: `7d`, `24h`, `90m`, `30s`, `2w`, or a sum such as `1d12h`.
  ///
  /// - Returns: the duration in seconds.
  public static func parseDuration(_ text: String) throws(ParseError) -> Int64 {
    let shape = ParseError(
      "expected a duration like 7d, 24h, 90m or 2w, found \(quoted(Array(text.utf8)))")
    var total: Int64 = 0
    var number: Int64 = 0
    var digits = 0
    for b in text.utf8 {
      if b >= ASCII.zero && b <= ASCII.nine {
        let (m, o1) = number.multipliedReportingOverflow(by: 10)
        let (a, o2) = m.addingReportingOverflow(Int64(b - ASCII.zero))
        guard !o1 && !o2 else { throw ParseError("duration '\(text)' is too long") }
        number = a
        digits += 1
        continue
      }
      let unit: Int64
      switch b {
      case 0x73: unit = 1  // s
      case 0x6D: unit = 60  // m
      case 0x68: unit = 3_600  // h
      case 0x64: unit = secondsPerDay  // d
      case 0x77: unit = 7 * secondsPerDay  // w
      default: throw shape
      }
      guard digits > 0 else { throw shape }
      let (m, o1) = number.multipliedReportingOverflow(by: unit)
      let (a, o2) = total.addingReportingOverflow(m)
      guard !o1 && !o2 else { throw ParseError("duration '\(text)' is too long") }
      total = a
      number = 0
      digits = 0
    }
    // Empty text, or a number with no unit at the end.
    guard digits == 0, !text.isEmpty else { throw shape }
    return total
  }

  // MARK: Calendar arithmetic

  /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
  ///
  /// - Complexity: O(1).
  public static func days(year: Int, month: Int, day: Int) -> Int64 {
    let y = Int64(month <= 2 ? year - 1 : year)
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let m = Int64(month)
    let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  /// The date of a day number (days since 1970-01-01); the inverse of `days(year:month:day:)`.
  ///
  /// - Complexity: O(1).
  public static func civil(day: Int64) -> (year: Int, month: Int, day: Int) {
    let z = day + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra =
      (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let d = dayOfYear - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    let y = yearOfEra + era * 400 + (m <= 2 ? 1 : 0)
    return (Int(y), Int(m), Int(d))
  }

  /// The day number (days since 1970-01-01, UTC) of an instant in seconds; rounds down.
  public static func day(ofSeconds seconds: Int64) -> Int64 {
    let d = seconds / secondsPerDay
    return seconds % secondsPerDay < 0 ? d - 1 : d
  }

  /// Whether `year` has a 29 February.
  public static func isLeapYear(_ year: Int) -> Bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
  }

  static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return isLeapYear(year) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  // MARK: Formatting

  /// `2026-11-23T14:30:00Z` for an instant in seconds, in UTC; `.123` added for milliseconds.
  public static func format(seconds: Int64, milliseconds: Int32 = 0) -> String {
    let d = day(ofSeconds: seconds)
    let secondOfDay = Int(seconds - d * secondsPerDay)
    let date = civil(day: d)
    let capacity = 40
    return String(unsafeUninitializedCapacity: capacity) { out in
      var n = writeDate(date, into: out)
      out[n] = 0x54  // T
      n += 1
      n = write(secondOfDay / 3600, width: 2, into: out, at: n)
      out[n] = ASCII.colon
      n = write(secondOfDay / 60 % 60, width: 2, into: out, at: n + 1)
      out[n] = ASCII.colon
      n = write(secondOfDay % 60, width: 2, into: out, at: n + 1)
      if milliseconds != 0 {
        out[n] = ASCII.period
        n = write(Int(milliseconds), width: 3, into: out, at: n + 1)
      }
      out[n] = 0x5A  // Z
      return n + 1
    }
  }

  /// `2026-11-23` for a day number (days since 1970-01-01).
  public static func formatDate(day: Int64) -> String {
    let date = civil(day: day)
    return String(unsafeUninitializedCapacity: 16) { out in writeDate(date, into: out) }
  }

  /// The UTC date of this instant, `2026-11-23`.
  public var dateString: String { Timestamp.formatDate(day: day) }

  static func writeDate(
    _ date: (year: Int, month: Int, day: Int), into out: UnsafeMutableBufferPointer<UInt8>
  ) -> Int {
    var n = 0
    var year = date.year
    if year < 0 {
      out[0] = ASCII.minus
      n = 1
      year = -year
    }
    // Years past 9999 take the digits they need (the buffer holds up to 11).
    n = write(year, width: max(4, String(year).utf8.count), into: out, at: n)
    out[n] = ASCII.minus
    n = write(date.month, width: 2, into: out, at: n + 1)
    out[n] = ASCII.minus
    return write(date.day, width: 2, into: out, at: n + 1)
  }

  /// Writes `value` (≥ 0) as `width` decimal digits, zero-padded; returns the end.
  static func write(
    _ value: Int, width: Int, into out: UnsafeMutableBufferPointer<UInt8>, at start: Int
  ) -> Int {
    var v = value
    var i = start + width - 1
    while i >= start {
      out[i] = ASCII.zero + UInt8(v % 10)
      v /= 10
      i -= 1
    }
    return start + width
  }

  // MARK: Errors

  static func shapeError(_ bytes: UnsafeBufferPointer<UInt8>) -> ParseError {
    if bytes.allSatisfy({ $0 == ASCII.space }) {
      return ParseError("expected a timestamp like 2026-11-23T14:30:00Z, found an empty value")
    }
    return ParseError(
      "expected a timestamp like 2026-11-23T14:30:00Z, found \(quoted(Array(bytes)))")
  }

  static func rangeError(_ bytes: UnsafeBufferPointer<UInt8>, _ what: String) -> ParseError {
    ParseError("invalid timestamp \(quoted(Array(bytes))): \(what)")
  }

  static func pad(_ value: Int, _ width: Int) -> String {
    let s = String(value)
    return String(repeating: "0", count: max(0, width - s.count)) + s
  }

  /// A fixed-position reader over the timestamp's bytes.
  struct Scanner {
    let p: UnsafePointer<UInt8>
    var i: Int
    let end: Int

    var atEnd: Bool { i == end }

    @inline(__always)
    mutating func take(_ b: UInt8) -> Bool {
      guard i < end && p[i] == b else { return false }
      i += 1
      return true
    }

    @inline(__always)
    mutating func digit() -> Int? {
      guard i < end else { return nil }
      let d = p[i] &- ASCII.zero
      guard d < 10 else { return nil }
      i += 1
      return Int(d)
    }

    /// Exactly `n` digits, or nil (leaving `i` where it failed).
    @inline(__always)
    mutating func digits(_ n: Int) -> Int? {
      var v = 0
      for _ in 0..<n {
        guard let d = digit() else { return nil }
        v = v * 10 + d
      }
      return v
    }
  }
}

/// A value for a message: in single quotes, escaped for the terminal, cut after 60 bytes.
func quoted(_ bytes: [UInt8]) -> String {
  let limit = 60
  guard bytes.count > limit else { return "'" + SafeText.escape(bytes: bytes) + "'" }
  var cut = limit
  // Cut at the start of a UTF-8 sequence, not inside one.
  while cut > 0 && bytes[cut] & 0xC0 == 0x80 { cut -= 1 }
  return "'" + SafeText.escape(bytes: bytes[..<cut]) + "…'"
}
