/// Splits file text into lines the way every reader of a human-edited file needs: on LF bytes,
/// with a trailing CR removed, so a file saved with Windows line ends (CRLF) reads the same as
/// one with Unix line ends.
///
/// `String.split(separator: "\n")` is not enough: in a Swift `String`, "\r\n" is one `Character`,
/// which is never equal to "\n", so a CRLF file would come back as one line.
public enum TextLines {
  /// The lines of `text`; the last element is the (possibly empty) text after the final LF.
  ///
  /// - Complexity: O(n) in the text's UTF-8 bytes.
  public static func split(_ text: String) -> [Substring] {
    var result: [Substring] = []
    let utf8 = text.utf8
    var start = utf8.startIndex
    var i = start
    while i != utf8.endIndex {
      if utf8[i] == 0x0A {
        result.append(line(text, from: start, to: i))
        start = utf8.index(after: i)
      }
      i = utf8.index(after: i)
    }
    result.append(line(text, from: start, to: utf8.endIndex))
    return result
  }

  private static func line(_ text: String, from start: String.Index, to end: String.Index)
    -> Substring
  {
    var end = end
    if end > start, text.utf8[text.utf8.index(before: end)] == 0x0D {
      end = text.utf8.index(before: end)
    }
    return text[start..<end]
  }
}
