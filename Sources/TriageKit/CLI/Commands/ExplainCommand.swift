import TriageCore

/// `triage explain TEXT` (and, with a store, `explain NOTE_ID`): how a note was classified.
enum ExplainCommand {
  static let spec = CommandSpec(
    "explain", abstract: "Show how a note is classified: every entry, cue, score and tie.",
    discussion: """
      Prints the note's tokens (with shorthand, inflections and typo variants resolved), every \
      lexicon entry and cue found with its weight, span and outcome (counted, negated, resolved, \
      inside a longer match, condition failed), each code's score against its threshold, and how \
      ties were broken. Give the note's text, or the id of a stored note.
      """,
    arguments: [ArgumentSpec("NOTE", help: "A note id in the loaded data, or the text of a note.", variadic: true)],
    examples: [
      "triage explain \"short pick B-14-02, picked 2 of 6\"",
      "triage explain wms-41371 --data Corpus/demo",
    ])

  static let command = Command(spec) { args, ctx throws(TriageError) in
    let classifier = try ctx.classifier()
    var text = args.positionals.joined(separator: " ")
    if args.positionals.count == 1, let note = storedNote(text, ctx) {
      let order = note.orderID.isEmpty ? "" : ", order \(note.orderID)"
      let author = note.author.isEmpty ? "" : " by \(note.author)"
      ctx.out.line(
        "note id  \(SafeText.escape(note.noteID)): \(SafeText.escape(note.source)) note, \(Timestamp.format(seconds: note.createdAt))\(SafeText.escape(author + order))"
      )
      text = note.text
    }
    ctx.out.write(classifier.explain(text))
  }

  /// The stored note a one-word argument names, when there is data to look in (a one-word
  /// note that is no note id is still explained as text).
  static func storedNote(_ word: String, _ ctx: Context) -> StoredNote? {
    guard !word.isEmpty, !word.contains(where: \.isWhitespace), let store = try? ctx.store() else {
      return nil
    }
    return try? store.note(id: word)
  }
}
