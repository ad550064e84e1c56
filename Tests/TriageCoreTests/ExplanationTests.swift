import Testing
import TriageCore

@Suite struct ExplanationTests {
  let classifier = MiniLexicon.classifier

  /// A pattern, shorthand, a tie broken by taxonomy order, and identifiers.
  @Test func patternShorthandAndTie() {
    expectSnapshot(
      classifier.explain("Picked 2/6 at bin B-14-02, dmg box. #10023"),
      #"""
      note     "Picked 2/6 at bin B-14-02, dmg box. #10023" (42 bytes)
      tokens   Picked→pick(form) 2/6:ratio at bin B-14-02:identifier , dmg→damaged(shorthand) box | #10023:hash-ref
      matches
        [0,10)     "Picked 2/6"  short_pick +3.0  (pattern 'pick {n}/{m}', n=2 m=6)  counted  mini/reasons/short_pick.txt:7:15
        [27,34)    "dmg box"  damaged +3.0  (entry '(damaged|crushed) (box|carton)')  counted  mini/reasons/damaged.txt:8:7
        [27,30)    "dmg"  damaged +2.0  (entry 'damaged')  inside the longer match '(damaged|crushed) (box|carton)'  mini/reasons/damaged.txt:7:7
      scores
        short_pick            3.0 ≥ threshold 2.0  → open (its last mention is open; open weight 3.0, resolved weight 0.0)
        damaged               3.0 ≥ threshold 2.0  → open (its last mention is open; open weight 3.0, resolved weight 0.0)
      tie      short_pick, damaged all score 3.0: ordered by taxonomy order (codes.txt)
      result   short_pick, damaged
      refs     location B-14-02, order SO-10023

      """#, "pattern, shorthand and tie")
  }

  /// Resolution, a pending cue, a break word, negation, and a code whose last mention is open.
  @Test func resolutionPendingAndNegation() {
    expectSnapshot(
      classifier.explain("Credit hold released but payment still pending; no damaged carton"),
      #"""
      note     "Credit hold released but payment still pending; no damaged carton" (65 bytes)
      tokens   Credit hold released→release(form) | payment still pending | no damaged carton
      matches
        [0,11)     "Credit hold"  payment_hold +3.0  (entry 'credit hold')  counted, resolved by 'release'  mini/reasons/payment_hold.txt:5:7
        [0,6)      "Credit"  payment_hold +1.0  (entry 'credit')  inside the longer match 'credit hold'  mini/reasons/payment_hold.txt:4:7
        [7,11)     "hold"  payment_hold +2.0  (entry 'hold')  inside the longer match 'credit hold'  mini/reasons/payment_hold.txt:6:7
        [12,20)    "released"  resolve cue 'release' (both, 6 tokens, codes payment_hold)  mini/cues.txt:16:21
        [25,32)    "payment"  payment_hold +2.0  (entry 'payment')  counted  mini/reasons/payment_hold.txt:8:7
        [33,38)    "still"  pending cue 'still' (before, 3 tokens)  mini/cues.txt:11:21
        [48,50)    "no"  negate cue 'no' (before, 3 tokens)  mini/cues.txt:6:21
        [51,65)    "damaged carton"  damaged +3.0  (entry '(damaged|crushed) (box|carton)')  negated by 'no'  mini/reasons/damaged.txt:8:7
        [51,58)    "damaged"  damaged +2.0  (entry 'damaged')  inside the longer match '(damaged|crushed) (box|carton)'  mini/reasons/damaged.txt:7:7
      scores
        payment_hold          5.0 ≥ threshold 2.0  → open (its last mention is open; open weight 2.0, resolved weight 3.0)
      result   payment_hold

      """#, "resolution, pending and negation")
  }

  /// A near entry, one span matched by two entries, and a terminal escape in the note (shown
  /// escaped, never raw).
  @Test func nearSameSpanAndEscapes() {
    expectSnapshot(
      classifier.explain("carrier  missed\u{1B}[2J pickup, broken"),
      #"""
      note     "carrier  missed\e[2J pickup, broken" (34 bytes)
      tokens   carrier missed , 2J:identifier pickup , broken
      matches
        [0,15)     "carrier  missed"  carrier_pickup +3.0  (entry '(carrier|driver) + (missed|skipped) within 3')  counted  mini/reasons/carrier_pickup.txt:5:12
        [0,7)      "carrier"  carrier_pickup +3.0  (entry '(carrier|driver) + (missed|skipped) within 3')  part of near entry '(carrier|driver) + (missed|skipped) within 3'  mini/reasons/carrier_pickup.txt:5:12
        [9,15)     "missed"  carrier_pickup +3.0  (entry '(carrier|driver) + (missed|skipped) within 3')  part of near entry '(carrier|driver) + (missed|skipped) within 3'  mini/reasons/carrier_pickup.txt:5:12
        [28,34)    "broken"  damaged +2.0  (entry 'broken')  inside the longer match '(broken|cracked)'  mini/reasons/damaged.txt:4:7
        [28,34)    "broken"  damaged +2.5  (entry '(broken|cracked)')  counted  mini/reasons/damaged.txt:5:7
      scores
        carrier_pickup        3.0 ≥ threshold 2.0  → open (its last mention is open; open weight 3.0, resolved weight 0.0)
        damaged               2.5 ≥ threshold 2.0  → open (its last mention is open; open weight 2.5, resolved weight 0.0)
      result   carrier_pickup, damaged

      """#, "near, same span and escapes")
  }

  @Test func nothingFound() {
    expectSnapshot(
      classifier.explain("all good"),
      #"""
      note     "all good" (8 bytes)
      tokens   all good
      matches
        (none: no lexicon entry occurs in this note)
      scores
        (no code scored)
      result   none

      """#, "nothing found")
  }

  @Test func belowThresholdAndTruncated() {
    let limited = Classifier(lexicon: MiniLexicon.lexicon, maxNoteBytes: 16)
    let text = limited.explain("backorder, short and a long tail")
    #expect(text.contains("\n         truncated: only the first 16 bytes were matched\n"))
    #expect(text.contains("\n  stockout_backorder    2.0 < threshold 3.0  → not reported\n"))
    #expect(text.hasSuffix("result   none\n"))
  }

  @Test func explanationNeverHoldsRawControlCharacters() {
    let text = classifier.explain("crushed\u{1B}]0;title\u{7} box \u{202E}\u{9B}31m")
    let controls = text.unicodeScalars.filter {
      ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) || $0 == "\u{202E}"
    }
    #expect(controls.isEmpty)
    #expect(text.contains(#"crushed\e]0;title\x07 box \u{202E}\x9B31m"#))
  }
}
