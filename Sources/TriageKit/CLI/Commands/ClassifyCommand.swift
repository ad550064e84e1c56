import Dispatch
import Foundation
import TriageCore

/// `triage classify [FILE|-]`: classify notes in batch.
enum ClassifyCommand {
  static let spec = CommandSpec(
    "classify", abstract: "Classify notes into reason codes, with evidence.",
    discussion: """
      Reads notes from FILE (notes.csv, JSON Lines or plain text, one note a line; '-' or no \
      FILE for standard input) and writes one JSON object a note (DATA.md), in input order. \
      The work is split across cores (--jobs) and streamed, so memory does not grow with the \
      input. Given text that is not a file ("short pick at B-14-02"), classifies that text and \
      shows its evidence.
      """,
    arguments: [ArgumentSpec("FILE", help: "Notes to classify: a path, '-' for standard input, or a note's text.", optional: true, variadic: true)],
    options: [
      OptionSpec(
        "--format", value: "FORMAT",
        help: "Output format (default jsonl); 'none' classifies and writes nothing (for timing).",
        choices: ["jsonl", "tsv", "table", "none"]),
      OptionSpec("--input", value: "FORMAT", help: "Input format (default: from the extension or the first line).", choices: ["csv", "jsonl", "lines"]),
      .flag("--explain", "Also show every entry that fired, with its weight and outcome."),
      OptionSpec("--jobs", short: "j", value: "N", help: "Worker threads (default: the number of cores)."),
      OptionSpec("--max-note-bytes", value: "N", help: "Match only the first N bytes of longer notes, with a warning (default 1048576)."),
      .flag("--skip-bad", "Report and skip bad rows (written to FILE.rejects), instead of stopping."),
      .flag("--force", "Replace an existing rejects file."),
      OptionSpec("--text", value: "TEXT", help: "Classify this text instead of a file."),
    ],
    examples: [
      "triage classify Corpus/demo/notes.csv > classified.jsonl",
      "triage classify notes.jsonl --format tsv",
      "cat notes.txt | triage classify --input lines --format table --explain",
      "triage classify --text \"short pick at B-14-02, picked 2 of 6\"",
    ])

  static let command = Command(spec) { args, ctx throws(TriageError) in
    var classifier = try ctx.classifier()
    if let limit = args.value("--max-note-bytes") {
      guard let n = Int(limit), n >= 64 else {
        throw .usage("--max-note-bytes expects a number of bytes (at least 64), found '\(limit)'")
      }
      classifier.maxNoteBytes = n
    }
    let format = args.value("--format") ?? "jsonl"
    let textFormat = args.value("--format") ?? "table"
    // A single argument that is not a file and reads like text: classify the text itself.
    var text = args.value("--text")
    if text == nil, !args.positionals.isEmpty, args.positionals != ["-"] {
      let joined = args.positionals.joined(separator: " ")
      let path = ctx.resolve(args.positionals[0])
      if args.positionals.count > 1 || (!FileManager.default.fileExists(atPath: path) && joined.contains(" ")) {
        text = joined
      }
    }
    if let text {
      try classifyText(text, classifier, format: textFormat, explain: args.has("--explain"), ctx)
      return
    }
    let path = args.positionals.first.map { $0 == "-" ? "-" : ctx.resolve($0) } ?? "-"
    let jobs = try args.int("--jobs", default: ProcessInfo.processInfo.activeProcessorCount, range: 1...256)
    var rejects = RejectsFile(path: path == "-" ? nil : path + ".rejects", enabled: args.has("--skip-bad"), force: args.has("--force"), ctx: ctx)
    try rejects.prepare()
    var reader = try NoteBatchReader(path: path, format: args.value("--input").flatMap(NoteFormat.init))
    if args.has("--skip-bad") { reader.onReject = { rejects.add($0) } }
    let runner = BatchClassifier(classifier: classifier, jobs: jobs, format: format, explain: args.has("--explain"), width: ctx.terminalWidth)
    var truncated = 0
    try runner.run(&reader, out: ctx.out, truncated: &truncated)
    if truncated > 0 {
      ctx.warn(.warning("\(truncated) note(s) longer than \(classifier.maxNoteBytes) bytes were matched on their first \(classifier.maxNoteBytes) bytes only (--max-note-bytes)", at: SourceLocation(file: reader.name)))
    }
    if reader.notesRead == 0 && rejects.rows.isEmpty {
      ctx.warn(.warning(reader.format == .csv ? "no notes: the file has a header row but no records" : "no notes: the input is empty", at: SourceLocation(file: reader.name)))
    }
    try rejects.finish(read: reader.notesRead)
  }

