import Testing
import TriageCore

@Suite struct TimestampTests {
  struct Valid: CustomTestStringConvertible, Sendable {
    var name: String
    var text: String
    var seconds: Int64
    var milliseconds: Int32 = 0
    var offset: Int32? = 0
    var dateOnly = false
    var testDescription: String { name }
  }

  // 2026-11-23T14:30:00Z is 1795444200 (Python's calendar.timegm agrees).
  static let valid: [Valid] = [
    Valid(name: "utc", text: "2026-11-23T14:30:00Z", seconds: 1_795_444_200),
    Valid(name: "lowercase t and z", text: "2026-11-23t14:30:00z", seconds: 1_795_444_200),
    Valid(name: "space for T", text: "2026-11-23 14:30:00Z", seconds: 1_795_444_200),
    Valid(
      name: "milliseconds", text: "2026-11-23T14:30:00.123Z", seconds: 1_795_444_200,
      milliseconds: 123),
    Valid(
      name: "one fraction digit", text: "2026-11-23T14:30:00.1Z", seconds: 1_795_444_200,
      milliseconds: 100),
    Valid(
      name: "nanoseconds dropped", text: "2026-11-23T14:30:00.123456789Z",
      seconds: 1_795_444_200, milliseconds: 123),
    Valid(
      name: "offset with colon", text: "2026-11-23T15:30:00+01:00", seconds: 1_795_444_200,
      offset: 3600),
    Valid(
      name: "offset without colon", text: "2026-11-23T09:30:00-0500", seconds: 1_795_444_200,
      offset: -18_000),
    Valid(
      name: "offset hours only", text: "2026-11-23T15:30:00+01", seconds: 1_795_444_200,
      offset: 3600),
    Valid(
      name: "half-hour offset", text: "2026-11-23T20:00:00+05:30", seconds: 1_795_444_200,
      offset: 19_800),
    Valid(
      name: "offset crossing midnight", text: "2026-11-24T00:30:00+10:00",
      seconds: 1_795_444_200, offset: 36_000),
    Valid(name: "no seconds", text: "2026-11-23T14:30Z", seconds: 1_795_444_200),
    Valid(
      name: "no offset reads as utc", text: "2026-11-23T14:30:00", seconds: 1_795_444_200,
      offset: nil),
    Valid(name: "spaces around", text: "  2026-11-23T14:30:00Z ", seconds: 1_795_444_200),
    Valid(name: "date only", text: "2026-11-23", seconds: 1_795_392_000, dateOnly: true),
    Valid(name: "leap day", text: "2024-02-29T00:00:00Z", seconds: 1_709_164_800),
    Valid(
      name: "leap day of a 400th year", text: "2000-02-29", seconds: 951_782_400, dateOnly: true),
    Valid(name: "epoch", text: "1970-01-01T00:00:00Z", seconds: 0),
    Valid(name: "before the epoch", text: "1969-12-31T23:59:59Z", seconds: -1),
    Valid(name: "1900", text: "1900-03-01T12:00:00Z", seconds: -2_203_848_000),
    Valid(name: "year 1", text: "0001-01-01", seconds: -62_135_596_800, dateOnly: true),
    Valid(name: "year 9999", text: "9999-12-31T23:59:59Z", seconds: 253_402_300_799),
    Valid(name: "leap second read as 59", text: "2026-12-31T23:59:60Z", seconds: 1_798_761_599),
    Valid(
      name: "comma fraction", text: "2026-11-23T14:30:00,5Z", seconds: 1_795_444_200,
      milliseconds: 500),
  ]

  @Test(arguments: valid)
  func parsesValid(_ c: Valid) throws {
    let t = try Timestamp(c.text)
    #expect(t.seconds == c.seconds)
    #expect(t.milliseconds == c.milliseconds)
    #expect(t.utcOffset == c.offset)
    #expect(t.isDateOnly == c.dateOnly)
  }

  struct Invalid: CustomTestStringConvertible, Sendable {
    var name: String
    var text: String
    var message: String
    var testDescription: String { name }
  }

  static let shape = "expected a timestamp like 2026-11-23T14:30:00Z, found "

