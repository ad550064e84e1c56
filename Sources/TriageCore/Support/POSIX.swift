#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The few system calls triage makes directly, under one name on every platform.
public enum POSIX {
  @inline(__always)
  public static func write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
      return Glibc.write(fd, p, n)
    #else
      return Darwin.write(fd, p, n)
    #endif
  }

  @inline(__always)
  public static func read(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
      return Glibc.read(fd, p, n)
    #else
      return Darwin.read(fd, p, n)
    #endif
  }
}
