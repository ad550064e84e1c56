import Foundation
import TriageCore

/// The review workflow of drafts kept in a store, with an audit trail of who did what and when.
///
/// ```
///            edit (in place)
///              ┌──┐
///   save ──► draft ──approve──► approved ──(another approval)──► superseded
///              │                   │
///              └──reject──► rejected
///   edit of approved / rejected / superseded ──► a new version, as a draft
/// ```
///
/// A draft is *stale* when its order's promise status or open blockers differ from when it was
/// composed; a stale draft is shown as `stale`, and is approved only with `force` (it may say
/// something no longer true). Every step that happens is in the trail with who and when; a
/// refused step changes nothing and records nothing.
public struct DraftReview {
  public let store: Store
  /// The order's fingerprint now; nil when the order is not in the store any more.
  public let current: (String) throws(TriageError) -> OrderFingerprint?

  public init(store: Store, current: @escaping (String) throws(TriageError) -> OrderFingerprint?) {
    self.store = store
    self.current = current
  }

  /// Checks staleness with an analyzer over the same store.
  public init(store: Store, analyzer: OrderAnalyzer) {
    self.init(store: store) { (id: String) throws(TriageError) -> OrderFingerprint? in
      guard let o = try store.order(id) else { return nil }
      return OrderFingerprint(try analyzer.view(of: o))
    }
  }

  /// Keeps a composed draft for review; its status is `draft`.
  public func save(_ d: Draft, by: String, at: Int64) throws(TriageError) -> StoredDraft {
    let id = try store.db.transaction { () throws(TriageError) -> Int64 in
      let version = try store.latestVersion(order: d.orderID, audience: d.audience) + 1
      return try store.insertDraft(
        d, text: d.text, version: version, parent: nil, edited: false, by: by, at: at, note: "")
    }
    return try draft(id)
  }

  /// A draft with its staleness checked.
  public func draft(_ id: Int64) throws(TriageError) -> StoredDraft {
    guard let d = try store.storedDraft(id: id) else {
      throw .usage("no draft \(id)\(try hint())")
    }
    var cache: [String: OrderFingerprint?] = [:]
    return try checked(d, &cache)
  }

  /// Drafts, newest first. `status` may be a stored status or `stale` (drafts waiting for review
  /// whose order moved on).
  public func list(status: String? = nil, order: String? = nil) throws(TriageError) -> [StoredDraft]
  {
    let stored: DraftStatus?
    if let status, status != "stale" {
      guard let s = DraftStatus(rawValue: status) else {
        let names = DraftStatus.allCases.map(\.rawValue) + ["stale"]
        throw .usage(
          "unknown draft status '\(status)'\(Suggest.didYouMean(status, in: names)); expected \(names.joined(separator: ", "))"
        )
      }
      stored = s
    } else {
      stored = status == "stale" ? .draft : nil
    }
    var cache: [String: OrderFingerprint?] = [:]
    var out: [StoredDraft] = []
    for d in try store.storedDrafts(status: stored, order: order) {
      let c = try checked(d, &cache)
      if status == "stale" && !c.isStale { continue }
      if status == "draft" && c.isStale { continue }
      out.append(c)
    }
    return out
  }

  /// Approved drafts (the ones that may be exported), oldest first.
  public func approved() throws(TriageError) -> [StoredDraft] {
    try list(status: DraftStatus.approved.rawValue).reversed()
  }

  /// Approves a draft. Refuses one that is not waiting for review, and a stale one unless
  /// `force`. An earlier approved draft of the same order and audience becomes `superseded`.
  public func approve(_ id: Int64, by: String, at: Int64, force: Bool = false, note: String = "")
    throws(TriageError)
    -> StoredDraft
  {
    let d = try draft(id)
    guard d.status == .draft else {
      throw .failure(
        "draft \(id) is \(d.status.rawValue), not waiting for review; only a draft can be approved")
    }
    if let why = d.staleBecause, !force {
      throw .failure(
        "draft \(id) is stale: the order changed since it was written (\(why)); write a new one with 'triage draft \(d.orderID) --for \(d.audience.rawValue)', or approve anyway with --force"
      )
    }
    try store.db.transaction { () throws(TriageError) in
      for other in try store.storedDrafts(status: .approved, order: d.orderID)
      where other.audience == d.audience && other.id != id {
        try store.updateDraft(other.id, status: .superseded, by: by, at: at)
        try store.addDraftAudit(
          other.id, at: at, who: by, action: "superseded", from: "approved", to: "superseded",
          note: "by draft \(id)", text: nil)
      }
      try store.updateDraft(id, status: .approved, by: by, at: at)
      let stale = d.staleBecause.map { "approved while stale (\($0))" }
      try store.addDraftAudit(
        id, at: at, who: by, action: "approved", from: "draft", to: "approved",
        note: [note, stale ?? ""].filter { !$0.isEmpty }.joined(separator: "; "), text: nil)
    }
    return try draft(id)
  }

