import CQPDF

/// PDF: page list and boxes through libqpdf, colour from page structure, rendering only the
/// pages structure cannot decide.
struct PDFAnalyser {
    let limits: AnalysisLimits

    func analyse(_ data: DocumentData, options: JobOptions) -> FormatResult {
        var result = FormatResult()
        let clock = ContinuousClock()
        var start = clock.now
        let document: QPDFDocument
        do {
            document = try QPDFDocument(bytes: data.bytes)
        } catch {
            let failure = switch error {
            case .needsPassword(let m): AnalysisFailure(kind: .encrypted, detail: "the PDF needs a password to open (\(m))")
            case .damaged(let m): AnalysisFailure(kind: .malformed, detail: "qpdf could not read the PDF even after repair: \(m)")
            }
            result.failure = failure
            result.provenance.append(FigureProvenance(figure: .pageCount, method: .notDetermined,
                                                      milliseconds: (clock.now - start).milliseconds, detail: failure.detail))
            return result
        }
        let pageCount: Int
        switch document.pageCount() {
        case .success(let n): pageCount = n
        case .failure(let f):
            result.failure = AnalysisFailure(kind: .malformed, detail: "qpdf could not list the pages: \(f.message)")
            result.provenance.append(FigureProvenance(figure: .pageCount, method: .notDetermined,
                                                      milliseconds: (clock.now - start).milliseconds, detail: f.message))
            return result
        }
        result.pageCount = pageCount
        result.warnings += document.warnings.map { "qpdf: " + $0 }
        if document.isEncrypted { result.warnings.append("the PDF is encrypted (opened without a user password)") }
        result.provenance.append(FigureProvenance(figure: .pageCount, method: .qpdfPageList,
                                                  milliseconds: (clock.now - start).milliseconds,
                                                  detail: pageCount == 0 ? "the page tree holds no pages" : nil))

        // Application.
        start = clock.now
        if let creator = document.info("Creator") { result.applicationCandidates.append((creator, .pdfCreator)) }
        if let producer = document.info("Producer") { result.applicationCandidates.append((producer, .pdfProducer)) }
        result.provenance.append(FigureProvenance(figure: .application, method: .pdfInfo, milliseconds: (clock.now - start).milliseconds))

        // Media and structural colour, page by page.
        start = clock.now
        var media: [MediaSize] = []
        media.reserveCapacity(pageCount)
        var structure: [ColourJudgement?] = []
        structure.reserveCapacity(pageCount)
        let decideColour = options.colourMode != .monochrome
        let inspector = PDFColourInspector(document: document, streamCap: limits.maxStreamBytes, operatorLimit: limits.maxOperatorsPerStream)
        let cache = PDFColourInspector.Cache()
        let reader = PageAttributeReader(document: document)
        var mediaTime = Duration.zero, colourTime = Duration.zero
        var budgetExceededAt: Int?
        for index in 0..<pageCount {
            let t0 = clock.now
            let page = document.page(index)
            let attributes = reader.read(page)
            media.append(attributes.media)
            let t1 = clock.now
            mediaTime += t1 - t0
            if decideColour && limits.renderAllPages {
                structure.append(.undecided("reference render of every page"))
            } else if decideColour && budgetExceededAt == nil {
                structure.append(inspector.judgePage(page, resourcesKey: attributes.resourcesKey,
                                                     resources: attributes.resources, cache: cache))
                colourTime += clock.now - t1
                if colourTime > limits.structureBudget { budgetExceededAt = index + 1 }
            } else {
                structure.append(nil)
            }
            if index % 64 == 63 { document.releaseHandles() }
        }
        result.provenance.append(FigureProvenance(figure: .media, method: .pdfPageBoxes, milliseconds: mediaTime.milliseconds))
        if let at = budgetExceededAt, at < pageCount {
            result.warnings.append("colour of pages \(at + 1)–\(pageCount) not determined: the structure time budget ran out")
        }

        // Render what structure left undecided.
        var colours = [PageColour](repeating: .unknown, count: pageCount)
        var methods = [ColourMethod](repeating: .notDetermined, count: pageCount)
        var undecided: [Int] = []
        var reasons: [String: Int] = [:]
        for (i, verdict) in structure.enumerated() {
            guard decideColour else { colours[i] = .monochrome; methods[i] = .colourModeOption; continue }
            switch verdict {
            case .neutral?: colours[i] = .monochrome; methods[i] = .pageStructure
            case .colour?: colours[i] = .colour; methods[i] = .pageStructure
            case .undecided(let why)?: undecided.append(i + 1); reasons[why, default: 0] += 1
            case nil: break
            }
        }
        var renderDetail: String?
        var renderTime = Duration.zero
        if !undecided.isEmpty {
            let t = clock.now
            let toRender = Array(undecided.prefix(limits.maxRenderedPages))
            if undecided.count > toRender.count {
                result.warnings.append("\(undecided.count - toRender.count) pages needing a render were not rendered (limit \(limits.maxRenderedPages))")
            }
            if let gs = limits.ghostscriptPath {
                let renderer = GhostscriptRenderer(ghostscript: gs, timeout: limits.ghostscriptTimeout(documentBytes: data.count))
                var expected: [Int: (width: Int, height: Int)] = [:]
                for page in toRender {
                    let m = media[page - 1]
                    expected[page] = (Int(m.widthPoints.rounded()), Int(m.heightPoints.rounded()))
                }
                let (verdicts, outcome) = renderer.render(pages: toRender, expectedSizes: expected, document: data)
                for page in toRender {
                    if let colour = verdicts[page] {
                        colours[page - 1] = colour ? .colour : .monochrome
                        methods[page - 1] = .ghostscriptRender
                    }
                }
                let missing = toRender.filter { verdicts[$0] == nil }.count
                if missing > 0 {
                    result.warnings.append("Ghostscript did not render \(missing) of \(toRender.count) pages (\(outcome.description)); their colour is unknown")
                }
            } else {
                result.warnings.append("\(toRender.count) pages need rendering but Ghostscript is disabled; their colour is unknown")
            }
            renderTime = clock.now - t
            let why = reasons.sorted { $0.value > $1.value }.prefix(3).map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
            renderDetail = "\(toRender.count) of \(pageCount) pages rendered (\(why))"
        }
        if decideColour {
            let method: AnalysisMethod = undecided.isEmpty ? .pdfPageStructure : .ghostscriptRender
            let detail = renderDetail ?? "all \(pageCount) pages decided from structure"
            result.provenance.append(FigureProvenance(figure: .colour, method: method,
                                                      milliseconds: (colourTime + renderTime).milliseconds, detail: detail))
        } else {
            result.provenance.append(FigureProvenance(figure: .colour, method: .jobOptions, milliseconds: 0,
                                                      detail: "print-color-mode=monochrome"))
        }
        var builder = RunBuilder()
        for i in 0..<pageCount { builder.append(page: i + 1, media: media[i], colour: colours[i], method: methods[i]) }
        result.runs = builder.runs
        return result
    }
}

