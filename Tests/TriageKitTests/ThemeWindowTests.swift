import Testing
import TriageKit

@Suite struct ThemeWindowTests {
  static let now = Int64(1_795_446_000)  // 2026-11-23T15:00:00Z

  struct WindowCase: CustomTestStringConvertible, Sendable {
    var id: String
    var since: String?
    var until: String?
    var start: String
    var end: String
    var testDescription: String { id }
  }

  static let windows: [WindowCase] = [
    .init(id: "default is 7 days to now", since: nil, until: nil, start: "2026-11-16T15:00:00Z", end: "2026-11-23T15:00:00Z"),
    .init(id: "duration", since: "36h", until: nil, start: "2026-11-22T03:00:00Z", end: "2026-11-23T15:00:00Z"),
    .init(id: "weeks", since: "2w", until: nil, start: "2026-11-09T15:00:00Z", end: "2026-11-23T15:00:00Z"),
    .init(id: "since a date", since: "2026-11-20", until: nil, start: "2026-11-20T00:00:00Z", end: "2026-11-23T15:00:00Z"),
    .init(id: "until a date includes it", since: "2026-11-16", until: "2026-11-22", start: "2026-11-16T00:00:00Z", end: "2026-11-23T00:00:00Z"),
    .init(id: "until a time is exact", since: "1d", until: "2026-11-20T12:00:00Z", start: "2026-11-19T12:00:00Z", end: "2026-11-20T12:00:00Z"),
  ]

  @Test(arguments: windows)
  func parses(_ c: WindowCase) throws {
    let w = try ThemeWindow.parse(since: c.since, until: c.until, now: Self.now)
    #expect(Timestamp.format(seconds: w.start) == c.start)
    #expect(Timestamp.format(seconds: w.end) == c.end)
    #expect(w.previous.end == w.start)
    #expect(w.previous.length == w.length)
  }

  @Test(arguments: ["0d", "seven", "2026-13-01", "2026-11-24"])
  func rejects(_ since: String) {
    #expect(throws: TriageError.self) { try ThemeWindow.parse(since: since, until: nil, now: Self.now) }
  }

  @Test func trailingWindowReadsWholeDaysAndTwoPartialOnes() throws {
    let w = try ThemeWindow.parse(since: "7d", until: nil, now: Self.now)
    #expect(w.days.count == 8)
    #expect(w.fullDays.count == 6)
    #expect(w.partialDays.map(\.day) == [w.firstDay, w.lastDay])
    #expect(w.partialDays[0].from == w.start && w.partialDays[1].to == w.end)
    let aligned = try ThemeWindow.parse(since: "2026-11-16", until: "2026-11-22", now: Self.now)
    #expect(aligned.partialDays.isEmpty && aligned.fullDays.count == 7 && aligned.days.count == 7)
  }

  @Test func longWindowsAreDrawnInRunsOfDays() throws {
    let w = try ThemeWindow.parse(since: "90d", until: "2026-11-23", now: Self.now)
    let buckets = w.buckets(max: 31)
    #expect(buckets.count <= 31)
    #expect(buckets.first?.lowerBound == w.firstDay && buckets.last?.upperBound == w.lastDay + 1)
  }

  struct TrendCase: CustomTestStringConvertible, Sendable {
    var current: Int
    var previous: Int
    var trend: Trend
    var testDescription: String { "\(previous)→\(current) is \(trend)" }
  }

  static let trends: [TrendCase] = [
    .init(current: 5, previous: 0, trend: .new), .init(current: 0, previous: 0, trend: .flat),
    .init(current: 5, previous: 2, trend: .up), .init(current: 4, previous: 2, trend: .flat),
    .init(current: 43, previous: 40, trend: .flat), .init(current: 50, previous: 40, trend: .up),
    .init(current: 1, previous: 5, trend: .down), .init(current: 0, previous: 3, trend: .down),
    .init(current: 3, previous: 4, trend: .flat),
  ]

  @Test(arguments: trends)
  func trendThresholds(_ c: TrendCase) {
    #expect(Trend(current: c.current, previous: c.previous) == c.trend)
  }

  @Test func sparklineScalesToTheRowAndFallsBackToASCII() {
    #expect(Sparkline.render([0, 1, 4, 8], unicode: true) == " ▁▄█")
    #expect(Sparkline.render([0, 1, 4, 8], unicode: false) == " _~#")
    #expect(Sparkline.render([0, 0], unicode: true) == "  ")
    #expect(Sparkline.unicodeAllowed(environment: ["LANG": "en_US.UTF-8"]))
    #expect(!Sparkline.unicodeAllowed(environment: ["LANG": "en_US.UTF-8", "LC_ALL": "C"]))
    #expect(Sparkline.unicodeAllowed(environment: ["LC_CTYPE": "C.utf8"]))
    #expect(!Sparkline.unicodeAllowed(environment: [:]))
  }
}
