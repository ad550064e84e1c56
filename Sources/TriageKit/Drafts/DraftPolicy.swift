import TriageCore

/// The site's drafting policy (`Lexicons/templates/policy.txt`): the site clock, business hours,
/// when a draft promises the next update, and how to tell a business account from a person.
///
/// The next-update time is a policy, not a prediction: drafts say "we'll update you by the end of
/// the business day" because the site committed to that, and cite the policy as their source.
public struct DraftPolicy: Sendable, Equatable {
  /// How the next update is promised.
  public enum NextUpdate: Sendable, Equatable {
    /// By the end of the business day (today's when enough of it is left, else the next one's).
    case endOfBusinessDay
    /// Within a fixed time (seconds) from when the draft is made.
    case within(Int64)
  }

  /// Seconds east of UTC of the site clock; dates in drafts are site-local dates.
  public var utcOffset: Int64 = -5 * 3600
  /// What to call the site clock in internal drafts (`ET`).
  public var zoneName = "ET"
  /// Business hours, seconds after local midnight.
  public var dayStart: Int64 = 9 * 3600
  public var dayEnd: Int64 = 17 * 3600
  /// Business days, 0 = Monday ... 6 = Sunday.
  public var businessDays: Set<Int> = [0, 1, 2, 3, 4]
  public var nextUpdate: NextUpdate = .endOfBusinessDay
  /// With less than this left in the business day, the update is promised for the next one.
  public var minNotice: Int64 = 3600
  /// Channels whose customers are businesses (greeted by account name).
  public var businessChannels: Set<String> = ["wholesale", "store", "marketplace"]
  /// Words that mark a customer name as a business (`inc`, `co`, `market`).
  public var businessWords: Set<String> = []
  /// Plain names of owning teams for internal drafts (`it_integration` → `IT integration`).
  public var ownerNames: [String: String] = [:]
  /// Where the policy was read from, for sources.
  public var file = "templates/policy.txt"
  /// The `next_update` line as written, for sources.
  public var nextUpdateText = "next_update end_of_business_day"

  public init() {}

  static let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

  /// Reads a policy file.
  public static func parse(_ bytes: [UInt8], file: String) throws(TriageError) -> DraftPolicy {
    var p = DraftPolicy()
    p.file = file
    for line in try LexiconScanner.lines(of: bytes, file: file) {
      let f = line.fields
      func need(_ n: Int, _ usage: String) throws(TriageError) {
        guard f.count == n else {
          throw .data(
            "expected '\(usage)'",
            at: f.count > n ? line.location(file, field: n) : line.endLocation(file))
        }
      }
      func clock(_ i: Int) throws(TriageError) -> Int64 {
        let parts = f[i].text.split(separator: ":")
        guard parts.count == 2, let h = Int64(parts[0]), let m = Int64(parts[1]),
          (0...24).contains(h), (0..<60).contains(m)
        else {
          throw .data(
            "expected a time of day such as '17:00', found '\(f[i].text)'",
            at: line.location(file, field: i))
        }
        return h * 3600 + m * 60
      }
      switch f[0].text {
      case "utc_offset":
        guard f.count == 2 || f.count == 3 else {
          throw .data(
            "expected 'utc_offset +HH:MM [NAME]'",
            at: line.location(file, field: min(f.count - 1, 3)))
        }
        let t = f[1].text
        guard let sign = t.first, sign == "+" || sign == "-" else {
          throw .data(
            "expected an offset such as '-05:00', found '\(t)'", at: line.location(file, field: 1))
        }
        let body = String(t.dropFirst())
        let parts = body.split(separator: ":")
        guard parts.count == 2, let h = Int64(parts[0]), let m = Int64(parts[1]), h <= 14, m < 60
        else {
          throw .data(
            "expected an offset such as '-05:00', found '\(t)'", at: line.location(file, field: 1))
        }
        p.utcOffset = (sign == "-" ? -1 : 1) * (h * 3600 + m * 60)
        if f.count == 3 { p.zoneName = f[2].text }
      case "business_hours":
        try need(3, "business_hours HH:MM HH:MM")
        p.dayStart = try clock(1)
        p.dayEnd = try clock(2)
        guard p.dayStart < p.dayEnd else {
          throw .data("business hours must end after they start", at: line.location(file, field: 2))
        }
      case "business_days":
        guard f.count >= 2 else {
          throw .data("expected 'business_days mon tue ...'", at: line.endLocation(file))
        }
        p.businessDays = []
        for i in 1..<f.count {
          guard let d = weekdays.firstIndex(of: f[i].text.lowercased()) else {
            throw .data(
              "unknown weekday '\(f[i].text)'\(Suggest.didYouMean(f[i].text, in: weekdays)); expected mon, tue, wed, thu, fri, sat or sun",
              at: line.location(file, field: i))
          }
          p.businessDays.insert(d)
        }
      case "next_update":
        if f.count == 2 && f[1].text == "end_of_business_day" {
          p.nextUpdate = .endOfBusinessDay
        } else if f.count == 3 && f[1].text == "within" {
          do {
            p.nextUpdate = .within(try Timestamp.parseDuration(f[2].text))
          } catch {
            throw .data(
              "expected a duration such as '24h', found '\(f[2].text)'",
              at: line.location(file, field: 2))
          }
        } else {
          throw .data(
            "expected 'next_update end_of_business_day' or 'next_update within DURATION'",
            at: line.location(file, field: 1))
        }
        p.nextUpdateText = f.map(\.text).joined(separator: " ")
      case "min_notice":
        try need(2, "min_notice DURATION")
        do { p.minNotice = try Timestamp.parseDuration(f[1].text) } catch {
          throw .data(
            "expected a duration such as '1h', found '\(f[1].text)'",
            at: line.location(file, field: 1))
        }
      case "business_channel":
        try need(2, "business_channel CHANNEL")
        p.businessChannels.insert(f[1].text.lowercased())
      case "business_word":
        try need(2, "business_word WORD")
        p.businessWords.insert(f[1].text.lowercased())
      case "owner":
        try need(3, "owner OWNER \"plain name\"")
        p.ownerNames[f[1].text] = f[2].text
      default:
        let keys = [
          "utc_offset", "business_hours", "business_days", "next_update", "min_notice",
          "business_channel", "business_word", "owner",
        ]
        throw .data(
          "unknown policy setting '\(f[0].text)'\(Suggest.didYouMean(f[0].text, in: keys))",
          at: line.location(file, field: 0))
      }
    }
    return p
  }

