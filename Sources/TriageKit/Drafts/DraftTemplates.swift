import Foundation
import TriageCore

/// One piece of a template line: literal text or a `{placeholder}`.
public enum TemplatePiece: Sendable, Equatable {
  case text(String)
  case placeholder(String)
}

/// A condition on a template line (`when=shipped,!missed`).
public struct TemplateCondition: Sendable, Equatable, Hashable, CustomStringConvertible {
  public var name: String
  public var negated: Bool

  public var description: String { (negated ? "!" : "") + name }
}

/// One way to say a section: the lines of a run with the same section name and conditions.
public struct TemplateVariant: Sendable, Equatable {
  public var conditions: [TemplateCondition]
  public var pieces: [TemplatePiece]
  public var location: SourceLocation

  /// The placeholders it needs, in order.
  public var placeholders: [String] {
    pieces.compactMap { if case .placeholder(let p) = $0 { return p } else { return nil } }
  }

  /// The text with every placeholder filled; nil when a placeholder has no value (the next
  /// variant is tried instead).
  public func render(_ values: [String: String]) -> String? {
    var out = ""
    for p in pieces {
      switch p {
      case .text(let t): out += t
      case .placeholder(let name):
        guard let v = values[name], !v.isEmpty else { return nil }
        out += v
      }
    }
    return out
  }
}

/// One template file: the wording of one reason (or of the general parts) for one audience.
public struct TemplateFile: Sendable, Equatable {
  public var path: String
  public var audience: DraftAudience
  /// The reason code, or nil for `general.txt`.
  public var code: String?
  /// Reasons of one story are told once to the customer, by the first in taxonomy order.
  public var story: String?
  /// The kinds of dates that can give this reason a date (`dates restock delivery`).
  public var dates: Set<SupportedDate.Kind>
  /// While this reason is open, the customer hears only its story (`exclusive`): a risk review
  /// is not the moment to discuss anything else.
  public var exclusive = false
  /// Variants per section, in file order.
  public var sections: [String: [TemplateVariant]]

  /// The first variant of a section whose conditions hold and whose placeholders all have
  /// values, rendered; nil when none does. An empty rendering means "say nothing here".
  public func say(
    _ section: String, values: [String: String], holds: (TemplateCondition) -> Bool
  ) -> (text: String, variant: TemplateVariant)? {
    for v in sections[section] ?? [] where v.conditions.allSatisfy(holds) {
      if let text = v.render(values) { return (text, v) }
    }
    return nil
  }
}

/// The draft templates of a site: `Lexicons/templates/` (README.md there describes the format).
///
/// ```
/// version 1
/// story     availability                     # reasons of one story are told once
/// dates     restock                          # a PO or restock date can give it a date
/// happening "One item in your order is selling faster than we can restock it."
/// doing     when=dated "More are due in on {eta}, and your order goes out as soon as they arrive."
/// doing     "We're sourcing more now."
/// ```
///
/// Each line is `SECTION [when=COND,COND...] "TEXT"`, one variant; a `+ "TEXT"` line continues the
/// variant above it (joined with a space). The first variant whose conditions hold and whose
/// placeholders all have values is used. Unknown sections, conditions and placeholders, an
/// internal placeholder in a support template, and a required section without a default line
/// are load errors with `path:line:col`.
public struct DraftTemplates: Sendable {
  public var policy: DraftPolicy
  public var general: [DraftAudience: TemplateFile]
  public var reasons: [DraftAudience: [String: TemplateFile]]

  /// A placeholder a template may name.
  public struct Placeholder: Sendable {
    public var name: String
    /// Only for internal (sales) templates: would leak internal detail to a customer.
    public var internalOnly: Bool
    /// Only in reason templates: it describes one blocker.
    public var reasonOnly: Bool
    public var help: String
  }