  static func classifyText(_ text: String, _ classifier: Classifier, format: String, explain: Bool, _ ctx: Context) throws(TriageError) {
    var scratch = ClassifierScratch()
    var copy = text
    copy.withUTF8 { p in
      classifier.classify(p, into: &scratch)
      switch format {
      case "jsonl":
        var w = JSONWriter()
        let id: [UInt8] = Array("text".utf8)
        id.withUnsafeBufferPointer { idp in
          classifier.writeJSON(id: idp, source: UnsafeBufferPointer(start: nil, count: 0), text: p, scratch: scratch, explain: explain, into: &w)
        }
        w.withBytes { ctx.out.write(bytes: $0) }
      case "tsv":
        ctx.out.write(tsvLine(classifier, scratch, id: "text"))
      default:
        if explain {
          ctx.out.write(classifier.explanation(of: scratch, text: p))
        } else {
          let c = classifier.classification(from: scratch, text: p)
          ctx.out.write(ReasonTable.render(c, classifier: classifier, ctx: ctx))
        }
      }
    }
  }

  static func tsvLine(_ classifier: Classifier, _ s: ClassifierScratch, id: String) -> String {
    let codes = s.reasons.map { classifier.lexicon.codes[Int($0.code)].code + ($0.resolved ? "/resolved" : "") }
    let top = s.reasons.first.map { Weight.format($0.score) } ?? "0.0"
    return "\(tsvCell(id))\t\(codes.isEmpty ? "none" : codes.joined(separator: ","))\t\(top)\n"
  }

  /// An id as a TSV cell for spreadsheets and terminals: tabs, line ends and escape sequences
  /// (which would split the row or reach the terminal) are shown as visible escapes (`\t`,
  /// `\e`), and a cell that would run as a formula gets a leading apostrophe.
  static func tsvCell(_ id: String) -> String {
    DraftExport.guardFormula(SafeText.escape(id))
  }
}

/// The reasons of one note as a table for people.
enum ReasonTable {
  static func render(_ c: Classification, classifier: Classifier, ctx: Context) -> String {
    if c.reasons.isEmpty {
      return "no blocker found (no lexicon entry reached its code's threshold); see 'triage explain' for the details\n"
    }
    var table = Table([
      .init("reason"), .init("status"), .init("score", alignRight: true), .init("owner"),
      .init("evidence", flexible: true, minWidth: 16),
    ])
    for r in c.reasons {
      let code = classifier.lexicon.codes[r.codeIndex]
      let ev = r.evidence.map { e in
        "'\(e.term)' \(Weight.format(e.weight)) [\(e.span.lowerBound),\(e.span.upperBound))"
          + (e.resolvedBy.map { " resolved by '\($0)'" } ?? "")
      }.joined(separator: "; ")
      table.add([code.code, r.status.rawValue, Weight.format(r.score), code.owner, ev], style: r.status == .open ? .yellow : .green)
    }
    var out = table.render(width: ctx.terminalWidth, color: ctx.useColor)
    var refs: [String] = []
    if !c.orderRefs.isEmpty { refs.append("orders " + c.orderRefs.joined(separator: ", ")) }
    if !c.skus.isEmpty { refs.append("SKUs " + c.skus.joined(separator: ", ")) }
    if !c.locations.isEmpty { refs.append("locations " + c.locations.joined(separator: ", ")) }
    if !refs.isEmpty { out += SafeText.escape(refs.joined(separator: "; ")) + "\n" }
    return out
  }
}

/// Classifies batches across threads and writes the results in input order.
///
/// Reads `jobs × 2` batches at a time, classifies them concurrently (one scratch and one output
/// buffer per batch slot), then writes them in order. Memory is bounded by the batches in flight.
struct BatchClassifier {
  let classifier: Classifier
  let jobs: Int
  let format: String
  let explain: Bool
  let width: Int?
  static let batchSize = 2048

