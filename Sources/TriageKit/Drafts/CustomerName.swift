import Foundation
import TriageCore

/// How to address a customer: a person by first name, a business by its account name.
public struct CustomerName: Sendable, Equatable {
  /// The name as orders.csv has it.
  public var full: String
  public var isBusiness: Bool
  /// `Priya` for Priya Raman; `Brightwater Gift Shops` for the account.
  public var greeting: String

  static let titles: Set<String> = ["mr", "mrs", "ms", "mx", "dr", "prof"]

  /// Decides from the channel (policy `business_channel`), the words of the name (policy
  /// `business_word`, digits, `&`) and its length.
  public init(_ customer: String, channel: String, policy: DraftPolicy) {
    let name = customer.trimmingCharacters(in: .whitespaces)
    full = name
    let words = name.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    let folded = words.map {
      $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ".,;:'\"()"))
    }
    let businessWord = folded.contains {
      policy.businessWords.contains($0) || $0 == "&" || $0 == "-"
    }
    let hasDigit = name.contains { $0.isNumber }
    isBusiness =
      policy.businessChannels.contains(channel.lowercased()) || businessWord || hasDigit
      || words.count > 4
    if name.isEmpty {
      greeting = ""
    } else if isBusiness {
      greeting = name
    } else if let first = folded.first, CustomerName.titles.contains(first), words.count >= 2 {
      greeting = words[0] + " " + (words.last ?? "")
    } else {
      greeting = words.first ?? name
    }
  }
}
