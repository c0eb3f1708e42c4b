import CQPDF

/// Decides a PDF page's colour from its structure: content-stream colour operators and their
/// operands, form XObjects (recursively, bounded depth), images, shadings, patterns and printable
/// annotations' appearance streams. What structure cannot decide (RGB images, spot colours,
/// ICC colours near grey, smooth shadings) is reported as `.undecided` so that only those pages
/// are rendered.
///
/// Content is judged only when painted: `1 0 0 rg` followed by nothing painted is not colour.
/// Known blind spots (documented, all err towards rendering or towards what is painted): Type 3
/// glyph procedures, soft masks and blend modes are not inspected; content clipped away or
/// painted white-on-white still counts as painted.
struct PDFColourInspector {
    let document: QPDFDocument
    /// Maximum nesting of forms, patterns and annotation appearances.
    let maxDepth = 12
    /// Decoded-size cap per content stream (Flate bombs).
    let streamCap: Int
    /// Operators per content stream beyond which the page is left to the renderer.
    let operatorLimit: Int

    /// Results of forms and patterns already inspected, keyed by object and inherited colours.
    final class Cache {
        var forms: [String: ColourJudgement] = [:]
        var spaces: [Int: ColourSpace] = [:]
    }

    /// The graphics state parts that matter.
    struct GState {
        var fillSpace: ColourSpace = .gray
        var strokeSpace: ColourSpace = .gray
        var fill: ColourJudgement = .neutral
        var stroke: ColourJudgement = .neutral
        var textMode = 0
    }

    /// The verdict for `page` (a page dictionary handle). `resources` looks up the page's
    /// resources after inheritance; `resourcesKey` identifies them for caching (`nil`: unique).
    func judgePage(_ page: qpdf_oh, resourcesKey: String?, resources lookUpResources: () -> qpdf_oh?, cache: Cache) -> ColourJudgement {
        var verdict = ColourJudgement.neutral
        if let contents = document.get(page, "Contents") {
            let streams = document.array(contents) ?? [contents]
            // Pages that share content streams and resources (templates, generated documents)
            // are inspected once.
            let ids = streams.map { document.objectID($0) }
            let key = ids.contains(0) ? nil : resourcesKey.map { "page:\(ids)/\($0)" }
            if let key, let known = cache.forms[key] {
                verdict = known
            } else {
                verdict = judgeContents(streams, resources: lookUpResources(), cache: cache)
                if let key { cache.forms[key] = verdict }
            }
            if verdict == .colour { return verdict }
        }
        if let annots = document.array(document.get(page, "Annots")) {
            for annot in annots.prefix(500) {
                verdict = verdict.and(judgeAnnotation(annot, cache: cache))
                if verdict == .colour { return verdict }
            }
        }
        return verdict
    }

    /// A page's content streams, concatenated (they are one stream split in pieces).
    func judgeContents(_ streams: [qpdf_oh], resources: qpdf_oh?, cache: Cache) -> ColourJudgement {
        var verdict = ColourJudgement.neutral
        var data: [UInt8] = []
        for s in streams {
            switch document.streamData(s, cap: streamCap) {
            case .data(let d):
                if data.count + d.count > streamCap { return .undecided("page content larger than \(streamCap) bytes") }
                data += d
                data.append(10)
            case .tooLarge: return .undecided("page content larger than \(streamCap) bytes (possible Flate bomb)")
            case .unavailable(let why): verdict = verdict.and(.undecided("unreadable content stream: \(why)"))
            }
        }
        return verdict.and(judgeContent(data, resources: resources, state: GState(), depth: 0, cache: cache))
    }

    /// Printable annotations' normal appearance (flag bit 3 "Print" set, bit 2 "Hidden" clear).
    func judgeAnnotation(_ annot: qpdf_oh, cache: Cache) -> ColourJudgement {
        let flags = Int(document.number(document.get(annot, "F")) ?? 0)
        guard flags & 4 != 0, flags & 2 == 0 else { return .neutral }
        guard let ap = document.get(annot, "AP"), let normal = document.get(ap, "N") else { return .neutral }
        var stream = normal
        if !document.isStream(normal) {
            guard let state = document.name(document.get(annot, "AS")), let s = document.get(normal, state) else { return .neutral }
            stream = s
        }
        return judgeForm(stream, parentResources: nil, state: GState(), depth: 1, cache: cache)
    }