  func run(_ reader: inout NoteBatchReader, out: OutputStream, truncated: inout Int) throws(TriageError) {
    if format == "tsv" { out.write("id\tcodes\ttop_score\n") }
    if format == "table" {
      // For people: a table of every note (not streamed, since column widths need all rows).
      var batch = NoteBatch()
      var scratch = ClassifierScratch()
      var table = Table([
        .init("id"), .init("reasons", flexible: true, minWidth: 12),
        .init(explain ? "evidence" : "text", flexible: true, truncate: !explain, minWidth: 16),
      ])
      while try reader.next(into: &batch, maxNotes: BatchClassifier.batchSize) {
        for r in batch.records {
          batch.withField(r.text) { text in
            classifier.classify(text, into: &scratch)
            let reasons = scratch.reasons.map { "\(classifier.lexicon.codes[Int($0.code)].code)\($0.resolved ? " (resolved)" : "") \(Weight.format($0.score))" }
            var third = String(decoding: text, as: UTF8.self)
            if explain {
              let c = classifier.classification(from: scratch, text: text)
              third = c.reasons.flatMap { r in r.evidence.map { "\(r.code): '\($0.term)' \(Weight.format($0.weight))" } }.joined(separator: "\n")
            }
            table.add([batch.string(r.id), reasons.isEmpty ? "none" : reasons.joined(separator: "\n"), third])
          }
        }
      }
      truncated += scratch.takeTruncatedCount()
      out.write(table.render(width: width))
      return
    }
    let slots = max(1, jobs) * 2
    let batches = BatchSlots(count: slots)
    let outputs = OutputSlots(count: slots)
    let scratches = ScratchPool(count: slots)
    let (model, outputFormat, withMatches) = (self.classifier, self.format, self.explain)
    let work: @Sendable (Int) -> Void = { i in
      outputs.withWriter(i) { w in
        scratches.with(i) { s in
          batches.with(i) { batch in BatchClassifier.classify(batch, model, outputFormat, withMatches, &s, &w) }
        }
      }
    }
    func write(_ i: Int) {
      outputs.withWriter(i) { w in
        w.withBytes { out.write(bytes: $0) }
        w.removeAll()
      }
      truncated += scratches.takeTruncated(i)
    }
    if jobs <= 1 {
      // One core: read, classify, write, batch after batch.
      while try batches.with(0, { (b) throws(TriageError) in try reader.next(into: &b, maxNotes: BatchClassifier.batchSize) }) {
        work(0)
        write(0)
        try out.check()
      }
      return
    }
    // Several cores, pipelined: this thread reads batch k while workers classify the batches
    // before it, and writes finished batches in input order. At most `slots` batches are in
    // flight, so memory stays bounded however long the input.
    let queue = DispatchQueue(label: "triage.classify", attributes: .concurrent)
    let workers = DispatchSemaphore(value: jobs)
    let finished = (0..<slots).map { _ in DispatchSemaphore(value: 0) }
    var inFlight: [Int] = []  // slots, oldest first
    var next = 0
    defer {
      // On an error, let the workers finish before their buffers go away.
      for i in inFlight { finished[i].wait() }
    }
    while true {
      if inFlight.count == slots {
        let oldest = inFlight.removeFirst()
        finished[oldest].wait()
        write(oldest)
        try out.check()
      }
      let slot = next
      guard try batches.with(slot, { (b) throws(TriageError) in try reader.next(into: &b, maxNotes: BatchClassifier.batchSize) })
      else { break }
      next = (next + 1) % slots
      inFlight.append(slot)
      workers.wait()
      queue.async {
        work(slot)
        workers.signal()
        finished[slot].signal()
      }
    }
    while !inFlight.isEmpty {
      let oldest = inFlight.removeFirst()
      finished[oldest].wait()
      write(oldest)
    }
  }

