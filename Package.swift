// swift-tools-version:6.0
// triage: exception triage for warehouse and e-commerce operations.
// No package dependencies: the toolchain's libraries and the system SQLite only.
import PackageDescription

let package = Package(
  name: "triage",
  products: [
    .executable(name: "triage", targets: ["triage"]),
    .executable(name: "triage-bench", targets: ["triage-bench"]),
    .library(name: "TriageKit", targets: ["TriageKit"]),
    .library(name: "TriageCore", targets: ["TriageCore"]),
  ],
  targets: [
    // The system libsqlite3 (Debian: libsqlite3-dev), through a module map.
    .systemLibrary(
      name: "CSQLite",
      path: "Sources/CSQLite",
      providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
    ),
    // The text pipeline: bytes → tokens → matches → reasons, and the input formats.
    // No SQLite here, so fuzz harnesses and the benchmark's hot loop build from it alone.
    // Dynamic exclusivity checks are off in its hot loops' module: each access to a scratch
    // class's stored property cost a runtime call per note (issue 7; the static checks stay).
    .target(
      name: "TriageCore",
      swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
    ),
    // Orders, the store, drafts, themes, the CLI and the REPL.
    .target(name: "TriageKit", dependencies: ["TriageCore", "CSQLite"]),
    .executableTarget(name: "triage", dependencies: ["TriageKit"]),
    .executableTarget(name: "triage-bench", dependencies: ["TriageKit"]),
    .testTarget(name: "TriageCoreTests", dependencies: ["TriageCore"]),
    .testTarget(name: "TriageKitTests", dependencies: ["TriageKit"], exclude: ["Goldens"]),
  ]
)
