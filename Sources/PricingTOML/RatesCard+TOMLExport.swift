import Pricing

extension RatesCard {
    /// Writes the card in the TOML format that ``init(toml:)`` reads (rates/README.md).
    /// Amounts are quoted decimals, every rule field is written out (`"*"` for any), rules keep
    /// their order, so `RatesCard(toml: card.toTOML()) == card`.
    public func toTOML() -> String {
        var lines: [String] = [
            "# Tollgate rates card. Format: rates/README.md. Amounts are in \(currency.code), written as quoted decimals.",
            "name = \(Self.quoted(name))",
            "version = \(version)",
            "currency = \(Self.quoted(currency.code))",
        ]
        if Currency.wellKnown(code: currency.code) != currency {
            lines.append("currency_decimals = \(currency.exponent)")
        }
        lines.append("unknown_format = \(Self.quoted(unknownFormatPerCopy.formattedNumber))  # per copy of a document Tollgate cannot analyse")
        if let perSheet { lines.append("per_sheet = \(Self.quoted(perSheet.formattedNumber))") }
        if let perJob { lines.append("per_job = \(Self.quoted(perJob.formattedNumber))") }
        for rule in rules {
            lines += [
                "",
                "[[rule]]",
                "name = \(Self.quoted(rule.name))",
                "media = \(Self.quoted(rule.media.value?.pwgName ?? "*"))",
                "colour = \(Self.quoted(rule.colour.value?.rawValue ?? "*"))",
                "sides = \(Self.quoted(rule.sides.value?.rawValue ?? "*"))",
                "application = \(Self.quoted(rule.application.value?.pattern ?? "*"))",
                "per_side = \(Self.quoted(rule.pricePerSide.formattedNumber))",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A TOML basic string: quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