  static func classify(
    _ batch: NoteBatch, _ classifier: Classifier, _ format: String, _ explain: Bool,
    _ s: inout ScratchPool.Slot, _ w: inout JSONWriter
  ) {
    // Compared once a batch, not once a note (two string comparisons a note were 44
    // instructions).
    let (none, tsv) = (format == "none", format == "tsv")
    // The scratch (a class) in a local: read through `s` it was retained and released a note.
    var scratch = s.scratch
    batch.bytes.withUnsafeBufferPointer { all in
      for r in batch.records {
        let text = UnsafeBufferPointer(rebasing: all[Int(r.text.lowerBound)..<Int(r.text.upperBound)])
        classifier.classify(text, into: &scratch)
        let id = UnsafeBufferPointer(rebasing: all[Int(r.id.lowerBound)..<Int(r.id.upperBound)])
        if none {
          continue
        } else if tsv {
          w.append(ClassifyCommand.tsvLine(classifier, scratch, id: String(decoding: id, as: UTF8.self)))
        } else {
          let source = UnsafeBufferPointer(rebasing: all[Int(r.source.lowerBound)..<Int(r.source.upperBound)])
          let order = UnsafeBufferPointer(rebasing: all[Int(r.orderID.lowerBound)..<Int(r.orderID.upperBound)])
          classifier.writeJSON(
            id: id, source: source, text: text, scratch: scratch, explain: explain, orderID: order, into: &w)
        }
      }
    }
    s.truncated += scratch.takeTruncatedCount()
  }
}

/// Per-slot note batches shared with worker threads: the reading thread fills a slot, then one
/// worker classifies it; never both at once.
final class BatchSlots: @unchecked Sendable {
  private var batches: [NoteBatch]

  init(count: Int) { batches = (0..<count).map { _ in NoteBatch() } }

  func with<R, E: Error>(_ i: Int, _ body: (inout NoteBatch) throws(E) -> R) throws(E) -> R {
    try body(&batches[i])
  }
}

/// Per-slot output buffers shared with worker threads; each slot is touched by one thread at a
/// time (the batch loop hands slot i to exactly one worker).
final class OutputSlots: @unchecked Sendable {
  private var writers: [JSONWriter]

  init(count: Int) { writers = (0..<count).map { _ in JSONWriter(capacity: 1 << 18) } }

  func withWriter<R>(_ i: Int, _ body: (inout JSONWriter) -> R) -> R { body(&writers[i]) }
}

/// Per-slot classifier scratch buffers, reused across batches.
final class ScratchPool: @unchecked Sendable {
  struct Slot {
    var scratch = ClassifierScratch()
    var truncated = 0
  }
  private var slots: [Slot]

  init(count: Int) { slots = (0..<count).map { _ in Slot() } }

  func with<R>(_ i: Int, _ body: (inout Slot) -> R) -> R { body(&slots[i]) }

  func takeTruncated(_ i: Int) -> Int {
    let n = slots[i].truncated
    slots[i].truncated = 0
    return n
  }
}

/// The rejects file of a `--skip-bad` run: bad rows written beside the input, counted, reported.
struct RejectsFile {
  let path: String?
  let enabled: Bool
  let force: Bool
  let ctx: Context
  private(set) var rows: [Rejection] = []

  init(path: String?, enabled: Bool, force: Bool, ctx: Context) {
    self.path = path
    self.enabled = enabled
    self.force = force
    self.ctx = ctx
  }

  /// Refuses to start when the rejects file exists and --force was not given (nothing is
  /// overwritten silently).
  func prepare() throws(TriageError) {
    guard enabled, let path, !force else { return }
    if FileManager.default.fileExists(atPath: path) {
      throw TriageError(.cannotCreate, "'\(path)' already exists; pass --force to replace it")
    }
  }

  mutating func add(_ r: Rejection) {
    rows.append(r)
    ctx.warn(Diagnostic(.warning, "skipped: " + r.diagnostic.message, at: r.diagnostic.location))
  }

  func finish(read: Int) throws(TriageError) {
    guard enabled else { return }
    if rows.isEmpty {
      ctx.err.line("triage: \(read) note(s) read, none rejected")
      return
    }
    var bytes: [UInt8] = []
    for r in rows {
      bytes += Array("# \(r.diagnostic)\n".utf8)
      bytes += r.raw
      if r.raw.last != ASCII.lf { bytes.append(ASCII.lf) }
    }
    if let path { try AtomicFile.write(bytes, to: path, overwrite: force) }
    ctx.err.line("triage: \(read) note(s) read, \(rows.count) rejected\(path.map { " (written to \($0))" } ?? "")")
  }
}