  // MARK: Site-local time

  /// The site-local day number of an instant.
  public func localDay(_ t: Int64) -> Int64 { Timestamp.day(ofSeconds: t + utcOffset) }

  /// Seconds after site-local midnight of an instant.
  public func localTimeOfDay(_ t: Int64) -> Int64 {
    t + utcOffset - localDay(t) * Timestamp.secondsPerDay
  }

  /// 0 = Monday ... 6 = Sunday.
  public static func weekday(ofDay d: Int64) -> Int { Int(((d + 3) % 7 + 7) % 7) }

  /// The instant of a site-local time on a site-local day.
  public func instant(day: Int64, time: Int64) -> Int64 {
    day * Timestamp.secondsPerDay + time - utcOffset
  }

  public func isBusinessDay(_ d: Int64) -> Bool {
    businessDays.contains(DraftPolicy.weekday(ofDay: d))
  }

  /// When the next update is due, by the policy, for a draft made at `now`.
  public func nextUpdate(after now: Int64) -> Int64 {
    switch nextUpdate {
    case .within(let s):
      return now + s
    case .endOfBusinessDay:
      var day = localDay(now)
      if isBusinessDay(day) && localTimeOfDay(now) + minNotice <= dayEnd {
        return instant(day: day, time: dayEnd)
      }
      for _ in 0..<14 {
        day += 1
        if isBusinessDay(day) { break }
      }
      return instant(day: day, time: dayEnd)
    }
  }

  /// The plain name of an owning team.
  public func ownerName(_ owner: String) -> String {
    ownerNames[owner] ?? owner.replacingOccurrences(of: "_", with: " ")
  }
}

/// Calendar words for drafts, in English.
public enum DraftCalendar {
  public static let weekdayNames = [
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
  ]
  public static let monthNames = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October",
    "November", "December",
  ]

  /// `Tuesday, December 1` (for customers).
  public static func long(day: Int64) -> String {
    let c = Timestamp.civil(day: day)
    return "\(weekdayNames[DraftPolicy.weekday(ofDay: day)]), \(monthNames[c.month - 1]) \(c.day)"
  }

  /// `Tue Dec 1` (for internal briefs).
  public static func short(day: Int64) -> String {
    let c = Timestamp.civil(day: day)
    return
      "\(weekdayNames[DraftPolicy.weekday(ofDay: day)].prefix(3)) \(monthNames[c.month - 1].prefix(3)) \(c.day)"
  }

  /// `5:00 pm` from seconds after midnight.
  public static func clock(_ seconds: Int64) -> String {
    let h = Int(seconds / 3600) % 24
    let m = Int(seconds % 3600) / 60
    let h12 = h % 12 == 0 ? 12 : h % 12
    return "\(h12):\(m < 10 ? "0" : "")\(m) \(h < 12 ? "am" : "pm")"
  }
}