  /// Every placeholder, with where it may be used.
  public static let placeholders: [Placeholder] = [
    .init(
      name: "name", internalOnly: false, reasonOnly: false,
      help: "the customer's first name, or the account name for a business"),
    .init(
      name: "customer", internalOnly: false, reasonOnly: false,
      help: "the customer or account as in orders.csv"),
    .init(name: "order_id", internalOnly: false, reasonOnly: false, help: "the order id"),
    .init(
      name: "promise_date", internalOnly: false, reasonOnly: false,
      help: "the promised date (orders.csv)"),
    .init(
      name: "eta", internalOnly: false, reasonOnly: false,
      help: "a date the data supports: a carrier ETA, a PO or restock date"),
    .init(
      name: "next_update", internalOnly: false, reasonOnly: false,
      help: "when the next update comes, by the policy"),
    .init(name: "carrier", internalOnly: false, reasonOnly: false, help: "the carrier's name"),
    .init(name: "tracking", internalOnly: false, reasonOnly: false, help: "the tracking number"),
    .init(
      name: "ship_date", internalOnly: false, reasonOnly: false,
      help: "the day the order left (the shipment event)"),
    .init(name: "priority", internalOnly: true, reasonOnly: false, help: "high, normal or low"),
    .init(
      name: "channel", internalOnly: true, reasonOnly: false,
      help: "web, wholesale, marketplace, store"),
    .init(
      name: "state", internalOnly: true, reasonOnly: false, help: "the order state in plain words"),
    .init(
      name: "state_reason", internalOnly: true, reasonOnly: false, help: "why it is in that state"),
    .init(
      name: "promise", internalOnly: true, reasonOnly: false,
      help: "the promise status in plain words"),
    .init(
      name: "promise_reason", internalOnly: true, reasonOnly: false,
      help: "why the promise has that status"),
    .init(
      name: "cutoff", internalOnly: true, reasonOnly: false, help: "the carrier cutoff, site clock"),
    .init(
      name: "progress", internalOnly: true, reasonOnly: false, help: "how far the warehouse got"),
    .init(
      name: "eta_basis", internalOnly: true, reasonOnly: false,
      help: "the words the date was read from, with the source"),
    .init(
      name: "open_count", internalOnly: true, reasonOnly: false, help: "how many blockers are open"),
    .init(
      name: "owner", internalOnly: true, reasonOnly: true, help: "the team that acts on the blocker"
    ),
    .init(
      name: "label", internalOnly: true, reasonOnly: true,
      help: "the reason's plain label (codes.txt)"),
    .init(name: "code", internalOnly: true, reasonOnly: true, help: "the reason code"),
    .init(
      name: "since", internalOnly: true, reasonOnly: true, help: "when the blocker was first seen"),
    .init(
      name: "skus", internalOnly: true, reasonOnly: true, help: "the SKUs the blocker is about"),
    .init(
      name: "detail", internalOnly: true, reasonOnly: true,
      help: "the latest evidence, in the data's words"),
  ]

  /// Conditions a `when=` may name (`!` before one negates it).
  public static let conditions: [(String, String)] = [
    ("shipped", "the order has left the warehouse"),
    ("unshipped", "it has not"),
    ("late", "it left after its cutoff"),
    ("preparing", "in the warehouse, not yet packed"),
    ("packed", "packed, waiting for the carrier"),
    ("dated", "a date the data supports is known ({eta})"),
    ("person", "the customer is a person"),
    ("business", "the customer is a business account"),
    ("customer_asked", "the customer asked for a change or cancellation"),
    ("customer_wrote", "the customer wrote to us about the order"),
    ("cutoff_today", "the carrier cutoff is today (site clock)"),
    ("cutoff_passed", "the carrier cutoff has passed"),
    ("cancelled", "the order is cancelled"),
    (
      "blocked",
      "something the draft tells about is open (after shipping: a delivery or content problem)"
    ),
    ("safe", "promise status safe"), ("at_risk", "promise status at_risk"),
    ("needs_communication", "promise status needs_communication"),
    ("missed", "promise status missed"),
    ("kept", "promise status kept"),
  ]

