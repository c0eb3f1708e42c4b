/// An operand in a PDF content stream, reduced to what colour inspection needs.
enum Operand: Equatable {
    case number(Double)
    case name(String)
    /// Strings, arrays, dictionaries, booleans: present but not inspected.
    case other
    case bool(Bool)
}

/// Tokenises a PDF content stream (ISO 32000-1 §7.8.2) and reports each operator with its
/// operands. This is not a PDF file parser (qpdf reads the file); it only lexes the operator
/// language inside an already-decoded content stream.
///
/// Inline images (`BI … ID <binary> EI`) are reported as the operator `BI` with the image
/// dictionary's keys and values as operands, and their binary data is skipped.
struct ContentStreamScanner {
    /// The handler returns `false` to stop scanning.
    typealias Handler = (_ op: String, _ operands: [Operand]) -> Bool

    /// Operators beyond this many stop the scan (the caller treats the page as undecided).
    let operatorLimit: Int

    /// Scans `bytes`; returns `false` when stopped early by the handler or the operator limit.
    func scan(_ bytes: UnsafeRawBufferPointer, _ handler: Handler) -> Bool {
        var i = 0
        let n = bytes.count
        var operands: [Operand] = []
        operands.reserveCapacity(8)
        var nesting = 0 // inside [ ] or << >>: values are collapsed into one .other
        var operators = 0

        @inline(__always) func isWhite(_ c: UInt8) -> Bool { c == 32 || c == 10 || c == 13 || c == 9 || c == 12 || c == 0 }
        @inline(__always) func isDelim(_ c: UInt8) -> Bool {
            c == 0x28 || c == 0x29 || c == 0x3C || c == 0x3E || c == 0x5B || c == 0x5D || c == 0x7B || c == 0x7D || c == 0x2F || c == 0x25
        }
        while i < n {
            let c = bytes[i]
            if isWhite(c) { i += 1; continue }
            switch c {
            case 0x25: // % comment
                while i < n && bytes[i] != 10 && bytes[i] != 13 { i += 1 }
            case 0x2F: // /Name
                var j = i + 1
                while j < n && !isWhite(bytes[j]) && !isDelim(bytes[j]) { j += 1 }
                if nesting == 0 { operands.append(.name(Self.decodeName(bytes, i + 1, j))) }
                i = j
            case 0x28: // (string) with nesting and escapes
                var depth = 1
                i += 1
                while i < n && depth > 0 {
                    let d = bytes[i]
                    if d == 0x5C { i += 2; continue }
                    if d == 0x28 { depth += 1 } else if d == 0x29 { depth -= 1 }
                    i += 1
                }
                if nesting == 0 { operands.append(.other) }
            case 0x3C: // <hex> or <<
                if i + 1 < n && bytes[i + 1] == 0x3C {
                    if nesting == 0 { operands.append(.other) }
                    nesting += 1; i += 2
                } else {
                    while i < n && bytes[i] != 0x3E { i += 1 }
                    i += 1
                    if nesting == 0 { operands.append(.other) }
                }
            case 0x3E: // >>
                nesting = max(0, nesting - 1); i += (i + 1 < n && bytes[i + 1] == 0x3E) ? 2 : 1
            case 0x5B: // [
                if nesting == 0 { operands.append(.other) }
                nesting += 1; i += 1
            case 0x5D:
                nesting = max(0, nesting - 1); i += 1
            case 0x7B, 0x7D, 0x29:
                i += 1
            default:
                var j = i
                while j < n && !isWhite(bytes[j]) && !isDelim(bytes[j]) { j += 1 }
                if j == i { i += 1; continue }
                if let number = Self.parseNumber(bytes, i, j) {
                    if nesting == 0 { operands.append(.number(number)) }
                } else {
                    let word = Self.string(bytes, i, j)
                    if word == "true" || word == "false" {
                        if nesting == 0 { operands.append(.bool(word == "true")) }
                    } else if word == "null" {
                        if nesting == 0 { operands.append(.other) }
                    } else if nesting > 0 {
                        // Operators never occur inside arrays or dictionaries; a malformed
                        // stream is resynchronised here.
                        nesting = 0
                        operators += 1
                        if !handler(word, operands) { return false }
                        operands.removeAll(keepingCapacity: true)
                    } else if word == "BI" {
                        operators += 1
                        var k = j
                        let dict = Self.inlineImageDictionary(bytes, &k)
                        j = Self.skipInlineImageData(bytes, k)
                        if !handler("BI", dict) { return false }
                        operands.removeAll(keepingCapacity: true)
                    } else {
                        operators += 1
                        if operators > operatorLimit { return false }
                        if !handler(word, operands) { return false }
                        operands.removeAll(keepingCapacity: true)
                    }
                }
                i = j
            }
            if operands.count > 64 { operands.removeFirst(operands.count - 64) }
        }
        return true
    }