  static let invalid: [Invalid] = [
    Invalid(
      name: "month 13", text: "2026-13-01T00:00:00Z",
      message: "invalid timestamp '2026-13-01T00:00:00Z': month must be 01-12"),
    Invalid(
      name: "month 0", text: "2026-00-01",
      message: "invalid timestamp '2026-00-01': month must be 01-12"),
    Invalid(name: "day-first date", text: "23/11/2026", message: shape + "'23/11/2026'"),
    Invalid(
      name: "29 february of a common year", text: "2026-02-29",
      message: "invalid timestamp '2026-02-29': 2026-02 has 28 days"),
    Invalid(
      name: "29 february of 1900", text: "1900-02-29T00:00:00Z",
      message: "invalid timestamp '1900-02-29T00:00:00Z': 1900-02 has 28 days"),
    Invalid(
      name: "31 april", text: "2026-04-31",
      message: "invalid timestamp '2026-04-31': 2026-04 has 30 days"),
    Invalid(
      name: "day 32", text: "2026-01-32",
      message: "invalid timestamp '2026-01-32': day must be 01-31"),
    Invalid(
      name: "day 0", text: "2026-01-00",
      message: "invalid timestamp '2026-01-00': day must be 01-31"),
    Invalid(
      name: "hour 24", text: "2026-11-23T24:00:00Z",
      message: "invalid timestamp '2026-11-23T24:00:00Z': hour must be 00-23"),
    Invalid(
      name: "minute 60", text: "2026-11-23T14:60:00Z",
      message: "invalid timestamp '2026-11-23T14:60:00Z': minute must be 00-59"),
    Invalid(
      name: "second 61", text: "2026-11-23T14:30:61Z",
      message:
        "invalid timestamp '2026-11-23T14:30:61Z': second must be 00-59 (or 60 for a leap second)"),
    Invalid(
      name: "offset hour 25", text: "2026-11-23T14:30:00+25:00",
      message: "invalid timestamp '2026-11-23T14:30:00+25:00': offset hours must be 00-23"),
    Invalid(
      name: "offset minute 60", text: "2026-11-23T14:30:00+01:60",
      message: "invalid timestamp '2026-11-23T14:30:00+01:60': offset minutes must be 00-59"),
    Invalid(
      name: "empty", text: "",
      message: "expected a timestamp like 2026-11-23T14:30:00Z, found an empty value"),
    Invalid(
      name: "blank", text: "   ",
      message: "expected a timestamp like 2026-11-23T14:30:00Z, found an empty value"),
    Invalid(name: "one-digit month", text: "2026-1-05", message: shape + "'2026-1-05'"),
    Invalid(
      name: "fraction without digits", text: "2026-11-23T14:30:00.Z",
      message: shape + "'2026-11-23T14:30:00.Z'"),
    Invalid(
      name: "two zones", text: "2026-11-23T14:30:00ZZ", message: shape + "'2026-11-23T14:30:00ZZ'"),
    Invalid(
      name: "short offset", text: "2026-11-23T14:30:00+01:0",
      message: shape + "'2026-11-23T14:30:00+01:0'"),
    Invalid(
      name: "hour without minutes", text: "2026-11-23T14Z", message: shape + "'2026-11-23T14Z'"),
    Invalid(name: "words", text: "yesterday", message: shape + "'yesterday'"),
    Invalid(
      name: "control characters escaped", text: "2026\u{1B}[2J", message: shape + "'2026\\e[2J'"),
    Invalid(
      name: "long value cut", text: String(repeating: "x", count: 100),
      message: shape + "'" + String(repeating: "x", count: 60) + "…'"),
  ]

  @Test(arguments: invalid)
  func rejectsInvalid(_ c: Invalid) {
    #expect(throws: Timestamp.ParseError(c.message)) { try Timestamp(c.text) }
  }

  struct Formatted: CustomTestStringConvertible, Sendable {
    var seconds: Int64
    var milliseconds: Int32 = 0
    var text: String
    var testDescription: String { text }
  }

  static let formatted: [Formatted] = [
    Formatted(seconds: 1_795_444_200, text: "2026-11-23T14:30:00Z"),
    Formatted(seconds: 1_795_444_200, milliseconds: 7, text: "2026-11-23T14:30:00.007Z"),
    Formatted(seconds: 0, text: "1970-01-01T00:00:00Z"),
    Formatted(seconds: -1, text: "1969-12-31T23:59:59Z"),
    Formatted(seconds: 951_782_400, text: "2000-02-29T00:00:00Z"),
    Formatted(seconds: 253_402_300_799, text: "9999-12-31T23:59:59Z"),
    Formatted(seconds: -62_135_596_800, text: "0001-01-01T00:00:00Z"),
  ]

