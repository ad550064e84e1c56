import TriageKit

#if canImport(Glibc)
  import Glibc
#endif

print("triage-bench: not yet written")
exit(1)
