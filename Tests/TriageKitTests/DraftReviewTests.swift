import Foundation
import Testing
import TriageKit

/// The review state machine over a file store: draft → approved / rejected, edits in place or as
/// new versions, superseding, stale drafts, and everything recorded with who and when.
@Suite struct DraftReviewTests {
  /// A file store loaded with day 1, and a way to reopen it (a restart).
  struct Desk {
    let dir: String
    let path: String
    let demo: DemoDrafts

    init() throws {
      dir = DraftPaths.tempDirectory()
      path = dir + "/triage.db"
      demo = try DemoDrafts.shared()
      let store = try Store(path: path)
      _ = try store.ingest(
        try DataFolder(path: try DraftFolders.day1(in: dir)),
        classifier: Classifier(lexicon: demo.lexicon), skipBad: false, clock: 1)
    }

    /// Opens the store afresh, as a new run of the tool would.
    func open() throws -> (Store, DraftReview, DraftComposer, OrderAnalyzer) {
      let store = try Store(path: path)
      let analyzer = OrderAnalyzer(
        store: store, classifier: Classifier(lexicon: demo.lexicon), settings: SiteSettings(),
        now: store.asOf ?? 0)
      let composer = DraftComposer(templates: demo.templates, lexicon: demo.lexicon, store: store)
      return (store, DraftReview(store: store, analyzer: analyzer), composer, analyzer)
    }

    func compose(_ order: String, _ audience: DraftAudience) throws -> Draft {
      let (store, _, composer, analyzer) = try open()
      let o = try #require(try store.order(order))
      return try composer.compose(try analyzer.view(of: o), for: audience)
    }

    func ingestDay2() throws {
      let store = try Store(path: path)
      _ = try store.ingest(
        try DataFolder(path: try DraftFolders.day2(in: dir)),
        classifier: Classifier(lexicon: demo.lexicon), skipBad: false, clock: 2)
    }
  }