    /// A form XObject (or tiling pattern, or appearance stream) painted with inherited state.
    func judgeForm(_ form: qpdf_oh, parentResources: qpdf_oh?, state: GState, depth: Int, cache: Cache) -> ColourJudgement {
        guard depth <= maxDepth else { return .undecided("forms nested deeper than \(maxDepth)") }
        let id = document.objectID(form)
        let key = "\(id)/\(state.fill)/\(state.stroke)/\(state.fillSpace == .gray)"
        if id != 0, let known = cache.forms[key] { return known }
        if id != 0 { cache.forms[key] = .undecided("form refers to itself") } // breaks cycles
        let resources = document.get(form, "Resources") ?? parentResources
        let verdict: ColourJudgement
        switch document.streamData(form, cap: streamCap) {
        case .data(let d): verdict = judgeContent(d, resources: resources, state: state, depth: depth, cache: cache)
        case .tooLarge: verdict = .undecided("form larger than \(streamCap) bytes")
        case .unavailable(let why): verdict = .undecided("unreadable form: \(why)")
        }
        if id != 0 { cache.forms[key] = verdict }
        return verdict
    }

    /// Walks one content stream.
    func judgeContent(_ data: [UInt8], resources: qpdf_oh?, state initial: GState, depth: Int, cache: Cache) -> ColourJudgement {
        var verdict = ColourJudgement.neutral
        var state = initial
        var stack: [GState] = []
        let scanner = ContentStreamScanner(operatorLimit: operatorLimit)
        func numbers(_ ops: [Operand]) -> [Double] {
            ops.compactMap { if case .number(let v) = $0 { return v } else { return nil } }
        }
        func paint(fill: Bool, stroke: Bool) {
            if fill { verdict = verdict.and(state.fill) }
            if stroke { verdict = verdict.and(state.stroke) }
        }
        func setColour(_ ops: [Operand], stroke: Bool) {
            let space = stroke ? state.strokeSpace : state.fillSpace
            var judgement: ColourJudgement
            if case .pattern(let under) = space {
                let patternName: String? = ops.reversed().lazy.compactMap { if case .name(let n) = $0 { return n } else { return nil } }.first
                judgement = judgePattern(named: patternName, resources: resources, underlying: under,
                                         values: numbers(ops), state: state, depth: depth, cache: cache)
            } else {
                judgement = space.judge(numbers(ops))
            }
            if stroke { state.stroke = judgement } else { state.fill = judgement }
        }
        let completed = data.withUnsafeBytes { bytes in
            scanner.scan(bytes) { op, ops in
                switch op {
                case "q": stack.append(state); if stack.count > 256 { stack.removeFirst() }
                case "Q": if let s = stack.popLast() { state = s }
                case "g": state.fillSpace = .gray; state.fill = .neutral
                case "G": state.strokeSpace = .gray; state.stroke = .neutral
                case "rg":
                    state.fillSpace = .rgb; let v = numbers(ops)
                    state.fill = v.count >= 3 ? NeutralRule.rgb(v[v.count - 3], v[v.count - 2], v[v.count - 1]) : .neutral
                case "RG":
                    state.strokeSpace = .rgb; let v = numbers(ops)
                    state.stroke = v.count >= 3 ? NeutralRule.rgb(v[v.count - 3], v[v.count - 2], v[v.count - 1]) : .neutral
                case "k":
                    state.fillSpace = .cmyk; let v = numbers(ops)
                    state.fill = v.count >= 4 ? NeutralRule.cmyk(v[v.count - 4], v[v.count - 3], v[v.count - 2], v[v.count - 1]) : .neutral
                case "K":
                    state.strokeSpace = .cmyk; let v = numbers(ops)
                    state.stroke = v.count >= 4 ? NeutralRule.cmyk(v[v.count - 4], v[v.count - 3], v[v.count - 2], v[v.count - 1]) : .neutral
                case "cs", "CS":
                    let name: String? = ops.last.flatMap { if case .name(let n) = $0 { return n } else { return nil } }
                    let space = resolveSpace(named: name, resources: resources, cache: cache)
                    let initialJudgement: ColourJudgement
                    if case .pattern = space { initialJudgement = .neutral } else { initialJudgement = space.judge(space.initialColour) }
                    if op == "cs" { state.fillSpace = space; state.fill = initialJudgement } else { state.strokeSpace = space; state.stroke = initialJudgement }
                case "sc", "scn": setColour(ops, stroke: false)
                case "SC", "SCN": setColour(ops, stroke: true)
                case "f", "F", "f*": paint(fill: true, stroke: false)
                case "S", "s": paint(fill: false, stroke: true)
                case "B", "B*", "b", "b*": paint(fill: true, stroke: true)
                case "Tr": if case .number(let v)? = ops.last { state.textMode = Int(v) }
                case "Tj", "TJ", "'", "\"":
                    let m = state.textMode
                    paint(fill: m == 0 || m == 2 || m == 4 || m == 6, stroke: m == 1 || m == 2 || m == 5 || m == 6)
                case "sh":
                    let name: String? = ops.last.flatMap { if case .name(let n) = $0 { return n } else { return nil } }
                    if let name, let shadings = resources.flatMap({ document.get($0, "Shading") }), let sh = document.get(shadings, name) {
                        verdict = verdict.and(judgeShading(sh, cache: cache))
                    } else {
                        verdict = verdict.and(.undecided("shading \(name ?? "?") not found"))
                    }
                case "Do":
                    let name: String? = ops.last.flatMap { if case .name(let n) = $0 { return n } else { return nil } }
                    guard let name, let xobjects = resources.flatMap({ document.get($0, "XObject") }),
                          let x = document.get(xobjects, name) else { break }
                    let subtype = document.name(document.get(x, "Subtype"))
                    if subtype == "Form" {
                        verdict = verdict.and(judgeForm(x, parentResources: resources, state: state, depth: depth + 1, cache: cache))
                    } else if subtype == "Image" {
                        verdict = verdict.and(judgeImage(x, state: state, resources: resources, cache: cache))
                    }
                case "BI":
                    verdict = verdict.and(judgeInlineImage(ops, state: state, resources: resources, cache: cache))
                default: break
                }
                return verdict != .colour
            }
        }
        if !completed && verdict != .colour {
            return verdict.and(.undecided("content stream has more than \(operatorLimit) operators"))
        }
        return verdict
    }

