import CQPDF
#if canImport(Glibc)
import Glibc
#endif

/// A PDF opened with libqpdf's C API (qpdf reads the file structure: xref streams, object
/// streams, incremental updates, repair of broken xref tables, encryption without a user
/// password). Not thread-safe; one instance per analysis.
final class QPDFDocument {
    private var q: qpdf_data?
    /// Warnings qpdf reported while reading (repairs).
    private(set) var warnings: [String] = []

    /// Why a PDF could not be opened.
    enum OpenError: Error {
        case needsPassword(String)
        case damaged(String)
    }

    /// Opens the PDF in `bytes` (not copied: must outlive the document).
    init(bytes: UnsafeRawBufferPointer) throws(OpenError) {
        q = qpdf_init()
        qpdf_silence_errors(q)
        qpdf_set_suppress_warnings(q, QPDF_TRUE)
        qpdf_set_attempt_recovery(q, QPDF_TRUE)
        let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
        let status = qpdf_read_memory(q, "document", base, UInt64(bytes.count), "")
        collectWarnings()
        if (status & Int32(QPDF_ERRORS)) != 0 || qpdf_has_error(q) != 0 {
            let message = takeError() ?? "qpdf could not read the document"
            let lower = message.lowercased()
            if lower.contains("password") {
                throw .needsPassword(message)
            }
            throw .damaged(message)
        }
    }

    deinit { qpdf_cleanup(&q) }

    /// Whether the file is encrypted (it opened, so without a user password).
    var isEncrypted: Bool { qpdf_is_encrypted(q) != 0 }

    /// The number of real page objects (qpdf walks the page tree; a lying /Count is ignored).
    func pageCount() -> Result<Int, Failure> {
        let n = qpdf_get_num_pages(q)
        collectWarnings()
        if n < 0 || qpdf_has_error(q) != 0 { return .failure(Failure(message: takeError() ?? "qpdf could not list the pages")) }
        return .success(Int(n))
    }

    struct Failure: Error { var message: String }

    func page(_ index: Int) -> qpdf_oh { qpdf_get_page_n(q, index) }

    /// Frees every object handle handed out so far (call between pages of big documents).
    func releaseHandles() { qpdf_oh_release_all(q) }

    /// A /Info string (key without the slash), decoded from PDFDocEncoding or UTF-16 to UTF-8.
    func info(_ key: String) -> String? {
        guard let info = get(qpdf_get_trailer(q), "Info"), let value = get(info, key),
              qpdf_oh_is_string(q, value) != 0, let p = qpdf_oh_get_utf8_value(q, value) else { return nil }
        let s = String(cString: p)
        return s.isEmpty ? nil : s
    }

    // MARK: Objects

    /// The value of `key` (without the slash) in a dictionary or stream dictionary; `nil` when
    /// absent or null.
    func get(_ oh: qpdf_oh, _ key: String) -> qpdf_oh? {
        // The C API names keys with their leading slash. Few calls per lookup: this runs
        // hundreds of thousands of times on big documents.
        let v = qpdf_oh_get_key_if_dict(q, oh, "/" + key)
        if qpdf_oh_is_null(q, v) == 0 { return v }
        guard qpdf_oh_is_stream(q, oh) != 0 else { return nil }
        let w = qpdf_oh_get_key(q, qpdf_oh_get_dict(q, oh), "/" + key)
        return qpdf_oh_is_null(q, w) != 0 ? nil : w
    }

    /// The indirect object `id` (generation `generation`).
    func object(id: Int, generation: Int) -> qpdf_oh {
        qpdf_get_object_by_id(q, Int32(id), Int32(generation))
    }

    func generation(_ oh: qpdf_oh) -> Int { Int(qpdf_oh_get_generation(q, oh)) }

    func isDictionary(_ oh: qpdf_oh) -> Bool { qpdf_oh_is_dictionary(q, oh) != 0 }
    func isStream(_ oh: qpdf_oh) -> Bool { qpdf_oh_is_stream(q, oh) != 0 }
    func isArray(_ oh: qpdf_oh) -> Bool { qpdf_oh_is_array(q, oh) != 0 }

    func number(_ oh: qpdf_oh?) -> Double? {
        guard let oh, qpdf_oh_is_number(q, oh) != 0 else { return nil }
        return qpdf_oh_get_numeric_value(q, oh)
    }

    func bool(_ oh: qpdf_oh?) -> Bool? {
        guard let oh, qpdf_oh_is_bool(q, oh) != 0 else { return nil }
        return qpdf_oh_get_bool_value(q, oh) != 0
    }

    func name(_ oh: qpdf_oh?) -> String? {
        guard let oh, qpdf_oh_is_name(q, oh) != 0, let p = qpdf_oh_get_name(q, oh) else { return nil }
        let s = String(cString: p)
        return s.hasPrefix("/") ? String(s.dropFirst()) : s
    }