  /// Sections per file kind: (name, required).
  static let sections: [String: [(String, Bool)]] = [
    "support/general": [
      ("greeting", true), ("intro", false), ("nothing_blocking", true), ("shipped", true),
      ("in_transit", false),
      ("cancelled", true), ("sorry", false), ("next_update", true), ("closing", true),
      ("sign_off", true),
      ("signature", true),
    ],
    "support/reason": [("happening", true), ("doing", true)],
    "sales/general": [
      ("headline", true), ("promise", true), ("state", false), ("nothing_blocking", true),
      ("shipped", true),
      ("cancelled", true), ("blockers_heading", true), ("outlook_heading", true),
      ("outlook_none", false),
      ("next_update", true),
    ],
    "sales/reason": [("blocker", true), ("outlook", true)],
  ]

  /// Loads `templates/` from a lexicon directory.
  ///
  /// - Throws: exit 66 when the folder or a file is missing, 65 with `path:line:col` for a mistake.
  public static func load(directory: String, codes: [ReasonCode]) throws(TriageError)
    -> DraftTemplates
  {
    let root = (directory as NSString).appendingPathComponent("templates")
    var files: [String: [UInt8]] = [:]
    guard
      let data = FileManager.default.contents(
        atPath: (root as NSString).appendingPathComponent("policy.txt"))
    else {
      throw TriageError(
        .noInput,
        "cannot read '\(root)/policy.txt': drafts need the templates folder in the lexicons")
    }
    files["policy.txt"] = [UInt8](data)
    for audience in DraftAudience.allCases {
      let dir = (root as NSString).appendingPathComponent(audience.rawValue)
      guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
        throw TriageError(
          .noInput, "cannot read '\(dir)': drafts need a template folder per audience")
      }
      for name in names where name.hasSuffix(".txt") && !name.hasPrefix(".") {
        guard
          let d = FileManager.default.contents(
            atPath: (dir as NSString).appendingPathComponent(name))
        else {
          throw TriageError(.noInput, "cannot read '\(dir)/\(name)'")
        }
        files["\(audience.rawValue)/\(name)"] = [UInt8](d)
      }
    }
    return try load(files: files, directory: root, codes: codes)
  }

  /// Loads templates from file contents keyed by their path inside `templates/`
  /// (`policy.txt`, `support/general.txt`, `sales/short_pick.txt`). Tests build them this way.
  public static func load(
    files: [String: [UInt8]], directory: String = "Lexicons/templates", codes: [ReasonCode]
  )
    throws(TriageError) -> DraftTemplates
  {
    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
    guard let policyBytes = files["policy.txt"] else {
      throw TriageError(.noInput, "cannot read '\(path("policy.txt"))': drafts need a policy file")
    }
    var policy = try DraftPolicy.parse(policyBytes, file: path("policy.txt"))
    // Sources name the policy by its place in the lexicons, wherever they live.
    policy.file = "templates/policy.txt"
    var general: [DraftAudience: TemplateFile] = [:]
    var reasons: [DraftAudience: [String: TemplateFile]] = [:]
    let known = codes.map(\.code)
    for name in files.keys.sorted() where name != "policy.txt" {
      let parts = name.split(separator: "/")
      guard parts.count == 2, let audience = DraftAudience(rawValue: String(parts[0])),
        parts[1].hasSuffix(".txt")
      else {
        throw TriageError(
          .dataError,
          "unexpected file '\(path(name))': templates are support/NAME.txt or sales/NAME.txt")
      }
      let base = String(parts[1].dropLast(4))
      let code: String? = base == "general" ? nil : base
      if let code, !known.contains(code) {
        throw TriageError(
          .dataError,
          "'\(path(name))' names an unknown reason code '\(code)'\(Suggest.didYouMean(code, in: known)); template files are named after codes.txt or 'general'"
        )
      }
      let file = try parse(files[name] ?? [], file: path(name), audience: audience, code: code)
      if let code { reasons[audience, default: [:]][code] = file } else { general[audience] = file }
    }
    for audience in DraftAudience.allCases {
      guard general[audience] != nil else {
        throw TriageError(
          .noInput,
          "cannot read '\(path("\(audience.rawValue)/general.txt"))': every audience needs a general.txt"
        )
      }
      for code in known where reasons[audience]?[code] == nil {
        throw TriageError(
          .noInput,
          "cannot read '\(path("\(audience.rawValue)/\(code).txt"))': every reason code needs a \(audience.rawValue) template"
        )
      }
    }
    return DraftTemplates(policy: policy, general: general, reasons: reasons)
  }

  /// Parses one template file.
  public static func parse(_ bytes: [UInt8], file: String, audience: DraftAudience, code: String?)
    throws(TriageError)
    -> TemplateFile
  {
    let kind = "\(audience.rawValue)/\(code == nil ? "general" : "reason")"
    let allowed = sections[kind] ?? []
    var result = TemplateFile(
      path: file, audience: audience, code: code, story: nil, dates: [], sections: [:])
    var last: String?
    for line in try LexiconScanner.lines(of: bytes, file: file) {
      let f = line.fields
      let key = f[0].text
      if code != nil && key == "exclusive" {
        guard f.count == 1 else {
          throw .data("'exclusive' takes no value", at: line.location(file, field: 1))
        }
        result.exclusive = true
        last = nil
        continue
      }
      if code != nil && (key == "story" || key == "dates") {
        guard f.count >= 2 else {
          throw .data("expected '\(key) NAME'", at: line.endLocation(file))
        }
        if key == "story" {
          guard f.count == 2 else {
            throw .data("expected one story name", at: line.location(file, field: 2))
          }
          result.story = f[1].text
        } else {
          for i in 1..<f.count {
            guard let k = SupportedDate.Kind(rawValue: f[i].text) else {
              throw .data(
                "unknown date kind '\(f[i].text)'\(Suggest.didYouMean(f[i].text, in: SupportedDate.Kind.allCases.map(\.rawValue))); expected restock or delivery",
                at: line.location(file, field: i))
            }
            result.dates.insert(k)
          }
        }
        last = nil
        continue
      }
      if key == "+" {
        // A continuation: more text for the variant on the line before.
        guard let section = last, var list = result.sections[section], var v = list.popLast() else {
          throw .data(
            "a '+' line continues the text of the line before; there is none",
            at: line.location(file, field: 0))
        }
        guard f.count == 2, f[1].quoted else {
          throw .data(
            "expected '+ \"more text\"'", at: line.location(file, field: min(f.count - 1, 2)))
        }
        v.pieces.append(.text(" "))
        v.pieces += try pieces(
          of: f[1], line: line, file: file, audience: audience, isReason: code != nil)
        list.append(v)
        result.sections[section] = list
        continue
      }
      guard allowed.contains(where: { $0.0 == key }) else {
        let names = allowed.map(\.0) + (code != nil ? ["story", "dates", "exclusive"] : [])
        throw .data(
          "unknown section '\(key)'\(Suggest.didYouMean(key, in: names)); a \(audience.rawValue) \(code == nil ? "general" : "reason") template has \(names.joined(separator: ", "))",
          at: line.location(file, field: 0))
      }
      var conditions: [TemplateCondition] = []
      var textField: Int?
      for i in 1..<f.count {
        let field = f[i]
        if !field.quoted && field.text.hasPrefix("when=") {
          guard conditions.isEmpty else {
            throw .data("'when=' given twice", at: line.location(file, field: i))
          }
          var column = field.column + 5
          for raw in field.text.dropFirst(5).split(separator: ",", omittingEmptySubsequences: false)
          {
            let negated = raw.hasPrefix("!")
            let name = String(negated ? raw.dropFirst() : raw)
            guard conditions.allSatisfy({ $0.name != name }),
              DraftTemplates.conditions.contains(where: { $0.0 == name })
            else {
              throw .data(
                "unknown condition '\(name)'\(Suggest.didYouMean(name, in: DraftTemplates.conditions.map(\.0))); conditions: \(DraftTemplates.conditions.map(\.0).joined(separator: ", "))",
                at: SourceLocation(file: file, line: line.number, column: column))
            }
            conditions.append(TemplateCondition(name: name, negated: negated))
            column += raw.unicodeScalars.count + 1
          }
          continue
        }
        guard field.quoted, textField == nil else {
          throw .data(
            "expected 'when=CONDITIONS' or one \"quoted text\", found '\(field.text)'",
            at: line.location(file, field: i))
        }
        textField = i
      }
      guard let ti = textField else {
        throw .data(
          "expected the text of '\(key)' in \"double quotes\"", at: line.endLocation(file))
      }
      let pieces = try pieces(
        of: f[ti], line: line, file: file, audience: audience, isReason: code != nil)
      result.sections[key, default: []].append(
        TemplateVariant(
          conditions: conditions, pieces: pieces, location: line.location(file, field: 0)))
      last = key
    }
    for (name, required) in allowed where required {
      guard let variants = result.sections[name] else {
        throw .data(
          "missing section '\(name)': a \(audience.rawValue) \(code == nil ? "general" : "reason") template needs it",
          at: SourceLocation(file: file))
      }
      guard variants.contains(where: \.conditions.isEmpty) else {
        throw .data(
          "section '\(name)' has no line without 'when=': add a default so every order gets one",
          at: variants[0].location)
      }
    }
    return result
  }

  /// Splits a quoted text into literal text and `{placeholders}` (`{{` and `}}` are braces).
  static func pieces(
    of field: LexiconField, line: LexiconLine, file: String, audience: DraftAudience, isReason: Bool
  ) throws(TriageError) -> [TemplatePiece] {
    var out: [TemplatePiece] = []
    var text = ""
    let scalars = Array(field.text.unicodeScalars)
    var i = 0
    func column(_ k: Int) -> Int { field.column + 1 + k }
    while i < scalars.count {
      let c = scalars[i]
      if c == "{" && i + 1 < scalars.count && scalars[i + 1] == "{" {
        text += "{"
        i += 2
        continue
      }
      if c == "}" {
        if i + 1 < scalars.count && scalars[i + 1] == "}" {
          text += "}"
          i += 2
          continue
        }
        throw .data(
          "unexpected '}': write '}}' for a brace",
          at: SourceLocation(file: file, line: line.number, column: column(i)))
      }
      if c == "{" {
        var j = i + 1
        var name = ""
        while j < scalars.count && scalars[j] != "}" {
          name.unicodeScalars.append(scalars[j])
          j += 1
        }
        let at = SourceLocation(file: file, line: line.number, column: column(i))
        guard j < scalars.count else { throw .data("unclosed placeholder: expected '}'", at: at) }
        let names = placeholders.map(\.name)
        guard let p = placeholders.first(where: { $0.name == name }) else {
          throw .data(
            "unknown placeholder '{\(name)}'\(Suggest.didYouMean(name, in: names)); placeholders: \(names.joined(separator: ", "))",
            at: at)
        }
        if p.internalOnly && audience == .support {
          throw .data(
            "placeholder '{\(name)}' is internal (\(p.help)) and may not reach a customer: not allowed in a support template",
            at: at)
        }
        if p.reasonOnly && !isReason {
          throw .data(
            "placeholder '{\(name)}' describes one blocker: it belongs in a reason template, not general.txt",
            at: at)
        }
        if !text.isEmpty {
          out.append(.text(text))
          text = ""
        }
        out.append(.placeholder(name))
        i = j + 1
        continue
      }
      text.unicodeScalars.append(c)
      i += 1
    }
    if !text.isEmpty { out.append(.text(text)) }
    return out
  }
}