    // MARK: Colour spaces

    /// A colour space operand of `cs`/`CS`: a device family name or a /ColorSpace resource.
    func resolveSpace(named name: String?, resources: qpdf_oh?, cache: Cache) -> ColourSpace {
        guard let name else { return .unknown("colour space operand missing") }
        switch name {
        case "DeviceGray", "CalGray", "G": return .gray
        case "DeviceRGB", "CalRGB", "RGB": return .rgb
        case "DeviceCMYK", "CMYK": return .cmyk
        case "Pattern": return .pattern(nil)
        default:
            guard let dict = resources.flatMap({ document.get($0, "ColorSpace") }), let cs = document.get(dict, name) else {
                return .unknown("colour space \(name) not found")
            }
            return space(cs, cache: cache, depth: 0)
        }
    }

    /// Interprets a colour space object (name or array).
    func space(_ cs: qpdf_oh, cache: Cache, depth: Int) -> ColourSpace {
        let id = document.objectID(cs)
        if id != 0, let known = cache.spaces[id] { return known }
        let result = interpretSpace(cs, cache: cache, depth: depth)
        if id != 0 { cache.spaces[id] = result }
        return result
    }

    private func interpretSpace(_ cs: qpdf_oh, cache: Cache, depth: Int) -> ColourSpace {
        guard depth < 8 else { return .unknown("colour spaces nested too deeply") }
        if let n = document.name(cs) { return resolveSpace(named: n, resources: nil, cache: cache) }
        guard let items = document.array(cs), let family = items.first.flatMap({ document.name($0) }) else {
            return .unknown("malformed colour space")
        }
        switch family {
        case "DeviceGray", "CalGray", "G": return .gray
        case "DeviceRGB", "CalRGB", "RGB": return .rgb
        case "DeviceCMYK", "CMYK": return .cmyk
        case "Lab": return .lab
        case "ICCBased":
            guard items.count > 1 else { return .unknown("ICCBased without a profile") }
            let n = Int(document.number(document.get(items[1], "N")) ?? 0)
            guard n == 1 || n == 3 || n == 4 else { return .unknown("ICCBased with N=\(n)") }
            return .icc(components: n)
        case "Indexed", "I":
            guard items.count >= 4 else { return .unknown("malformed Indexed colour space") }
            let base = space(items[1], cache: cache, depth: depth + 1)
            let hival = max(0, min(255, Int(document.number(items[2]) ?? 0)))
            var lookup = document.bytes(items[3]) ?? []
            if lookup.isEmpty, document.isStream(items[3]), case .data(let d) = document.streamData(items[3], cap: 1 << 16) { lookup = d }
            return .indexed(base: base, hival: hival, lookup: lookup)
        case "Separation":
            return .separation(items.count > 1 ? document.name(items[1]) ?? "?" : "?")
        case "DeviceN":
            let names = items.count > 1 ? (document.array(items[1]) ?? []).compactMap { document.name($0) } : []
            return .deviceN(names)
        case "Pattern":
            return .pattern(items.count > 1 ? space(items[1], cache: cache, depth: depth + 1) : nil)
        default:
            return .unknown("colour space \(family)")
        }
    }

    // MARK: Patterns, shadings, images