    /// A string object's raw bytes (e.g. an Indexed colour space's lookup table).
    func bytes(_ oh: qpdf_oh?) -> [UInt8]? {
        guard let oh, qpdf_oh_is_string(q, oh) != 0 else { return nil }
        var length = 0
        guard let p = qpdf_oh_get_binary_string_value(q, oh, &length) else { return nil }
        return Array(UnsafeRawBufferPointer(start: p, count: length))
    }

    func array(_ oh: qpdf_oh?) -> [qpdf_oh]? {
        guard let oh, qpdf_oh_is_array(q, oh) != 0 else { return nil }
        let n = Int(qpdf_oh_get_array_n_items(q, oh))
        return (0..<n).map { qpdf_oh_get_array_item(q, oh, Int32($0)) }
    }

    /// Object number of an indirect object (0 for direct objects).
    func objectID(_ oh: qpdf_oh) -> Int { Int(qpdf_oh_get_object_id(q, oh)) }

    /// The keys of a dictionary, without the leading slash.
    func keys(_ oh: qpdf_oh) -> [String] {
        guard isDictionary(oh) else { return [] }
        var result: [String] = []
        qpdf_oh_begin_dict_key_iter(q, oh)
        while qpdf_oh_dict_more_keys(q) != 0 {
            if let k = qpdf_oh_dict_next_key(q) {
                let s = String(cString: k)
                result.append(s.hasPrefix("/") ? String(s.dropFirst()) : s)
            }
        }
        return result
    }

    /// The stream's decoded data, or `nil` when it cannot be decoded or would exceed `cap` bytes.
    ///
    /// Failure policy (Flate bombs): a stream whose only filter is /FlateDecode without
    /// parameters is inflated here with zlib and abandoned past `cap`; other filter chains are
    /// decoded by qpdf, whose memory is bounded only by the process's RLIMIT_AS (tollgate-analyse
    /// sets one).
    func streamData(_ oh: qpdf_oh, cap: Int) -> StreamData {
        guard isStream(oh) else { return .unavailable("not a stream") }
        let dict = qpdf_oh_get_dict(q, oh)
        let filter = get(dict, "Filter")
        var filterNames: [String] = []
        if let f = filter {
            if let n = name(f) { filterNames = [n] } else if let a = array(f) { filterNames = a.compactMap { name($0) } }
        }
        let plainFlate = filterNames == ["FlateDecode"] && get(dict, "DecodeParms") == nil
        var buffer: UnsafeMutablePointer<UInt8>?
        var length = 0
        clearError() // an earlier accessor's type error must not be taken for this call's

        var filtered: QPDF_BOOL = QPDF_FALSE
        let level = plainFlate || filterNames.isEmpty ? qpdf_dl_none : qpdf_dl_generalized
        let status = qpdf_oh_get_stream_data(q, oh, level, &filtered, &buffer, &length)
        defer { free(buffer) }
        if (status & Int32(QPDF_ERRORS)) != 0 {
            return .unavailable(takeError() ?? "stream data unreadable")
        }
        let raw = UnsafeRawBufferPointer(start: buffer, count: length)
        if plainFlate {
            return Inflater.inflate(raw, cap: cap)
        }
        if level == qpdf_dl_generalized && filtered == QPDF_FALSE {
            return .unavailable("unsupported filter \(filterNames.joined(separator: ","))")
        }
        if length > cap { return .tooLarge }
        return .data(Array(raw))
    }

    enum StreamData {
        case data([UInt8])
        case tooLarge
        case unavailable(String)
    }

    // MARK: Errors and warnings

    private func takeError() -> String? {
        guard qpdf_has_error(q) != 0, let e = qpdf_get_error(q), let p = qpdf_get_error_full_text(q, e) else { return nil }
        return String(cString: p)
    }

    private func clearError() {
        if qpdf_has_error(q) != 0 { _ = qpdf_get_error(q) }
    }

    private func collectWarnings() {
        while qpdf_more_warnings(q) != 0 {
            guard let w = qpdf_next_warning(q) else { break }
            if warnings.count < 20, let p = qpdf_get_error_full_text(q, w) { warnings.append(String(cString: p)) }
        }
    }
}

/// zlib inflation with an output cap.
enum Inflater {
    static func inflate(_ input: UnsafeRawBufferPointer, cap: Int) -> QPDFDocument.StreamData {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return .unavailable("zlib init failed")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(cap, max(4096, input.count * 4)))
        let chunk = 1 << 16
        var buffer = [UInt8](repeating: 0, count: chunk)
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(input.count)
        while true {
            let result: Int32 = buffer.withUnsafeMutableBufferPointer { out in
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(chunk)
                let r = CQPDF.inflate(&stream, Z_NO_FLUSH)
                let produced = chunk - Int(stream.avail_out)
                output.append(contentsOf: out[0..<produced])
                return r
            }
            if output.count > cap { return .tooLarge }
            if result == Z_STREAM_END { break }
            if result == Z_BUF_ERROR && stream.avail_in == 0 { break } // truncated: keep what we have
            if result != Z_OK {
                // Corrupt data after some output: PDF readers show what decoded.
                if output.isEmpty { return .unavailable("corrupt Flate data") }
                break
            }
        }
        return .data(output)
    }
}