/// Reads pages' printed sizes and resources, resolving inheritable attributes (/MediaBox,
/// /CropBox, /Rotate, /Resources) through the page tree. Each /Pages node is resolved once and
/// cached by object number, so big documents cost a few qpdf calls per page.
final class PageAttributeReader {
    typealias Box = (x0: Double, y0: Double, x1: Double, y1: Double)

    /// What a node contributes, after inheritance from its ancestors.
    struct Inherited {
        var mediaBox: Box?
        var cropBox: Box?
        var rotate: Int?
        /// The object holding the inherited /Resources dictionary (itself, or the node that has it
        /// directly), as object number and generation.
        var resources: (id: Int, generation: Int, direct: Bool)?
    }

    /// Default when a page has no usable /MediaBox: US Letter, as Acrobat assumes.
    static let fallback: Box = (0, 0, 612, 792)

    private let document: QPDFDocument
    private var nodes: [Int: Inherited] = [:]

    init(document: QPDFDocument) { self.document = document }

    struct Page {
        var media: MediaSize
        /// A key identifying the resources (for caching verdicts), `nil` when direct in the page.
        var resourcesKey: String?
        /// Looks up the resources handle (valid until handles are released).
        var resources: () -> qpdf_oh?
    }

    func read(_ page: qpdf_oh) -> Page {
        let parent = document.get(page, "Parent")
        let inherited = parent.map { node($0, depth: 0) } ?? Inherited()
        let own = attributes(of: page)
        var b = own.mediaBox ?? inherited.mediaBox ?? Self.fallback
        if let crop = own.cropBox ?? inherited.cropBox {
            let i = (x0: max(b.x0, crop.x0), y0: max(b.y0, crop.y0), x1: min(b.x1, crop.x1), y1: min(b.y1, crop.y1))
            if i.x1 - i.x0 > 1 && i.y1 - i.y0 > 1 { b = i }
        }
        let unit = document.number(document.get(page, "UserUnit")) ?? 1
        let scale = unit > 0 && unit < 1000 ? unit : 1
        var w = (b.x1 - b.x0) * scale, h = (b.y1 - b.y0) * scale
        let rotate = own.rotate ?? inherited.rotate ?? 0
        if ((rotate % 360 + 360) % 360) / 90 % 2 == 1 { swap(&w, &h) }
        let media = MediaSize(widthPoints: w, heightPoints: h)
        if let direct = document.get(page, "Resources") {
            let id = document.objectID(direct)
            return Page(media: media, resourcesKey: id == 0 ? nil : "r\(id)", resources: { direct })
        }
        guard let r = inherited.resources else { return Page(media: media, resourcesKey: "none", resources: { nil }) }
        let document = self.document
        return Page(media: media, resourcesKey: (r.direct ? "n" : "r") + String(r.id), resources: {
            let holder = document.object(id: r.id, generation: r.generation)
            return r.direct ? document.get(holder, "Resources") : holder
        })
    }

