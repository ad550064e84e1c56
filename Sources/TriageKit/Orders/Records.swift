import TriageCore

/// One row of orders.csv (DATA.md).
public struct OrderRecord: Sendable, Equatable {
  public var orderID: String
  public var customer = ""
  public var channel = ""
  /// `high`, `normal`, `low`, or empty when not given.
  public var priority = ""
  public var placedAt: Int64?
  /// The promised date as a day number (days since 1970-01-01).
  public var promiseDate: Int64?
  public var cutoffAt: Int64?
  public var erpStatus = ""
  public var wmsStatus = ""
  public var storefrontStatus = ""
  public var carrier = ""
  public var tracking = ""
  /// Columns DATA.md does not name, kept as `name=value` lines so they can be shown.
  public var extra = ""

  public init(orderID: String) { self.orderID = orderID }

  /// Field values by name, for change history.
  var fields: [(String, String)] {
    [
      ("customer", customer), ("channel", channel), ("priority", priority),
      ("placed_at", placedAt.map { Timestamp.format(seconds: $0) } ?? ""),
      ("promise_date", promiseDate.map { Timestamp.formatDate(day: $0) } ?? ""),
      ("cutoff_at", cutoffAt.map { Timestamp.format(seconds: $0) } ?? ""),
      ("erp_status", erpStatus), ("wms_status", wmsStatus), ("storefront_status", storefrontStatus),
      ("carrier", carrier), ("tracking", tracking), ("extra", extra),
    ]
  }

  public static let erpStatuses = ["open", "released", "fulfilled", "cancelled"]
  public static let wmsStatuses = ["", "released", "picking", "picked", "packed", "shipped"]
  public static let storefrontStatuses = ["open", "fulfilled", "cancelled"]
  public static let priorities = ["high", "normal", "low"]
}

/// One row of lines.csv. An empty quantity is nil: "not reported yet", not zero.
public struct LineRecord: Sendable, Equatable {
  public var orderID: String
  public var lineNo: Int
  public var sku: String
  public var ordered: Int?
  public var allocated: Int?
  public var picked: Int?
  public var packed: Int?
  public var shipped: Int?

  public init(orderID: String, lineNo: Int, sku: String, ordered: Int? = nil, allocated: Int? = nil,
              picked: Int? = nil, packed: Int? = nil, shipped: Int? = nil) {
    self.orderID = orderID
    self.lineNo = lineNo
    self.sku = sku
    self.ordered = ordered
    self.allocated = allocated
    self.picked = picked
    self.packed = packed
    self.shipped = shipped
  }

  var fields: [(String, String)] {
    func s(_ v: Int?) -> String { v.map(String.init) ?? "" }
    return [
      ("sku", sku), ("qty_ordered", s(ordered)), ("qty_allocated", s(allocated)),
      ("qty_picked", s(picked)), ("qty_packed", s(packed)), ("qty_shipped", s(shipped)),
    ]
  }

  /// The source name of this line in messages and blockers: `lines.csv:SO-1001/4`.
  public var source: String { "lines.csv:\(orderID)/\(lineNo)" }
}

/// One row of inventory.csv: one SKU at one location, as each system counts it.
public struct InventoryRecord: Sendable, Equatable {
  public var sku: String
  public var location: String
  public var wms: Int?
  public var erp: Int?
  public var storefront: Int?
  public var asOf: Int64?

  public init(sku: String, location: String, wms: Int? = nil, erp: Int? = nil, storefront: Int? = nil, asOf: Int64? = nil) {
    self.sku = sku
    self.location = location
    self.wms = wms
    self.erp = erp
    self.storefront = storefront
    self.asOf = asOf
  }

  var fields: [(String, String)] {
    func s(_ v: Int?) -> String { v.map(String.init) ?? "" }
    return [("wms_on_hand", s(wms)), ("erp_on_hand", s(erp)), ("storefront_available", s(storefront))]
  }
}

/// One row of events.csv: a hand-off between systems.
public struct EventRecord: Sendable, Equatable {
  public var eventID: String
  public var at: Int64
  public var type: String
  public var fromSystem = ""
  public var toSystem = ""
  public var ref = ""
  public var qty: Int?
  public var status: String
  public var message = ""
  public var idempotencyKey = ""

  public init(eventID: String, at: Int64, type: String, status: String) {
    self.eventID = eventID
    self.at = at
    self.type = type
    self.status = status
  }

  public var failed: Bool { status != "ok" }
  public var source: String { "events.csv:\(eventID)" }

  public static let types = ["receipt", "shipment", "adjustment", "return", "order_release"]
  public static let statuses = ["ok", "rejected", "error", "duplicate"]
}
