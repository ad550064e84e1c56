/// HTML text helpers: every piece of data goes through `escape` on its way into the page.
public enum HTML {
  /// Escapes text for element content and quoted attribute values: `& < > " '`. Control
  /// characters (other than tab and line feed) and invalid scalars become U+FFFD, so note text
  /// can never open a tag, end an attribute or smuggle a control byte into the page.
  public static func escape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count + 16)
    for u in s.unicodeScalars {
      switch u {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default:
        let v = u.value
        if (v < 0x20 && v != 0x09 && v != 0x0A) || v == 0x7F || (0x80...0x9F).contains(v) {
          out += "\u{FFFD}"
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    return out
  }

  /// A number for SVG coordinates: at most one decimal.
  static func num(_ x: Double) -> String {
    let r = (x * 10).rounded() / 10
    return r == r.rounded() ? String(Int(r)) : String(r)
  }
}
