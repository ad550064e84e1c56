import Testing

import TriageKit

@Suite struct LexiconFormatterTests {
  @Test func reasonEntriesSortWithTheirComments() {
    let text = """
      # header comment
      code damaged

      2.0 zeta crushed
      # why beta is here
      1.5   beta dented

      # a note at the end
      """
    #expect(
      LexiconFormatter.format(text, headerEnd: "code") == """
        # header comment
        code damaged

        # why beta is here
        1.5   beta dented
        2.0   zeta crushed

        # a note at the end

        """)
  }

  @Test func cuesGroupByKindAndSortByWords() {
    let text = """
      # cues
      version 1
      skip the
      negate before 3 Not
      break but
      # resolved in the WMS
      resolve after 3 released codes=credit_hold
      negate after 2 intact
      pending before 2 awaiting
      break although
      """
    #expect(
      LexiconFormatter.formatCues(text) == """
        # cues
        version 1

        break although
        break but

        negate after 2 intact
        negate before 3 Not

        pending before 2 awaiting

        # resolved in the WMS
        resolve after 3 released codes=credit_hold

        skip the

        """)
  }

  @Test func formattingIsStable() {
    let once = LexiconFormatter.formatCues("version 1\nskip a\n# c\nbreak but\n")
    #expect(LexiconFormatter.formatCues(once) == once)
  }
}
