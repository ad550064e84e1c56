// The thin executable: everything lives in TriageKit so tests run it in-process.
import TriageKit

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

exit(TriageMain.run(Array(CommandLine.arguments.dropFirst())))
