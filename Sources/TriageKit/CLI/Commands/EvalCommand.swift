import TriageCore

/// `triage eval GOLD.tsv`: scores the classifier against a labelled file.
enum EvalCommand {
  static let spec = CommandSpec(
    "eval", abstract: "Score the classifier against a labelled gold file.",
    discussion: """
      Classifies every note of GOLD (a TSV with columns id, source, text, labels) and prints \
      precision, recall and F1 per reason code, micro and macro averages, how often a resolved \
      label got the resolved status, the false-positive rate on 'none' notes, which codes are \
      mistaken for which, the lexicon entries that fire most often on wrong answers, and the \
      notes it got wrong with the evidence that misled it.
      """,
    arguments: [ArgumentSpec("GOLD", help: "A gold TSV file (see Corpus/gold/GUIDELINES.md).")],
    options: [
      .flag("--json", "Print one JSON object with micro, macro, per_code and the misses."),
      OptionSpec("--misses", value: "N", help: "How many wrong notes to list (default 40; 0 for none)."),
      OptionSpec("--fail-under", value: "F1", help: "Exit 1 when micro-F1 is below this (for CI)."),
    ],
    examples: [
      "triage eval Corpus/gold/dev.tsv",
      "triage eval Corpus/gold/holdout.tsv --misses 0",
      "triage eval Corpus/gold/dev.tsv --json | jq .micro",
    ])

  static let command = Command(spec) { args, ctx throws(TriageError) in
    let classifier = try ctx.classifier()
    let path = ctx.resolve(args.positionals[0])
    let gold = try GoldFile.read(path: path, codes: classifier.lexicon.codes)
    if gold.isEmpty {
      // Scores over no notes would read as a (perfectly bad) result.
      throw .data("no labelled notes: the file has a header row but no notes", at: SourceLocation(file: path))
    }
    let report = EvalReport(gold: gold, classifier: classifier)
    if args.has("--json") {
      ctx.out.write(report.json())
    } else {
      let misses = try args.int("--misses", default: 40, range: 0...100_000)
      ctx.out.write(report.render(maxMisses: misses))
    }
    if let floor = args.value("--fail-under") {
      guard let f = Double(floor), (0...1).contains(f) else {
        throw .usage("--fail-under expects a number from 0 to 1, found '\(floor)'")
      }
      if report.micro.f1 < f {
        throw TriageError(.failure, "micro-F1 \(EvalReport.f3(report.micro.f1)) is below \(floor)")
      }
    }
  }
}
