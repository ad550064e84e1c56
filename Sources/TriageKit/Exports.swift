// TriageKit re-exports the text pipeline so `import TriageKit` is all a client needs.
@_exported import TriageCore
