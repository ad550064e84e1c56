import TriageCore

/// A span of time that themes, recurrence and the report count over: `[start, end)` in seconds.
///
/// `--since 7d` ends at `--until` (default: now) and starts seven days before; `--since
/// 2026-11-16` starts at that date's midnight (UTC). `--until 2026-11-22` includes that date (the
/// window ends at the next midnight); a time ends it exactly there. The trend compares a window
/// with the one of the same length just before it.
///
/// Counting reads whole UTC days from the day-keyed indexes and only the first and last day,
/// when the window cuts through them, note by note (`partialDays`), so a trailing window that
/// ends at 15:00 counts exactly the notes written before 15:00.
public struct ThemeWindow: Sendable, Equatable, CustomStringConvertible {
  public var start: Int64
  public var end: Int64

  public init(start: Int64, end: Int64) {
    self.start = start
    self.end = max(start, end)
  }

  public var length: Int64 { end - start }
  /// The window of the same length just before this one.
  public var previous: ThemeWindow { ThemeWindow(start: start - length, end: start) }

  public var firstDay: Int64 { Timestamp.day(ofSeconds: start) }
  /// The last day with a second in the window (the first day when the window is empty).
  public var lastDay: Int64 { length == 0 ? firstDay : Timestamp.day(ofSeconds: end - 1) }
  /// Every UTC day the window touches, first to last.
  public var days: [Int64] { Array(firstDay...lastDay) }

  /// Days the window covers from midnight to midnight.
  public var fullDays: Range<Int64> {
    let lo = (start + Timestamp.secondsPerDay - 1).floorDiv(Timestamp.secondsPerDay)
    let hi = end.floorDiv(Timestamp.secondsPerDay)
    return lo < hi ? lo..<hi : lo..<lo
  }

  /// A day the window cuts through, with the part of it inside the window.
  public struct PartialDay: Sendable, Equatable {
    public var day: Int64
    public var from: Int64
    public var to: Int64
  }

  /// The first and last day when the window starts or ends inside them.
  public var partialDays: [PartialDay] {
    guard length > 0 else { return [] }
    var out: [PartialDay] = []
    for d in Set([firstDay, lastDay]).sorted() where !fullDays.contains(d) {
      let lo = max(start, d * Timestamp.secondsPerDay)
      let hi = min(end, (d + 1) * Timestamp.secondsPerDay)
      if lo < hi { out.append(PartialDay(day: d, from: lo, to: hi)) }
    }
    return out
  }

  public func contains(_ t: Int64) -> Bool { t >= start && t < end }

  /// `2026-11-16 15:00Z to 2026-11-23 15:00Z (7d)`.
  public var description: String {
    "\(ThemeWindow.short(start)) to \(ThemeWindow.short(end)) (\(ThemeWindow.describe(length)))"
  }

  /// `2026-11-23 15:00Z`, or `2026-11-23` at midnight.
  public static func short(_ t: Int64) -> String {
    let f = Timestamp.format(seconds: t)
    if f.hasSuffix("T00:00:00Z") { return String(f.prefix(10)) }
    return String(f.prefix(16)).replacingOccurrences(of: "T", with: " ") + "Z"
  }

  /// `7d`, `36h`, `2d 12h`.
  public static func describe(_ seconds: Int64) -> String {
    let d = seconds / Timestamp.secondsPerDay
    let h = seconds % Timestamp.secondsPerDay / 3600
    if h == 0 && d > 0 { return "\(d)d" }
    if d == 0 { return "\(h)h" }
    return "\(d)d \(h)h"
  }

  /// Reads `--since` and `--until`.
  ///
  /// - Parameters:
  ///   - since: a duration (`7d`, `36h`, `2w`), a date or a time; nil for `defaultLength`.
  ///   - until: a date (inclusive) or a time; nil for `now`.
  public static func parse(
    since: String?, until: String?, now: Int64, defaultLength: Int64 = 7 * Timestamp.secondsPerDay
  ) throws(TriageError) -> ThemeWindow {
    var end = now
    if let until {
      do {
        let t = try Timestamp(until)
        end = t.isDateOnly ? t.seconds + Timestamp.secondsPerDay : t.seconds
      } catch {
        throw .usage("--until expects a date (2026-11-23) or a time (2026-11-23T15:00:00Z): \(error.message)")
      }
    }
    guard let since else { return ThemeWindow(start: end - defaultLength, end: end) }
    if let first = since.utf8.first, first >= ASCII.zero, first <= ASCII.nine,
      let last = since.utf8.last, "smhdw".utf8.contains(last)
    {
      let d: Int64
      do {
        d = try Timestamp.parseDuration(since)
      } catch {
        throw .usage("--since: \(error.message)")
      }
      guard d > 0 else { throw .usage("--since expects a duration above zero, found '\(since)'") }
      return ThemeWindow(start: end - d, end: end)
    }
    let start: Int64
    do {
      start = try Timestamp(since).seconds
    } catch {
      throw .usage("--since expects a duration (7d, 24h, 2w), a date or a time, found '\(SafeText.escape(since))'")
    }
    guard start < end else {
      throw .usage("--since '\(SafeText.escape(since))' is not before the end of the window (\(short(end)))")
    }
    return ThemeWindow(start: start, end: end)
  }

  /// Groups the window's days into at most `maxBuckets` runs of equal length (the last may be
  /// shorter), for sparklines and charts of long windows.
  public func buckets(max maxBuckets: Int) -> [Range<Int64>] {
    let n = Int(lastDay - firstDay + 1)
    let size = Int64((n + maxBuckets - 1) / Swift.max(1, maxBuckets))
    var out: [Range<Int64>] = []
    var d = firstDay
    while d <= lastDay {
      out.append(d..<Swift.min(d + Swift.max(1, size), lastDay + 1))
      d += Swift.max(1, size)
    }
    return out
  }
}

extension Int64 {
  /// Division rounding toward negative infinity (days before 1970 stay whole days).
  func floorDiv(_ d: Int64) -> Int64 {
    let q = self / d
    return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
  }
}