    static func string(_ b: UnsafeRawBufferPointer, _ from: Int, _ to: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: b[from..<to]), as: UTF8.self)
    }

    /// A name's characters with `#xx` escapes decoded.
    static func decodeName(_ b: UnsafeRawBufferPointer, _ from: Int, _ to: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(to - from)
        var k = from
        while k < to {
            if b[k] == 0x23, k + 2 < to, let h = hexValue(b[k + 1]), let l = hexValue(b[k + 2]) {
                out.append(h << 4 | l); k += 3
            } else {
                out.append(b[k]); k += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    /// A PDF number (`12`, `-.5`, `+3.`), or `nil` for anything else.
    static func parseNumber(_ b: UnsafeRawBufferPointer, _ from: Int, _ to: Int) -> Double? {
        var k = from
        var negative = false
        if b[k] == 0x2D || b[k] == 0x2B { negative = b[k] == 0x2D; k += 1 }
        var value = 0.0, scale = 0.0, digits = 0
        while k < to {
            let c = b[k]
            if c >= 0x30 && c <= 0x39 {
                let d = Double(c - 0x30)
                if scale == 0 { value = value * 10 + d } else { value += d * scale; scale /= 10 }
                digits += 1
            } else if c == 0x2E && scale == 0 {
                scale = 0.1
            } else {
                return nil
            }
            k += 1
        }
        guard digits > 0 else { return nil }
        return negative ? -value : value
    }

    /// Reads the inline image dictionary after `BI` up to `ID`; `k` ends just after `ID`.
    static func inlineImageDictionary(_ b: UnsafeRawBufferPointer, _ k: inout Int) -> [Operand] {
        var result: [Operand] = []
        let n = b.count
        while k < n {
            let c = b[k]
            if c == 32 || c == 10 || c == 13 || c == 9 || c == 12 || c == 0 { k += 1; continue }
            if c == 0x2F {
                var j = k + 1
                while j < n, !(b[j] == 32 || b[j] == 10 || b[j] == 13 || b[j] == 9 || b[j] == 12 || b[j] == 0 || b[j] == 0x2F || b[j] == 0x5B || b[j] == 0x5D || b[j] == 0x28 || b[j] == 0x3C || b[j] == 0x3E) { j += 1 }
                result.append(.name(decodeName(b, k + 1, j)))
                k = j
                continue
            }
            if c == 0x5B || c == 0x5D || c == 0x3C || c == 0x3E || c == 0x28 || c == 0x29 {
                // Arrays (e.g. /Decode, /Filter lists) and strings (Indexed lookups): skip the token.
                if c == 0x28 {
                    var depth = 1; k += 1
                    while k < n && depth > 0 {
                        if b[k] == 0x5C { k += 2; continue }
                        if b[k] == 0x28 { depth += 1 } else if b[k] == 0x29 { depth -= 1 }
                        k += 1
                    }
                } else { k += 1 }
                result.append(.other)
                continue
            }
            var j = k
            while j < n, !(b[j] == 32 || b[j] == 10 || b[j] == 13 || b[j] == 9 || b[j] == 12 || b[j] == 0 || b[j] == 0x2F || b[j] == 0x5B || b[j] == 0x5D || b[j] == 0x28 || b[j] == 0x3C) { j += 1 }
            if j == k { k += 1; continue }
            if j - k == 2 && b[k] == 0x49 && b[k + 1] == 0x44 { // ID
                k = j + 1 // one whitespace byte after ID
                return result
            }
            if let v = parseNumber(b, k, j) { result.append(.number(v)) }
            else {
                let w = string(b, k, j)
                result.append(w == "true" ? .bool(true) : w == "false" ? .bool(false) : .other)
            }
            k = j
        }
        return result
    }

    /// Finds the `EI` that ends inline image data starting at `from` (whitespace before it and
    /// whitespace, a delimiter or the end after it); returns the index after `EI`.
    static func skipInlineImageData(_ b: UnsafeRawBufferPointer, _ from: Int) -> Int {
        let n = b.count
        var k = from
        func white(_ c: UInt8) -> Bool { c == 32 || c == 10 || c == 13 || c == 9 || c == 12 || c == 0 }
        while k + 1 < n {
            if b[k] == 0x45 && b[k + 1] == 0x49 && (k == from || white(b[k - 1])) && (k + 2 >= n || white(b[k + 2]) || b[k + 2] == 0x2F || b[k + 2] == 0x25) {
                return k + 2
            }
            k += 1
        }
        return n
    }
}