    func judgePattern(named name: String?, resources: qpdf_oh?, underlying: ColourSpace?, values: [Double],
                      state: GState, depth: Int, cache: Cache) -> ColourJudgement {
        guard let name, let patterns = resources.flatMap({ document.get($0, "Pattern") }), let p = document.get(patterns, name) else {
            return .undecided("pattern \(name ?? "?") not found")
        }
        let type = Int(document.number(document.get(p, "PatternType")) ?? 0)
        if type == 2 {
            guard let sh = document.get(p, "Shading") else { return .undecided("shading pattern without a shading") }
            return judgeShading(sh, cache: cache)
        }
        let paintType = Int(document.number(document.get(p, "PaintType")) ?? 1)
        if paintType == 2 {
            // Uncoloured tiling pattern: painted in the colour given with it.
            return underlying?.judge(values) ?? .undecided("uncoloured pattern without a colour space")
        }
        return judgeForm(p, parentResources: nil, state: GState(), depth: depth + 1, cache: cache)
    }

    /// Shadings: grey spaces are neutral; axial/radial/function shadings whose functions are
    /// exponential (type 2) or stitched exponentials are judged at their endpoints (a blend of
    /// neutrals is neutral); anything else is rendered.
    func judgeShading(_ sh: qpdf_oh, cache: Cache) -> ColourJudgement {
        let dict = sh
        guard let csObject = document.get(dict, "ColorSpace") else { return .undecided("shading without a colour space") }
        let cs = space(csObject, cache: cache, depth: 0)
        if case .gray = cs { return .neutral }
        if case .icc(1) = cs { return .neutral }
        guard let function = document.get(dict, "Function") else { return .undecided("mesh shading") }
        let functions = document.array(function) ?? [function]
        var verdict = ColourJudgement.neutral
        for f in functions {
            verdict = verdict.and(judgeFunctionEndpoints(f, space: cs, depth: 0))
            if verdict == .colour { break }
        }
        return verdict
    }

    func judgeFunctionEndpoints(_ f: qpdf_oh, space cs: ColourSpace, depth: Int) -> ColourJudgement {
        guard depth < 4 else { return .undecided("deeply stitched shading function") }
        let type = Int(document.number(document.get(f, "FunctionType")) ?? -1)
        if type == 2 {
            let c0 = (document.array(document.get(f, "C0")) ?? []).compactMap { document.number($0) }
            let c1 = (document.array(document.get(f, "C1")) ?? []).compactMap { document.number($0) }
            let a = cs.judge(c0.isEmpty ? [0] : c0), b = cs.judge(c1.isEmpty ? [1] : c1)
            return a.and(b)
        }
        if type == 3, let parts = document.array(document.get(f, "Functions")) {
            var verdict = ColourJudgement.neutral
            for p in parts { verdict = verdict.and(judgeFunctionEndpoints(p, space: cs, depth: depth + 1)) }
            return verdict
        }
        return .undecided("shading function type \(type)")
    }

    /// Image XObjects: masks paint the fill colour; grey images are neutral; Indexed images with
    /// only neutral entries are neutral; other images need their pixels (rendered).
    func judgeImage(_ image: qpdf_oh, state: GState, resources: qpdf_oh?, cache: Cache) -> ColourJudgement {
        if document.bool(document.get(image, "ImageMask")) == true { return state.fill }
        guard let csObject = document.get(image, "ColorSpace") else {
            // JPX images may carry their colour space inside the codestream.
            return .undecided("image without /ColorSpace")
        }
        return judgeImageSpace(space(csObject, cache: cache, depth: 0))
    }

    func judgeImageSpace(_ cs: ColourSpace) -> ColourJudgement {
        switch cs {
        case .gray, .icc(components: 1): return .neutral
        case let .indexed(base, hival, lookup):
            let v = base.judgeAllEntries(hival: hival, lookup: lookup)
            return v == .colour ? .undecided("indexed image with colour entries") : v
        case .separation(let name) where ColourSpace.neutralColorants.contains(name): return .neutral
        case .deviceN(let names) where names.allSatisfy({ ColourSpace.neutralColorants.contains($0) }): return .neutral
        case .rgb, .icc, .lab, .cmyk: return .undecided("colour image samples")
        default: return .undecided("image in \(cs)")
        }
    }

    /// Inline images: operands are the dictionary's keys and values in order.
    func judgeInlineImage(_ ops: [Operand], state: GState, resources: qpdf_oh?, cache: Cache) -> ColourJudgement {
        var csName: String?
        var isMask = false
        var i = 0
        while i + 1 < ops.count {
            if case .name(let key) = ops[i] {
                if key == "IM" || key == "ImageMask", case .bool(let b) = ops[i + 1] { isMask = b }
                if key == "CS" || key == "ColorSpace" {
                    if case .name(let v) = ops[i + 1] { csName = v } else { csName = "(array)" }
                }
            }
            i += 2
        }
        if isMask { return state.fill }
        guard let csName else { return .undecided("inline image without a colour space") }
        if csName == "(array)" { return .undecided("inline image with an inline colour space") }
        return judgeImageSpace(resolveSpace(named: csName, resources: resources, cache: cache))
    }
}
