/// PWG 5101.1 self-describing media names for page sizes.
public enum PWGMedia {
    /// A named size, portrait, in millimetres.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var widthMM: Double
        public var heightMM: Double
    }

    /// How far (in mm, each dimension) a page box may be from a named size and still get its name.
    /// Real-world page boxes are off by rounding (A4 as 595×842 pt is 209.9×297.0 mm), by
    /// generators that use inches for metric paper, and by cropping.
    public static let toleranceMM: Double = 5

    /// The sizes recognised, in order of preference when two are equally close.
    public static let entries: [Entry] = {
        let inch = 25.4
        func mm(_ n: String, _ w: Double, _ h: Double) -> Entry { Entry(name: n, widthMM: w, heightMM: h) }
        func inches(_ n: String, _ w: Double, _ h: Double) -> Entry { Entry(name: n, widthMM: w * inch, heightMM: h * inch) }
        return [
            mm("iso_a4_210x297mm", 210, 297),
            inches("na_letter_8.5x11in", 8.5, 11),
            mm("iso_a3_297x420mm", 297, 420),
            inches("na_legal_8.5x14in", 8.5, 14),
            mm("iso_a5_148x210mm", 148, 210),
            mm("iso_a6_105x148mm", 105, 148),
            mm("iso_a2_420x594mm", 420, 594),
            mm("iso_a1_594x841mm", 594, 841),
            mm("iso_a0_841x1189mm", 841, 1189),
            mm("iso_b4_250x353mm", 250, 353),
            mm("iso_b5_176x250mm", 176, 250),
            mm("jis_b4_257x364mm", 257, 364),
            mm("jis_b5_182x257mm", 182, 257),
            inches("na_ledger_11x17in", 11, 17),
            inches("na_executive_7.25x10.5in", 7.25, 10.5),
            inches("na_invoice_5.5x8.5in", 5.5, 8.5),
            inches("na_govt-letter_8x10in", 8, 10),
            inches("na_foolscap_8.5x13in", 8.5, 13),
            inches("na_index-4x6_4x6in", 4, 6),
            inches("na_5x7_5x7in", 5, 7),
            inches("na_number-10_4.125x9.5in", 4.125, 9.5),
            mm("iso_c5_162x229mm", 162, 229),
            mm("iso_c4_229x324mm", 229, 324),
            mm("iso_dl_110x220mm", 110, 220),
            mm("iso_ra4_215x305mm", 215, 305),
            mm("iso_sra3_320x450mm", 320, 450),
            inches("na_arch-b_12x18in", 12, 18),
            mm("jpn_hagaki_100x148mm", 100, 148),
        ]
    }()

    /// The PWG name of a page of `widthPoints × heightPoints` in either orientation: the nearest
    /// entry within ``toleranceMM`` on both sides, else `custom_WxHmm` (portrait, whole mm).
    public static func name(widthPoints: Double, heightPoints: Double) -> String {
        let a = widthPoints / 72 * 25.4, b = heightPoints / 72 * 25.4
        let short = min(a, b), long = max(a, b)
        var best: (Entry, Double)?
        for e in entries {
            let dw = abs(e.widthMM - short), dh = abs(e.heightMM - long)
            guard dw <= toleranceMM, dh <= toleranceMM else { continue }
            let distance = dw + dh
            if best == nil || distance < best!.1 { best = (e, distance) }
        }
        if let best { return best.0.name }
        guard short.isFinite, long.isFinite, short > 0 else { return "custom_0x0mm" }
        return "custom_\(Int(short.rounded()))x\(Int(long.rounded()))mm"
    }
}