    /// A /Pages node's effective attributes (bounded depth, cycles cut).
    private func node(_ n: qpdf_oh, depth: Int) -> Inherited {
        let id = document.objectID(n)
        if id != 0, let known = nodes[id] { return known }
        if id != 0 { nodes[id] = Inherited() } // a cycle resolves to nothing
        var result = attributes(of: n)
        if let direct = document.get(n, "Resources") {
            let rid = document.objectID(direct)
            result.resources = rid != 0 ? (rid, document.generation(direct), false) : (id, document.generation(n), true)
        }
        if depth < 64, let parent = document.get(n, "Parent") {
            let up = node(parent, depth: depth + 1)
            result.mediaBox = result.mediaBox ?? up.mediaBox
            result.cropBox = result.cropBox ?? up.cropBox
            result.rotate = result.rotate ?? up.rotate
            if result.resources == nil { result.resources = up.resources }
        }
        if id != 0 { nodes[id] = result }
        return result
    }

    private func attributes(of n: qpdf_oh) -> Inherited {
        var a = Inherited()
        a.mediaBox = box(document.get(n, "MediaBox"))
        a.cropBox = box(document.get(n, "CropBox"))
        a.rotate = document.number(document.get(n, "Rotate")).map { Int($0) }
        return a
    }

    private func box(_ oh: qpdf_oh?) -> Box? {
        guard let a = document.array(oh), a.count == 4 else { return nil }
        let v = a.compactMap { document.number($0) }
        guard v.count == 4, v.allSatisfy({ $0.isFinite }) else { return nil }
        let b = (x0: min(v[0], v[2]), y0: min(v[1], v[3]), x1: max(v[0], v[2]), y1: max(v[1], v[3]))
        return b.x1 - b.x0 > 0 && b.y1 - b.y0 > 0 ? b : nil
    }
}