  @Test(arguments: formatted)
  func formats(_ c: Formatted) throws {
    #expect(Timestamp.format(seconds: c.seconds, milliseconds: c.milliseconds) == c.text)
    let back = try Timestamp(c.text)
    #expect(back.seconds == c.seconds && back.milliseconds == c.milliseconds)
  }

  @Test func formatsDatesAndDays() throws {
    #expect(Timestamp.formatDate(day: 20_780) == "2026-11-23")
    #expect(Timestamp.formatDate(day: -1) == "1969-12-31")
    let t = try Timestamp("2026-11-24T00:30:00+10:00")
    #expect(t.day == 20_780)
    #expect(t.localDay == 20_781)
    #expect(t.dateString == "2026-11-23")
    #expect(t.description == "2026-11-23T14:30:00Z")
    #expect(Timestamp.day(ofSeconds: -1) == -1)
    #expect(Timestamp.day(ofSeconds: -86_400) == -1)
    #expect(Timestamp.day(ofSeconds: -86_401) == -2)
  }

  /// Every date from 1600 to 2400 gets the day number after the previous date's, and maps back.
  @Test func dayNumbersAreConsecutiveAndInvertible() {
    var expected = Timestamp.days(year: 1600, month: 1, day: 1)
    var failures = 0
    for year in 1600...2400 {
      for month in 1...12 {
        let length = [
          31, Timestamp.isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
        ][month - 1]
        for day in 1...length {
          let n = Timestamp.days(year: year, month: month, day: day)
          let back = Timestamp.civil(day: n)
          if n != expected || back != (year, month, day) { failures += 1 }
          expected += 1
        }
      }
    }
    #expect(failures == 0)
    #expect(Timestamp.days(year: 1970, month: 1, day: 1) == 0)
  }

  @Test func equalityIsTheInstant() throws {
    let a = try Timestamp("2026-11-23T15:30:00+01:00")
    let b = try Timestamp("2026-11-23T14:30:00Z")
    let c = try Timestamp("2026-11-23T14:30:00.001Z")
    #expect(a == b)
    #expect(a.hashValue == b.hashValue)
    #expect(b < c)
    #expect(c.epochMilliseconds == 1_795_444_200_001)
  }

  @Test func parsesBytes() throws {
    let bytes = Array("2026-11-23T14:30:00Z".utf8)
    let t = try bytes.withUnsafeBufferPointer { (b) throws(Timestamp.ParseError) in
      try Timestamp.parse(b)
    }
    #expect(t.seconds == 1_795_444_200)
  }

  struct DurationCase: CustomTestStringConvertible, Sendable {
    var text: String
    var seconds: Int64?
    var message: String?
    var testDescription: String { "'\(text)'" }
  }

  static let durationShape = "expected a duration like 7d, 24h, 90m or 2w, found "

  static let durations: [DurationCase] = [
    DurationCase(text: "7d", seconds: 604_800),
    DurationCase(text: "24h", seconds: 86_400),
    DurationCase(text: "90m", seconds: 5_400),
    DurationCase(text: "2w", seconds: 1_209_600),
    DurationCase(text: "30s", seconds: 30),
    DurationCase(text: "1d12h", seconds: 129_600),
    DurationCase(text: "0d", seconds: 0),
    DurationCase(text: "7", message: durationShape + "'7'"),
    DurationCase(text: "d", message: durationShape + "'d'"),
    DurationCase(text: "7x", message: durationShape + "'7x'"),
    DurationCase(text: "", message: durationShape + "''"),
    DurationCase(text: "-1d", message: durationShape + "'-1d'"),
    DurationCase(text: "7 d", message: durationShape + "'7 d'"),
    DurationCase(
      text: "99999999999999999999d", message: "duration '99999999999999999999d' is too long"),
    DurationCase(text: "9999999999999999w", message: "duration '9999999999999999w' is too long"),
  ]

  @Test(arguments: durations)
  func parsesDurations(_ c: DurationCase) throws {
    if let seconds = c.seconds {
      #expect(try Timestamp.parseDuration(c.text) == seconds)
    } else if let message = c.message {
      #expect(throws: Timestamp.ParseError(message)) { try Timestamp.parseDuration(c.text) }
    }
  }
}
