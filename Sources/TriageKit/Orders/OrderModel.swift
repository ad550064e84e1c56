import TriageCore

/// Where an order is (DATA.md's `why` states).
public enum OrderState: String, Sendable, CaseIterable, Hashable {
  case released, pickable, picked, packed, held, short, substituted, delayed
  case readyForCarrier = "ready_for_carrier"
  case shipped, cancelled
}

/// Whether the customer promise holds (DATA.md's `why` promise values).
public enum PromiseStatus: String, Sendable, CaseIterable, Hashable {
  case safe
  case atRisk = "at_risk"
  case needsCommunication = "needs_communication"
  case missed, kept

  /// Most urgent first: the order `risk` and `blocked` list them in.
  public var urgency: Int {
    switch self {
    case .missed: 0
    case .needsCommunication: 1
    case .atRisk: 2
    case .safe: 3
    case .kept: 4
    }
  }
}

/// One piece of evidence behind a blocker: a note's matched terms, or a data record's facts.
public struct BlockerEvidence: Sendable, Equatable {
  /// A note id or a data record (`lines.csv:SO-1001/4`, `events.csv:ev-77`, `inventory.csv:88213`).
  public var source: String
  /// What it says, for people: "'short pick' 3.0", "picked 2 of 6".
  public var detail: String
  /// The lexicon terms that matched, for note evidence.
  public var terms: [Evidence]
  public var at: Int64?
  public var status: ReasonStatus
}

/// A reason an order is blocked (or was, when resolved), joined from notes and data.
public struct Blocker: Sendable, Equatable {
  public var code: String
  public var owner: String
  public var label: String
  public var effect: BlockerEffect
  public var tellCustomer: Bool
  public var status: ReasonStatus
  public var evidence: [BlockerEvidence]
  /// Note ids and data records behind it, in the order they were seen.
  public var sources: [String]
  public var firstSeen: Int64?
  public var lastSeen: Int64?
  /// The taxonomy position of the code, for stable ordering.
  public var codeIndex: Int

  public var isOpen: Bool { status == .open }
}

/// A finding of the reconciliation rules: a blocker the data itself shows.
public struct DataFinding: Sendable, Equatable {
  public var code: String
  public var status: ReasonStatus
  public var source: String
  public var detail: String
  /// When the data showed it (the data's as_of for a current finding; the ingest that closed it
  /// for a resolved one).
  public var at: Int64?
}

/// Everything `why` knows about one order.
public struct OrderView: Sendable {
  public var order: OrderRecord
  public var lines: [LineRecord]
  public var notes: [StoredNote]
  /// Each note's classification, in `notes` order.
  public var classifications: [Classification]
  public var blockers: [Blocker]
  public var state: OrderState
  public var stateReason: String
  public var promise: PromiseStatus
  public var promiseReason: String
  public var now: Int64

  public var openBlockers: [Blocker] { blockers.filter(\.isOpen) }

  /// Seconds until the cutoff (negative when it has passed), when the order has one.
  public var secondsToCutoff: Int64? { order.cutoffAt.map { $0 - now } }
}
