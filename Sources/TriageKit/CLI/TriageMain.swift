import TriageCore

/// The entry point of the `triage` command; returns the process exit status.
public enum TriageMain {
  public static func run(_ arguments: [String]) -> Int32 {
    print("triage: skeleton")
    return 0
  }
}