  /// Rejects a draft waiting for review, with a reason.
  public func reject(_ id: Int64, why: String, by: String, at: Int64) throws(TriageError)
    -> StoredDraft
  {
    let reason = why.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !reason.isEmpty else { throw .usage("a rejection needs a reason: --why \"...\"") }
    let d = try draft(id)
    guard d.status == .draft else {
      let hint =
        d.status == .approved ? "; approved drafts are frozen (edit it to make a new version)" : ""
      throw .failure("draft \(id) is \(d.status.rawValue), not waiting for review\(hint)")
    }
    try store.db.transaction { () throws(TriageError) in
      try store.updateDraft(id, status: .rejected, by: by, at: at)
      try store.addDraftAudit(
        id, at: at, who: by, action: "rejected", from: "draft", to: "rejected", note: reason,
        text: nil)
    }
    return try draft(id)
  }

  /// What an edit did.
  public enum EditOutcome: Sendable, Equatable {
    /// The draft's text was changed in place.
    case edited(StoredDraft)
    /// The draft was frozen; the edit is a new version (a draft) made from it.
    case newVersion(StoredDraft, from: Int64)
    /// The text was the same: nothing was recorded.
    case unchanged(StoredDraft)
  }

  /// Edits a draft's text: in place while it waits for review; as a new version when it is frozen
  /// (approved, rejected or superseded). The sources stay those of the composed draft.
  public func edit(_ id: Int64, text newText: String, by: String, at: Int64) throws(TriageError)
    -> EditOutcome
  {
    let text = DraftReview.normalize(newText)
    guard !text.isEmpty else { throw .usage("the edited text is empty; nothing was saved") }
    let d = try draft(id)
    if text == d.text { return .unchanged(d) }
    if d.status == .draft {
      try store.db.transaction { () throws(TriageError) in
        try store.updateDraft(id, status: .draft, text: text, by: by, at: at)
        try store.addDraftAudit(
          id, at: at, who: by, action: "edited", from: "draft", to: "draft", note: "", text: text)
      }
      return .edited(try draft(id))
    }
    let newID = try store.db.transaction { () throws(TriageError) -> Int64 in
      let composed = Draft(
        orderID: d.orderID, audience: d.audience, statements: d.statements,
        fingerprint: d.fingerprint,
        composedFor: d.composedFor)
      let version = try store.latestVersion(order: d.orderID, audience: d.audience) + 1
      let n = try store.insertDraft(
        composed, text: text, version: version, parent: id, edited: true, by: by, at: at,
        note: "new version of \(d.status.rawValue) draft \(id)")
      try store.addDraftAudit(
        id, at: at, who: by, action: "revised", from: d.status.rawValue, to: d.status.rawValue,
        note: "edited as draft \(n)", text: nil)
      return n
    }
    return .newVersion(try draft(newID), from: id)
  }

  /// The review trail of a draft, oldest first.
  public func trail(_ id: Int64) throws(TriageError) -> [DraftAuditEntry] {
    _ = try draft(id)
    return try store.draftTrail(id: id)
  }

  /// Trailing spaces and blank lines at the ends removed, CRLF as LF: an editor's noise.
  public static func normalize(_ text: String) -> String {
    let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(
      separator: "\n", omittingEmptySubsequences: false
    )
    .map { line -> Substring in
      var l = line
      while l.last == " " || l.last == "\t" { l = l.dropLast() }
      return l
    }
    return lines.joined(separator: "\n").trimmingCharacters(in: .newlines)
  }

  func checked(_ d: StoredDraft, _ cache: inout [String: OrderFingerprint?]) throws(TriageError)
    -> StoredDraft
  {
    var d = d
    let now: OrderFingerprint?
    if let c = cache[d.orderID] {
      now = c
    } else {
      now = try current(d.orderID)
      cache[d.orderID] = now
    }
    if let now {
      d.staleBecause = d.fingerprint.changes(to: now)
    } else {
      d.staleBecause = "the order is no longer in the data"
    }
    return d
  }

  func hint() throws(TriageError) -> String {
    let n = try store.storedDrafts().count
    return n == 0
      ? "; the store has no drafts yet (write one with 'triage draft ORDER --for support')"
      : "; see 'triage drafts'"
  }
}
