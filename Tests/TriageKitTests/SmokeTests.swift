import Testing
import TriageKit

@Suite struct SmokeTests {
  @Test func entryPointRuns() {
    #expect(TriageMain.run([]) == 0)
  }
}