  static func expectFailure(
    _ body: () throws -> Void, _ message: String, status: TriageCore.ExitStatus
  ) {
    do {
      try body()
      Issue.record("expected an error containing '\(message)'")
    } catch let e as TriageError {
      #expect(e.status == status)
      #expect(e.description.contains(message), "\(e.description)")
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  @Test func approveFreezesAndEditsMakeNewVersions() throws {
    let desk = try Desk()
    defer { DraftPaths.cleanUp(desk.dir) }
    let draft = try desk.compose("SO-20001", .support)
    var id: Int64 = 0
    do {
      let (_, review, _, _) = try desk.open()
      let d = try review.save(draft, by: "alice", at: 100)
      id = d.id
      #expect(d.status == .draft && d.displayStatus == "draft" && d.version == 1 && !d.isStale)
      #expect(d.text == draft.text)
      #expect(d.statements == draft.statements)
    }
    // Restart: edit in place while it waits.
    do {
      let (_, review, _, _) = try desk.open()
      guard
        case .edited(let d) = try review.edit(
          id, text: draft.text + "\n\nP.S. Thanks!\n", by: "bob", at: 200)
      else {
        Issue.record("expected an edit in place")
        return
      }
      #expect(d.status == .draft && d.edited && d.text.hasSuffix("P.S. Thanks!"))
      guard case .unchanged = try review.edit(id, text: d.text, by: "bob", at: 250) else {
        Issue.record("an unchanged text must record nothing")
        return
      }
    }
    // Restart: approve; a second approval and a rejection are refused.
    do {
      let (_, review, _, _) = try desk.open()
      let d = try review.approve(id, by: "carol", at: 300)
      #expect(d.status == .approved && d.updatedBy == "carol")
      Self.expectFailure(
        { _ = try review.approve(id, by: "carol", at: 310) }, "is approved, not waiting for review",
        status: .failure)
      Self.expectFailure(
        { _ = try review.reject(id, why: "no", by: "dave", at: 320) }, "frozen", status: .failure)
    }
    // Restart: editing the approved draft makes version 2, a draft that names it.
    var v2: Int64 = 0
    do {
      let (_, review, _, _) = try desk.open()
      guard
        case .newVersion(let n, let from) = try review.edit(
          id, text: "Hi Priya, a shorter note.", by: "erin", at: 400)
      else {
        Issue.record("expected a new version")
        return
      }
      v2 = n.id
      #expect(from == id && n.parent == id && n.version == 2 && n.status == .draft && n.edited)
      let original = try review.draft(id)
      #expect(original.status == .approved && original.text.hasSuffix("P.S. Thanks!"))
      // Approving version 2 supersedes version 1.
      _ = try review.approve(v2, by: "carol", at: 500)
      #expect(try review.draft(id).status == .superseded)
      #expect(try review.approved().map(\.id) == [v2])
    }
    // The trail shows every step, with who and when.
    let (_, review, _, _) = try desk.open()
    let trail = try review.trail(id)
    #expect(trail.map(\.action) == ["created", "edited", "approved", "revised", "superseded"])
    #expect(trail.map(\.who) == ["alice", "bob", "carol", "erin", "carol"])
    #expect(trail.map(\.at) == [100, 200, 300, 400, 500])
    #expect(trail[1].text?.hasSuffix("P.S. Thanks!") == true)
    #expect(trail[3].note == "edited as draft \(v2)")
    let trail2 = try review.trail(v2)
    #expect(trail2.map(\.action) == ["created", "approved"])
    #expect(trail2[0].note.contains("new version of approved draft \(id)"))
  }

  @Test func rejectNeedsAReasonAndFreezes() throws {
    let desk = try Desk()
    defer { DraftPaths.cleanUp(desk.dir) }
    let (_, review, _, _) = try desk.open()
    let d = try review.save(try desk.compose("SO-20002", .sales), by: "alice", at: 10)
    Self.expectFailure(
      { _ = try review.reject(d.id, why: "  ", by: "bob", at: 20) }, "needs a reason",
      status: .usage)
    let r = try review.reject(d.id, why: "wrong tone for this account", by: "bob", at: 30)
    #expect(r.status == .rejected)
    Self.expectFailure(
      { _ = try review.approve(d.id, by: "carol", at: 40) }, "is rejected", status: .failure)
    #expect(try review.trail(d.id).last?.note == "wrong tone for this account")
    guard
      case .newVersion(let n, _) = try review.edit(d.id, text: "A better brief.", by: "bob", at: 50)
    else {
      Issue.record("a rejected draft is frozen: its edit is a new version")
      return
    }
    #expect(n.status == .draft && n.version == 2)
    #expect(try review.list(status: "rejected").map(\.id) == [d.id])
    Self.expectFailure({ _ = try review.draft(999) }, "no draft 999", status: .usage)
    Self.expectFailure(
      { _ = try review.list(status: "aproved") }, "did you mean 'approved'?", status: .usage)
  }

  @Test func draftsGoStaleWhenTheOrderMovesOn() throws {
    let desk = try Desk()
    defer { DraftPaths.cleanUp(desk.dir) }
    let first = try desk.compose("SO-20001", .support)
    #expect(first.fingerprint.blockers == ["short_pick"])
    let (_, review, _, _) = try desk.open()
    let a = try review.save(first, by: "alice", at: 10)
    let b = try review.save(try desk.compose("SO-20001", .sales), by: "alice", at: 11)
    let c = try review.save(try desk.compose("SO-20002", .support), by: "alice", at: 12)
    _ = try review.approve(b.id, by: "carol", at: 13)
    #expect(try review.list(status: "stale").isEmpty)

    // Day 2: the short pick is closed (SO-20001), a payment hold opens (SO-20002).
    try desk.ingestDay2()
    let (_, later, _, _) = try desk.open()
    let stale = try later.list(status: "stale")
    #expect(Set(stale.map(\.id)) == [a.id, c.id])
    let sa = try later.draft(a.id)
    #expect(sa.displayStatus == "stale")
    #expect(
      sa.staleBecause?.contains("blockers cleared: short_pick") == true, "\(sa.staleBecause ?? "")")
    #expect(try later.draft(c.id).staleBecause?.contains("payment_hold") == true)
    // An approved draft stays approved, and says it is stale.
    let sb = try later.draft(b.id)
    #expect(sb.displayStatus == "approved" && sb.isStale)
    #expect(try later.list(status: "draft").isEmpty)

    Self.expectFailure(
      { _ = try later.approve(a.id, by: "carol", at: 20) }, "is stale", status: .failure)
    let forced = try later.approve(a.id, by: "carol", at: 21, force: true)
    #expect(forced.status == .approved)
    #expect(try later.trail(a.id).last?.note.contains("approved while stale") == true)

    // A fresh draft of the same order is not stale.
    let fresh = try later.save(try desk.compose("SO-20001", .support), by: "alice", at: 30)
    #expect(!fresh.isStale && fresh.version == 2)
  }
}
