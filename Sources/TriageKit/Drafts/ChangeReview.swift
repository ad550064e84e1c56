import TriageCore

/// What a cutoff review saw of one order.
public struct OrderSnapshot: Sendable, Equatable {
  public var orderID: String
  public var priority: String
  public var customer: String
  public var state: String
  public var promise: String
  /// Open blocker codes, sorted.
  public var blockers: [String]

  public init(
    orderID: String, priority: String, customer: String, state: String, promise: String,
    blockers: [String]
  ) {
    self.orderID = orderID
    self.priority = priority
    self.customer = customer
    self.state = state
    self.promise = promise
    self.blockers = blockers.sorted()
  }

  public init(_ v: OrderView) {
    self.init(
      orderID: v.order.orderID, priority: v.order.priority, customer: v.order.customer,
      state: v.state.rawValue,
      promise: v.promise.rawValue, blockers: v.openBlockers.map(\.code))
  }
}

/// A cutoff review: when it was recorded, by whom, for which data time.
public struct CutoffReview: Sendable, Equatable {
  public var id: Int64
  /// The time the orders were judged at (`--now`, else the data's as_of).
  public var dataAt: Int64
  /// When it was recorded (the clock).
  public var markedAt: Int64
  public var who: String
  public var orders: Int
}

/// How one order moved between a review and now.
public struct OrderChange: Sendable, Equatable {
  public var orderID: String
  public var priority: String
  public var customer: String
  /// Nil when the order was not live at the review (new since).
  public var before: OrderSnapshot?
  public var after: OrderSnapshot
  public var gained: [String]
  public var lost: [String]

  public var stateChanged: Bool { before.map { $0.state != after.state } ?? true }
  public var promiseChanged: Bool { before.map { $0.promise != after.promise } ?? true }

  /// One line for people: "short → delayed; promise at_risk → missed; +carrier_pickup; −short_pick".
  public var summary: String {
    guard let b = before else {
      let blockers =
        after.blockers.isEmpty
        ? "nothing blocking" : "blockers " + after.blockers.joined(separator: ", ")
      return "new since the review: \(after.state), promise \(after.promise), \(blockers)"
    }
    var parts: [String] = []
    if b.state != after.state { parts.append("\(b.state) → \(after.state)") }
    if b.promise != after.promise { parts.append("promise \(b.promise) → \(after.promise)") }
    if !gained.isEmpty { parts.append("gained " + gained.joined(separator: ", ")) }
    if !lost.isEmpty { parts.append("cleared " + lost.joined(separator: ", ")) }
    return parts.joined(separator: "; ")
  }
}

/// Cutoff reviews and the `changes` since one: snapshots of every live order, compared.
public enum ChangeReview {
  /// The orders that changed state, promise status or open blockers between two snapshots,
  /// high priority first, then the most urgent promise now, then by order id. Orders that were
  /// live at the review and are not in `now` are compared as they are now by the caller.
  public static func compare(before: [OrderSnapshot], now: [OrderSnapshot]) -> [OrderChange] {
    let old = Dictionary(before.map { ($0.orderID, $0) }, uniquingKeysWith: { a, _ in a })
    var out: [OrderChange] = []
    for a in now {
      let b = old[a.orderID]
      let gained = a.blockers.filter { !(b?.blockers.contains($0) ?? false) }
      let lost = b?.blockers.filter { !a.blockers.contains($0) } ?? []
      if let b, b.state == a.state, b.promise == a.promise, gained.isEmpty, lost.isEmpty {
        continue
      }
      out.append(
        OrderChange(
          orderID: a.orderID, priority: a.priority, customer: a.customer, before: b, after: a,
          gained: b == nil ? [] : gained, lost: lost))
    }
    func urgency(_ p: String) -> Int { PromiseStatus(rawValue: p)?.urgency ?? 9 }
    return out.sorted { x, y in
      let px = OrderQueue.priorityRank(x.priority)
      let py = OrderQueue.priorityRank(y.priority)
      if px != py { return px < py }
      let ux = urgency(x.after.promise)
      let uy = urgency(y.after.promise)
      if ux != uy { return ux < uy }
      return x.orderID < y.orderID
    }
  }
}

extension Store {
  /// Records a cutoff review: the snapshot of every given order, in one transaction.
  public func recordReview(_ snapshots: [OrderSnapshot], dataAt: Int64, markedAt: Int64, by: String)
    throws(TriageError)
    -> CutoffReview
  {
    try db.transaction { () throws(TriageError) -> CutoffReview in
      try statement("INSERT INTO reviews(data_at, marked_at, who) VALUES (?, ?, ?)").run([
        .int(dataAt), .int(markedAt), .text(by),
      ])
      let id = db.lastInsertRowID
      let insert = try statement(
        "INSERT INTO review_orders(review, order_id, priority, customer, state, promise, blockers) VALUES (?, ?, ?, ?, ?, ?, ?)"
      )
      for s in snapshots {
        try insert.run([
          .int(id), .text(s.orderID), .text(s.priority), .text(s.customer), .text(s.state),
          .text(s.promise),
          .text(s.blockers.joined(separator: ",")),
        ])
      }
      return CutoffReview(
        id: id, dataAt: dataAt, markedAt: markedAt, who: by, orders: snapshots.count)
    }
  }

  /// Cutoff reviews, newest first.
  public func reviews() throws(TriageError) -> [CutoffReview] {
    try statement(
      """
      SELECT r.id, r.data_at, r.marked_at, r.who, (SELECT count(*) FROM review_orders o WHERE o.review = r.id)
      FROM reviews r ORDER BY r.id DESC
      """
    ).rows {
      CutoffReview(
        id: $0.int(0), dataAt: $0.int(1), markedAt: $0.int(2), who: $0.text(3),
        orders: Int($0.int(4)))
    }
  }

  /// What a review saw.
  public func reviewSnapshot(_ review: Int64) throws(TriageError) -> [OrderSnapshot] {
    try statement(
      "SELECT order_id, priority, customer, state, promise, blockers FROM review_orders WHERE review = ? ORDER BY order_id"
    ).rows([.int(review)]) {
      let codes = $0.text(5)
      return OrderSnapshot(
        orderID: $0.text(0), priority: $0.text(1), customer: $0.text(2), state: $0.text(3),
        promise: $0.text(4),
        blockers: codes.isEmpty ? [] : codes.split(separator: ",").map(String.init))
    }
  }
}
