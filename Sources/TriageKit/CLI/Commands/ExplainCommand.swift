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
      "triage explain n-1042 --data Corpus/demo",
    ])

  /// Looks a note id up in the loaded data; registered by the orders layer.
  nonisolated(unsafe) static var noteLookup: (@Sendable (String, Context) throws(TriageError) -> String?)?

  static let command = Command(spec) { args, ctx throws(TriageError) in
    let classifier = try ctx.classifier()
    var text = args.positionals.joined(separator: " ")
    if args.positionals.count == 1, let lookup = noteLookup, let stored = try lookup(text, ctx) {
      text = stored
    }
    ctx.out.write(classifier.explain(text))
  }
}
