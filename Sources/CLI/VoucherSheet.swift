import Foundation
import QuotaDB
import Release

/// The printable sheet of a voucher batch: A4 pages of 10 cards (2 × 5), each with the value,
/// the code, the expiry and how to redeem it. A small PDF written directly (one font, text and
/// lines), so no tool is needed to make it.
struct VoucherSheet {
    let batch: VoucherBatch
    let codes: [VoucherCode]

    static let perPage = 10

    func pdf() -> Data {
        var objects: [String] = []   // object n is objects[n - 1]
        let pages = stride(from: 0, to: codes.count, by: Self.perPage).map { Array(codes[$0..<min($0 + Self.perPage, codes.count)]) }
        // 1 catalog, 2 pages, 3 font, then per page: the page and its content.
        objects.append("<< /Type /Catalog /Pages 2 0 R >>")
        let kids = pages.indices.map { "\(4 + 2 * $0) 0 R" }.joined(separator: " ")
        objects.append("<< /Type /Pages /Kids [\(kids)] /Count \(pages.count) >>")
        objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
        for (index, page) in pages.enumerated() {
            objects.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents \(5 + 2 * index) 0 R >>")
            let content = cards(page)
            objects.append("<< /Length \(content.utf8.count) >>\nstream\n\(content)\nendstream")
        }
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(out.utf8.count)
            out += "\(index + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = out.utf8.count
        out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { out += String(format: "%010d 00000 n \n", offset) }
        out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Data(out.utf8)
    }

    /// The content stream of one page: a 2 × 5 grid of cards with cut lines.
    private func cards(_ page: [VoucherCode]) -> String {
        let (width, height, left, top) = (250.0, 150.0, 47.5, 800.0)
        var ops = "0.5 w\n"
        for (index, code) in page.enumerated() {
            let x = left + Double(index % 2) * width, y = top - Double(index / 2 + 1) * height
            ops += "\(x) \(y) \(width) \(height) re S\n"
            let lines: [(Double, Double, String)] = [
                (11, 120, "Tollgate print top-up voucher"),
                (20, 92, "\(batch.value)"),
                (14, 64, code.description),
                (8, 40, "Redeem once: the portal, or tollgate redeem CODE"),
                (8, 26, "Batch \(batch.id)" + (batch.expiresAt.map { ", valid until \(Self.day($0))" } ?? "")),
            ]
            for (size, dy, text) in lines {
                ops += "BT /F1 \(size) Tf \(x + 16) \(y + dy) Td (\(Self.escaped(text))) Tj ET\n"
            }
        }
        return ops
    }

    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = .current
        return formatter.string(from: date.addingTimeInterval(-1))
    }

    /// A PDF literal string: backslash, parentheses escaped; anything outside printable ASCII dropped.
    static func escaped(_ text: String) -> String {
        String(text.unicodeScalars.compactMap { scalar -> String? in
            switch scalar {
            case "\\", "(", ")": return "\\" + String(scalar)
            case " "..."~": return String(scalar)
            default: return nil
            }
        }.joined())
    }
}
