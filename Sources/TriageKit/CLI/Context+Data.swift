import Foundation
import TriageCore

extension Context {
  /// The store commands answer from, opened once per context:
  /// `--db FILE`; else `--data DIR` read into memory; else `$TRIAGE_DATA` (or the demo folder
  /// that bin/triage names in `$TRIAGE_DEMO`); else the default store when it exists.
  public func store() throws(TriageError) -> Store {
    // A data folder is classified as it is read: with other lexicons than last time (a
    // session line with --lexicons), it is read again.
    if databasePath == nil, cachedStore != nil { _ = try? lexicon() }
    if let cached = cachedStore { return cached }
    let store: Store
    if let db = databasePath {
      let path = resolve(db)
      store = try Store(path: path)
    } else if let folder = dataFolder ?? environment["TRIAGE_DATA"].flatMap({ $0.isEmpty ? nil : $0 }) {
      store = try loadFolder(resolve(folder))
    } else if let demo = environment["TRIAGE_DEMO"], !demo.isEmpty {
      store = try loadFolder(resolve(demo))
    } else {
      let path = Store.defaultPath(environment: environment)
      guard FileManager.default.fileExists(atPath: path) else {
        throw TriageError(
          .usage,
          "no data to answer from: pass --data DIR (a folder of exports), --db FILE (a store made by 'triage ingest'), or ingest into the default store \(path)")
      }
      store = try Store(path: path)
    }
    cachedStore = store
    return store
  }

  /// Reads a data folder into a fresh in-memory store.
  func loadFolder(_ path: String) throws(TriageError) -> Store {
    let folder = try DataFolder(path: path)
    let store = try Store(path: ":memory:")
    let report = try store.ingest(folder, classifier: try classifier(), skipBad: false, clock: clock())
    loadedFolderReport = report
    return store
  }

  /// The time to answer for: `--now` or `set now`, else the data's as_of, else the clock.
  public func now() throws(TriageError) -> Int64 {
    if let nowOverride { return nowOverride }
    if let asOf = try store().asOf { return asOf }
    return clock()
  }

  public func clock() -> Int64 { Int64(Date().timeIntervalSince1970) }

  /// The site settings from the lexicon directory's settings.txt.
  public func settings() throws(TriageError) -> SiteSettings {
    if let cachedSettings { return cachedSettings }
    let s = try SiteSettings.load(directory: try findLexiconDirectory())
    cachedSettings = s
    return s
  }

  public func analyzer() throws(TriageError) -> OrderAnalyzer {
    OrderAnalyzer(store: try store(), classifier: try classifier(), settings: try settings(), now: try now())
  }

  /// Finds an order by id or reference, or explains with "did you mean".
  public func order(_ id: String) throws(TriageError) -> OrderRecord {
    let store = try store()
    if let o = try store.order(id) { return o }
    // "#10023" or "10023" for "SO-10023".
    let digits = id.filter(\.isNumber)
    if !digits.isEmpty, let prefix = try? lexicon().identifiers.orderPrefix,
      let o = try store.order(prefix + digits)
    {
      return o
    }
    let ids = try store.orderIDs()
    throw TriageError(
      .usage, "unknown order '\(SafeText.escape(id))'\(Suggest.didYouMean(id.uppercased(), in: ids))")
  }

  /// Drops the cached store (after `load`, `open` or a lexicon change in a data-folder session).
  public func dropStore() {
    cachedStore = nil
  }
}
